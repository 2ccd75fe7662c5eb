"""Every file Excel saves a caption sheet as is read, through the real `archive ingest`.

The files are made as Excel makes them: "Unicode Text" is UTF-16 LE with a BOM, tabs and CRLF;
.xls is a real BIFF8 workbook written by xlwt, with date-formatted cells stored as day
numbers, the way Excel 97-2003 keeps dates.
"""

from __future__ import annotations

import codecs
import io
import json
import os
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from PIL import Image

from archive.dates import parse_when, why_not
from ingest.captions import looks_like_sheet, read_caption_sheet
from tests.conftest import import_or_missing
from tests.images import make_jpeg, segment

CAPTIONS = {
    "anh-1.jpg": "Đảng ủy phường 6 học tập Chỉ thị 05-CT/TW",
    "anh-2.jpg": 'Lễ chào cờ, "Tuần lễ xanh" ở Trường THCS Nguyễn Gia Thiều',
    "anh-3.jpg": "Tổ dân phố 3 ra quân làm sạch kênh Nhiêu Lộc",
}
UNITS = {
    "anh-1.jpg": ["Đảng ủy phường 6"],
    "anh-2.jpg": ["Trường THCS Nguyễn Gia Thiều", "Đoàn Thanh niên phường"],
    "anh-3.jpg": ["Tổ dân phố 3"],
}


def photos(folder: Path) -> None:
    folder.mkdir(parents=True)
    for index, name in enumerate(CAPTIONS):
        make_jpeg(folder / name, color=(40 * index, 90, 200 - 40 * index))


def unicode_text(rows: list[list[str]]) -> bytes:
    """What Excel's Save As "Unicode Text" writes: UTF-16 LE, BOM, tabs, CRLF, "" quoting."""

    def cell(value: str) -> str:
        return f'"{value.replace(chr(34), chr(34) * 2)}"' if '"' in value else value

    text = "\r\n".join("\t".join(cell(v) for v in row) for row in rows) + "\r\n"
    return codecs.BOM_UTF16_LE + text.encode("utf-16-le")


def catalog_view(archive) -> dict[str, tuple]:
    rows = archive.rows("SELECT original_name, caption, units, taken_at FROM photos")
    return {
        r["original_name"]: (r["caption"], json.loads(r["units"] or "[]"), r["taken_at"])
        for r in rows
    }


def reasons(report: dict) -> list[str]:
    return [f"{Path(p['path']).name}: {p['reason']}" for p in report["problems"]]


def test_unicode_text_captions_txt_applies_every_caption_and_unit(archive, tmp_path: Path):
    folder = tmp_path / "2017-12-22 Học tập Chỉ thị 05"
    photos(folder)
    header = ["Tên tệp", "Chú thích", "Đơn vị", "Ngày chụp"]
    days = {"anh-1.jpg": "22/12/2017", "anh-2.jpg": "2/1/2018 8h30", "anh-3.jpg": "22.12.2017"}
    rows = [[n, CAPTIONS[n], "; ".join(UNITS[n]), days[n]] for n in CAPTIONS]
    (folder / "captions.txt").write_bytes(unicode_text([header, *rows]))
    report = archive.ingest(str(folder))
    assert report["skipped_files"] == [] and report["added"] == 3
    assert report["problems"] == []  # every date read; the days alone match the camera's
    camera = "2017-12-22T08:05:12+07:00"  # which knew the time of day
    assert catalog_view(archive) == {
        "anh-1.jpg": (CAPTIONS["anh-1.jpg"], UNITS["anh-1.jpg"], camera),
        "anh-2.jpg": (CAPTIONS["anh-2.jpg"], UNITS["anh-2.jpg"], "2018-01-02T08:30:00"),
        "anh-3.jpg": (CAPTIONS["anh-3.jpg"], UNITS["anh-3.jpg"], camera),
    }


def test_manifest_says_what_it_read_the_file_as(archive, tmp_path: Path) -> None:
    folder = tmp_path / "su-kien"
    photos(folder)
    sheet = tmp_path / "captions.txt"
    rows = [[n, CAPTIONS[n], "; ".join(UNITS[n])] for n in CAPTIONS]
    sheet.write_bytes(unicode_text([["file", "caption", "units"], *rows, ["khac.jpg", "x", ""]]))
    result = archive.run("ingest", "--jobs", "1", str(folder), "--manifest", str(sheet))
    note = "captions.txt: read as a caption sheet (UTF-16, tab-separated): 4 rows, 3 applied"
    assert note in result.output.splitlines()
    assert {name: view[0] for name, view in catalog_view(archive).items()} == CAPTIONS


def test_manifest_txt_with_another_name_is_still_a_sheet(archive, tmp_path: Path) -> None:
    folder = tmp_path / "su-kien"
    photos(folder)
    sheet = tmp_path / "chú thích.txt"
    sheet.write_bytes(unicode_text([["Ảnh", "Chú thích"], ["anh-1", CAPTIONS["anh-1.jpg"]]]))
    report = archive.ingest(str(folder), "--manifest", str(sheet))
    assert report["notes"] == [
        "chú thích.txt: read as a caption sheet (UTF-16, tab-separated): 1 rows, 1 applied"
    ]
    assert catalog_view(archive)["anh-1.jpg"][0] == CAPTIONS["anh-1.jpg"]


def write_xls(path: Path, title_row: bool = True) -> None:
    xlwt = import_or_missing("xlwt")
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Danh sách ảnh")
    day = xlwt.easyxf(num_format_str="DD/MM/YYYY")
    moment = xlwt.easyxf(num_format_str="DD/MM/YYYY HH:MM")
    row = 0
    if title_row:
        sheet.write(0, 0, "DANH SÁCH ẢNH HỌC TẬP CHỈ THỊ 05")
        row = 1
    for col, name in enumerate(["Tên tệp", "Chú thích", "Đơn vị", "Thời gian chụp"]):
        sheet.write(row, col, name)
    cells = [
        ("anh-1.jpg", datetime(2017, 12, 22), day),
        ("anh-2.jpg", datetime(2018, 1, 2, 8, 30), moment),
        (3, "22/12/2017", None),  # a file named 3.jpg typed as a number; a date typed as text
    ]
    for offset, (file, when, style) in enumerate(cells, start=row + 1):
        name = file if isinstance(file, str) else "anh-3.jpg"
        sheet.write(offset, 0, file)
        sheet.write(offset, 1, CAPTIONS[name])
        sheet.write(offset, 2, "\n".join(UNITS[name]))  # Alt+Enter between units
        sheet.write(offset, 3, when, style) if style else sheet.write(offset, 3, when)
    book.save(str(path))


def test_xls_applies_every_caption_unit_and_date(archive, tmp_path: Path) -> None:
    folder = tmp_path / "hoc-tap"
    photos(folder)
    (folder / "anh-3.jpg").rename(folder / "3.jpg")
    write_xls(folder / "captions.xls")
    report = archive.ingest(str(folder))
    assert report["skipped_files"] == [] and report["problems"] == []
    camera = "2017-12-22T08:05:12+07:00"  # the days alone match it: its time of day stays
    assert catalog_view(archive) == {
        "anh-1.jpg": (CAPTIONS["anh-1.jpg"], UNITS["anh-1.jpg"], camera),
        "anh-2.jpg": (CAPTIONS["anh-2.jpg"], UNITS["anh-2.jpg"], "2018-01-02T08:30:00"),
        "3.jpg": (CAPTIONS["anh-3.jpg"], UNITS["anh-3.jpg"], camera),
    }
    sheet = read_caption_sheet(folder / "captions.xls")
    assert sheet.read_as == "Excel 97-2003 workbook (.xls), sheet 'Danh sách ảnh'"
    assert [row.line for row in sheet.rows] == [3, 4, 5]  # Excel's row numbers


def test_damaged_xls_is_one_line_and_the_photos_are_archived(archive, tmp_path: Path) -> None:
    folder = tmp_path / "hong"
    photos(folder)
    write_xls(folder / "captions.xls")
    data = (folder / "captions.xls").read_bytes()
    (folder / "captions.xls").write_bytes(data[: len(data) // 3])
    report = archive.ingest(str(folder))
    assert report["added"] == 3
    (problem,) = [p for p in report["problems"] if p["path"].endswith("captions.xls")]
    assert "not a readable Excel 97-2003 .xls workbook" in problem["reason"]
    assert "\n" not in problem["reason"]


def test_xlsx_saved_under_an_xls_name_is_read(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(["file", "caption"])
    book.active.append(["anh-1.jpg", CAPTIONS["anh-1.jpg"]])
    book.save(tmp_path / "captions.xls")
    sheet = read_caption_sheet(tmp_path / "captions.xls")
    assert sheet.rows[0].caption == CAPTIONS["anh-1.jpg"]
    assert sheet.read_as.startswith("Excel workbook (.xlsx content named .xls)")


def test_misnamed_sheets_are_reported_by_name_with_the_hint(archive, tmp_path: Path) -> None:
    csv_folder, xlsx_folder = tmp_path / "le-chao-co", tmp_path / "ra-quan"
    photos(csv_folder)
    photos(xlsx_folder)
    (csv_folder / "chu thich anh.csv").write_text(
        "Tên tệp;Chú thích\nanh-1.jpg;x\n", encoding="utf-8-sig"
    )
    (csv_folder / "ghi chu.txt").write_text("Nhớ gửi ảnh cho chị Lan\n", encoding="utf-8")
    book = openpyxl.Workbook()
    book.active.append(["file", "caption", "units"])
    book.active.append(["anh-1.jpg", "x", "y"])
    book.save(xlsx_folder / "Book1.xlsx")
    report = archive.ingest(str(tmp_path))
    assert sorted(reasons(report)) == [
        "Book1.xlsx: this looks like a caption sheet, so its captions were not applied:"
        " name it captions.xlsx",
        "chu thich anh.csv: this looks like a caption sheet, so its captions were not applied:"
        " name it captions.csv",
    ]
    assert [Path(p).name for p in report["skipped_files"]] == ["ghi chu.txt"]


def test_a_second_sheet_beside_the_real_one_says_which_is_read(archive, tmp_path: Path) -> None:
    folder = tmp_path / "su-kien"
    photos(folder)
    (folder / "captions.csv").write_text("file,caption\nanh-1.jpg,Một\n", encoding="utf-8")
    (folder / "captions (1).csv").write_text("file,caption\nanh-1.jpg,Hai\n", encoding="utf-8")
    report = archive.ingest(str(folder))
    assert reasons(report) == [
        "captions (1).csv: this looks like a caption sheet, but this folder's caption sheet"
        " is captions.csv; only that one is read"
    ]


def test_looks_like_sheet_needs_a_file_column_and_another(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("file\nanh-1.jpg\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text("STT,Ảnh,Mô tả\n1,anh-1.jpg,x\n", encoding="utf-8")
    (tmp_path / "c.xls").write_bytes(b"\xd0\xcf\x11\xe0 not really")
    assert [looks_like_sheet(tmp_path / n) for n in ("a.csv", "b.csv", "c.xls")] == [
        False,
        True,
        False,
    ]


# --- dates the Vietnamese way -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "iso"),
    [
        ("22/12/2017", "2017-12-22"),
        ("2/9/2024", "2024-09-02"),
        ("02-09-2024", "2024-09-02"),
        ("2.9.2024 7:05", "2024-09-02T07:05:00"),
        ("22/12/2017 08:30:15", "2017-12-22T08:30:15"),
        ("2017-12-22", "2017-12-22"),
        ("2017:12:22 08:05:12", "2017-12-22T08:05:12"),
    ],
)
def test_dates_read_day_first_or_iso(typed: str, iso: str) -> None:
    assert parse_when(typed) == iso


@pytest.mark.parametrize(
    ("typed", "why"),
    [
        ("31/02/2024", "month 2 has no day 31"),
        ("2024/13/45", "there is no month 13"),
        ("13/13/13", "a two-digit year is a guess"),
        ("12/31/2024", "there is no month 31 (read day first, dd/mm/yyyy)"),
    ],
)
def test_impossible_dates_say_why(typed: str, why: str) -> None:
    assert parse_when(typed) is None and why in why_not(typed)


def test_bad_sheet_dates_warn_by_row_and_keep_the_other_cells(archive, tmp_path: Path) -> None:
    folder = tmp_path / "su-kien"
    photos(folder)
    days = {"anh-1.jpg": "31/02/2024", "anh-2.jpg": "2024/13/45", "anh-3.jpg": "13/13/13"}
    rows = [[n, CAPTIONS[n], "; ".join(UNITS[n]), days[n]] for n in CAPTIONS]
    (folder / "captions.tsv").write_text(
        "\n".join("\t".join(r) for r in [["file", "caption", "units", "date"], *rows]),
        encoding="utf-8",
    )
    report = archive.ingest(str(folder))
    sheet_warnings = [r for r in reasons(report) if r.startswith("captions.tsv")]
    assert sheet_warnings == [
        "captions.tsv: row 2: anh-1.jpg: taken_at '31/02/2024' is not a date:"
        " month 2 has no day 31; left empty",
        "captions.tsv: row 3: anh-2.jpg: taken_at '2024/13/45' is not a date:"
        " there is no month 13 (read year first, yyyy-mm-dd); left empty",
        "captions.tsv: row 4: anh-3.jpg: taken_at '13/13/13' is not a date:"
        " a two-digit year is a guess (write 22/12/2017 or 2017-12-22); left empty",
    ]
    view = catalog_view(archive)
    assert {n: view[n][:2] for n in CAPTIONS} == {n: (CAPTIONS[n], UNITS[n]) for n in CAPTIONS}
    assert all(view[n][2].startswith("2017-12-22T08:05") for n in CAPTIONS)  # their EXIF date


def test_event_and_cli_dates_day_first(archive, tmp_path: Path) -> None:
    folder = tmp_path / "hop"
    photos(folder)
    (folder / "event.yml").write_text("tiêu đề: Họp tổ dân phố\nngày: 2.9.2024\n", "utf-8")
    archive.ingest(str(folder))
    assert archive.rows("SELECT date FROM events") == [{"date": "2024-09-02"}]
    lone = tmp_path / "lone.jpg"
    make_jpeg(lone, color=(1, 2, 3))
    archive.ingest(str(lone), "--event-title", "Họp chi bộ", "--date", "8/3/2024")
    assert {"date": "2024-03-08"} in archive.rows("SELECT date FROM events")
    result = archive.run(
        "ingest", str(lone), "--event-title", "x", "--date", "31/02/2024", expect=2
    )
    assert "'31/02/2024' is not a date: month 2 has no day 31" in result.output


# --- warnings a clerk understands ---------------------------------------------------------


def plain_jpeg(extra_segments: bytes = b"") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (32, 24), (90, 140, 60)).save(buf, "JPEG")
    data = buf.getvalue()
    return data[:2] + extra_segments + data[2:]


def test_empty_exif_block_is_no_warning(archive, tmp_path: Path) -> None:
    folder = tmp_path / "2017 su kien"
    folder.mkdir()
    empty_tiff = b"II*\x00\x08\x00\x00\x00" + b"\x00\x00" + b"\x00\x00\x00\x00"
    (folder / "zalo.jpg").write_bytes(plain_jpeg(segment(0xE1, b"Exif\x00\x00" + empty_tiff)))
    (folder / "event.yml").write_text("title: Hội nghị\ndate: 22/12/2017\n", "utf-8")
    report = archive.ingest(str(folder))
    assert reasons(report) == ["zalo.jpg: no date in the photo: dated by the event, 22/12/2017"]


def test_no_exif_at_all_is_dated_by_its_event(archive, tmp_path: Path) -> None:
    folder = tmp_path / "su-kien"
    folder.mkdir()
    (folder / "tu-facebook.jpg").write_bytes(plain_jpeg())
    make_jpeg(folder / "co-ngay.jpg")
    (folder / "event.yml").write_text("title: Hội nghị\ndate: 2017-12-22\n", "utf-8")
    report = archive.ingest(str(folder))
    assert reasons(report) == [
        "tu-facebook.jpg: no date in the photo: dated by the event, 22/12/2017"
    ]
    (row,) = archive.rows("SELECT taken_at_source FROM photos WHERE original_name LIKE 'tu-%'")
    assert row == {"taken_at_source": "event"}
    assert archive.ingest(str(folder))["problems"] == []  # said once, when the photo came in


def test_no_date_anywhere_is_dated_by_the_file_time(archive, tmp_path: Path) -> None:
    folder = tmp_path / "su-kien"
    folder.mkdir()
    photo = folder / "scan.jpg"
    photo.write_bytes(plain_jpeg())
    moment = datetime(2024, 3, 8, 9, 3, 41).timestamp()
    os.utime(photo, (moment, moment))
    (folder / "event.yml").write_text("title: Hội nghị\n", "utf-8")
    report = archive.ingest(str(folder))
    assert reasons(report) == [
        "scan.jpg: no date in the photo or its event: dated by the file's time, 08/03/2024 09:03"
    ]
