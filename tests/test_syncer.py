"""The writer's sync thread: files handed in are durable and in place when wait() returns."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive.store import Store
from ingest.syncer import Syncer
from tests.images import make_jpeg


def test_files_handed_in_are_in_place_after_wait(tmp_path: Path) -> None:
    store = Store(tmp_path / "archive")
    store.create()
    source = tmp_path / "photo.jpg"
    make_jpeg(source)
    syncer = Syncer(store)
    try:
        names = [f"thumbs/320/{i:02x}/{i:02x}ff.jpg" for i in range(12)]
        for name in names:  # one outcome at a time, as the workers hand them in
            syncer.add([store.stage(name, name.encode())])
        syncer.add([store.stage_file("originals/ab/abcd.jpg", source)])
        syncer.add([])  # an outcome with nothing staged (a failed file, a dry run)
        syncer.wait()
        assert [store.path(name).read_bytes() for name in names] == [n.encode() for n in names]
        assert store.path("originals/ab/abcd.jpg").read_bytes() == source.read_bytes()
        assert store.leftovers() == []
    finally:
        syncer.close()


def test_a_failed_sync_is_raised_by_wait_and_later_files_still_land(tmp_path: Path) -> None:
    store = Store(tmp_path / "archive")
    store.create()
    lost = store.stage("thumbs/320/aa/aaaa.jpg", b"lost")
    assert lost is not None
    store.path(lost.temp).unlink()  # the staged file is gone before it could be synced
    syncer = Syncer(store)
    try:
        syncer.add([lost])
        with pytest.raises(FileNotFoundError):
            syncer.wait()
        kept = store.stage("thumbs/320/bb/bbbb.jpg", b"kept")
        syncer.add([kept])
        syncer.wait()  # the failure was reported once; the next files are synced as ever
        assert store.path("thumbs/320/bb/bbbb.jpg").read_bytes() == b"kept"
    finally:
        syncer.close()
    assert not syncer.thread or not syncer.thread.is_alive()
