"""EXIF to a typed record, with exifread.

A photo's metadata is evidence we do not control: phones, old cameras, chat
apps and editors all write it, some badly. So :func:`read_exif` never raises;
what was wrong goes into ``ExifRecord.warnings`` as one line each.

exifread runs with ``details=False`` (no MakerNotes: every field we need is a
standard tag, and MakerNote parsers are where garbage hurts) and without
thumbnail extraction. For JPEG we walk the header segments ourselves and give
exifread only the TIFF block of the EXIF APP1: its own finder gives up when a
large APP2 (ICC profile) comes first, and the same walk finds the XMP packet
without scanning the compressed image data. Which of those blocks holds the
caption is :mod:`ingest.embedded_caption`'s business.
"""

from __future__ import annotations

import contextvars
import io
import logging
import math
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field, make_dataclass
from datetime import datetime
from fractions import Fraction
from typing import Any

import exifread
import pillow_heif
from exifread.core.exceptions import ExifNotFound
from exifread.tags.fields import FieldType
from PIL import Image

from archive.fields import BY_NAME, FROM_METADATA
from archive.i18n import _
from archive.text import clean
from ingest.embedded_caption import (
    legacy_text,
    one_line,
    read_credits,
    read_embedded_caption,
    xp_text,
)
from ingest.segments import JPEG_START, XMP_APP1, find_xmp, jpeg_segments

__all__ = ["ExifRecord", "read_exif"]


ExifRecord = make_dataclass(
    "ExifRecord",
    [(name, BY_NAME[name].python_type, field(default=None)) for name in FROM_METADATA]
    + [
        ("tags", dict[str, str], field(default_factory=dict)),  # printable, JSON-safe
        ("warnings", tuple[str, ...], field(default=())),
    ],
    frozen=True,
    namespace={
        "__doc__": """What the catalog keeps from a photo's embedded metadata.

    One field per declared column whose origin is the file's metadata
    (:data:`archive.fields.FROM_METADATA`): taken_at is ISO 8601 with the offset
    when the camera wrote one; exposure_time in seconds, exposure as "1/125";
    gps_* signed decimal degrees and metres; orientation 1..8 as written;
    embedded_caption NFC, trimmed, with its source ("xmp:dc:description")."""
    },
)
ExifRecord.__module__ = __name__  # pickled across worker processes by name


# --- exifread's log lines become record warnings, not stderr noise ----------

_MAX_NOTES = 12  # a shredded IFD can log hundreds of lines; the first few say enough
_SINK: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("exif_sink", default=None)


class _Collect(logging.Handler):
    """Route exifread's warnings to the record being read (workers have no console)."""

    def emit(self, record: logging.LogRecord) -> None:
        sink = _SINK.get()
        if sink is None or isinstance(record.msg, ExifNotFound) or len(sink) >= _MAX_NOTES:
            return  # "no EXIF in this PNG" is absence, not damage
        try:
            sink.append(f"exifread: {record.getMessage()}")
        except Exception:  # a malformed log call must not break reading
            sink.append(_("exifread: unreadable log message"))


logging.getLogger("exifread").addHandler(_Collect(logging.WARNING))
logging.getLogger("exifread").propagate = False
pillow_heif.register_heif_opener()  # HEIF's EXIF fallback below; idempotent


@dataclass
class _Source:
    """One file's raw metadata, as the field readers below need it."""

    data: bytes
    tiff: bytes | None = None  # the JPEG's EXIF block, for values exifread leaves out
    xmp: bytes | None = None
    tags: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


# --- locating metadata blocks -----------------------------------------------


def _locate(src: _Source) -> None:
    if not src.data.startswith(JPEG_START):
        src.xmp = find_xmp(src.data)
        return
    for marker, payload in jpeg_segments(src.data):
        if marker == 0xE1 and src.tiff is None and payload.startswith(b"Exif\x00"):
            src.tiff = payload[6:]
        elif marker == 0xE1 and src.xmp is None and payload.startswith(XMP_APP1):
            src.xmp = find_xmp(payload)


def _exifread(blob: bytes) -> dict[str, Any]:
    return exifread.process_file(io.BytesIO(blob), details=False, extract_thumbnail=False)


def _pillow_exif(data: bytes) -> bytes:
    """The EXIF block as Pillow / pillow-heif find it (which resets HEIF orientation to 1)."""
    with warnings.catch_warnings(action="ignore"), Image.open(io.BytesIO(data)) as im:
        raw = im.info.get("exif") or b""
    return raw[6:] if raw.startswith(b"Exif\x00\x00") else raw


def _read_tags(src: _Source) -> dict[str, Any]:
    """exifread over the JPEG's TIFF block, over the whole file for TIFF and PNG.

    exifread 3.5.1 misreads WebP (it expects an "Exif" prefix the spec does not
    have) and asserts on some valid HEIFs (pillow-heif's own, brands it does
    not know), so those fall back to the block Pillow extracts."""
    data = src.data
    if data.startswith(JPEG_START):
        return _exifread(src.tiff) if src.tiff else {}
    webp, heif = data[:4] == b"RIFF" and data[8:12] == b"WEBP", data[4:8] == b"ftyp"
    failure: Exception | None = None
    if not webp:
        try:
            if (tags := _exifread(data)) or not heif:
                return tags
        except Exception as err:
            if not heif:
                raise
            failure = err
    raw = _pillow_exif(data)
    if not raw and failure:
        raise failure
    return _exifread(raw) if raw else {}


# --- values -----------------------------------------------------------------

_XP_TAGS = {f"Image XP{name}" for name in ("Title", "Comment", "Author", "Keywords", "Subject")}
# File structure, not photo facts: IFD pointers and where a TIFF keeps its pixels.
_POINTERS = {"Image ExifOffset", "Image GPSInfo", "EXIF InteroperabilityOffset", "Image SubIFDs"}
_POINTERS |= {f"Image {k}{v}" for k in ("Strip", "Tile") for v in ("Offsets", "ByteCounts")}
_BLOB_TYPES = {FieldType.BYTE, FieldType.UNDEFINED}
_MAX_TAG_CHARS = 2000
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _text(key: str, tag: Any, tiff: bytes | None = None) -> str:
    """A tag as text fit for JSON and SQLite: decoded, no control characters, bounded."""
    if key in _XP_TAGS:
        value = xp_text(tag, tiff)
    elif isinstance(getattr(tag, "values", None), bytes):  # ASCII tag that was not UTF-8
        value = legacy_text(tag.values.split(b"\x00", 1)[0])
    else:
        value = str(tag)
    value = _CONTROL.sub("", value).encode("utf-8", "replace").decode("utf-8").strip()
    return value if len(value) <= _MAX_TAG_CHARS else value[:_MAX_TAG_CHARS] + "…"


def _printable_tags(src: _Source) -> dict[str, str]:
    """The tag set worth keeping: no thumbnail IFD, no IFD pointers, no binary blobs."""
    out: dict[str, str] = {}
    for key, tag in src.tags.items():
        if not hasattr(tag, "values") or key.startswith("Thumbnail ") or key in _POINTERS:
            continue
        if key not in _XP_TAGS and tag.field_type in _BLOB_TYPES and tag.field_length > 256:
            continue
        if value := _text(key, tag, src.tiff):
            out[key] = value
    return out


def _ratio(value: Any) -> float | None:
    """A finite float from an exifread value; None for 0/0, NaN and other non-numbers."""
    if isinstance(value, tuple) and len(value) == 1:  # exifread wraps FLOAT values
        value = value[0]
    if isinstance(value, Fraction) and value.denominator == 0:
        return None
    if isinstance(value, Fraction | int | float):
        number = float(value)
        return number if math.isfinite(number) else None
    return None


def _number(tags: dict[str, Any], key: str) -> float | None:
    values = getattr(tags.get(key), "values", None)
    if isinstance(values, list):
        return _ratio(values[0]) if values else None
    try:  # some writers store numbers as ASCII
        return _ratio(float(values.strip())) if isinstance(values, str) else None
    except ValueError:
        return None


def _str(tags: dict[str, Any], key: str) -> str | None:
    return clean(_text(key, tags[key])) if key in tags else None


# --- dates ------------------------------------------------------------------

_DATE = re.compile(r"\s*(\d{4})[:\-/.](\d\d?)[:\-/.](\d\d?)[ T]+(\d\d?):(\d\d?)(?::(\d\d?))?")
_OFFSET = re.compile(r"\s*([+-])(\d\d):?(\d\d)\s*$")
_DATE_SOURCES = (
    ("DateTimeOriginal", "EXIF DateTimeOriginal", "EXIF OffsetTimeOriginal"),
    ("DateTimeDigitized", "EXIF DateTimeDigitized", "EXIF OffsetTimeDigitized"),
    ("DateTime", "Image DateTime", "EXIF OffsetTime"),
)


def _parse_date(text: str) -> str | None:
    """ISO 8601 local time, or None for the zeros and blanks cameras write when unset."""
    m = _DATE.match(text)
    try:
        moment = datetime(*(int(g or 0) for g in m.groups())) if m else None
    except ValueError:
        return None
    return moment.isoformat() if moment and moment.year >= 1826 else None  # no older photos


def _parse_offset(text: str) -> str | None:
    m = _OFFSET.match(text)
    return f"{m[1]}{m[2]}:{m[3]}" if m and int(m[2]) <= 14 and int(m[3]) <= 59 else None


def _taken_at(src: _Source) -> dict[str, Any]:
    """The first usable date of the three, with its own offset; junk falls through."""
    for source, date_key, offset_key in _DATE_SOURCES:
        if not (raw := _str(src.tags, date_key)):
            continue
        if (moment := _parse_date(raw)) is None:
            src.notes.append(
                _("{tag} is not a usable date: {raw}").format(tag=source, raw=repr(raw))
            )
            continue
        raw_offset = _str(src.tags, offset_key)
        offset = _parse_offset(raw_offset) if raw_offset else None
        if raw_offset and offset is None:
            src.notes.append(
                _("{tag} is not a UTC offset: {raw}").format(
                    tag=offset_key.split()[1], raw=repr(raw_offset)
                )
            )
        return {"taken_at": moment + (offset or ""), "taken_at_source": source}
    return {}


# --- camera, exposure, GPS --------------------------------------------------

_ISO_KEYS = ("EXIF ISOSpeedRatings", "EXIF ISOSpeed", "EXIF RecommendedExposureIndex")


def _camera(src: _Source) -> dict[str, Any]:
    """Who made the picture with what; values a camera writes for "unknown" become None."""
    tags = src.tags
    # ISOSpeedRatings is a SHORT: above 65535 the real value is in ISOSpeed.
    isos = (_number(tags, key) for key in _ISO_KEYS)
    orientation = _number(tags, "Image Orientation")
    return {
        "make": _str(tags, "Image Make"),
        "model": _str(tags, "Image Model"),
        "lens": _str(tags, "EXIF LensModel"),
        "iso": next((int(v) for v in isos if v and 0 < v < 65535), None),
        "f_number": _positive(tags, "EXIF FNumber"),
        "focal_length": _positive(tags, "EXIF FocalLength"),
        "orientation": int(orientation) if orientation in range(1, 9) else None,
    }


def _positive(tags: dict[str, Any], key: str) -> float | None:
    value = _number(tags, key)
    return round(value, 4) if value and value > 0 else None


def _exposure(src: _Source) -> dict[str, Any]:
    """Seconds, and the way photographers write it: 1/125 below a second, 2s above."""
    values = getattr(src.tags.get("EXIF ExposureTime"), "values", None)
    value = values[0] if isinstance(values, list) and values else None
    seconds = _ratio(value)
    if not seconds or seconds <= 0:
        return {}
    text = f"{seconds:g}s"
    if seconds < 1:
        exact = value if isinstance(value, Fraction) else Fraction(seconds)
        inverse = round(1 / seconds)
        if exact.numerator == 1:
            text = f"1/{exact.denominator}"
        elif abs(1 / inverse - seconds) / seconds < 0.05:
            text = f"1/{inverse}"
    return {"exposure_time": seconds, "exposure": text}


def _degrees(tags: dict[str, Any], key: str, negative_ref: str, limit: float) -> float | None:
    values = getattr(tags.get(f"GPS {key}"), "values", None)
    if not isinstance(values, list) or not 1 <= len(values) <= 3:
        return None
    parts = [_ratio(v) for v in values]
    if parts[0] is None:
        raise ValueError(_("{tag} has a zero denominator").format(tag=key))
    value = sum((p or 0.0) / 60**i for i, p in enumerate(parts))  # 0/0 minutes mean "unused"
    if not -limit <= value <= limit:
        raise ValueError(_("{tag} out of range: {value}").format(tag=key, value=f"{value:g}"))
    ref = (_str(tags, f"GPS {key}Ref") or "").upper()[:1]
    return round(-value if ref == negative_ref else value, 7)  # 7 places is 1 cm


def _gps(src: _Source) -> dict[str, Any]:
    """Signed decimal degrees; phones without a fix write 0,0 or 0/0, which is no position."""
    try:
        lat = _degrees(src.tags, "GPSLatitude", "S", 90)
        lon = _degrees(src.tags, "GPSLongitude", "W", 180)
    except ValueError as err:
        src.notes.append(_("GPS position ignored: {reason}").format(reason=err))
        return {}
    if lat is None or lon is None:
        return {}
    if lat == 0 and lon == 0:
        src.notes.append(_("GPS position 0,0 ignored (no fix)"))
        return {}
    alt = _number(src.tags, "GPS GPSAltitude")
    below = getattr(src.tags.get("GPS GPSAltitudeRef"), "values", None) in ([1], "1")
    return {"gps_lat": lat, "gps_lon": lon, "gps_alt": -alt if below and alt else alt}


# --- the record -------------------------------------------------------------


def _caption(src: _Source, make: str | None, model: str | None) -> dict[str, Any]:
    """Handed the blocks already located, so the file is walked once for both jobs."""
    description = _str(src.tags, "Image ImageDescription")  # as the tag table has it
    caption, source, notes = read_embedded_caption(
        src.data, src.tags, src.tiff, src.xmp, description=description, make=make, model=model
    )
    src.notes.extend(notes)
    return {"embedded_caption": caption, "embedded_caption_source": source} if caption else {}


def _credits(src: _Source) -> dict[str, Any]:
    """Photographer and credit, from the blocks already located (see read_credits)."""
    found, notes = read_credits(src.data, src.xmp, _str(src.tags, "Image Artist"))
    src.notes.extend(notes)
    return found


def read_exif(data: bytes) -> ExifRecord:
    """Read a photo's metadata; damaged metadata gives warnings, never an exception."""
    src = _Source(data)
    token = _SINK.set(src.notes)
    try:
        try:
            _locate(src)
            src.tags = _read_tags(src)
        except Exception as err:  # exifread has many ways to fail on garbage
            src.notes.append(_("EXIF unreadable: {reason}").format(reason=one_line(err)))
        if src.tiff and not src.tags and not _empty_block(src.tiff):
            src.notes.append(
                _(
                    "the camera details (EXIF) in the photo are damaged: none could be read;"
                    " archived without them"
                )
            )
        fields = _fields(src)
    finally:
        _SINK.reset(token)
    return ExifRecord(**fields, warnings=tuple(dict.fromkeys(src.notes)))


def _empty_block(tiff: bytes) -> bool:
    """An EXIF block that holds no tags: nothing is wrong with the photo, so nothing to say.

    Editors and messaging apps that strip metadata often leave the block itself behind: a
    TIFF header whose first directory has no entries (Pillow writes exactly that), or less.
    """
    if len(tiff) < 8 or not tiff.strip(b"\x00"):
        return True
    order = {b"II": "little", b"MM": "big"}.get(tiff[:2])
    if order is None:
        return False
    offset = int.from_bytes(tiff[4:8], order)
    count = tiff[offset : offset + 2]
    return len(count) == 2 and int.from_bytes(count, order) == 0


def _fields(src: _Source) -> dict[str, Any]:
    """Every typed field, each group guarded so one bad tag cannot lose the rest."""
    out: dict[str, Any] = {}
    steps: tuple[tuple[str, Callable[[], dict[str, Any]]], ...] = (
        ("tags", lambda: {"tags": _printable_tags(src)}),
        ("date", lambda: _taken_at(src)),
        ("camera", lambda: _camera(src)),
        ("exposure", lambda: _exposure(src)),
        ("gps", lambda: _gps(src)),
        ("caption", lambda: _caption(src, out.get("make"), out.get("model"))),
        ("credits", lambda: _credits(src)),
    )
    for name, step in steps:
        try:
            out.update(step())
        except Exception as err:  # a bug in one group must cost that group only
            src.notes.append(
                _("{part} unreadable: {reason}").format(part=name, reason=one_line(err))
            )
    return out
