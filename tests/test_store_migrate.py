"""`archive store migrate`: a 200-photo local archive to a bucket of the real radosgw and back.

Each way every file is copied and read back before the archive's setting switches; the
local files stay until --delete-local; verify is clean and search finds the same photos.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from archive.db import open_catalog
from archive.selection import search_photo_ids
from tests.conftest import Archive
from tests.s3_bucket import bucket_fixture, make_photos  # noqa: F401 (a fixture)

QUERIES = ("chi bộ", "dang uy", "đường số 3", "phụ nữ", "Nguyễn Gia Thiều", "khai giảng lớp 7")


def searches(archive: Archive) -> dict[str, list[int]]:
    db = open_catalog(archive.root / "catalog.db")
    return {q: search_photo_ids(db, q) for q in QUERIES}


def store_setting(archive: Archive) -> str | None:
    with sqlite3.connect(archive.root / "catalog.db") as db:
        row = db.execute("SELECT value FROM settings WHERE key = 'store'").fetchone()
    return row[0] if row else None


def local_files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for folder in ("originals", "thumbs")
        for p in (root / folder).rglob("*.jpg")
    }


def verify_clean(archive: Archive, photos: int) -> None:
    result = json.loads(archive.run("verify", "--json").stdout)
    assert (result["ok"], result["failed"], result["orphans"]) == (photos, 0, 0), result


def test_migrate_200_photos_to_the_bucket_and_back(tmp_path: Path, bucket) -> None:
    archive = Archive(tmp_path / "archive")
    make_photos(tmp_path / "anh", 200)
    report = archive.ingest(str(tmp_path / "anh"))
    assert (report["added"], report["failed"]) == (200, 0)
    found = searches(archive)
    assert all(found.values()) and len(found["khai giảng lớp 7"]) < len(found["chi bộ"])
    files = local_files(archive.root)
    assert len(files) == 600

    prefix = bucket.new_prefix("migrate")
    url = bucket.url(prefix)
    moved = archive.run("store", "migrate", "--to", url, "--endpoint", bucket.endpoint, "--json")
    result = json.loads(moved.stdout)
    assert (result["files"], result["copied"], result["switched"]) == (600, 600, True), result
    assert result["failed"] == [] and result["deleted_local"] == 0
    assert store_setting(archive) == url
    assert {k: bucket.get(prefix, k) for k in bucket.keys(prefix)} == files
    assert local_files(archive.root) == files  # kept until --delete-local
    verify_clean(archive, 200)
    assert searches(archive) == found

    deleted = archive.run(
        "store", "migrate", "--to", url, "--endpoint", bucket.endpoint, "--delete-local"
    )
    assert "Deleted 600 local file(s)." in deleted.stdout
    assert local_files(archive.root) == {}
    verify_clean(archive, 200)  # from the bucket alone

    back = json.loads(archive.run("store", "migrate", "--to", "local", "--json").stdout)
    assert (back["files"], back["copied"], back["switched"]) == (600, 600, True), back
    assert store_setting(archive) is None
    assert local_files(archive.root) == files
    assert len(bucket.keys(prefix)) == 600  # the bucket's copies are not touched
    verify_clean(archive, 200)
    assert searches(archive) == found


def test_migrate_refuses_the_same_store_and_a_bucket_that_does_not_answer(tmp_path) -> None:
    archive = Archive(tmp_path / "archive")
    make_photos(tmp_path / "anh", 1)
    archive.ingest(str(tmp_path / "anh"))
    same = archive.run("store", "migrate", "--to", "local", expect=2)
    assert "already in" in same.output
    nowhere = archive.run(
        "store", "migrate", "--to", "s3://none/x", "--endpoint", "http://127.0.0.1:9", expect=2
    )
    assert "cannot reach the store" in nowhere.output
    assert store_setting(archive) is None


def test_store_of_a_folder_archive_says_the_files_are_in_the_folder(tmp_path) -> None:
    from tests.conftest import Archive

    archive = Archive(tmp_path / "kho")
    archive.run("init")
    said = archive.run("store").stdout
    assert said.startswith(str(tmp_path / "kho")) and "archive folder itself" in said
