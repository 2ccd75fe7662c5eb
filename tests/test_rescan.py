"""An unchanged re-run: recognised by path, size and mtime, with nothing read and nothing loaded.

What makes a re-run cheap must not change what it finds: the walk gives the
same photos in the same order, a file that did change among unchanged ones is
read and reported, and the libraries only a file's bytes need (the decoders,
numpy for the fingerprints) are never imported by a run that reads no file.
bench/bench_rescan.py times it; these tests only say what happens.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

from archive.text import natural_key
from ingest.sources import discover
from tests.conftest import PROJECT, Archive
from tests.images import make_jpeg

# Loaded only to read a file's bytes: decoders, the EXIF reader, the fingerprints' numpy.
FOR_BYTES = ("PIL", "pyvips", "exifread", "av", "imagehash", "numpy", "pandas")


def _photos(folder: Path, count: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"IMG_{i}.jpg" for i in range(1, count + 1)]
    for i, path in enumerate(paths):
        make_jpeg(path, color=(10 * i, 200 - 10 * i, 40))
    return paths


def test_a_changed_file_among_unchanged_ones_is_read_and_reported(
    archive: Archive, tmp_path: Path, processed: list[str]
) -> None:
    folder = tmp_path / "camera"
    paths = _photos(folder, 6)
    assert archive.ingest(str(folder))["added"] == 6
    processed.clear()

    edited, touched = paths[2], paths[4]
    make_jpeg(edited, color=(1, 2, 3), quality=70)  # new content at a known path
    stat = edited.stat()
    os.utime(edited, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    stat = touched.stat()  # same bytes, a new mtime: read again, found to be the same photo
    os.utime(touched, ns=(stat.st_atime_ns, stat.st_mtime_ns + 7_000_000_000))

    report = archive.ingest(str(folder))
    assert sorted(processed) == sorted([edited.name, touched.name])
    assert (report["files"], report["added"], report["unchanged"]) == (6, 1, 5)
    warned = [p for p in report["problems"] if p["level"] == "warning"]
    assert [Path(p["path"]).name for p in warned] == [edited.name]
    assert "changed since it was archived" in warned[0]["reason"]
    rows = archive.rows(
        "SELECT size, mtime_ns FROM photo_sources WHERE path = ?", (str(touched.resolve()),)
    )
    assert rows == [{"size": touched.stat().st_size, "mtime_ns": touched.stat().st_mtime_ns}]

    processed.clear()
    again = archive.ingest(str(folder))
    assert processed == []
    assert (again["added"], again["unchanged"], again["problems"]) == (0, 6, [])


def test_every_unchanged_file_is_noted_seen_by_the_run(archive: Archive, tmp_path: Path) -> None:
    folder = tmp_path / "camera"
    _photos(folder / "a", 3)
    _photos(folder / "b", 2)
    archive.ingest(str(folder))
    report = archive.ingest(str(folder))
    assert report["unchanged"] == 5
    rows = archive.rows("SELECT DISTINCT last_run_id FROM photo_sources")
    assert rows == [{"last_run_id": report["run_id"]}]


def test_the_walk_orders_photos_and_event_folders_as_people_sort_names(tmp_path: Path) -> None:
    event = tmp_path / "Hội nghị"
    (event / "a").mkdir(parents=True)
    (event / "b").mkdir()
    (event / "event.yml").write_text("title: Hội nghị\n", "utf-8")
    nfd = unicodedata.normalize("NFD", "Ảnh 1.jpg")
    for relative in ["IMG_10.jpg", "IMG_2.jpg", nfd, "a/IMG_5.jpg", "b/IMG_1.jpg"]:
        make_jpeg(event / relative)
    (event / "._IMG_2.jpg").write_bytes(b"junk")
    (event / "Thumbs.db").write_bytes(b"junk")
    (event / "notes.docx").write_bytes(b"not a photo")

    found = discover([event])
    top = event.resolve()
    walked = [photo.on_disk for photo in found.photos]
    expected = [nfd, "IMG_2.jpg", "IMG_10.jpg", "a/IMG_5.jpg", "b/IMG_1.jpg"]
    assert walked == [str(top / name) for name in expected]
    assert [photo.path for photo in found.photos] == [Path(p) for p in walked]
    assert all(Path(p).is_file() for p in walked)  # as on disk: NFD where the disk has NFD
    assert found.photos[0].key == unicodedata.normalize("NFC", walked[0])
    assert found.skipped == [top / "notes.docx"]

    folder = found.folders[top]
    relatives = [photo.relative for photo in folder.photos]
    assert relatives == ["a/IMG_5.jpg", "Ảnh 1.jpg", "b/IMG_1.jpg", "IMG_2.jpg", "IMG_10.jpg"]
    assert relatives == sorted(relatives, key=natural_key)

    one = discover([event / "IMG_2.jpg"])
    assert [(p.on_disk, p.relative) for p in one.photos] == [(str(top / "IMG_2.jpg"), "IMG_2.jpg")]


def test_an_unchanged_rerun_imports_nothing_that_reads_bytes(archive: Archive, tmp_path) -> None:
    """Nor numpy, which sqlite-utils would import with itself (archive/sqlitedb.py)."""
    folder = tmp_path / "camera"
    _photos(folder, 4)
    archive.ingest(str(folder))
    probe = (
        "import json, sys\n"
        "from archive.cli import cli\n"
        "args = ['--root', sys.argv[1], 'ingest', '--json', '--jobs', '2', sys.argv[2]]\n"
        "try:\n"
        "    cli.main(args, standalone_mode=False)\n"
        "except SystemExit:\n"
        "    pass\n"
        "loaded = sorted({m.split('.')[0] for m in sys.modules})\n"
        "print(json.dumps(loaded), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(archive.root), str(folder)],
        capture_output=True,
        text=True,
        cwd=PROJECT,
        check=True,
    )
    assert json.loads(done.stdout)["unchanged"] == 4
    loaded = set(json.loads(done.stderr.strip().splitlines()[-1]))
    assert "sqlite_utils" in loaded
    assert loaded.isdisjoint(FOR_BYTES), sorted(loaded & set(FOR_BYTES))


def test_every_module_imports_sqlite_utils_through_archive_sqlitedb() -> None:
    """The first module to import sqlite-utils itself would bring numpy along."""
    offenders = []
    for package in ("archive", "ingest"):
        for path in sorted((PROJECT / package).rglob("*.py")):
            if path == PROJECT / "archive" / "sqlitedb.py":
                continue
            for node in ast.walk(ast.parse(path.read_text("utf-8"))):
                names = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and not node.level:
                    names = [node.module or ""]
                if any(name.split(".")[0] == "sqlite_utils" for name in names):
                    offenders.append(f"{path.relative_to(PROJECT)}:{node.lineno}")
    assert offenders == []
