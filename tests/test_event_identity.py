"""Which event a folder is, which file a photo's caption comes from: across runs and copies."""

from __future__ import annotations

import json
import shutil
import unicodedata
from pathlib import Path

from tests.images import make_jpeg


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def event_folder(
    parent: Path, name: str, yml: str, photos: dict[str, tuple], sheet: str = ""
) -> Path:
    folder = parent / name
    folder.mkdir(parents=True)
    (folder / "event.yml").write_text(yml, "utf-8")
    for photo, color in photos.items():
        make_jpeg(folder / photo, color=color)
    if sheet:
        (folder / "captions.csv").write_text(sheet, "utf-8")
    return folder


def test_same_title_on_another_day_is_another_event(archive, tmp_path: Path) -> None:
    title = "title: Sinh hoạt Chi bộ Công an phường\n"
    event_folder(tmp_path / "rec", "2023-03", title + "date: 2023-03-08\n", {"a.jpg": (1, 1, 1)})
    event_folder(tmp_path / "rec", "2024-03", title + "date: 2024-03-08\n", {"b.jpg": (2, 2, 2)})
    archive.ingest(str(tmp_path / "rec"))
    events = json.loads(archive.run("events", "--json").stdout)
    assert sorted((e["slug"], e["date"], e["photos"]) for e in events) == [
        ("sinh-hoat-chi-bo-cong-an-phuong", "2023-03-08", 1),
        ("sinh-hoat-chi-bo-cong-an-phuong-2024-03-08", "2024-03-08", 1),
    ]
    again = archive.ingest(str(tmp_path / "rec"))
    assert again["unchanged"] == 2 and len(json.loads(archive.run("events", "--json").stdout)) == 2


def test_fixing_a_title_renames_the_event(archive, tmp_path: Path) -> None:
    folder = event_folder(
        tmp_path,
        "hop",
        "title: Họp Chi bộ Công an phưòng\ndate: 2024-03-08\n",
        {"a.jpg": (1, 1, 1)},
    )
    archive.ingest(str(folder))
    (folder / "event.yml").write_text("title: Họp Chi bộ Công an phường\ndate: 2024-03-08\n")
    archive.ingest(str(folder))
    [event] = json.loads(archive.run("events", "--json").stdout)
    assert event["title"] == "Họp Chi bộ Công an phường" and event["photos"] == 1


def test_sheet_without_units_column_keeps_the_units_given(archive, tmp_path: Path) -> None:
    folder = tmp_path / "c"
    folder.mkdir()
    make_jpeg(folder / "1.jpg", color=(1, 1, 1))
    make_jpeg(folder / "2.jpg", color=(2, 2, 2))
    (folder / "captions.csv").write_text("file,caption\n1.jpg,Một\n", "utf-8")
    archive.ingest(str(folder), "--unit", "Chi bộ Công an phường", "--tag", "họp")
    make_jpeg(folder / "3.jpg", color=(3, 3, 3))
    report = archive.ingest(str(folder))
    assert (report["added"], report["updated"], report["unchanged"]) == (1, 0, 2)
    row = archive.rows("SELECT units, tags FROM photos WHERE original_name = '1.jpg'")[0]
    assert json.loads(row["units"]) == ["Chi bộ Công an phường"]
    assert json.loads(row["tags"]) == ["họp"]


def test_a_copy_in_another_folder_never_takes_over(archive, tmp_path: Path) -> None:
    """Mac folder names are NFD on disk: the original must still be found there."""
    parent = tmp_path / "su-kien"
    original = event_folder(
        parent,
        nfd("Họp chi bộ quý I"),
        "title: Họp chi bộ quý I\n",
        {nfd("ảnh số 1.jpg"): (9, 9, 9)},
        sheet="file,caption,units\nảnh số 1.jpg,Chú thích gốc,Chi bộ Khu phố 1\n",
    )
    copy = event_folder(
        parent,
        "zz-copy",
        "title: Bản sao\n",
        {},
        sheet="file,caption,units\ncopy.jpg,Chú thích của bản sao,Tổ dân phố 2\n",
    )
    shutil.copy(original / nfd("ảnh số 1.jpg"), copy / "copy.jpg")

    first = archive.ingest(str(parent))
    assert (first["added"], first["duplicates"]) == (1, 1)
    [photo] = archive.rows(
        "SELECT p.caption, p.units, e.title FROM photos p JOIN events e ON e.id = p.event_id"
    )
    assert photo["caption"] == "Chú thích gốc" and photo["title"] == "Họp chi bộ quý I"
    # Units said by both copies are kept together, and stay so on every run.
    assert json.loads(photo["units"]) == ["Chi bộ Khu phố 1", "Tổ dân phố 2"]
    again = archive.ingest(str(parent))
    assert (again["updated"], again["unchanged"], again["duplicates"]) == (0, 2, 0)
    assert archive.rows("SELECT caption FROM photos")[0]["caption"] == "Chú thích gốc"


def test_a_changed_file_at_a_known_path_is_said(archive, tmp_path: Path) -> None:
    photo = tmp_path / "a.jpg"
    make_jpeg(photo, color=(1, 2, 3))
    archive.ingest(str(photo))
    make_jpeg(photo, size=(80, 60), color=(3, 2, 1))
    report = archive.ingest(str(photo))
    assert report["added"] == 1
    [warning] = report["problems"]
    assert "changed since it was archived as photo 1; both are kept" in warning["reason"]
    assert archive.rows("SELECT count(*) AS n FROM photos")[0]["n"] == 2


def test_event_slug_from_the_command_line_is_slugified(archive, tmp_path: Path) -> None:
    photo = tmp_path / "a.jpg"
    make_jpeg(photo)
    archive.ingest(str(photo), "--event", "Họp Chi bộ", "--event-title", "Họp Chi bộ tháng 3")
    [event] = json.loads(archive.run("events", "--json").stdout)
    assert event["slug"] == "hop-chi-bo"


def test_a_moved_folder_keeps_its_event_and_its_edits_apply(archive, tmp_path: Path) -> None:
    folder = event_folder(
        tmp_path,
        "ev",
        "title: Lễ chào cờ\ndate: 2024-09-02\nlocation: Trường THCS\n",
        {"a.jpg": (1, 1, 1), "b.jpg": (2, 2, 2)},
    )
    archive.ingest(str(folder))
    moved = folder.rename(tmp_path / "ev-2024")
    archive.ingest(str(moved))
    (moved / "event.yml").write_text(
        "title: Lễ chào cờ\ndate: 2024-09-02\nlocation: Trường THCS Nguyễn Gia Thiều\n", "utf-8"
    )
    report = archive.ingest(str(moved))
    assert report["problems"] == []
    [event] = archive.rows("SELECT location, source_ref FROM events")
    assert event == {"location": "Trường THCS Nguyễn Gia Thiều", "source_ref": str(moved)}


def test_a_second_folder_joining_an_event_is_said(archive, tmp_path: Path) -> None:
    yml = "title: Sinh hoạt tổ dân phố\n"
    event_folder(tmp_path / "src", "to-1", yml, {"a.jpg": (1, 1, 1)})
    event_folder(tmp_path / "src", "to-2", yml, {"b.jpg": (2, 2, 2)})
    report = archive.ingest(str(tmp_path / "src"))
    [warning] = report["problems"]
    assert (
        warning["path"].endswith("to-2")
        and "joins the event 'Sinh hoạt tổ dân phố'" in (warning["reason"])
    )


def test_a_photo_without_a_date_takes_its_events_day(archive, tmp_path: Path) -> None:
    photo = tmp_path / "zalo.jpg"
    make_jpeg(photo, taken=None)  # forwarded through a chat app: no EXIF date left
    archive.ingest(str(photo), "--event-title", "Họp Chi bộ", "--date", "2024-03-08")
    [row] = archive.rows("SELECT taken_at, taken_at_source, year FROM photos")
    assert row == {"taken_at": "2024-03-08", "taken_at_source": "event", "year": 2024}
    archive.run(
        "gallery",
        "create",
        "cong-an",
        "--title",
        "Công an",
        "--from",
        "2024-01-01",
        "--to",
        "2024-12-31",
    )
    shown = json.loads(archive.run("gallery", "show", "cong-an", "--json").stdout)
    assert len(shown["photos"]) == 1


def test_undated_photo_takes_a_day_learnt_from_its_companions(archive, tmp_path: Path) -> None:
    folder = event_folder(tmp_path, "ngay-hoi", "title: Ngày hội đại đoàn kết\n", {})
    make_jpeg(folder / "cam.jpg", taken="2024:11:15 09:00:00", color=(1, 1, 1))
    make_jpeg(folder / "zalo.jpg", taken=None, color=(2, 2, 2))
    archive.ingest(str(folder))
    row = archive.rows(
        "SELECT taken_at, taken_at_source FROM photos WHERE original_name = ?", ("zalo.jpg",)
    )[0]
    assert row == {"taken_at": "2024-11-15", "taken_at_source": "event"}
    again = archive.ingest(str(folder))
    assert (again["updated"], again["unchanged"]) == (0, 2)


def test_a_moved_folder_keeps_its_event_when_another_takes_its_place(archive, tmp_path) -> None:
    root = tmp_path / "ev"
    first = event_folder(root, "A", "title: Hội nghị A\ndate: 2024-01-10\n", {"a1.jpg": (1, 1, 1)})
    archive.ingest(str(first))
    first.rename(root / "A-moved")
    event_folder(root, "A", "title: Lễ B\ndate: 2024-02-20\n", {"b1.jpg": (2, 2, 2)})
    report = archive.ingest(str(root))  # "A" is walked before "A-moved"
    assert report["problems"] == []
    events = {e["slug"]: e for e in json.loads(archive.run("events", "--json").stdout)}
    assert (events["hoi-nghi-a"]["title"], events["hoi-nghi-a"]["photos"]) == ("Hội nghị A", 1)
    assert (events["le-b"]["date"], events["le-b"]["photos"]) == ("2024-02-20", 1)
