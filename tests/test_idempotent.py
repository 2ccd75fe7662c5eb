"""Running an ingest again: nothing added, nothing re-read, edits to the sheet applied."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE_EVENT
from tests.images import make_jpeg


@pytest.fixture
def event(tmp_path: Path) -> Path:
    folder = tmp_path / "event"
    shutil.copytree(EXAMPLE_EVENT, folder)
    return folder


def test_second_run_reads_nothing_and_says_so(archive, event: Path, processed) -> None:
    first = archive.ingest(str(event))
    assert first["added"] == 5 and len(processed) == 5
    processed.clear()
    before = archive.rows("SELECT * FROM photos ORDER BY id")
    result = archive.run("ingest", "--jobs", "1", str(event))
    assert "Nothing new" in result.stdout
    assert processed == []  # recognised by path, size and mtime
    assert archive.rows("SELECT * FROM photos ORDER BY id") == before


def test_edited_sheet_updates_captions_and_units_only(archive, event: Path, processed) -> None:
    archive.ingest(str(event))
    processed.clear()
    (event / "captions.csv").write_text(
        "file,units,caption\n"
        "IMG_20171222_075812.jpg,Uỷ ban nhân dân phường 6,\n"
        "IMG_20171222_080347.jpg,Chi bộ Công an phường; Công an phường 6,\n"
        "IMG_20171222_081530.jpg,Trường THCS Nguyễn Gia Thiều; Đảng ủy phường 6,"
        "Học sinh nghe báo cáo\n"
        "IMG_20171222_082204.jpg,Bộ phận văn thư phường 6,\n"
        "IMG_20171222_083951.jpg,Trường THCS Nguyễn Gia Thiều,\n",
        "utf-8",
    )
    report = archive.ingest(str(event))
    assert processed == []
    assert (report["added"], report["updated"], report["unchanged"]) == (0, 2, 3)
    assert report["new_units"] == [{"name": "Công an phường 6", "did_you_mean": None}]
    police = archive.rows("SELECT units FROM photos WHERE original_name LIKE '%080347%'")[0]
    assert json.loads(police["units"]) == ["Chi bộ Công an phường", "Công an phường 6"]
    teachers = archive.rows(
        "SELECT caption, caption_source FROM photos WHERE original_name LIKE '%081530%'"
    )[0]
    assert teachers == {"caption": "Học sinh nghe báo cáo", "caption_source": "sheet"}


def test_renamed_copy_is_one_photo_with_two_sources(archive, event: Path, tmp_path) -> None:
    archive.ingest(str(event))
    copy = tmp_path / "usb" / "copy-of-office.jpg"
    copy.parent.mkdir()
    shutil.copy(event / "IMG_20171222_075812.jpg", copy)
    report = archive.ingest(str(copy))
    assert (report["added"], report["duplicates"]) == (0, 1)
    sources = archive.rows("SELECT path FROM photo_sources ORDER BY id")
    assert len(sources) == 6 and sources[-1]["path"] == str(copy)
    again = archive.ingest(str(copy))
    assert (again["duplicates"], again["unchanged"]) == (0, 1)


def test_moved_folder_is_recognised_by_hash(archive, event: Path, tmp_path) -> None:
    archive.ingest(str(event))
    moved = tmp_path / "moved"
    event.rename(moved)
    report = archive.ingest(str(moved))
    assert (report["added"], report["duplicates"], report["unchanged"]) == (0, 0, 5)
    paths = {r["source_path"] for r in archive.rows("SELECT source_path FROM photos")}
    assert all(p.startswith(str(moved)) for p in paths)


def test_dry_run_writes_nothing(archive, event: Path) -> None:
    archive.run("init")
    report = archive.ingest("--dry-run", str(event))
    assert report["dry_run"] and report["added"] == 5
    assert archive.rows("SELECT count(*) AS n FROM photos")[0]["n"] == 0
    assert archive.rows("SELECT count(*) AS n FROM ingest_runs")[0]["n"] == 0
    assert not list((archive.root / "originals").rglob("*.jpg"))


def test_bad_file_is_reported_and_the_batch_goes_on(archive, event: Path) -> None:
    (event / "IMG_9999.jpg").write_bytes(b"this is not a photo")
    report = archive.ingest(str(event), expect=1)
    assert report["added"] == 5 and report["failed"] == 1
    [problem] = [p for p in report["problems"] if p["level"] == "error"]
    assert problem["path"].endswith("IMG_9999.jpg") and problem["stage"] == "decode"
    # The article has five captions and now six photos: reported, not guessed.
    assert any(
        "lists 5 captions but the folder has 6 photos" in p["reason"] for p in report["problems"]
    )
    stored = archive.rows("SELECT reason FROM ingest_problems WHERE path LIKE '%IMG_9999%'")
    assert stored and stored[0]["reason"] == problem["reason"]


def test_new_unit_one_typo_away_gets_a_hint(archive, tmp_path) -> None:
    archive.run("units", "add", "Chi bộ Công an phường")
    photo = tmp_path / "a.jpg"
    make_jpeg(photo)
    report = archive.ingest(str(photo), "--unit", "Chi bộ Cong an phuong 6")
    assert report["new_units"] == [{"name": "Chi bộ Cong an phuong 6", "did_you_mean": None}]
    photo2 = tmp_path / "b.jpg"
    make_jpeg(photo2, color=(1, 2, 3))
    report = archive.ingest(str(photo2), "--unit", "Chi bộ Công an phưòng")
    assert report["new_units"] == []  # tone marks do not make a new unit
    result = archive.run("ingest", "--jobs", "1", str(photo2), "--unit", "Chi bo Cong an phuongg")
    assert "did you mean 'Chi bộ Công an phường'?" in result.stdout


def test_dry_run_on_a_new_folder_leaves_no_trace(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from archive.cli import cli

    root = tmp_path / "not-yet"
    result = CliRunner().invoke(
        cli, ["--root", str(root), "ingest", "--dry-run", "--json", str(EXAMPLE_EVENT)]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["added"] == 5
    assert not root.exists()


def test_nothing_to_read_is_a_usage_error(archive, tmp_path: Path) -> None:
    result = archive.run("ingest", str(tmp_path / "khong-co"), expect=2)
    assert "no such file or folder" in result.output
