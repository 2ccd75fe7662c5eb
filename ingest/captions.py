"""Caption sheets: one row per photo, as staff fill them in Excel (captions.csv or .xlsx).

The header names the columns in English or Vietnamese (``file``/``Tên tệp``, ``caption``/
``Chú thích``, ``units``/``Đơn vị``, ``tags``/``Thẻ``, ``taken_at``/``Ngày chụp``), matched
folded; other columns are ignored with a warning. Problems with single rows never fail the
sheet: they become warnings naming the Excel row, so the rest of the captions still apply.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from archive.text import clean, exact_key
from ingest.textfile import (
    TAG_NAMES,
    UNIT_NAMES,
    ManifestError,
    aliases,
    match_key,
    parse_when,
    read_text,
    scalar_text,
    split_list,
)

_SHEET_COLUMNS = aliases(
    {
        "file": (
            *("file", "filename", "file name", "ten file", "tep", "ten tep", "tep tin"),
            *("ten tep tin", "tap tin", "ten tap tin", "anh", "ten anh", "hinh", "hinh anh"),
            *("photo", "image"),
        ),
        "caption": (
            *("caption", "chu thich", "chu thich anh", "mo ta", "mo ta anh", "description"),
            *("title", "tieu de", "noi dung"),
        ),
        "units": UNIT_NAMES,
        "tags": TAG_NAMES,
        "taken_at": (
            *("taken at", "date taken", "date", "datetime", "time", "ngay", "ngay chup"),
            *("thoi gian", "thoi gian chup", "ngay gio chup"),
        ),
    }
)

_HEADER_SCAN = 10  # a title row or two may sit above the header


@dataclass(frozen=True)
class CaptionRow:
    """One photo's line in a caption sheet."""

    file: str
    caption: str | None
    units: tuple[str, ...]
    tags: tuple[str, ...]
    taken_at: str | None
    line: int


@dataclass(frozen=True)
class CaptionSheet:
    """A caption sheet's rows (one per file, the last row winning) and what was wrong with it.

    Warnings read "row N: ..."; prefix them with ``path`` when reporting.
    """

    path: Path
    rows: tuple[CaptionRow, ...]
    warnings: tuple[str, ...] = ()
    # The fields the header names: a column that is not there says nothing, so it must
    # not clear what an earlier run or the command line gave (units, tags).
    columns: frozenset[str] = frozenset({"file", "caption", "units", "tags", "taken_at"})
    _index: dict[str, CaptionRow] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {exact_key(row.file): row for row in self.rows})

    def lookup(self, relative_name: str) -> CaptionRow | None:
        """The row for a photo, given its path relative to the event folder.

        Tried in order: the relative path, the path without extension, the bare name, the bare
        name without extension. Names compare NFC + case-folded with tone placement and spaces
        made equal (exact_key), so an NFD name from macOS, IMG_1.JPG vs img_1.jpg, or "Uỷ" vs
        "Ủy" all match; diacritics still count. Extensions are optional in the sheet because
        Windows Explorer hides them and staff type what they see.
        """
        path = exact_key(relative_name.replace("\\", "/")).strip("/")
        bare = path.rsplit("/", 1)[-1]
        for key in (path, _without_suffix(path), bare, _without_suffix(bare)):
            if key and key in self._index:
                return self._index[key]
        return None


def _without_suffix(name: str) -> str:
    return name[: len(name) - len(PurePosixPath(name).suffix)]


def read_caption_sheet(path: Path) -> CaptionSheet:
    """Read captions.csv or captions.xlsx (first worksheet)."""
    suffix = path.suffix.casefold()
    if suffix in {".xlsx", ".xlsm"}:
        table = _xlsx_table(path)
    elif suffix in {".csv", ".tsv", ".txt"}:
        table = _csv_table(path)
    elif suffix == ".xls":
        raise ManifestError(path, "old Excel 97-2003 .xls is not read: save as .xlsx or CSV UTF-8")
    else:
        raise ManifestError(path, "not a caption sheet: expected a .csv or .xlsx file")
    return _build_sheet(path, table)


def _csv_table(path: Path) -> list[list[Any]]:
    """Rows of a CSV; an Excel "sep=;" hint line is obeyed and, as Excel hides it, not counted."""
    text = read_text(path)
    first, _, rest = text.partition("\n")
    hint = re.fullmatch(r"sep=(.)", first.strip("\ufeff \r"))
    delimiter = hint[1] if hint else _sniff_delimiter(text)
    try:
        return list(csv.reader(io.StringIO(rest if hint else text), delimiter=delimiter))
    except csv.Error as exc:
        raise ManifestError(path, f"unreadable CSV: {exc}") from exc


def _sniff_delimiter(text: str) -> str:
    """The delimiter under which a header row names the most known columns.

    Vietnamese-locale Excel writes ';', "Unicode text" uses tabs, others ','; captions hold
    commas too, so counting characters misleads, while the header names are known.
    """

    def score(delimiter: str) -> tuple[int, int]:
        try:
            reader = csv.reader(io.StringIO(text), delimiter=delimiter)
            rows = list(itertools.islice(reader, _HEADER_SCAN))
        except csv.Error:
            return (-1, 0)
        return max(((_known_columns(row), len(row)) for row in rows), default=(0, 0))

    return max(",;\t", key=score)


def _known_columns(row: list[Any]) -> int:
    return sum(1 for cell in row if match_key(scalar_text(cell or "")) in _SHEET_COLUMNS)


def _xlsx_table(path: Path) -> list[list[Any]]:
    """Cell values of the first worksheet, one list per Excel row (row 1 first)."""
    import openpyxl  # only caption sheets need it; event-only folders skip the import

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # damaged files raise zip, XML or key errors alike
        raise ManifestError(path, f"not a readable .xlsx workbook: {exc}") from exc
    try:
        if not workbook.worksheets:
            raise ManifestError(path, "the workbook has no worksheet")
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some writers store a wrong size, which would cut rows off
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    except ManifestError:
        raise
    except Exception as exc:
        raise ManifestError(path, f"not a readable .xlsx workbook: {exc}") from exc
    finally:
        workbook.close()


def _find_header(path: Path, table: list[list[Any]]) -> tuple[int, dict[str, int], list[str]]:
    """Locate the header row (the first to name a file column); map fields to column indexes."""
    for index, row in enumerate(table[:_HEADER_SCAN]):
        names = [clean(scalar_text(cell)) if cell is not None else None for cell in row]
        fields = [_SHEET_COLUMNS.get(match_key(name)) if name else None for name in names]
        if "file" not in fields:
            continue
        columns: dict[str, int] = {}
        ignored: list[str] = []
        for column, (name, known) in enumerate(zip(names, fields, strict=True)):
            if known is not None and known not in columns:
                columns[known] = column
            elif name:
                ignored.append(name)
        warnings = [f"row {index + 1}: ignored columns: {', '.join(ignored)}"] if ignored else []
        return index, columns, warnings
    first = next((row for row in table if any(_present(cell) for cell in row)), None)
    if first is None:
        raise ManifestError(path, "empty caption sheet: no header row")
    seen = ", ".join(str(clean(scalar_text(c))) for c in first if _present(c))
    raise ManifestError(
        path, f"no file column in the header ({seen}); name one 'file' or 'Tên tệp'"
    )


def _present(cell: Any) -> bool:
    return cell is not None and clean(scalar_text(cell)) is not None


def _build_sheet(path: Path, table: list[list[Any]]) -> CaptionSheet:
    """Turn table rows into CaptionRows; one per file, a later row replacing an earlier one."""
    header, columns, warnings = _find_header(path, table)
    rows: dict[str, CaptionRow] = {}
    for line, cells in enumerate(table[header + 1 :], start=header + 2):
        row = _caption_row(line, cells, columns, warnings)
        if row is None:
            continue
        key = exact_key(row.file)
        if key in rows:
            earlier = rows.pop(key)
            warnings.append(
                f"row {line}: {row.file} is also on row {earlier.line}; row {line} wins"
            )
        rows[key] = row
    return CaptionSheet(path, tuple(rows.values()), tuple(warnings), frozenset(columns))


def _caption_row(
    line: int, cells: list[Any], columns: dict[str, int], warnings: list[str]
) -> CaptionRow | None:
    """One sheet row, or None for a blank row or one without a file name (warned)."""

    def cell(name: str) -> Any:
        index = columns.get(name)
        return cells[index] if index is not None and index < len(cells) else None

    if not any(_present(value) for value in cells):
        return None
    file = _file_name(cell("file"))
    if file is None:
        warnings.append(f"row {line}: no file name; row skipped")
        return None
    raw_when = cell("taken_at")
    taken_at = parse_when(raw_when) if _present(raw_when) else None
    if _present(raw_when) and taken_at is None:
        shown = clean(scalar_text(raw_when))
        warnings.append(f"row {line}: taken_at {shown!r} is not a date or time; left empty")
    caption = cell("caption")
    return CaptionRow(
        file=file,
        caption=clean(scalar_text(caption)) if caption is not None else None,
        units=split_list(cell("units"), ";"),
        tags=split_list(cell("tags"), ";,"),
        taken_at=taken_at,
        line=line,
    )


def _file_name(value: Any) -> str | None:
    """A file cell as a relative path with '/' separators (staff on Windows type '\\')."""
    if value is None:
        return None
    text = clean(scalar_text(value))
    if text is None:
        return None
    text = text.replace("\\", "/").removeprefix("./").strip("/")
    return text or None
