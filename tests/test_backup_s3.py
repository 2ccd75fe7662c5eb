"""`archive backup s3://…` and `archive restore s3://…` against the real radosgw.

A bucket archive is backed up to another prefix (one server: copied by the server), then
again after an ingest (only the new objects), then restored into a folder and into a
bucket, each verified clean with the same search results. A folder archive backed up
to a bucket goes the streamed way. An object missing from the archive fails the backup
by name and leaves the backup's earlier catalog in place.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from archive.db import open_catalog
from archive.selection import search_photo_ids
from tests.conftest import Archive
from tests.s3_bucket import Bucket, bucket_fixture, make_photos  # noqa: F401 (a fixture)
from tests.test_store_s3 import bucket_archive

QUERIES = ("chi bộ", "dang uy", "phụ nữ", "Nguyễn Gia Thiều")


def searches(root: Path) -> dict[str, list[int]]:
    db = open_catalog(root / "catalog.db")
    return {q: search_photo_ids(db, q) for q in QUERIES}


def backup(archive: Archive, url: str, *extra: str, expect: int = 0) -> dict:
    return json.loads(archive.run("backup", url, "--json", *extra, expect=expect).stdout)


def verify_clean(root: Path, photos: int) -> None:
    result = json.loads(Archive(root).run("verify", "--json").stdout)
    assert (result["ok"], result["failed"], result["orphans"]) == (photos, 0, 0), result


def backup_catalog(bucket: Bucket, prefix: str, tmp_path: Path) -> sqlite3.Connection:
    path = tmp_path / f"snapshot-{prefix}.db"
    path.write_bytes(bucket.get(prefix, "catalog.db"))
    return sqlite3.connect(path)


@pytest.fixture(scope="module")
def backed_up(tmp_path_factory, bucket):
    """A 20-photo bucket archive, backed up once to a prefix of its own on the same server."""
    work = tmp_path_factory.mktemp("s3-backup")
    archive, prefix = bucket_archive(work / "archive", bucket, "bsrc")
    make_photos(work / "anh", 20)
    assert archive.ingest(str(work / "anh"))["added"] == 20
    dest = bucket.new_prefix("bdest")
    first = backup(archive, bucket.url(dest))
    return archive, prefix, dest, first, work


def test_a_bucket_backup_copies_every_object_and_the_catalog_last(backed_up, bucket, tmp_path):
    archive, prefix, dest, first, _work = backed_up
    assert first["created"] is True and first["photos"] == 20 and first["failures"] == []
    assert first["originals"] == {
        "copied": 20,
        "bytes": first["originals"]["bytes"],
        "already_there": 0,
        "failed": 0,
    }
    assert first["thumbnails"]["copied"] == 40
    source, copied = bucket.keys(prefix), bucket.keys(dest)
    assert set(copied) == set(source) | {"catalog.db"}
    for key in source:
        assert bucket.get(dest, key) == bucket.get(prefix, key)
        assert bucket.head(dest, key)["Metadata"] == bucket.head(prefix, key)["Metadata"]
    snapshot = backup_catalog(bucket, dest, tmp_path)
    assert snapshot.execute("SELECT count(*) FROM photos").fetchone()[0] == 20
    settings = dict(snapshot.execute("SELECT key, value FROM settings"))
    assert "store" not in settings and "store_endpoint" not in settings  # names no bucket
    assert first["payload_files"] == 61


def test_a_second_backup_copies_only_what_is_new(backed_up, bucket, tmp_path):
    archive, prefix, dest, _first, work = backed_up
    again = backup(archive, bucket.url(dest))
    assert again["created"] is False
    assert (again["originals"]["copied"], again["originals"]["already_there"]) == (0, 20)
    assert (again["thumbnails"]["copied"], again["thumbnails"]["already_there"]) == (0, 40)
    make_photos(work / "them", 5, start=20)
    assert archive.ingest(str(work / "them"))["added"] == 5
    more = backup(archive, bucket.url(dest))
    assert (more["originals"]["copied"], more["originals"]["already_there"]) == (5, 20)
    assert (more["thumbnails"]["copied"], more["thumbnails"]["already_there"]) == (10, 40)
    assert (
        backup_catalog(bucket, dest, tmp_path).execute("SELECT count(*) FROM photos").fetchone()[0]
        == 25
    )


def test_restore_from_the_bucket_into_a_folder_and_into_a_bucket(backed_up, bucket, tmp_path):
    archive, _prefix, dest, _first, _work = backed_up
    backup(archive, bucket.url(dest))  # up to date whatever ran before
    photos = archive.rows("SELECT count(*) AS n FROM photos")[0]["n"]
    found = searches(archive.root)
    assert all(found.values())

    folder = tmp_path / "restored"
    done = Archive(tmp_path / "unused").run(
        "restore", bucket.url(dest), str(folder), "--endpoint", bucket.endpoint, "--json"
    )
    result = json.loads(done.stdout)
    assert result["restored"] is True and result["photos"] == photos and not result["warnings"]
    assert len(list((folder / "originals").rglob("*.jpg"))) == photos
    verify_clean(folder, photos)
    assert searches(folder) == found

    again = bucket.new_prefix("brestore")
    into_bucket = tmp_path / "restored-bucket"
    Archive(tmp_path / "unused").run(
        "restore",
        bucket.url(dest),
        str(into_bucket),
        "--endpoint",
        bucket.endpoint,
        "--store",
        bucket.url(again),
    )
    assert not (into_bucket / "originals").exists()
    assert set(bucket.keys(again)) == set(bucket.keys(dest)) - {"catalog.db"}
    verify_clean(into_bucket, photos)
    assert searches(into_bucket) == found


def test_a_damaged_catalog_object_is_refused_and_nothing_restored(backed_up, bucket, tmp_path):
    _archive, _prefix, dest, _first, _work = backed_up
    broken = bucket.new_prefix("bbroken")
    data = bucket.get(dest, "catalog.db")
    meta = bucket.head(dest, "catalog.db")["Metadata"]
    flipped = data[:5000] + bytes([data[5000] ^ 0xFF]) + data[5001:]
    bucket.client.put_object(
        Bucket=bucket.name, Key=f"{broken}/catalog.db", Body=flipped, Metadata=meta
    )
    folder = tmp_path / "never"
    done = Archive(tmp_path / "unused").run(
        "restore", bucket.url(broken), str(folder), "--endpoint", bucket.endpoint, expect=1
    )
    assert "catalog.db: its bytes do not have the SHA-256 kept with it" in done.stdout
    assert not folder.exists() and not list(tmp_path.glob(".never.restoring-*"))


def test_an_object_missing_from_the_archive_fails_by_name_and_keeps_the_old_catalog(
    tmp_path, bucket
):
    archive, prefix = bucket_archive(tmp_path / "archive", bucket, "bmiss")
    make_photos(tmp_path / "anh", 3)
    archive.ingest(str(tmp_path / "anh"))
    dest = bucket.new_prefix("bmissdest")
    backup(archive, bucket.url(dest))
    before = bucket.get(dest, "catalog.db")
    make_photos(tmp_path / "them", 1, start=3)
    archive.ingest(str(tmp_path / "them"))
    lost = archive.rows("SELECT original_path FROM photos ORDER BY id DESC LIMIT 1")[0]
    bucket.client.delete_object(Bucket=bucket.name, Key=f"{prefix}/{lost['original_path']}")
    result = backup(archive, bucket.url(dest), expect=1)
    assert [f["path"] for f in result["failures"]] == [lost["original_path"]]
    assert result["failures"][0]["reason"] == "not in the archive"
    assert result["thumbnails"]["copied"] == 2  # the rest went on
    assert bucket.get(dest, "catalog.db") == before  # no catalog naming what it lacks


def test_a_folder_archive_is_backed_up_to_a_bucket_streamed_and_checked(tmp_path, bucket):
    archive = Archive(tmp_path / "archive")
    make_photos(tmp_path / "anh", 6)
    archive.ingest(str(tmp_path / "anh"))
    dest = bucket.new_prefix("bfolder")
    result = backup(archive, bucket.url(dest), "--endpoint", bucket.endpoint)
    assert (result["originals"]["copied"], result["thumbnails"]["copied"]) == (6, 12)
    for row in archive.rows("SELECT sha256, original_path FROM photos"):
        head = bucket.head(dest, row["original_path"])
        assert head["Metadata"]["sha256"] == row["sha256"]
        assert (
            bucket.get(dest, row["original_path"])
            == (archive.root / row["original_path"]).read_bytes()
        )
    folder = tmp_path / "restored"
    Archive(tmp_path / "unused").run(
        "restore", bucket.url(dest), str(folder), "--endpoint", bucket.endpoint
    )
    verify_clean(folder, 6)


def test_a_backup_into_the_archive_s_own_objects_is_refused(backed_up, bucket):
    archive, prefix, _dest, _first, _work = backed_up
    done = archive.run("backup", bucket.url(prefix), expect=2)
    assert "overlaps the archive's own objects" in done.output
    done = archive.run("backup", bucket.url(f"{prefix}/inside"), expect=2)
    assert "overlaps the archive's own objects" in done.output


def test_a_restore_into_the_backup_s_own_objects_is_refused(backed_up, bucket, tmp_path):
    _archive, _prefix, dest, _first, _work = backed_up
    before = {key: item["ETag"] for key, item in bucket.keys(dest).items()}
    done = Archive(tmp_path / "unused").run(
        "restore",
        bucket.url(dest),
        str(tmp_path / "new"),
        "--endpoint",
        bucket.endpoint,
        "--store",
        bucket.url(f"{dest}/inside"),
        expect=2,
    )
    assert "overlaps the backup" in done.output
    assert not (tmp_path / "new").exists()
    assert {key: item["ETag"] for key, item in bucket.keys(dest).items()} == before
