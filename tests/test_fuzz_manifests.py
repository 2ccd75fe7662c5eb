"""Fuzz the readers of what staff type: caption sheets, event.yml, article.txt.

Inputs are built the way the files arrive (tables written by the csv module or joined by
hand, in UTF-8 with or without BOM, UTF-16, Windows-1258 or something else, any delimiter, an
Excel "sep=" line, .xlsx from openpyxl) and then, often, damaged byte by byte.

The contract under test (ingest/textfile.py, ingest/manifest.py): a reader returns its result
or raises ManifestError, whose str() is one line naming the file; never another exception,
never a hang, never unbounded memory (tests/fuzzing.py). What it returns is NFC text.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from archive.text import clean
from ingest.captions import MAX_CELL_CHARS
from ingest.manifest import (
    Article,
    CaptionSheet,
    EventInfo,
    ManifestError,
    read_article,
    read_caption_sheet,
    read_event_yml,
)
from ingest.textfile import decode_text
from tests.fuzzing import bounded, mutated, one_line
from tests.test_vietnamese_ingest import cp1258_as_windows_writes

pytestmark = pytest.mark.fuzz

VIETNAMESE = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
)
VIETNAMESE += VIETNAMESE.upper() + "0123456789 "
HEADERS = (
    *("file", "Tên tệp", "TỆP", "ảnh", "hình ảnh", "caption", "Chú thích", "mô tả", "units"),
    *("Đơn vị", "tags", "Thẻ", "từ khóa", "taken_at", "Ngày chụp", "thời gian", "ghi chú", ""),
)
ODD_CELLS = (
    *("2017-12-22", "22/12/2017 8h30", "32/13/2017", "2017:12:22 08:05:12", "1.0", "7"),
    *("IMG_0001.JPG", "lop 6a\\IMG_3.jpg", "./anh.jpg", "/", "Đảng ủy; Chi bộ", "a,b;c\nd"),
    *('"', '""', '"open', "\ufeff", "\x00", "\r", "\t", "sep=;", "=SUM(A1)"),
)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def _check_error(error: ManifestError, path: Path) -> None:
    message = str(error)
    assert message.startswith(f"{path}: "), message[:200]
    one_line(message, limit=len(str(path)) + 2 + 500)


def _nfc(text: str | None) -> bool:
    return text is None or unicodedata.is_normalized("NFC", text)


def _read(reader, path: Path) -> Any:
    """The reader's result, or None after checking the ManifestError it raised."""
    try:
        return bounded(lambda: reader(path))
    except ManifestError as error:
        _check_error(error, path)
        return None


# --- bytes of text files ---------------------------------------------------------------------


def _encode(text: str, encoding: str) -> bytes:
    if encoding == "cp1258":
        try:
            return cp1258_as_windows_writes(text)
        except UnicodeEncodeError:
            return text.encode("cp1258", "replace")
    if encoding == "utf-16-nobom":
        return text.encode("utf-16-le", "surrogatepass")  # Windows text may hold lone ones
    return text.encode(encoding, "surrogatepass" if encoding.startswith("utf") else "replace")


ENCODINGS = st.sampled_from(
    ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-16-nobom", "cp1258")
    + ("latin-1", "cp1252")
)
LINE_ENDS = st.sampled_from(("\r\n", "\n", "\r"))
TEXT = st.text(st.sampled_from(VIETNAMESE) | st.characters(), max_size=30)


@st.composite
def damaged(draw: st.DrawFn, data: bytes) -> bytes:
    """Usually the bytes as written; sometimes edited, as a bad copy or a stray tool leaves them."""
    if draw(st.integers(0, 3)):
        return data
    return draw(mutated([data] if data else [b"\x00"], max_ops=4))


def _put(workdir: Path, name: str, data: bytes) -> Path:
    path = workdir / name
    path.write_bytes(data)
    return path


@given(st.binary(max_size=2000) | st.builds(_encode, TEXT, ENCODINGS), st.booleans())
def test_decode_text_gives_text_or_a_reason(data: bytes, allow_nul: bool) -> None:
    try:
        text = bounded(lambda: decode_text(data, "captions.csv", allow_nul=allow_nul))
    except ManifestError as error:
        assert str(error).startswith("captions.csv: ")
        one_line(str(error))
        return
    assert _nfc(text) and "\r" not in text
    assert allow_nul or "\x00" not in text


# --- caption sheets --------------------------------------------------------------------------


CELL = (
    st.text(st.sampled_from(VIETNAMESE + ",;\t\"'\n|"), max_size=40)
    | st.sampled_from(ODD_CELLS)
    | TEXT
    | st.builds(lambda ch, n: ch * n, st.sampled_from('xảé,"'), st.sampled_from((32767, 32768)))
)


@st.composite
def table(draw: st.DrawFn) -> list[list[str]]:
    header = draw(st.lists(st.sampled_from(HEADERS) | TEXT, min_size=1, max_size=7))
    width = st.integers(0, len(header) + 2)
    rows = draw(st.lists(st.lists(CELL, min_size=0, max_size=9), max_size=12))
    above = draw(st.lists(st.lists(CELL, max_size=3), max_size=2))  # title rows over the header
    return [*above, header, *(row[: draw(width)] for row in rows)]


@st.composite
def sheet_text(draw: st.DrawFn) -> str:
    rows = draw(table())
    delimiter = draw(st.sampled_from(",;\t|"))
    end = draw(LINE_ENDS)
    if draw(st.booleans()):
        buf = io.StringIO()
        quoting = draw(st.sampled_from((csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC)))
        csv.writer(buf, delimiter=delimiter, lineterminator=end, quoting=quoting).writerows(rows)
        text = buf.getvalue()
    else:  # joined by hand, as a script or a careless export does: quotes not balanced
        text = end.join(delimiter.join(row) for row in rows) + end
    if draw(st.booleans()):
        text = f"sep={delimiter}{end}{text}"
    return text


@given(sheet_text(), ENCODINGS, st.sampled_from(("captions.csv", "captions.txt", "Captions.TSV")))
@example("file,caption\na.jpg," + "x" * 1_048_576 + "\nb.jpg,ok\n", "utf-8", "captions.csv")
@example("\n" * 20 + "file\ta\x00b\n", "utf-16", "captions.csv")
@example('tệp;chú thích\n"a.jpg;' + "é" * 200_000, "cp1258", "captions.csv")
def test_caption_sheet_gives_rows_or_a_reason(workdir: Path, text: str, encoding: str, name):
    path = _put(workdir, name, _encode(text, encoding))
    _check_sheet(_read(read_caption_sheet, path))


@given(st.data())
def test_damaged_caption_sheet_gives_rows_or_a_reason(workdir: Path, data: st.DataObject):
    raw = _encode(data.draw(sheet_text()), data.draw(ENCODINGS))
    path = _put(workdir, "captions.csv", data.draw(damaged(raw)))
    _check_sheet(_read(read_caption_sheet, path))


def _check_sheet(sheet: CaptionSheet | None) -> None:
    if sheet is None:
        return
    for warning in sheet.warnings:
        one_line(warning, limit=500)
    for row in sheet.rows:
        assert row.file and _nfc(row.file) and row.line >= 2
        assert row.caption is None or (_nfc(row.caption) and len(row.caption) <= MAX_CELL_CHARS)
        assert all(_nfc(name) and name for name in row.units + row.tags)
        assert row.taken_at is None or re.fullmatch(
            r"\d{4}-\d\d-\d\d(T\d\d:\d\d:\d\d)?", row.taken_at
        )
        assert "\x00" not in (row.caption or "") + row.file


_CAPTION_WORDS = st.sampled_from(
    ("Lễ", "chào", "cờ", "Đảng", "viên", "học", "tập", "Chỉ", "thị", "05-CT/TW", "khu", "phố")
)
_CAPTION = st.builds(
    lambda words, punct: " ".join(words) + punct,
    st.lists(_CAPTION_WORDS, min_size=3, max_size=12),
    st.sampled_from(("", ",", ";", ' "trích"', "\t", ", lần 2\nDòng hai", "…")),
)


@given(
    st.lists(_CAPTION, min_size=1, max_size=15),
    st.sampled_from(",;\t"),
    st.sampled_from(("utf-8", "utf-8-sig", "utf-16", "cp1258")),
    st.sampled_from(("file,caption", "Tên tệp,Chú thích", "tệp,mô tả")),
)
def test_every_well_written_row_applies(workdir, captions, delimiter, encoding, header) -> None:
    """A sheet written correctly by the csv module (as Excel writes it) loses no row."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header.split(","))
    writer.writerows([f"anh-{i}.jpg", caption] for i, caption in enumerate(captions))
    path = _put(workdir, "captions.csv", _encode(buf.getvalue(), encoding))
    sheet = bounded(lambda: read_caption_sheet(path))
    assert sheet.warnings == ()
    for i, caption in enumerate(captions):
        row = sheet.lookup(f"anh-{i}.jpg")
        assert row is not None and row.caption == clean(caption)


XLSX_CELL = (
    st.text(st.sampled_from(VIETNAMESE + ",;\"'\n"), max_size=30)
    | st.sampled_from(ODD_CELLS[:12])
    | st.integers(-(2**40), 2**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.datetimes(datetime(1900, 3, 1), datetime(2100, 1, 1))
    | st.dates(date(1900, 3, 1), date(2100, 1, 1))
    | st.none()
)


@given(
    st.lists(st.sampled_from(HEADERS) | st.none(), min_size=1, max_size=6),
    st.lists(st.lists(XLSX_CELL, max_size=8), max_size=10),
    st.integers(0, 3),
    st.data(),
)
def test_xlsx_gives_rows_or_a_reason(workdir, header, rows, damage, data) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in [header, *rows]:
        sheet.append(row)
    buf = io.BytesIO()
    workbook.save(buf)
    raw = _same_bytes_every_time(buf.getvalue())
    if damage == 1:  # the zip itself damaged
        raw = data.draw(mutated([raw], max_ops=3))
    elif damage == 2:  # one member's XML damaged, the zip intact
        raw = _damage_member(raw, data)
    path = _put(workdir, "captions.xlsx", raw)
    _check_sheet(_read(read_caption_sheet, path))


def _same_bytes_every_time(raw: bytes) -> bytes:
    """The workbook without the clock (saved-at times, zip entry times): Hypothesis replays
    an example by drawing the same choices again, which needs the same bytes to mutate."""
    source = zipfile.ZipFile(io.BytesIO(raw))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = re.sub(
                rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2018-01-01T08:00:00Z", source.read(item)
            )
            target.writestr(zipfile.ZipInfo(item.filename, (1980, 1, 1, 0, 0, 0)), content)
    return out.getvalue()


def _damage_member(raw: bytes, data: st.DataObject) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(raw))
    names = source.namelist()
    victim = data.draw(st.sampled_from(names))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == victim:
                content = data.draw(mutated([content], max_ops=3))
            target.writestr(item, content)
    return out.getvalue()


# --- event.yml -------------------------------------------------------------------------------

YAML_KEYS = st.sampled_from(
    (
        *("title", "Tiêu đề", "TEN SU KIEN", "date", "Ngày", "ngày tổ chức", "location"),
        *("Địa điểm", "organizer", "đơn vị tổ chức", "description", "Mô tả", "units"),
        *("Đơn vị", "tags", "thẻ", "slug", "unknown", "1", "~", "? [a]", "<<"),
    )
)
YAML_SCALARS = st.sampled_from(
    (
        *("2017-12-22", "22/12/2017", "2017-12-32", "2017-02-29", "'2017-12-22'", "0", "-1"),
        *("yes", "no", "~", "null", ".inf", ".nan", "0x1F", "1_000", "1:20:30", "0o17", "1e400"),
        *("!!timestamp x", "!!int x", "!!float x", "!!binary AAAA", "!!binary é", "!!str 5"),
        *("!!python/object:os.system", "!!set {a}", "!!omap [a: 1]", "!!null", "!!bool maybe"),
        *("&a Đảng ủy", "*a", "*missing", "[a, b]", "{a: 1}", "[", "]", "{", "'", '"', "|", ">"),
        *("Học tập Chỉ thị 05", "Chi bộ; Đoàn", "a, b; c", "2001-12-14t21:59:43.10-25:00"),
        *("9" * 5000, "%", "@", "`", "#", "- x", "? x", "\t", "\x00", "\ufeff", "\u2028"),
    )
)


@st.composite
def yaml_text(draw: st.DrawFn) -> str:
    lines = []
    for _ in range(draw(st.integers(0, 10))):
        key = draw(YAML_KEYS)
        kind = draw(st.integers(0, 4))
        if kind == 0:
            lines.append(f"{key}: {draw(YAML_SCALARS | TEXT)}")
        elif kind == 1:
            items = draw(st.lists(YAML_SCALARS | TEXT, max_size=4))
            lines.append(f"{key}:")
            lines.extend(f"  - {item}" for item in items)
        elif kind == 2:
            lines.append(f"{key}: |")
            lines.extend(f"  {line}" for line in draw(st.lists(TEXT, max_size=4)))
        elif kind == 3:
            depth = draw(st.integers(1, 3000))
            lines.append(f"{key}: {draw(st.sampled_from('[{')) * depth}")
        else:
            lines.append(draw(TEXT))
    return draw(LINE_ENDS).join(lines)


@given(yaml_text(), ENCODINGS)
@example("title: " + "[" * 3000, "utf-8")
@example("title: " + "{a: " * 3000, "utf-8")
@example("date: !!timestamp 'x'", "utf-8")
@example("title: !!bool maybe", "utf-8")
@example("1:\r\n  - !!float", "utf-8")
@example("title: " + "1" * 5000, "utf-8")
def test_event_yml_gives_an_event_or_a_reason(workdir: Path, text: str, encoding: str) -> None:
    path = _put(workdir, "event.yml", _encode(text, encoding))
    _check_event(_read(read_event_yml, path))


@given(st.data())
def test_damaged_event_yml_gives_an_event_or_a_reason(workdir: Path, data: st.DataObject):
    raw = _encode(data.draw(yaml_text()), data.draw(ENCODINGS))
    path = _put(workdir, "event.yml", data.draw(damaged(raw)))
    _check_event(_read(read_event_yml, path))


def _check_event(info: EventInfo | None) -> None:
    if info is None:
        return
    for text in (info.title, info.location, info.organizer, info.slug):
        assert text is None or (_nfc(text) and "\n" not in text and text)
    assert _nfc(info.description)
    assert info.date is None or date.fromisoformat(info.date).isoformat() == info.date
    assert info.slug is None or re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", info.slug)
    assert all(name and _nfc(name) for name in info.units + info.tags)


# --- article.txt -----------------------------------------------------------------------------

ARTICLE_LINES = st.sampled_from(
    (
        *("Tổ chức học tập trực tuyến Chỉ thị 05-CT/TW năm 2018", "1.234", "12 345", ""),
        *("Một số hình ảnh:", "MỘT SỐ HÌNH ẢNH", "mot so hinh anh tai buoi hoc", "   "),
        *("Ban biên tập", "BBT", "Nguồn: phường 6", "Tin, ảnh: Lan", "Tin và ảnh:", "-"),
        *("Trụ sở Uỷ ban nhân dân phường 6", "\t", "\x00", "\ufeff", "\u200b", "."),
    )
)


@given(st.lists(ARTICLE_LINES | TEXT, max_size=30), LINE_ENDS, ENCODINGS)
def test_article_gives_an_article_or_a_reason(workdir, lines, end, encoding) -> None:
    path = _put(workdir, "article.txt", _encode(end.join(lines), encoding))
    _check_article(_read(read_article, path))


@given(st.data())
def test_damaged_article_gives_an_article_or_a_reason(workdir: Path, data: st.DataObject):
    lines = data.draw(st.lists(ARTICLE_LINES | TEXT, max_size=30))
    raw = _encode("\r\n".join(lines), data.draw(ENCODINGS))
    path = _put(workdir, "article.txt", data.draw(damaged(raw)))
    _check_article(_read(read_article, path))


def _check_article(article: Article | None) -> None:
    if article is None:
        return
    assert article.title and _nfc(article.title) and "\n" not in article.title
    assert _nfc(article.description)
    assert all(c and _nfc(c) and "\n" not in c for c in article.captions)
