"""Every file Excel saves a sheet as, read into rows of cells.

Ward clerks save caption sheets from whatever Excel offers: "CSV UTF-8" and plain "CSV"
(commas, or ';' under Vietnamese regional settings), "Unicode Text" (UTF-16 with a BOM, tabs,
named .txt), .tsv, the .xlsx workbook and the Excel 97-2003 .xls workbook that many offices
still save by default. Each comes back as a Table: the rows (row 1 first, so a warning's row
number is the one Excel shows), and how the file was read, said back to staff so they can
check it was read as what they saved.

What the columns mean is not decided here (see ingest.captions); the header scorer passed in
only helps choose a CSV's delimiter.
"""

from __future__ import annotations

import csv
import io
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path
from typing import Any

from archive.i18n import _
from ingest.textfile import NUL_BYTES, ManifestError, decode_text_as, read_text_as

HEADER_SCAN = 10  # a title row or two may sit above the header
TEXT_SUFFIXES = frozenset({".csv", ".tsv", ".txt"})
XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})
SHEET_SUFFIXES = TEXT_SUFFIXES | XLSX_SUFFIXES | {".xls"}
_PEEK_BYTES = 64 * 1024  # enough for the header of any sheet, little for a stray log file

Scorer = Callable[[list[Any]], int]  # how many known column names a row holds


@dataclass(frozen=True)
class Table:
    rows: list[list[Any]]
    read_as: str  # "UTF-16, tab-separated", "Excel 97-2003 workbook (.xls), sheet 'Sheet1'"
    hint: str = ""  # what a row with too many columns is told (the delimiter in a caption)


def read_table(path: Path, score: Scorer) -> Table:
    """The rows of a sheet file, chosen by its extension (an .xls holding .xlsx is read too)."""
    suffix = path.suffix.casefold()
    if suffix in XLSX_SUFFIXES:
        return _xlsx_table(path)
    if suffix in TEXT_SUFFIXES:
        text, encoding = read_text_as(path, allow_nul=True)
        return text_table(path, text, encoding, score)
    if suffix == ".xls":
        return _xls_table(path)
    raise ManifestError(
        path, _("not a caption sheet: expected a .csv, .tsv, .txt, .xlsx or .xls file")
    )


def peek_table(path: Path, score: Scorer) -> Table | None:
    """The first rows of a file that may be a sheet, or None when it cannot be one.

    For telling a caption sheet saved under another name: a text file is read only as far
    as its first 64 KiB, and nothing here raises.
    """
    suffix = path.suffix.casefold()
    try:
        if suffix in TEXT_SUFFIXES:
            with path.open("rb") as handle:
                data = handle.read(_PEEK_BYTES + 1)
            if len(data) > _PEEK_BYTES:  # cut at a line end, never inside a character
                data = data[: data.rfind(b"\n", 0, _PEEK_BYTES) + 1]
            text, encoding = decode_text_as(data, str(path), allow_nul=True)
            return text_table(path, text, encoding, score, limit=HEADER_SCAN)
        if suffix in SHEET_SUFFIXES:
            return read_table(path, score)
    except (ManifestError, OSError):
        return None
    return None


def text_table(
    path: Path, text: str, encoding: str, score: Scorer, limit: int | None = None
) -> Table:
    """Rows of a CSV or tab-separated text; an Excel "sep=;" line is obeyed and not counted."""
    first = next((line for line in text.split("\n", HEADER_SCAN) if line.strip()), "")
    if "\x00" in first:  # every line of UTF-16 read as UTF-8 has them; a header never does
        raise ManifestError(path, _(NUL_BYTES))
    head, _sep, rest = text.partition("\n")
    given = re.fullmatch(r"sep=(.)", head.strip("\ufeff \r"))
    with _cells_of_any_length(len(text)):
        delimiter = given[1] if given else _sniff_delimiter(text, score)
        try:
            reader = csv.reader(io.StringIO(rest if given else text), delimiter=delimiter)
            rows = list(reader if limit is None else _first(reader, limit))
        except csv.Error as exc:
            raise ManifestError(path, _("unreadable CSV: {reason}").format(reason=exc)) from exc
    names = {"\t": _("tab"), ",": _("comma"), ";": _("semicolon")}
    shown = names.get(delimiter, repr(delimiter))
    return Table(
        rows,
        read_as=_("{encoding}, {separator}-separated").format(encoding=encoding, separator=shown),
        hint=_(" (a caption holding a {separator} must be in quotes)").format(separator=shown),
    )


def _first(reader: Iterator[list[str]], limit: int) -> Iterator[list[str]]:
    for index, row in enumerate(reader):
        if index >= limit:
            return
        yield row


_FIELD_LIMIT_LOCK = threading.Lock()


@contextmanager
def _cells_of_any_length(size: int) -> Iterator[None]:
    """Let the csv module read a cell as long as the whole text, then restore its limit.

    csv refuses a field over 131,072 characters by stopping the whole reader, which would lose
    every row of the sheet; read everything, then the sheet skips just the bad row. The limit
    is process-wide, hence the lock and the restore.
    """
    with _FIELD_LIMIT_LOCK:
        before = csv.field_size_limit()
        csv.field_size_limit(max(before, size + 1))
        try:
            yield
        finally:
            csv.field_size_limit(before)


def _sniff_delimiter(text: str, score: Scorer) -> str:
    """The delimiter under which a header row names the most known columns.

    Vietnamese-locale Excel writes ';', "Unicode text" uses tabs, others ','; captions hold
    commas too, so counting characters misleads, while the header names are known.
    """

    def rank(delimiter: str) -> tuple[int, int]:
        try:
            reader = csv.reader(io.StringIO(text), delimiter=delimiter)
            rows = list(_first(reader, HEADER_SCAN))
        except csv.Error:
            return (-1, 0)
        return max(((score(row), len(row)) for row in rows), default=(0, 0))

    return max(",;\t", key=rank)


def _xlsx_table(path: Path, named: str = "") -> Table:
    """Cell values of the first worksheet, one list per Excel row (row 1 first)."""
    import openpyxl  # only caption sheets need it; event-only folders skip the import

    try:
        # openpyxl refuses a file by its extension; an .xlsx named .xls is handed as bytes.
        source = io.BytesIO(path.read_bytes()) if named else path
        workbook = openpyxl.load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # damaged files raise zip, XML or key errors alike
        raise ManifestError(
            path, _("not a readable .xlsx workbook: {reason}").format(reason=exc)
        ) from exc
    try:
        if not workbook.worksheets:
            raise ManifestError(path, _("the workbook has no worksheet"))
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some writers store a wrong size, which would cut rows off
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        read_as = _("Excel workbook (.xlsx{named}), sheet {sheet}")
        return Table(rows, read_as=read_as.format(named=named, sheet=repr(sheet.title)))
    except ManifestError:
        raise
    except Exception as exc:
        raise ManifestError(
            path, _("not a readable .xlsx workbook: {reason}").format(reason=exc)
        ) from exc
    finally:
        workbook.close()


def _xls_table(path: Path) -> Table:
    """The first worksheet of an Excel 97-2003 workbook; date cells become datetimes.

    Excel keeps a date as a number of days counted from 1900 or 1904 (the workbook's
    datemode); xlrd knows a cell is a date from its number format.
    """
    try:
        with path.open("rb") as handle:
            start = handle.read(8)
    except OSError as exc:
        raise ManifestError(
            path, _("cannot read the file: {reason}").format(reason=exc.strerror or exc)
        ) from exc
    if start.startswith(b"PK\x03\x04"):  # "Save as" kept the old name over a new workbook
        return _xlsx_table(path, named=_(" content named .xls"))
    import xlrd  # only .xls sheets need it

    try:
        book = xlrd.open_workbook(str(path), on_demand=True)
    except Exception as exc:  # xlrd fails on damage with its own, struct and index errors
        raise ManifestError(
            path,
            _("not a readable Excel 97-2003 .xls workbook: {reason}; save it as .xlsx").format(
                reason=exc
            ),
        ) from exc
    try:
        if book.nsheets == 0:
            raise ManifestError(path, _("the workbook has no worksheet"))
        sheet = book.sheet_by_index(0)
        rows = [
            [_xls_value(sheet.cell(r, c), book.datemode) for c in range(sheet.row_len(r))]
            for r in range(sheet.nrows)
        ]
        read_as = _("Excel 97-2003 workbook (.xls), sheet {sheet}")
        return Table(rows, read_as=read_as.format(sheet=repr(sheet.name)))
    except ManifestError:
        raise
    except Exception as exc:
        raise ManifestError(
            path, _("not a readable Excel 97-2003 .xls workbook: {reason}").format(reason=exc)
        ) from exc
    finally:
        book.release_resources()


def _xls_value(cell: Any, datemode: int) -> Any:
    """A cell as openpyxl would hand it: text, a number, a datetime (or time), or None."""
    import xlrd

    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
        return None
    if cell.ctype == xlrd.XL_CELL_DATE:
        parts = xlrd.xldate_as_tuple(cell.value, datemode)
        if parts[:3] == (0, 0, 0):  # a time of day alone
            return time(*parts[3:])
        return datetime(*parts)
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    return cell.value
