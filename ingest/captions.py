"""Caption sheets: one row per photo, as staff fill them in Excel (captions.csv or .xlsx).

The header names the columns in English or Vietnamese (``file``/``Tên tệp``, ``caption``/
``Chú thích``, ``units``/``Đơn vị``, ``tags``/``Thẻ``, ``taken_at``/``Ngày chụp``), matched
folded; other columns are ignored with a warning. Problems with single rows never fail the
sheet: they become warnings naming the Excel row, so the rest of the captions still apply. That
includes rows no one typed: a cell longer than Excel can hold, a NUL byte, values beyond the
header's last column. Such a row is skipped whole (its cells cannot be trusted to be in their
columns), and the warning gives the column and the length, never the cell itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

from archive.dates import NOT_A_DATE_OR_TIME, why_not
from archive.fields import SHEET_FIELDS, SHEET_TEXT
from archive.i18n import _
from archive.text import clean, exact_key
from ingest.sheet_files import HEADER_SCAN, peek_table, read_table
from ingest.textfile import (
    TAG_NAMES,
    UNIT_NAMES,
    ManifestError,
    aliases,
    match_key,
    parse_when,
    scalar_text,
    split_list,
)

# The key column; every other column is a declared field's (archive.fields: caption,
# taken_at and plain-text fields such as photographer), units and tags those of event.yml.
_FILE_HEADERS = (
    *("file", "filename", "file name", "ten file", "tep", "ten tep", "tep tin"),
    *("ten tep tin", "tap tin", "ten tap tin", "anh", "ten anh", "hinh", "hinh anh"),
    *("photo", "image"),
)
_SHEET_COLUMNS = aliases(
    {
        "file": _FILE_HEADERS,
        "units": UNIT_NAMES,
        "tags": TAG_NAMES,
        **{f.name: f.sheet for f in SHEET_FIELDS if f.sheet},
    }
)

MAX_CELL_CHARS = 32_767
"""The longest cell a sheet row may hold. Excel stores at most 32,767 characters in a cell, so
a longer one was not typed by staff (a caption of a few thousand characters is already long):
it is a pasted file, a quote left open that swallowed the rows after it, or damage. Its row is
reported and skipped; the sheet's other rows still apply."""

_SHOWN_CHARS = 80  # how much of a typed value a warning quotes


@dataclass(frozen=True)
class CaptionRow:
    """One photo's line in a caption sheet."""

    file: str
    caption: str | None
    units: tuple[str, ...]
    tags: tuple[str, ...]
    taken_at: str | None
    line: int
    texts: tuple[tuple[str, str], ...] = ()  # plain-text fields (archive.fields.SHEET_TEXT)


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
    columns: frozenset[str] = frozenset(_SHEET_COLUMNS.values())
    read_as: str = ""  # how the file was read: "UTF-16, tab-separated", "Excel workbook ..."
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
    """Read a caption sheet: .csv, .tsv, .txt (Excel's Unicode Text), .xlsx or .xls."""
    table = read_table(path, _known_columns)
    sheet = _build_sheet(path, table.rows, table.hint)
    return replace(sheet, read_as=table.read_as)


def looks_like_sheet(path: Path) -> bool:
    """Whether a file not named as a caption sheet is one: its header names a file column and
    another known column. Staff save "Book1.xlsx" or "chú thích ảnh.csv" and expect it read."""
    table = peek_table(path, _known_columns)
    if table is None:
        return False
    for row in table.rows[:HEADER_SCAN]:
        fields = {
            _SHEET_COLUMNS.get(match_key(scalar_text(cell))) for cell in row if _present(cell)
        }
        if "file" in fields and len(fields - {None}) >= 2:
            return True
    return False


def _known_columns(row: list[Any]) -> int:
    return sum(1 for cell in row if match_key(scalar_text(cell or "")) in _SHEET_COLUMNS)


def _find_header(path: Path, table: list[list[Any]]) -> tuple[int, dict[str, int], list[str]]:
    """Locate the header row (the first to name a file column); map fields to column indexes."""
    for index, row in enumerate(table[:HEADER_SCAN]):
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
        shown = _shown(", ".join(ignored))
        warnings = (
            [_("row {row}: ignored columns: {columns}").format(row=index + 1, columns=shown)]
            if ignored
            else []
        )
        return index, columns, warnings
    first = next((row for row in table if any(_present(cell) for cell in row)), None)
    if first is None:
        raise ManifestError(path, _("empty caption sheet: no header row"))
    seen = _shown(", ".join(str(clean(scalar_text(c))) for c in first if _present(c)))
    raise ManifestError(
        path,
        _("no file column in the header ({seen}); name one 'file' or 'Tên tệp'").format(seen=seen),
    )


def _present(cell: Any) -> bool:
    return cell is not None and clean(scalar_text(cell)) is not None


def _shown(text: str) -> str:
    """A typed value as a warning quotes it: enough to find it, never a whole pasted file."""
    return (
        text
        if len(text) <= _SHOWN_CHARS
        else _("{start}… ({count} chars)").format(start=text[:_SHOWN_CHARS], count=f"{len(text):,}")
    )


def _column_letter(index: int) -> str:
    """Excel's name of a 0-based column (A, B, ..., Z, AA), as staff see it in Excel."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _row_damage(cells: list[Any], header: list[Any], width: int, hint: str) -> str | None:
    """Why a row cannot be trusted, or None: a cell too long, a NUL, a value past the header.

    The first finding is enough to skip the row; it names the column as Excel letters it and
    by its header, and the length rather than the text.
    """

    def column(index: int) -> str:
        name = header[index] if index < len(header) else None
        named = f" ({_shown(clean(scalar_text(name)) or '')})" if _present(name) else ""
        return _("column {letter}{named}").format(letter=_column_letter(index), named=named)

    for index, value in enumerate(cells):
        if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
            return _(
                "{column} holds {count} characters, more than the {limit} a cell may hold"
            ).format(column=column(index), count=f"{len(value):,}", limit=f"{MAX_CELL_CHARS:,}")
        if isinstance(value, str) and "\x00" in value:
            return _("{column} holds a NUL byte: binary data, not typed text").format(
                column=column(index)
            )
    last = max((i + 1 for i, value in enumerate(cells) if _present(value)), default=0)
    if last > width:
        return _("has {count} columns but the header has {width}{hint}").format(
            count=last, width=width, hint=hint
        )
    return None


def _build_sheet(path: Path, table: list[list[Any]], hint: str = "") -> CaptionSheet:
    """Turn table rows into CaptionRows; one per file, a later row replacing an earlier one."""
    header, columns, warnings = _find_header(path, table)
    rows: dict[str, CaptionRow] = {}
    names = table[header]
    width = max((i + 1 for i, name in enumerate(names) if _present(name)), default=0)
    for line, cells in enumerate(table[header + 1 :], start=header + 2):
        damage = _row_damage(cells, names, width, hint)
        if damage is not None:
            warnings.append(_("row {row}: {damage}; row skipped").format(row=line, damage=damage))
            continue
        row = _caption_row(line, cells, columns, warnings)
        if row is None:
            continue
        key = exact_key(row.file)
        if key in rows:
            earlier = rows.pop(key)
            warnings.append(
                _("row {row}: {file} is also on row {earlier}; row {row} wins").format(
                    row=line, file=_shown(row.file), earlier=earlier.line
                )
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
        warnings.append(_("row {row}: no file name; row skipped").format(row=line))
        return None
    raw_when = cell("taken_at")
    taken_at = parse_when(raw_when) if _present(raw_when) else None
    if _present(raw_when) and taken_at is None:
        warnings.append(
            _("row {row}: {reason}; left empty").format(
                row=line, reason=_date_warning(file, raw_when)
            )
        )
    caption = cell("caption")
    texts = ((f.name, cell(f.name)) for f in SHEET_TEXT)
    return CaptionRow(
        file=file,
        caption=clean(scalar_text(caption)) if caption is not None else None,
        units=split_list(cell("units"), ";"),
        tags=split_list(cell("tags"), ";,"),
        taken_at=taken_at,
        line=line,
        texts=tuple((n, clean(scalar_text(v))) for n, v in texts if _present(v)),
    )


def _date_warning(file: str, value: Any) -> str:
    """Name the value, and for one that looks like a date (31/02/2024) the photo and why."""
    shown = _shown(clean(scalar_text(value)) or "")
    reason = why_not(shown) if isinstance(value, str) else ""
    if not reason or reason == _(NOT_A_DATE_OR_TIME).format(value=repr(shown.strip())):
        return _("taken_at {value} is not a date or time").format(value=repr(shown))
    return _("{file}: taken_at {reason}").format(file=_shown(file), reason=reason)


def _file_name(value: Any) -> str | None:
    """A file cell as a relative path with '/' separators (staff on Windows type '\\')."""
    if value is None:
        return None
    text = clean(scalar_text(value))
    if text is None:
        return None
    text = text.replace("\\", "/").removeprefix("./").strip("/")
    return text or None
