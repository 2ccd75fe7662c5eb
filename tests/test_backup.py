"""A backup taken while an ingest writes is a whole archive; the next one copies only what is new.

Everything here is real: an `archive ingest` process storing 200 generated
JPEGs, `archive backup` processes beside it, the bagit validator, coreutils'
sha256sum, and the restored archive served by Datasette as `archive serve`
builds it.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import bagit
import pytest
from PIL import Image

from tests.test_crash import ingest_command
from tests.web_archive import ReviewArchive, datasette, found_ids, get

CLI = [sys.executable, "-c", "from archive.cli import main; main()"]
PHOTOS = 200
CAPTIONS = (
    "Đảng ủy phường dự hội nghị",
    "Đồng chí Bí thư Đảng uỷ phát biểu",
    "Con đường trước nhà văn hóa",
    "Chị Lê Thị Dương báo cáo",
    "Học sinh trồng cây xanh",
)
QUERIES = ("Đảng ủy", "dang uy", "đường", "duong", "cây xanh", "hoi nghi")


def make_event(folder: Path) -> None:
    """200 small JPEGs of noise (each its own hash), an event.yml and a caption sheet."""
    folder.mkdir()
    (folder / "event.yml").write_text(
        "title: Hội nghị sơ kết quý I\ndate: 2024-04-02\nunits: [Đảng ủy phường 6]\n", "utf-8"
    )
    rows = ["file,caption,units"]
    for i in range(PHOTOS):
        image = Image.effect_noise((160, 120), 20 + i % 60).convert("RGB")
        image.putpixel((0, 0), (i % 256, i // 256, 7))
        image.save(folder / f"IMG_{i:04d}.jpg", quality=80)
        rows.append(f"IMG_{i:04d}.jpg,{CAPTIONS[i % len(CAPTIONS)]} (ảnh {i}),Tổ dân phố {i % 3}")
    (folder / "captions.csv").write_text("\n".join(rows) + "\n", "utf-8")


def run(*args: str, expect: int = 0) -> subprocess.CompletedProcess:
    result = subprocess.run([*CLI, *args], capture_output=True, text=True)
    assert result.returncode == expect, result.stdout + result.stderr
    return result


def backup(root: Path, dest: Path, expect: int = 0) -> dict:
    return json.loads(run("--root", str(root), "backup", str(dest), "--json", expect=expect).stdout)


def photo_rows(catalog: Path) -> list[tuple]:
    db = sqlite3.connect(f"{catalog.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return db.execute(
            "SELECT original_path, thumb_path, preview_path FROM photos ORDER BY id"
        ).fetchall()
    finally:
        db.close()


def assert_whole(dest: Path) -> int:
    """The backup as every check sees it; returns its photo count."""
    bagit.Bag(str(dest)).validate()
    checked = subprocess.run(
        ["sha256sum", "--check", "--strict", "manifest-sha256.txt"],
        cwd=dest,
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    rows = photo_rows(dest / "data" / "catalog.db")
    for paths in rows:  # no row names a file the backup lacks
        for path in paths:
            assert (dest / "data" / path).is_file(), path
    listed = (dest / "manifest-sha256.txt").read_text("utf-8").splitlines()
    assert checked.stdout.count(": OK") == len(listed) == 1 + 3 * len(rows)
    verified = json.loads(run("--root", str(dest / "data"), "verify", "--json").stdout)
    assert verified["photos"] == len(rows) and verified["findings"] == []
    assert not (dest / "data" / ".writer.lock").exists()  # verify left the bag as it was
    bagit.Bag(str(dest)).validate()
    return len(rows)


@pytest.fixture(scope="module")
def backed_up(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """An archive, a backup taken mid-ingest, the report of a second backup, and a restore."""
    if shutil.which("sha256sum") is None:
        pytest.skip("sha256sum (coreutils) is not installed")
    work = tmp_path_factory.mktemp("backup")
    folder, root, dest = work / "hoi-nghi", work / "archive", work / "usb" / "kho-anh"
    make_event(folder)
    run("--root", str(root), "init")
    ingest = subprocess.Popen(
        ingest_command(root, folder), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    state: dict = {"root": root, "dest": dest, "work": work}
    try:
        deadline = time.monotonic() + 120
        while len(photo_rows(root / "catalog.db")) < 20:
            assert ingest.poll() is None, ingest.communicate()
            assert time.monotonic() < deadline, "the ingest stored too little in 2 minutes"
            time.sleep(0.02)
        # Hold the catalog's write lock: the ingest's next commit waits (its workers go on
        # storing originals whose rows are not committed), so the backup surely sees it mid-way.
        holder = sqlite3.connect(root / "catalog.db", timeout=30)
        holder.execute("BEGIN IMMEDIATE")
        try:
            state["first"] = backup(root, dest)
            state["stored_meanwhile"] = len(list((root / "originals").rglob("*.jpg")))
        finally:
            holder.rollback()
            holder.close()
        state["first_photos"] = assert_whole(dest)
        state["first_on_disk"] = len(list((dest / "data" / "originals").rglob("*.jpg")))
        out, err = ingest.communicate(timeout=300)
        assert ingest.returncode == 0, out + err
    finally:
        if ingest.poll() is None:
            ingest.kill()
            ingest.wait()
    state["second"] = backup(root, dest)
    state["third"] = backup(root, dest)
    restored = work / "restored"
    state["restore"] = json.loads(run("restore", str(dest), str(restored), "--json").stdout)
    state["restored"] = restored
    return state


def test_a_backup_taken_during_an_ingest_is_a_whole_archive(backed_up: dict) -> None:
    first, photos = backed_up["first"], backed_up["first_photos"]
    assert 20 <= photos < PHOTOS  # the snapshot is of the moment, the ingest went on after it
    assert first["created"] is True and first["photos"] == photos
    assert first["originals"] == {
        "copied": photos,
        "bytes": first["originals"]["bytes"],
        "already_there": 0,
        "failed": 0,
    }
    assert first["thumbnails"]["copied"] == 2 * photos
    assert first["failures"] == []
    # Only what the snapshot names: not the originals the ingest stored after it.
    assert backed_up["first_on_disk"] == photos <= backed_up["stored_meanwhile"]


def test_the_second_backup_copies_only_the_new_photos(backed_up: dict) -> None:
    dest, photos, second = backed_up["dest"], backed_up["first_photos"], backed_up["second"]
    assert second["created"] is False and second["photos"] == PHOTOS
    assert second["originals"]["copied"] == PHOTOS - photos
    assert second["originals"]["already_there"] == photos
    assert second["thumbnails"]["copied"] == 2 * (PHOTOS - photos)
    assert second["thumbnails"]["already_there"] == 2 * photos
    assert second["payload_files"] == 1 + 3 * PHOTOS
    new_bytes = sum(
        (backed_up["root"] / path).stat().st_size
        for path, *_ in photo_rows(backed_up["root"] / "catalog.db")[photos:]
    )
    assert second["originals"]["bytes"] == new_bytes
    assert assert_whole(dest) == PHOTOS
    third = backed_up["third"]
    assert third["originals"]["copied"] == third["thumbnails"]["copied"] == 0
    assert third["originals"]["already_there"] == PHOTOS


def test_the_text_report_says_how_much_was_copied(backed_up: dict, tmp_path: Path) -> None:
    dest = tmp_path / "again"
    shutil.copytree(backed_up["dest"], dest)
    out = run("--root", str(backed_up["root"]), "backup", str(dest)).stdout
    assert f"copied 0 new originals (0.0 MB) and 0 thumbnails; {PHOTOS} originals" in out


def test_a_restored_backup_serves_the_same_search_results(backed_up: dict) -> None:
    report, restored = backed_up["restore"], backed_up["restored"]
    assert report["restored"] is True and report["problems"] == report["warnings"] == []
    assert report["photos"] == PHOTOS and report["files"] == 1 + 3 * PHOTOS
    run("--root", str(restored), "verify")
    source = datasette(ReviewArchive(backed_up["root"]))
    copy = datasette(ReviewArchive(restored))
    for query in QUERIES:
        for path in (
            f"/-/search.json?q={quote(query)}",
            f"/catalog/photos.json?_shape=array&_size=max&_search={quote(query)}",
        ):
            expected = found_ids(get(source, path))
            assert expected, path  # each query finds something, so equality means something
            assert found_ids(get(copy, path)) == expected, path
    # The restored archive takes new work: an ingest adds to it like to any archive.
    extra = backed_up["work"] / "them"
    extra.mkdir()
    Image.effect_noise((160, 120), 90).convert("RGB").save(extra / "new.jpg")
    report = json.loads(run("--root", str(restored), "ingest", "--json", str(extra)).stdout)
    assert report["added"] == 1
