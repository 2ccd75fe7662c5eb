"""Staged writes: nothing is at its name before it is synced, and an unchanged re-run is noted."""

from __future__ import annotations

import stat
from pathlib import Path

from archive.store import Store
from tests.images import make_jpeg


def test_a_staged_file_takes_its_name_only_when_synced(tmp_path: Path) -> None:
    store = Store(tmp_path / "archive")
    store.create()
    source = tmp_path / "photo.jpg"
    make_jpeg(source)
    original, thumb = "originals/ab/abcd.jpg", "thumbs/320/ab/abcd.jpg"
    staged = [store.stage_file(original, source), store.stage(thumb, b"thumbnail")]
    assert all(item is not None for item in staged)
    # Before the writer syncs the batch, a crash would leave only temporaries.
    assert not store.has(original) and not store.has(thumb)
    assert len(store.leftovers()) == 2
    store.sync_staged(item for item in staged if item is not None)
    assert store.path(original).read_bytes() == source.read_bytes()
    assert store.path(thumb).read_bytes() == b"thumbnail"
    assert stat.S_IMODE(store.path(original).stat().st_mode) == 0o444
    assert stat.S_IMODE(store.path(thumb).stat().st_mode) == 0o644
    assert store.leftovers() == []


def test_the_same_content_staged_twice_lands_once(tmp_path: Path) -> None:
    store = Store(tmp_path / "archive")
    first, second = (
        store.stage("thumbs/320/cd/cdef.jpg", b"a"),
        store.stage("thumbs/320/cd/cdef.jpg", b"a"),
    )
    assert first is not None and second is not None and first.temp != second.temp
    store.sync_staged([first, second])
    assert store.path("thumbs/320/cd/cdef.jpg").read_bytes() == b"a"
    assert store.leftovers() == []
    # Once in place, the name is taken: nothing more is staged for it.
    assert store.stage("thumbs/320/cd/cdef.jpg", b"a") is None


def test_leftovers_of_a_crash_are_removed(tmp_path: Path) -> None:
    store = Store(tmp_path / "archive")
    store.stage("originals/ef/ef01.jpg", b"half a photo")
    assert store.remove_leftovers() == 1
    assert not list(store.root.rglob(".incoming-*"))
    assert not store.has("originals/ef/ef01.jpg")


def test_an_unchanged_rerun_notes_every_source_as_seen(archive, tmp_path: Path) -> None:
    folder = tmp_path / "photos"
    folder.mkdir()
    for i in range(3):
        make_jpeg(folder / f"IMG_{i}.jpg", color=(i * 40, 10, 10))
    assert archive.ingest(str(folder))["added"] == 3
    again = archive.ingest(str(folder))
    assert again["unchanged"] == 3 and again["added"] == 0
    runs = [r["id"] for r in archive.rows("SELECT id FROM ingest_runs ORDER BY id")]
    seen = archive.rows("SELECT DISTINCT first_run_id, last_run_id FROM photo_sources")
    assert seen == [{"first_run_id": runs[0], "last_run_id": runs[1]}]
