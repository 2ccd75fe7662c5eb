"""CSV that a spreadsheet opens as text, never as formulas (OWASP "CSV injection", CWE-1236).

Ward staff open every CSV download in Excel. A cell that begins with ``=``,
``+``, ``-`` or ``@`` is a formula there (``=HYPERLINK(...)`` becomes a live
link, ``+1+2`` a sum), and a leading tab or carriage return lets one hide
behind blank space. OWASP's remedy, used here: such a cell gets one apostrophe
in front (``'=HYPERLINK(...)``), which Excel and LibreOffice show as text.
Nothing else changes, so a CSV read back by a program differs from the catalog
only in those cells, by that one leading character.

Negative numbers are prefixed too (``-3`` comes out as ``'-3``). A CSV stream
carries no column types, so "is this a number?" could only be guessed from the
text, and a caption that reads ``-3`` must stay text; OWASP prefixes every
``-``. The cost is nil here: the archive's numeric columns (ids, sizes, years,
counts) are never negative, and Vietnam's latitudes and longitudes are both
positive, so only a photo taken south of the equator or west of Greenwich has
a coordinate that a spreadsheet will read as text.

:func:`neutralise` is the rule for one cell. :class:`CsvNeutraliser` applies
the same rule to a CSV byte stream as it passes (Datasette's CSV arrives in
chunks, a full table stream in thousands of them): it follows the CSV syntax
and inserts the apostrophe where a field's text begins, so it holds no row in
memory and leaves every other byte as Datasette wrote it. One regular
expression passes the fields that need nothing; a field that needs the
apostrophe, or that a chunk cuts in two, is followed byte by byte.
Working on bytes needs no decoding: every character the CSV syntax and the
rule look at is ASCII, and no byte of a multi-byte UTF-8 character is ASCII,
so a chunk may end anywhere, even inside ``ư``.
"""

from __future__ import annotations

import re
from enum import Enum, auto
from typing import TypeVar

# The first characters a spreadsheet reads as a formula or hides (OWASP's list).
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
PREFIX = "'"

T = TypeVar("T")


def neutralise(cell: T) -> T | str:
    """A cell as a spreadsheet must show it: text starting with a trigger gets an apostrophe.

    Anything that is not a string (a number, None) is returned as it is; the
    streaming :class:`CsvNeutraliser` sees numbers as text and so prefixes a
    negative one (see the module's note).
    """
    if isinstance(cell, str) and cell.startswith(TRIGGERS):
        return PREFIX + cell
    return cell


_TRIGGER_BYTES = frozenset(ord(c) for c in TRIGGERS)
_PREFIX_BYTES = PREFIX.encode("ascii")
_BOM = b"\xef\xbb\xbf"
_QUOTE, _COMMA, _CR, _LF = b'"'[0], b","[0], b"\r"[0], b"\n"[0]
_ENDS = frozenset((_COMMA, _CR, _LF))
_FIELD_END = re.compile(rb"[,\r\n]")
# Inside quotes up to the next quote that is not an escaped one ("").
_QUOTED_TEXT = re.compile(rb'(?:[^"]++|"")*+')
# From a field start, every following field that needs nothing, each with the comma or
# line end after it: quoted with safe first text (a "" or a non-trigger), then whatever
# text follows the closing quote; "" alone or with safe text after it; unquoted with a
# safe first byte; empty. It stops before a field to neutralise and before one the chunk
# cuts (it needs the field's end), which the byte-by-byte states below then take on. The
# quantifiers are possessive: nothing is given back, so "" never passes for a closing
# quote, and the scan is linear. It is the speed of the whole: Datasette sends a row per
# chunk, and this passes a row of safe cells in one call.
_T = "".join(f"\\x{ord(c):02x}" for c in TRIGGERS).encode("ascii")  # for [^...]
_SAFE_FIELDS = re.compile(
    rb"""(?:(?:
        "(?:[^"%(t)s]|"")(?:[^"]++|"")*+"[^,\r\n]*+
      | ""(?:[^,\r\n"%(t)s][^,\r\n]*+)?
      | [^,\r\n"%(t)s][^,\r\n]*+
      |
    )[,\r\n])*+"""
    % {b"t": _T},
    re.VERBOSE,
)


class _At(Enum):
    """Where the parser stands; "empty" means no character of the field's text seen yet."""

    BOM = auto()  # the stream's first bytes, which may be a byte order mark
    START = auto()  # a field begins (after a comma, a line end, or the BOM)
    QUOTE_OPEN = auto()  # just after a field's opening quote
    QUOTED = auto()  # inside quotes, some text seen
    QUOTE_EMPTY = auto()  # a quote right after the opening one: "" closed it or escapes a quote
    QUOTE = auto()  # a quote inside quotes, some text seen: a closing or an escaped quote
    FIELD = auto()  # outside quotes (or after the closing quote), some text seen


class CsvNeutraliser:
    """A CSV byte stream made spreadsheet-safe as it passes: ``feed`` each chunk, then ``close``.

    Reads CSV as Python's ``csv`` module does with its default dialect (the one
    Datasette writes): ``,`` between fields, ``"`` around fields that need it
    with ``""`` for a quote inside, lines ending in ``\\r\\n``, ``\\n`` or
    ``\\r``; a quote inside an unquoted field and text after a closing quote are
    taken literally. A UTF-8 byte order mark at the very start is passed on and
    not counted as the first field's text (Excel drops it, then reads the cell).
    """

    def __init__(self) -> None:
        self._at = _At.BOM
        self._head = b""

    def feed(self, chunk: bytes) -> bytes:
        """The chunk with an apostrophe inserted where a field's text begins with a trigger."""
        if self._at is not _At.BOM:
            return self._scan(chunk)
        self._head += chunk
        if len(self._head) < len(_BOM) and _BOM.startswith(self._head):
            return b""  # too short to tell a byte order mark from text yet
        return self._leave_head()

    def close(self) -> bytes:
        """What the stream still holds back (a start too short to be a byte order mark)."""
        return self._leave_head() if self._at is _At.BOM else b""

    def _leave_head(self) -> bytes:
        head, self._head, self._at = self._head, b"", _At.START
        if head.startswith(_BOM):
            return _BOM + self._scan(head[len(_BOM) :])
        return self._scan(head)

    def _scan(self, data: bytes) -> bytes:
        pieces: list[bytes] = []
        copied = pos = 0
        at = self._at
        end = len(data)
        while pos < end:
            if at is _At.START:
                pos = _SAFE_FIELDS.match(data, pos).end()
                if pos == end:
                    break
            elif at is _At.QUOTED:  # skip to the next quote that ends or may end the field
                pos = _QUOTED_TEXT.match(data, pos).end()
                if pos == end:
                    break
                pos, at = pos + 1, _At.QUOTE
                continue
            elif at is _At.FIELD:  # skip to the end of the field
                match = _FIELD_END.search(data, pos)
                if match is None:
                    break
                pos, at = match.end(), _At.START
                continue
            byte = data[pos]
            text_begins = False
            if at is _At.START:
                if byte == _QUOTE:
                    at = _At.QUOTE_OPEN
                elif byte not in _ENDS:
                    at, text_begins = _At.FIELD, True
            elif at is _At.QUOTE_OPEN:
                if byte == _QUOTE:
                    at = _At.QUOTE_EMPTY
                else:  # inside quotes a comma, a line break or a CR is text
                    at, text_begins = _At.QUOTED, True
            elif byte == _QUOTE:  # QUOTE or QUOTE_EMPTY: an escaped quote, text that is safe
                at = _At.QUOTED
            elif byte in _ENDS:
                at = _At.START
            else:  # text after a closing quote, read literally
                text_begins = at is _At.QUOTE_EMPTY
                at = _At.FIELD
            if text_begins and byte in _TRIGGER_BYTES:
                pieces += (data[copied:pos], _PREFIX_BYTES)
                copied = pos
            pos += 1
        self._at = at
        if not pieces:
            return data
        pieces.append(data[copied:])
        return b"".join(pieces)
