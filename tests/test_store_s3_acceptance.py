"""Issue 13's acceptance on the real radosgw: the example event and 100 photos in a bucket
archive, served to headless Chromium, exported (JSON, bundle), backed up, verified clean.
"""

from __future__ import annotations

import json
import sqlite3

import pytest

from tests.browser import ArchiveServer, launch_chromium, open_page, screenshot
from tests.conftest import EXAMPLE_EVENT, EXAMPLES
from tests.s3_bucket import bucket_fixture, make_photos  # noqa: F401 (a fixture)
from tests.test_browser import wait_for_images
from tests.test_store_s3 import bucket_archive, named_keys

EVENT = "to-chuc-hoc-tap-truc-tuyen-chi-thi-05-ct-tw-nam-2018"


@pytest.fixture(scope="module")
def filled(tmp_path_factory, bucket):
    work = tmp_path_factory.mktemp("s3-acceptance")
    archive, prefix = bucket_archive(work / "archive", bucket, "acceptance")
    report = archive.ingest(str(EXAMPLES))
    assert (report["added"], report["failed"]) == (5, 0), report["problems"]
    make_photos(work / "anh", 100)
    report = archive.ingest(str(work / "anh"))
    assert (report["added"], report["failed"]) == (100, 0), report["problems"]
    return archive, prefix, work


def test_every_file_of_105_photos_is_in_the_bucket(filled, bucket) -> None:
    archive, prefix, _work = filled
    assert set(bucket.keys(prefix)) == named_keys(archive)
    assert len(named_keys(archive)) == 3 * 105
    for row in archive.rows("SELECT original_path, original_name FROM photos WHERE event_id"):
        source = EXAMPLE_EVENT / row["original_name"]
        assert bucket.get(prefix, row["original_path"]) == source.read_bytes()


def test_thumbnails_load_in_chromium_from_the_bucket(filled, tmp_path) -> None:
    archive, _prefix, _work = filled
    cache = tmp_path / "cache"
    with (
        launch_chromium() as browser,
        ArchiveServer(archive.root, "--thumb-cache", str(cache)) as site,
        open_page(browser) as (page, seen),
    ):
        page.goto(site.url(f"/-/events/{EVENT}"))
        widths = wait_for_images(page, ".archive-grid img")
        assert len(widths) == 5 and all(width > 0 for width in widths)
        screenshot(page, "bucket-event-page")
        page.goto(site.url("/catalog/photos?_size=100"))
        widths = wait_for_images(page, "table.archive-photos td.col-thumb_path img")
        assert len(widths) == 100 and all(width > 0 for width in widths)
        assert (seen.dialogs, seen.errors, seen.failed) == ([], [], [])
    cached = {p.relative_to(cache).as_posix() for p in cache.rglob("*.jpg")}
    assert len(cached) >= 100 and all(p.startswith("thumbs/") for p in cached)


def test_json_export_and_bundle_read_from_the_bucket(filled, bucket) -> None:
    archive, prefix, work = filled
    document = json.loads(archive.run("export", "--event", EVENT).stdout)
    assert len(document["photos"]) == 5
    bundle = work / "usb" / "hoc-tap"
    archive.run("export", "--event", EVENT, "--bundle", str(bundle))
    assert json.loads((bundle / "gallery.json").read_text("utf-8")) == document
    for photo in document["photos"]:
        for kind in ("thumbnail", "preview"):
            copied = bundle / photo[kind]["path"]
            assert copied.read_bytes() == bucket.get(prefix, photo[kind]["path"])
    assert len(list(bundle.rglob("*.jpg"))) == 10


def test_backup_copies_the_bucket_to_a_local_folder(filled) -> None:
    archive, _prefix, work = filled
    dest = work / "usb" / "kho-anh"
    report = json.loads(archive.run("backup", str(dest), "--json").stdout)
    assert report["originals"]["copied"] == 105 and report["thumbnails"]["copied"] == 210
    assert report["failures"] == []
    with sqlite3.connect(dest / "data" / "catalog.db") as db:
        kept = db.execute("SELECT key FROM settings WHERE key LIKE 'store%'").fetchall()
    assert kept == []  # the copy holds its files: a local archive
    checked = json.loads(archive.run("--root", str(dest), "verify", "--json").stdout)
    assert (checked["ok"], checked["failed"]) == (105, 0), checked
    again = json.loads(archive.run("backup", str(dest), "--json").stdout)
    assert again["originals"]["copied"] == again["thumbnails"]["copied"] == 0


def test_verify_is_clean(filled) -> None:
    archive, _prefix, _work = filled
    result = json.loads(archive.run("verify", "--json").stdout)
    assert (result["ok"], result["failed"], result["orphans"]) == (105, 0, 0), result
