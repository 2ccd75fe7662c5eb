"""An archive whose files are in a bucket of a real radosgw: ingest, verify, serve, Range.

No mock: the server is scripts/ceph-dev's single-node Ceph (tests/s3_bucket.py).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import urllib.request
from pathlib import Path

import pytest

from archive.store_s3 import S3Store
from tests.browser import ArchiveServer
from tests.conftest import Archive
from tests.s3_bucket import Bucket, bucket_fixture, make_photos  # noqa: F401 (a fixture)


def bucket_archive(root: Path, bucket: Bucket, label: str = "archive") -> tuple[Archive, str]:
    archive = Archive(root)
    prefix = bucket.new_prefix(label)
    archive.run("init", "--store", bucket.url(prefix), "--endpoint", bucket.endpoint)
    return archive, prefix


def named_keys(archive: Archive) -> set[str]:
    rows = archive.rows("SELECT original_path, thumb_path, preview_path FROM photos")
    return {path for row in rows for path in row.values() if path}


@pytest.fixture(scope="module")
def ingested(tmp_path_factory, bucket):
    """Twelve photos ingested into a bucket archive, once for the module."""
    work = tmp_path_factory.mktemp("s3")
    archive, prefix = bucket_archive(work / "archive", bucket)
    photos = make_photos(work / "su-kien", 12)
    report = archive.ingest(str(work / "su-kien"))
    assert (report["added"], report["failed"]) == (12, 0), report["problems"]
    return archive, prefix, photos


def test_init_keeps_the_store_but_no_credentials(ingested, bucket) -> None:
    archive, prefix, _photos = ingested
    settings = dict(
        sqlite3.connect(archive.root / "catalog.db").execute("SELECT key, value FROM settings")
    )
    assert settings["store"] == bucket.url(prefix)
    assert settings["store_endpoint"] == bucket.endpoint
    catalog = (archive.root / "catalog.db").read_bytes()
    import os

    assert os.environ["AWS_SECRET_ACCESS_KEY"].encode() not in catalog
    assert archive.run("store").stdout.startswith(bucket.url(prefix))


def test_ingest_puts_every_file_in_the_bucket_with_its_sha256(ingested, bucket) -> None:
    archive, prefix, photos = ingested
    stored = bucket.keys(prefix)
    assert set(stored) == named_keys(archive)
    assert not any((archive.root / "originals").rglob("*.jpg"))  # nothing kept locally
    by_sha = {hashlib.sha256(p.read_bytes()).hexdigest(): p for p in photos}
    for row in archive.rows("SELECT sha256, original_path FROM photos"):
        data = bucket.get(prefix, row["original_path"])
        assert data == by_sha[row["sha256"]].read_bytes()
        head = bucket.head(prefix, row["original_path"])
        assert head["Metadata"]["sha256"] == row["sha256"]
        assert head["ContentType"] == "image/jpeg"
        assert head["ETag"].strip('"') == hashlib.md5(data).hexdigest()


def test_a_second_ingest_sends_nothing(ingested, bucket) -> None:
    archive, prefix, _photos = ingested
    before = {k: v["LastModified"] for k, v in bucket.keys(prefix).items()}
    archive.run("thumbs")  # thumbnails in place: nothing remade
    report = archive.ingest(str(_photos[0].parent))
    assert report["unchanged"] == 12
    # copies in another folder: read again, their objects found by HEAD, not re-sent
    import shutil

    copy = shutil.copytree(_photos[0].parent, _photos[0].parent.with_name("ban-sao"))
    report = archive.ingest(str(copy))
    assert (report["added"], report["duplicates"], report["failed"]) == (0, 12, 0)
    after = {k: v["LastModified"] for k, v in bucket.keys(prefix).items()}
    assert after == before


def test_verify_rehashes_every_object_clean(ingested, bucket) -> None:
    archive, prefix, _photos = ingested
    result = json.loads(archive.run("verify", "--json").stdout)
    assert (result["ok"], result["failed"], result["orphans"]) == (12, 0, 0), result
    assert result["findings"] == []


def test_store_refuses_a_key_outside_and_local_paths(tmp_path, bucket) -> None:
    store = S3Store(tmp_path, bucket.name, "x", bucket.endpoint)
    with pytest.raises(ValueError):
        store.key("../escape")
    with pytest.raises(OSError, match="in a bucket"):
        store.path("originals/ab/x.jpg")
    with pytest.raises(OSError, match="do not have the SHA-256"):
        store.put("originals/ab/" + "ab" * 32 + ".jpg", b"other bytes")


def test_big_files_go_in_parts_each_checked(tmp_path, bucket) -> None:
    """A clip-sized file: multipart, the SHA-256 of the whole kept, ranges across parts."""
    import os

    prefix = bucket.new_prefix("multipart")
    store = S3Store(tmp_path, bucket.name, prefix, bucket.endpoint)
    data = os.urandom(17 * 1024 * 1024 + 5)
    source = tmp_path / "clip.mp4"
    source.write_bytes(data)
    sha = hashlib.sha256(data).hexdigest()
    key = f"originals/{sha[:2]}/{sha}.mp4"
    assert store.put_file(key, source) is True
    head = bucket.head(prefix, key)
    assert head["ETag"].strip('"').endswith("-3")  # 8 + 8 + 1 MiB
    assert head["Metadata"]["sha256"] == sha
    assert store.sha256(key) == sha
    assert b"".join(store.stream(key, 8 * 1024 * 1024 - 3, 6)) == data[8 * 1024 * 1024 - 3 :][:6]
    assert store.put_file(key, source) is False  # there with the same SHA-256: not sent


def _get(url: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_serve_streams_from_the_bucket_with_ranges_and_a_thumbnail_cache(
    ingested, bucket, tmp_path
) -> None:
    archive, prefix, photos = ingested
    row = archive.rows("SELECT id, sha256, bytes, original_path, thumb_path FROM photos LIMIT 1")[0]
    original = bucket.get(prefix, row["original_path"])
    cache = tmp_path / "cache"
    with ArchiveServer(archive.root, "--thumb-cache", str(cache)) as server:
        status, headers, body = _get(server.url(f"/-/images/original/{row['id']}"))
        assert (status, body) == (200, original)
        assert headers["accept-ranges"] == "bytes"
        status, headers, body = _get(
            server.url(f"/-/images/original/{row['id']}"), {"Range": "bytes=100-199"}
        )
        assert status == 206 and body == original[100:200]
        assert headers["content-range"] == f"bytes 100-199/{len(original)}"
        status, _headers, body = _get(
            server.url(f"/-/images/original/{row['id']}"), {"Range": "bytes=-10"}
        )
        assert status == 206 and body == original[-10:]
        status, headers, _body = _get(
            server.url(f"/-/images/original/{row['id']}"),
            {"Range": f"bytes={len(original)}-"},
        )
        assert status == 416 and headers["content-range"] == f"bytes */{len(original)}"

        thumb = bucket.get(prefix, row["thumb_path"])
        assert not (cache / row["thumb_path"]).exists()
        status, _headers, body = _get(server.url(f"/-/images/thumb/{row['id']}"))
        assert (status, body) == (200, thumb)
        assert (cache / row["thumb_path"]).read_bytes() == thumb  # kept for the next page
        status, _headers, _body = _get(server.url("/-/images/thumb/999999"))
        assert status == 404


def test_thumbnail_cache_is_bounded_and_evicts_the_least_recently_used(ingested, tmp_path) -> None:
    from archive.storage import open_store
    from archive.web.thumb_cache import ThumbCache

    archive, _prefix, _photos = ingested
    store = open_store(archive.root)
    thumbs = [r["thumb_path"] for r in archive.rows("SELECT thumb_path FROM photos ORDER BY id")]
    sizes = [len(store.read(t)) for t in thumbs[:4]]
    cache = ThumbCache(tmp_path / "c", max_bytes=sizes[0] + sizes[1] + sizes[2])
    for relpath in thumbs[:3]:
        cache.get(store, relpath)
    cache.get(store, thumbs[0])  # used again: thumbs[1] is now the least recently used
    cache.get(store, thumbs[3])
    kept = {p.relative_to(tmp_path / "c").as_posix() for p in (tmp_path / "c").rglob("*.jpg")}
    assert thumbs[1] not in kept and {thumbs[0], thumbs[3]} <= kept
    assert sum((tmp_path / "c" / k).stat().st_size for k in kept) <= cache.max_bytes
    # A restart keeps the order: the files' times are their last use.
    again = ThumbCache(tmp_path / "c", max_bytes=cache.max_bytes)
    assert list(again.sizes)[-1] == thumbs[3]


def test_thumbs_remakes_a_thumbnail_deleted_from_the_bucket(ingested, bucket) -> None:
    archive, prefix, _photos = ingested
    row = archive.rows("SELECT id, thumb_path FROM photos ORDER BY id LIMIT 1")[0]
    before = bucket.get(prefix, row["thumb_path"])
    bucket.client.delete_object(Bucket=bucket.name, Key=f"{prefix}/{row['thumb_path']}")
    found = json.loads(archive.run("verify", "--json", expect=1).stdout)["findings"]
    assert [(f["kind"], f["path"], f["detail"]) for f in found] == [
        ("thumbnail", row["thumb_path"], "missing")
    ]
    result = json.loads(archive.run("thumbs", "--json").stdout)
    assert (result["remade"], result["failed"]) == (1, [])
    assert bucket.get(prefix, row["thumb_path"]) == before  # the same bytes, from the original
    verified = json.loads(archive.run("verify", "--json").stdout)
    assert verified["findings"] == []


def test_ingest_with_worker_processes_uploads_from_each(tmp_path, bucket) -> None:
    """The command as a clerk runs it: workers get the store (no keys in it) and upload."""
    import subprocess
    import sys

    from tests.s3_bucket import PROJECT

    archive, prefix = bucket_archive(tmp_path / "archive", bucket, "workers")
    make_photos(tmp_path / "anh", 16)
    command = [sys.executable, "-c", "from archive.cli import main; main()"]
    command += ["--root", str(archive.root), "ingest", "--json", "--jobs", "2", str(tmp_path)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=PROJECT)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert (report["added"], report["failed"]) == (16, 0), report["problems"]
    assert set(bucket.keys(prefix)) == named_keys(archive)
    verified = json.loads(archive.run("verify", "--json").stdout)
    assert (verified["ok"], verified["findings"]) == (16, [])
