"""Text staff type on Vietnamese Windows: decode their files, and read the values typed in them.

Notepad and Excel write UTF-8 (with or without a byte-order mark), UTF-16 with a BOM
(Excel's "Unicode text") or Windows-1258, the ANSI code page of Vietnamese Windows. Windows-1258
stores most toned letters as a base letter plus a combining tone mark, so the result is always
composed to NFC before anyone compares it.

Windows-1258 maps almost every byte to some character, so a file in another legacy encoding
(latin-1, or the TCVN3/VNI font encodings of the 1990s) would "decode" into nonsense that then
lands in the catalog forever. Instead we accept cp1258 only when the result reads as Vietnamese,
and otherwise raise a one-line ManifestError that tells staff how to re-save the file.

The second half parses the values every manifest shares (names of keys and columns, lists of
units and tags, dates), so event.yml and a caption sheet accept exactly the same spellings.
"""

from __future__ import annotations

import codecs
import itertools
import re
from collections.abc import Iterable
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from archive.dates import parse_when
from archive.errors import FileFailed
from archive.i18n import N_, _
from archive.text import TONE_MARKS, clean, fold, nfc

# Vowels that carry a tone (shape marks included) and the tones: every combination is one
# precomposed code point after NFC, so a leftover combining mark means the bytes were not cp1258.
_VOWELS = "aăâeêioôơuưy"
_VIETNAMESE_LETTERS = frozenset(
    nfc(vowel + tone) for vowel in _VOWELS + _VOWELS.upper() for tone in ("", *TONE_MARKS)
) | {"đ", "Đ"}
# Typographic punctuation Word and Excel insert by themselves (AutoCorrect quotes, dashes,
# ellipsis, bullets), the no-break space, and the currency signs of a Vietnamese office.
_PUNCTUATION = frozenset("“”‘’–—…•°«»\u00a0₫€")
_ASCII_CONTROLS_ALLOWED = frozenset("\t\n\r\f")
MAX_REASON = 500  # characters of a ManifestError's reason; the rest of a quoted value is cut
NUL_BYTES = N_("contains NUL bytes: a binary file, or UTF-16 without a byte-order mark")
_REFUSAL_HINT = N_(
    "if it was typed with a TCVN3 (.VnTime) or VNI font, convert it to Unicode "
    "or open it in Excel and save as CSV UTF-8"
)


class ManifestError(FileFailed):
    """A manifest the importer cannot use.

    It carries the file and the reason separately so the pipeline can record both in the run
    report and go on with the batch (DESIGN principle 5); str() is the one line staff read.
    """

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = str(path)
        # YAML and openpyxl messages span lines; the report wants exactly one, and a reason
        # quoting what staff typed (a 1 MB "key") must not carry all of it into the catalog.
        reason = " ".join(str(reason).split())
        self.reason = reason if len(reason) <= MAX_REASON else reason[: MAX_REASON - 1] + "…"
        super().__init__(self.path, self.reason)

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


def read_text(path: Path, *, allow_nul: bool = False) -> str:
    """Read and decode a manifest, turning OS errors into the same one-line ManifestError."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ManifestError(
            path, _("cannot read the file: {reason}").format(reason=exc.strerror or exc)
        ) from exc
    return decode_text(data, str(path), allow_nul=allow_nul)


def read_text_as(path: Path, *, allow_nul: bool = False) -> tuple[str, str]:
    """read_text, and the encoding it was read as ("UTF-8", "UTF-16", "Windows-1258")."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ManifestError(
            path, _("cannot read the file: {reason}").format(reason=exc.strerror or exc)
        ) from exc
    return decode_text_as(data, str(path), allow_nul=allow_nul)


def decode_text(data: bytes, name: str, *, allow_nul: bool = False) -> str:
    """decode_text_as without the encoding's name."""
    return decode_text_as(data, name, allow_nul=allow_nul)[0]


def decode_text_as(data: bytes, name: str, *, allow_nul: bool = False) -> tuple[str, str]:
    """Decode bytes the way Vietnamese Windows wrote them; NFC, with \\n line endings.

    A BOM is trusted because Notepad and Excel only write one for the encoding they used.
    Without one, UTF-8 is tried first: random legacy bytes are almost never valid UTF-8, so
    success is strong evidence. Windows-1258 is the last resort and must look Vietnamese.

    A NUL refuses the whole file unless ``allow_nul``: a caption sheet passes it, because it
    can drop the one row that holds a NUL and keep the others (see ingest.captions).
    """
    if data.startswith(b"PK\x03\x04"):
        raise ManifestError(
            name, _("is a ZIP or Office file (an .xlsx saved under another name?), not text")
        )
    if _binary_or_utf16(data, allow_nul):
        raise ManifestError(name, _(NUL_BYTES))
    text, label = _decode(data, name, allow_nul)
    if "\x00" in text and not allow_nul:
        raise ManifestError(name, _(NUL_BYTES))
    text = nfc(text.lstrip("\ufeff"))
    return text.replace("\r\n", "\n").replace("\r", "\n"), label


def _binary_or_utf16(data: bytes, allow_nul: bool) -> bool:
    """NUL bytes outside UTF-16 with a BOM; with ``allow_nul``, only in the first line.

    UTF-16 saved without its BOM has a NUL beside every ASCII letter, the header included;
    a typed file that picked up one NUL somewhere has a clean first line.
    """
    if b"\x00" not in data or data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    if not allow_nul:
        return True
    first = next((line for line in data.split(b"\n", 10) if line.strip(b" \t\r")), b"")
    return b"\x00" in first


def _decode(data: bytes, name: str, allow_nul: bool) -> tuple[str, str]:
    """Pick the decoding: BOM first, then strict UTF-8, then plausible Windows-1258."""
    for bom, codec, label in (
        (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
        (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
        (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(codec), label
            except UnicodeDecodeError as exc:
                raise ManifestError(
                    name,
                    _("starts like {encoding} but byte {offset} is not valid {encoding}").format(
                        encoding=label, offset=exc.start
                    ),
                ) from exc
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    return _decode_cp1258(data, name, allow_nul), "Windows-1258"


def _decode_cp1258(data: bytes, name: str, allow_nul: bool) -> str:
    """Accept Windows-1258 only if every character is one a Vietnamese text would hold."""
    try:
        text = nfc(data.decode("cp1258"))
    except UnicodeDecodeError as exc:
        raise ManifestError(
            name,
            _(
                "not UTF-8, UTF-16 or Vietnamese Windows-1258 text "
                "(byte {byte} at offset {offset}); {hint}"
            ).format(byte=f"0x{data[exc.start]:02X}", offset=exc.start, hint=_(_REFUSAL_HINT)),
        ) from exc
    for line_no, line in enumerate(text.splitlines(), start=1):
        odd = next((ch for ch in line if not _plausible(ch, allow_nul)), None)
        if odd is not None:
            raise ManifestError(
                name,
                _(
                    "not UTF-8, UTF-16 or Vietnamese Windows-1258 text "
                    "(unexpected {character} on line {line}); {hint}"
                ).format(character=_show(odd), line=line_no, hint=_(_REFUSAL_HINT)),
            )
    return text


def _plausible(ch: str, allow_nul: bool = False) -> bool:
    """True for characters a Vietnamese document in Windows-1258 legitimately contains."""
    if ch == "\x00":
        return allow_nul
    if ch < "\x80":
        return (" " <= ch < "\x7f") or ch in _ASCII_CONTROLS_ALLOWED
    return ch in _VIETNAMESE_LETTERS or ch in _PUNCTUATION


def _show(ch: str) -> str:
    """Name an offending character so it survives a terminal that cannot draw it."""
    return f"{ch!r} (U+{ord(ch):04X})"


# --- values typed in manifests ------------------------------------------------------------

# Folded spellings shared by event.yml keys and caption-sheet headers, so both agree.
UNIT_NAMES = ("units", "unit", "don vi", "don vi tham gia")
TAG_NAMES = ("tags", "tag", "the", "tu khoa", "keywords")


def aliases(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Invert field -> spellings so a header or key is resolved with one dict look-up."""
    return {spelling: name for name, spellings in table.items() for spelling in spellings}


def match_key(text: str) -> str:
    """Match form of a key or header: folded, punctuation as spaces ("Tên tệp:" == "ten_tep")."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold(text)).split())


def split_list(value: Any, separators: str = ";") -> tuple[str, ...]:
    """Units and tags arrive as a YAML list, a "; "-joined cell, or one per line in a cell."""
    items = value if isinstance(value, list | tuple) else [value]
    kept: dict[str, str] = {}
    for item in items:
        if item is None:
            continue
        for part in re.split(f"[{re.escape(separators)}\n]", scalar_text(item)):
            text = clean(part)
            if text and fold(text) not in kept:
                kept[fold(text)] = text
    return tuple(kept.values())


def scalar_text(value: Any) -> str:
    """Text of a cell or YAML scalar; Excel stores a file named 1.jpg typed as "1" as 1.0."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return parse_when(value) or value.isoformat()
    return str(value)


def paragraphs(lines: Iterable[str]) -> list[str]:
    """Group lines into paragraphs at blank lines; each paragraph cleaned to one line."""
    found: list[str] = []
    current: list[str] = []
    for line in itertools.chain(lines, [""]):
        if line.strip():
            current.append(line)
        elif current:
            found.append(clean(" ".join(current)) or "")
            current = []
    return found
