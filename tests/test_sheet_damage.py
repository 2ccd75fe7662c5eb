"""A caption sheet with a few damaged rows loses those rows only, in every format staff save.

Each sheet holds normal rows and three rows no one typed: a 1 MB cell, a row with more columns
than the header (an unquoted delimiter in a caption), and a row holding a NUL byte. The photos
are real JPEGs and the ingest is the real command line: the normal rows' captions and units
apply, each bad row is named with its reason in the report and in ingest_problems, and the
exit status is 0 (a manifest warning fails no file).
"""

from __future__ import annotations

import json
import unicodedata
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from ingest.captions import MAX_CELL_CHARS
from tests.images import make_jpeg

GOOD = {
    "anh-1.jpg": ("Đảng ủy phường 6 học tập Chỉ thị 05-CT/TW", "Đảng ủy phường 6"),
    "anh-5.jpg": ("Lễ chào cờ đầu tuần ở Trường THCS Nguyễn Gia Thiều", "Chi bộ Khu phố 3"),
}
HUGE = "Hội trường " * (1_048_576 // 11)  # a pasted document: 1 MB in one cell
TOO_LONG = f"row 3: column B (caption) holds {len(HUGE):,} characters, more than the 32,767"
NUL = "row 5: column B (caption) holds a NUL byte"
EXTRA = "row 4: has 4 columns but the header has 3"


def cp1258(text: str) -> bytes:
    """Windows-1258 as Windows writes it: the five tones as separate combining bytes."""
    tones = "\u0300\u0301\u0303\u0309\u0323"
    out = []
    for ch in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
        out.append(base + "".join(c for c in parts if c in tones))
    return "".join(out).encode("cp1258")


def sheet_text(delimiter: str) -> str:
    """Header, a good row, the three bad rows (3, 4, 5), a good row; Excel's CRLF."""
    d = delimiter
    rows = [
        f"file{d}caption{d}units",
        f"anh-1.jpg{d}{GOOD['anh-1.jpg'][0]}{d}{GOOD['anh-1.jpg'][1]}",
        f"anh-2.jpg{d}{HUGE}{d}Tổ dân phố 1",
        f"anh-3.jpg{d}Lễ khai giảng{d} năm học mới{d}Tổ dân phố 2",  # the delimiter unquoted
        f"anh-4.jpg{d}Ảnh\x00hỏng{d}Tổ dân phố 4",
        f"anh-5.jpg{d}{GOOD['anh-5.jpg'][0]}{d}{GOOD['anh-5.jpg'][1]}",
    ]
    return "\r\n".join(rows) + "\r\n"


TEXT_SHEETS: dict[str, Callable[[], bytes]] = {
    "utf-8": lambda: sheet_text(",").encode("utf-8"),
    "utf-8-bom-semicolon": lambda: sheet_text(";").encode("utf-8-sig"),
    "utf-16-tab": lambda: sheet_text("\t").encode("utf-16"),
    "windows-1258": lambda: cp1258(sheet_text(",")),
}


def event_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "hoc-tap-chi-thi-05"
    folder.mkdir()
    for number in range(1, 6):
        make_jpeg(folder / f"anh-{number}.jpg", color=(40 * number, 90, 200 - 30 * number))
    return folder


def assert_only_bad_rows_lost(archive, report: dict, sheet: Path, expected: list[str]) -> None:
    rows = archive.rows("SELECT original_name, caption, units FROM photos ORDER BY original_name")
    assert [row["original_name"] for row in rows] == [f"anh-{n}.jpg" for n in range(1, 6)]
    by_name = {row["original_name"]: row for row in rows}
    for name, (caption, unit) in GOOD.items():
        assert by_name[name]["caption"] == caption
        assert json.loads(by_name[name]["units"]) == [unit]
    for name in ("anh-2.jpg", "anh-3.jpg", "anh-4.jpg"):  # archived, but nothing from the row
        assert by_name[name]["caption"] is None
        assert by_name[name]["units"] in (None, "[]")
    sheet_problems = [p for p in report["problems"] if p["path"] == str(sheet)]
    assert len(sheet_problems) == len(expected), sheet_problems
    for reason, problem in zip(expected, sheet_problems, strict=True):
        assert problem["reason"].startswith(reason), problem
        assert problem["reason"].endswith("; row skipped")
        assert (problem["level"], problem["stage"]) == ("warning", "manifest")
        assert len(problem["reason"]) < 300  # the length is named, the cell is not quoted
    assert (report["failed"], report["added"]) == (0, 5)
    stored = archive.rows(
        "SELECT path, level, stage, reason FROM ingest_problems WHERE path = ?", (str(sheet),)
    )
    assert [dict(p) for p in stored] == sheet_problems


@pytest.mark.parametrize("encoding", list(TEXT_SHEETS))
def test_damaged_rows_of_a_text_sheet_are_skipped_alone(archive, tmp_path, encoding) -> None:
    folder = event_folder(tmp_path)
    sheet = folder / "captions.csv"
    sheet.write_bytes(TEXT_SHEETS[encoding]())
    report = archive.ingest(str(folder), expect=0)
    extra = EXTRA + (" (a caption holding a tab must be in quotes)" if "tab" in encoding else "")
    assert_only_bad_rows_lost(archive, report, sheet, [TOO_LONG, extra, NUL])


def test_damaged_rows_of_an_xlsx_are_skipped_alone(archive, tmp_path) -> None:
    """openpyxl cuts what it writes at 32,767 characters, as Excel does; other tools do not,
    so the 1 MB cell is put into the workbook's XML the way such a tool leaves it."""
    folder = event_folder(tmp_path)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Tên tệp", "Chú thích", "Đơn vị"])
    sheet.append(["anh-1.jpg", *GOOD["anh-1.jpg"]])
    sheet.append(["anh-2.jpg", "PLACEHOLDER-FOR-THE-HUGE-CELL", "Tổ dân phố 1"])
    sheet.append(["anh-3.jpg", "Lễ khai giảng", "Tổ dân phố 2", "ghi chú lạc cột"])
    sheet.append(["anh-5.jpg", *GOOD["anh-5.jpg"]])
    plain = tmp_path / "plain.xlsx"
    workbook.save(plain)
    path = folder / "captions.xlsx"
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if b"PLACEHOLDER-FOR-THE-HUGE-CELL" in data:
                data = data.replace(b"PLACEHOLDER-FOR-THE-HUGE-CELL", HUGE.encode("utf-8"))
            target.writestr(item, data)
    report = archive.ingest(str(folder), expect=0)
    long_cell = TOO_LONG.replace("(caption)", "(Chú thích)")
    extra = "row 4: has 4 columns but the header has 3; row skipped"
    assert_only_bad_rows_lost(archive, report, path, [long_cell, extra])


def test_a_cell_at_the_limit_is_a_caption(archive, tmp_path) -> None:
    """Excel's own maximum is a caption like any other; one character more is not."""
    folder = tmp_path / "event"
    folder.mkdir()
    make_jpeg(folder / "a.jpg")
    make_jpeg(folder / "b.jpg", color=(1, 2, 3))
    longest = "ả" * MAX_CELL_CHARS
    (folder / "captions.csv").write_text(
        f"file,caption\na.jpg,{longest}\nb.jpg,{longest}x\n", "utf-8"
    )
    report = archive.ingest(str(folder))
    [problem] = report["problems"]
    assert problem["reason"].startswith("row 3: column B (caption) holds 32,768 characters")
    rows = archive.rows("SELECT original_name, caption FROM photos ORDER BY original_name")
    assert [(r["original_name"], r["caption"]) for r in rows] == [
        ("a.jpg", longest),
        ("b.jpg", None),
    ]


def test_nul_in_the_header_still_refuses_the_sheet(archive, tmp_path) -> None:
    """UTF-16 saved without its byte-order mark has a NUL beside every letter: not a sheet."""
    folder = tmp_path / "event"
    folder.mkdir()
    make_jpeg(folder / "a.jpg")
    sheet = folder / "captions.csv"
    sheet.write_bytes("file,caption\r\na.jpg,Lễ chào cờ\r\n".encode("utf-16-le"))
    report = archive.ingest(str(folder))
    [problem] = report["problems"]
    assert problem["path"] == str(sheet)
    assert "UTF-16 without a byte-order mark" in problem["reason"]
    assert archive.rows("SELECT caption FROM photos") == [{"caption": None}]


def test_trailing_empty_cells_are_not_extra_columns(archive, tmp_path) -> None:
    """Trailing empty cells (Excel pads rows to the widest) are not extra columns."""
    folder = tmp_path / "event"
    folder.mkdir()
    make_jpeg(folder / "a.jpg")
    (folder / "captions.csv").write_text("file;caption;;\r\na.jpg;Lễ chào cờ;;\r\n", "utf-8")
    report = archive.ingest(str(folder))
    assert report["problems"] == []
    assert archive.rows("SELECT caption FROM photos") == [{"caption": "Lễ chào cờ"}]
