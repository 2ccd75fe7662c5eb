"""Clips are rows of photos (issue 11): the columns m009 adds, the store's streaming copy,
and the fixture clips the video tests are made of."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import av
import pytest

from archive.db import connect, migrations, open_catalog
from archive.store import Store
from tests.clips import HANOI_ISO6709, located, make_clip, make_empty, make_truncated


def test_old_rows_become_photos_and_new_columns_are_empty(tmp_path: Path) -> None:
    path = tmp_path / "catalog.db"
    old = connect(path)
    migrations.apply(old, stop_before="m009_video")
    old.execute(
        "INSERT INTO photos (sha256, original_path, added_at, updated_at)"
        " VALUES ('ab' || hex(randomblob(31)), 'originals/ab/x.jpg', 'x', 'x')"
    )
    old.close()
    db = open_catalog(path)
    row = db.execute("SELECT media_type, duration, playback_path, bitrate FROM photos").fetchone()
    assert row == ("photo", None, None, None)


def test_put_file_copies_byte_for_byte_and_never_overwrites(tmp_path: Path) -> None:
    source = tmp_path / "big.mp4"
    source.write_bytes(os.urandom(3 * (1 << 20) + 17))  # more than one copy chunk
    store = Store(tmp_path / "archive")
    rel = store.original_relpath(hashlib.sha256(source.read_bytes()).hexdigest(), "mp4")
    assert store.put_file(rel, source) is True
    assert store.path(rel).read_bytes() == source.read_bytes()
    assert store.path(rel).stat().st_mode & 0o777 == 0o444
    source.write_bytes(b"other bytes")
    assert store.put_file(rel, source) is False
    assert store.path(rel).stat().st_size == 3 * (1 << 20) + 17
    assert store.leftovers() == []


def test_a_missing_source_leaves_nothing_behind(tmp_path: Path) -> None:
    store = Store(tmp_path / "archive")
    with pytest.raises(FileNotFoundError):
        store.put_file("originals/ab/ab.mp4", tmp_path / "gone.mp4")
    assert not store.has("originals/ab/ab.mp4") and store.leftovers() == []


def test_fixture_clips_say_what_they_were_made_with(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "quay.mp4", rotation=90, audio=True, metadata=located())
    with av.open(str(clip.path)) as container:
        assert container.metadata["creation_time"].startswith("2024-09-05T01:30:00")
        assert container.metadata["location"].startswith(HANOI_ISO6709[:17])
        assert {s.type for s in container.streams} == {"video", "audio"}
        frame = next(container.decode(video=0))
        assert (frame.width, frame.height, frame.rotation) == (240, 320, 90)
    assert clip.stored == (240, 320) and (clip.width, clip.height) == (320, 240)
    with pytest.raises(av.error.InvalidDataError):
        av.open(str(make_truncated(tmp_path / "cut.mp4")))
    with pytest.raises(av.error.InvalidDataError):
        av.open(str(make_empty(tmp_path / "empty.mp4")))


def test_a_big_clip_is_hashed_and_stored_in_flat_memory(tmp_path: Path) -> None:
    import tracemalloc

    from ingest.video import sha256_of_file

    source = tmp_path / "dai.mp4"
    with open(source, "wb") as handle:
        for _ in range(48):
            handle.write(os.urandom(1 << 20))
    store = Store(tmp_path / "archive")
    tracemalloc.start()
    try:
        digest, size = sha256_of_file(source)
        store.put_file(store.original_relpath(digest, "mp4"), source)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert size == 48 << 20 and peak < 8 << 20  # a few 1 MiB chunks, never the 48 MiB file
    assert sha256_of_file(store.path(store.original_relpath(digest, "mp4")))[0] == digest
