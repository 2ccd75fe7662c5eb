"""A date typed in a caption sheet against the date the camera wrote.

Staff often type the day alone (08/03/2024) for a photo whose camera recorded
the moment (2024:03:08 09:03:00). The same day keeps the camera's time; another
day is taken from the sheet and the report says so, once. Real JPEGs with EXIF
dates (tests/images.py), a real captions.csv, the real CLI, Datasette and export.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from archive.web.config import build_datasette, load_metadata
from tests.images import make_jpeg
from tests.web_archive import METADATA, get

MOMENT = "2024:03:08 09:03:00"
KEPT = "2024-03-08T09:03:00+07:00"
DIFFERS = (
    "date from the sheet (08/03/2024) differs from the camera (07/03/2024):"
    " the sheet's date is kept"
)


def write_folder(folder: Path, photos: dict[str, tuple[str | None, str]]) -> None:
    """Photos named by file: (the camera's EXIF date or None, the sheet's taken_at)."""
    folder.mkdir(parents=True)
    rows = ["file,caption,taken_at"]
    for index, (name, (taken, typed)) in enumerate(photos.items()):
        make_jpeg(
            folder / name,
            taken=taken,
            offset="+07:00" if taken else None,
            color=(index * 50, 90, 30),
        )
        rows.append(f"{name},Họp chi bộ {index},{typed}")
    (folder / "captions.csv").write_text("\n".join(rows) + "\n", "utf-8")


def dates(archive) -> dict[str, tuple[str, str]]:
    rows = archive.rows("SELECT original_name, taken_at, taken_at_source FROM photos")
    return {r["original_name"]: (r["taken_at"], r["taken_at_source"]) for r in rows}


def date_warnings(report: dict) -> list[tuple[str, str]]:
    return [(Path(p["path"]).name, p["reason"]) for p in report["problems"] if p["stage"] == "date"]


@pytest.fixture
def meeting(tmp_path: Path) -> Path:
    folder = tmp_path / "2024-03-08 Sinh hoạt chi bộ"
    write_folder(
        folder,
        {
            "same-day.jpg": (MOMENT, "08/03/2024"),
            "other-day.jpg": ("2024:03:07 14:20:00", "08/03/2024"),
            "timed.jpg": (MOMENT, "08/03/2024 10:15"),
            "no-camera-date.jpg": (None, "08/03/2024"),
        },
    )
    return folder


def test_sheet_day_keeps_the_camera_time_and_another_day_wins_with_a_warning(
    archive, meeting: Path
) -> None:
    report = archive.ingest(str(meeting))
    assert (report["added"], report["failed"]) == (4, 0)
    assert dates(archive) == {
        "same-day.jpg": (KEPT, "DateTimeOriginal"),
        "other-day.jpg": ("2024-03-08", "sheet"),
        "timed.jpg": ("2024-03-08T10:15:00", "sheet"),
        "no-camera-date.jpg": ("2024-03-08", "sheet"),
    }
    assert date_warnings(report) == [("other-day.jpg", DIFFERS)]
    [stored] = archive.rows("SELECT path, level, reason FROM ingest_problems WHERE stage = 'date'")
    assert (Path(stored["path"]).name, stored["level"], stored["reason"]) == (
        "other-day.jpg",
        "warning",
        DIFFERS,
    )
    text = archive.run("ingest", "--jobs", "1", "--dry-run", str(meeting)).output
    assert "differs from the camera" not in text  # already the sheet's: nothing to say again


def test_rerun_changes_nothing_and_repeats_no_warning(archive, meeting: Path) -> None:
    archive.ingest(str(meeting))
    before = archive.rows("SELECT * FROM photos ORDER BY id")
    again = archive.ingest(str(meeting))
    assert (again["added"], again["updated"], again["unchanged"]) == (0, 0, 4)
    assert again["problems"] == []
    assert archive.rows("SELECT * FROM photos ORDER BY id") == before


def test_sheet_corrected_to_another_day_warns_on_that_run(archive, meeting: Path) -> None:
    archive.ingest(str(meeting))
    sheet = meeting / "captions.csv"
    sheet.write_text(
        sheet.read_text("utf-8").replace(
            "same-day.jpg,Họp chi bộ 0,08/03/2024", "same-day.jpg,Họp chi bộ 0,09/03/2024"
        ),
        "utf-8",
    )
    report = archive.ingest(str(meeting))
    assert report["updated"] == 1
    assert date_warnings(report) == [
        (
            "same-day.jpg",
            "date from the sheet (09/03/2024) differs from the camera (08/03/2024):"
            " the sheet's date is kept",
        )
    ]
    assert dates(archive)["same-day.jpg"] == ("2024-03-09", "sheet")


def copies(tmp_path: Path, first: str, second: str) -> tuple[Path, Path]:
    """One photo (the camera said 07/03/2024 14:20) in two folders, each sheet its own date."""
    one, two = tmp_path / "Họp lần 1", tmp_path / "Họp lần 2"
    write_folder(one, {"anh.jpg": ("2024:03:07 14:20:00", first)})
    two.mkdir()
    shutil.copy2(one / "anh.jpg", two / "anh.jpg")
    (two / "captions.csv").write_text(f"file,caption,taken_at\nanh.jpg,Bản sao,{second}\n", "utf-8")
    return one, two


def test_a_copy_neither_undoes_the_primary_nor_warns(archive, tmp_path: Path) -> None:
    one, two = copies(tmp_path, first="08/03/2024", second="07/03/2024")
    assert date_warnings(archive.ingest(str(one))) == [("anh.jpg", DIFFERS)]
    report = archive.ingest(str(two))  # the same photo again, through its copy
    assert report["duplicates"] == 1 and report["problems"] == []
    assert dates(archive) == {"anh.jpg": ("2024-03-08", "sheet")}
    both = archive.ingest(str(one), str(two))
    assert both["problems"] == [] and both["updated"] == 0


def test_a_copy_with_another_day_leaves_the_camera_time(archive, tmp_path: Path) -> None:
    one, two = copies(tmp_path, first="07/03/2024", second="08/03/2024")
    assert archive.ingest(str(one))["problems"] == []
    assert archive.ingest(str(two))["problems"] == []  # a copy fills gaps; none here
    assert dates(archive) == {"anh.jpg": ("2024-03-07T14:20:00+07:00", "DateTimeOriginal")}


def test_moved_photo_takes_its_new_sheet_and_warns_there(archive, tmp_path: Path) -> None:
    one, two = copies(tmp_path, first="07/03/2024", second="08/03/2024")
    archive.ingest(str(one))
    shutil.rmtree(one)  # moved: the copy is the photo's place now, its sheet the one that counts
    report = archive.ingest(str(two))
    assert date_warnings(report) == [("anh.jpg", DIFFERS)]
    assert Path(report["problems"][0]["path"]).parent.name == "Họp lần 2"
    assert dates(archive) == {"anh.jpg": ("2024-03-08", "sheet")}
    assert archive.ingest(str(two))["problems"] == []


def test_photo_page_and_export_show_the_kept_time(archive, meeting: Path) -> None:
    archive.ingest(str(meeting))
    [photo] = archive.rows("SELECT id FROM photos WHERE original_name = 'same-day.jpg'")
    ds = build_datasette(archive.root / "catalog.db", load_metadata(METADATA))
    page = get(ds, f"/-/photos/{photo['id']}")
    assert page.status_code == 200
    assert "09:03 ngày 08/03/2024" in page.text
    data = get(ds, f"/-/photos/{photo['id']}.json").json()["photo"]
    assert data["taken_at"] == KEPT
    [event] = archive.rows("SELECT slug FROM events")
    document = json.loads(archive.run("export", "--event", event["slug"]).stdout)
    exported = {p["caption"]: p["taken_at"] for p in document["photos"]}
    assert exported["Họp chi bộ 0"] == KEPT


def test_camera_sources_are_the_exif_dates_the_reader_takes() -> None:
    from archive.dates import CAMERA_SOURCES
    from ingest.exif_values import DATE_SOURCES as _DATE_SOURCES

    assert {source for source, _, _ in _DATE_SOURCES} == CAMERA_SOURCES
