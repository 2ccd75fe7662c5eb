"""The caption a photo already carries, whichever program put it there.

Photos reach the archive already captioned by many hands: photo editors and
gallery apps write XMP, press tools IPTC, Windows Explorer's Properties dialog
XPTitle and XPComment, and cameras ImageDescription, which they also fill with
their own name. The first real caption in that order wins. A field that will
not parse is noted and the next one tried, so one bad writer cannot hide what
another wrote well.

Captions are also where Windows' UTF-16 fields and pre-Unicode Vietnamese
codepages turn up, so their decoders live here; :mod:`ingest.exif` reuses them
for its tag table, and this module never imports it back.
"""

from __future__ import annotations

import io
import re
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from typing import Any

from PIL import Image, IptcImagePlugin

from archive.i18n import _
from archive.text import clean

__all__ = ["legacy_text", "one_line", "read_credits", "read_embedded_caption", "xp_text"]

# IPTC lives in a JPEG APP13 or a TIFF tag only.
_IPTC_CONTAINERS = (b"\xff\xd8", b"II*\x00", b"MM\x00*")
_RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_PHOTOSHOP = "{http://ns.adobe.com/photoshop/1.0/}"
_PLACEHOLDER = re.compile(
    r"(?:.*\bdigital (?:still )?camera|\w+ dsc|exif[_ ]jpeg(?:[_ ]\w+)?|"
    r"(?:img|dsc|dscn|dscf|pict|sam|cimg|p)[_-]?\d+|default|untitled|image|picture|photo|camera)",
    re.IGNORECASE,
)
_OBJECT_REPR = re.compile(r" ?<[^<>]* at 0x[0-9a-f]+>")  # "<_io.BytesIO object at 0x7f..>"


def legacy_text(raw: bytes) -> str:
    """Text a Vietnamese office PC may have written: UTF-8, else Windows-1258, else Latin-1."""
    for codec in ("utf-8", "cp1258"):
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def xp_text(tag: Any, tiff: bytes | None) -> str:
    """Windows XP* tags are UTF-16LE in BYTE arrays; exifread drops arrays of 1000+ bytes."""
    values = tag.values
    if isinstance(values, str):  # a tool that wrote it as ASCII
        return values
    raw = bytes(v & 0xFF for v in values if isinstance(v, int)) if isinstance(values, list) else b""
    if not raw and tiff and tag.field_length:  # offsets are relative to the TIFF block
        raw = tiff[tag.field_offset : tag.field_offset + tag.field_length]
    raw = raw[: len(raw) // 2 * 2]
    return raw.decode("utf-16-le", errors="replace").split("\x00", 1)[0]


def one_line(err: BaseException) -> str:
    """A reason that reads the same for every file it happens to (no addresses, one line)."""
    text = " ".join(_OBJECT_REPR.sub("", str(err)).split()) or "no detail"
    return f"{type(err).__name__}: {text[:200]}"


def _xmp_description(xmp: bytes | None) -> str | None:
    """dc:description from the XMP packet: x-default, else Vietnamese, else the first one."""
    if not xmp:
        return None
    root = ET.fromstring(xmp)
    for desc in root.iter(f"{_DC}description"):
        items = list(desc.iter(f"{_RDF}li"))
        by_lang = {(li.get(_LANG) or "").lower(): li.text for li in items}
        texts = [by_lang.get(lang) for lang in ("x-default", "vi", "vi-vn")]
        if found := next(
            (t for t in [*texts, *(li.text for li in items), desc.text] if clean(t)), None
        ):
            return found
    for node in root.iter(f"{_RDF}Description"):  # the attribute shorthand some tools write
        if clean(found := node.get(f"{_DC}description")):
            return found
    return None


def _iptc_caption(data: bytes, notes: list[str]) -> str | None:
    """IPTC Caption-Abstract (2:120): UTF-8 in anything recent, a legacy codepage before."""
    if not data.startswith(_IPTC_CONTAINERS):
        return None
    # Pillow opens MPO files through the JPEG factory, so JPEG and TIFF cover them all.
    with (
        warnings.catch_warnings(action="ignore"),  # "Corrupt EXIF data" and friends
        Image.open(io.BytesIO(data), formats=("JPEG", "TIFF")) as im,
    ):
        info = IptcImagePlugin.getiptcinfo(im) or {}
    raw = info.get((2, 120))
    raw = raw[0] if isinstance(raw, list) else raw
    if not raw:
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        notes.append(
            _("IPTC {field} is not UTF-8; read as Windows-1258").format(field="Caption-Abstract")
        )
        return legacy_text(raw)


def _xp_tag(tags: Mapping[str, Any], key: str, tiff: bytes | None) -> str | None:
    return xp_text(tags[key], tiff) if key in tags else None


def _is_placeholder(text: str, make: str | None, model: str | None) -> bool:
    """Words cameras write into the caption field by themselves, or their own name."""
    names = {n.casefold() for n in (make, model, f"{make} {model}") if n}
    return bool(_PLACEHOLDER.fullmatch(text)) or text.casefold() in names


def read_embedded_caption(
    data: bytes,
    tags: Mapping[str, Any],
    tiff: bytes | None,
    xmp: bytes | None,
    *,
    description: str | None = None,
    make: str | None = None,
    model: str | None = None,
) -> tuple[str | None, str | None, list[str]]:
    """(caption, source, notes): the first caption that is not a camera's placeholder.

    ``tags`` are exifread's and ``tiff`` the JPEG's EXIF block, because exifread
    drops long XP* arrays that only the raw block still holds. ``description``
    is ImageDescription as :mod:`ingest.exif` decodes every ASCII tag, so the
    caption and the tag table agree on its text. ``make`` and ``model`` let a
    camera's own name count as a placeholder. ``notes`` are one-line warnings
    for the record; nothing here raises.
    """
    notes: list[str] = []
    sources: tuple[tuple[str, Callable[[], str | None]], ...] = (
        ("xmp:dc:description", lambda: _xmp_description(xmp)),
        ("iptc:Caption-Abstract", lambda: _iptc_caption(data, notes)),
        ("exif:ImageDescription", lambda: description),
        ("exif:XPTitle", lambda: _xp_tag(tags, "Image XPTitle", tiff)),
        ("exif:XPComment", lambda: _xp_tag(tags, "Image XPComment", tiff)),
    )
    for name, read in sources:
        try:
            text = clean(read())
        except Exception as err:  # one bad source must not hide the others
            notes.append(_("{part} unreadable: {reason}").format(part=name, reason=one_line(err)))
            continue
        if text and not _is_placeholder(text, make, model):
            return text, name, notes
    return None, None, notes


# --- who took it, whom to credit ---------------------------------------------


def _xmp_values(xmp: bytes | None, name: str) -> str | None:
    """An XMP property as one text: an rdf:Seq/Bag/Alt's items joined by "; ", or its text.

    dc:creator is an ordered list (several photographers), photoshop:Credit a
    plain text; both may also be written as attributes of rdf:Description.
    """
    if not xmp:
        return None
    root = ET.fromstring(xmp)
    for node in root.iter(name):
        items = [clean(li.text) for li in node.iter(f"{_RDF}li")]
        if text := "; ".join(dict.fromkeys(t for t in items if t)) or clean(node.text):
            return text
    for node in root.iter(f"{_RDF}Description"):
        if found := clean(node.get(name)):
            return found
    return None


def _iptc_values(data: bytes, key: tuple[int, int], label: str, notes: list[str]) -> str | None:
    """An IPTC dataset (repeatable: By-line) as one text, UTF-8 else Windows-1258."""
    if not data.startswith(_IPTC_CONTAINERS):
        return None
    with (
        warnings.catch_warnings(action="ignore"),
        Image.open(io.BytesIO(data), formats=("JPEG", "TIFF")) as im,
    ):
        info = IptcImagePlugin.getiptcinfo(im) or {}
    raw = info.get(key)
    texts = []
    for value in raw if isinstance(raw, list) else [raw] if raw else []:
        try:
            texts.append(value.decode("utf-8"))
        except UnicodeDecodeError:
            notes.append(_("IPTC {field} is not UTF-8; read as Windows-1258").format(field=label))
            texts.append(legacy_text(value))
    return "; ".join(dict.fromkeys(t for t in map(clean, texts) if t)) or None


def read_credits(
    data: bytes, xmp: bytes | None, artist: str | None
) -> tuple[dict[str, str], list[str]]:
    """({"photographer": ..., "credit": ...}, notes): the first source that names each.

    As for captions, XMP (what an editor last wrote) comes before IPTC, and
    IPTC before EXIF Artist (``artist``, decoded as :mod:`ingest.exif` decodes
    every ASCII tag). Nothing here raises: a bad source is a note.
    """
    notes: list[str] = []
    sources: dict[str, tuple[tuple[str, Callable[[], str | None]], ...]] = {
        "photographer": (
            ("xmp:dc:creator", lambda: _xmp_values(xmp, f"{_DC}creator")),
            ("iptc:By-line", lambda: _iptc_values(data, (2, 80), "By-line", notes)),
            ("exif:Artist", lambda: artist),
        ),
        "credit": (
            ("xmp:photoshop:Credit", lambda: _xmp_values(xmp, f"{_PHOTOSHOP}Credit")),
            ("iptc:Credit", lambda: _iptc_values(data, (2, 110), "Credit", notes)),
        ),
    }
    out: dict[str, str] = {}
    for field_name, readers in sources.items():
        for name, read in readers:
            try:
                text = clean(read())
            except Exception as err:  # one bad source must not hide the others
                notes.append(
                    _("{part} unreadable: {reason}").format(part=name, reason=one_line(err))
                )
                continue
            if text:
                out[field_name] = text
                break
    return out, notes
