"""The typed values of a photo's EXIF, read from the tags exifread found.

:func:`ingest.exif.read_exif` locates the metadata blocks and runs exifread;
the readers here turn its tags into the declared fields (dates with their
offsets, camera, exposure, GPS) and into the printable tag table the catalog
keeps. Each reader takes the one :class:`Source` of a file and adds a note to
it for every value it had to refuse, so damage becomes a warning, not an error.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from typing import Any

from exifread.tags.fields import FieldType

from archive.i18n import _
from archive.text import clean
from ingest.embedded_caption import legacy_text, xp_text


@dataclass
class Source:
    """One file's raw metadata, as the field readers need it."""

    data: bytes
    tiff: bytes | None = None  # the JPEG's EXIF block, for values exifread leaves out
    xmp: bytes | None = None
    tags: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


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


def printable_tags(src: Source) -> dict[str, str]:
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


def tag_text(tags: dict[str, Any], key: str) -> str | None:
    return clean(_text(key, tags[key])) if key in tags else None


# --- dates ------------------------------------------------------------------

_DATE = re.compile(r"\s*(\d{4})[:\-/.](\d\d?)[:\-/.](\d\d?)[ T]+(\d\d?):(\d\d?)(?::(\d\d?))?")
_OFFSET = re.compile(r"\s*([+-])(\d\d):?(\d\d)\s*$")
DATE_SOURCES = (
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


def taken_at_fields(src: Source) -> dict[str, Any]:
    """The first usable date of the three, with its own offset; junk falls through."""
    for source, date_key, offset_key in DATE_SOURCES:
        if not (raw := tag_text(src.tags, date_key)):
            continue
        if (moment := _parse_date(raw)) is None:
            src.notes.append(
                _("{tag} is not a usable date: {raw}").format(tag=source, raw=repr(raw))
            )
            continue
        raw_offset = tag_text(src.tags, offset_key)
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


def camera_fields(src: Source) -> dict[str, Any]:
    """Who made the picture with what; values a camera writes for "unknown" become None."""
    tags = src.tags
    # ISOSpeedRatings is a SHORT: above 65535 the real value is in ISOSpeed.
    isos = (_number(tags, key) for key in _ISO_KEYS)
    orientation = _number(tags, "Image Orientation")
    return {
        "make": tag_text(tags, "Image Make"),
        "model": tag_text(tags, "Image Model"),
        "lens": tag_text(tags, "EXIF LensModel"),
        "iso": next((int(v) for v in isos if v and 0 < v < 65535), None),
        "f_number": _positive(tags, "EXIF FNumber"),
        "focal_length": _positive(tags, "EXIF FocalLength"),
        "orientation": int(orientation) if orientation in range(1, 9) else None,
    }


def _positive(tags: dict[str, Any], key: str) -> float | None:
    value = _number(tags, key)
    return round(value, 4) if value and value > 0 else None


def exposure_fields(src: Source) -> dict[str, Any]:
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
    ref = (tag_text(tags, f"GPS {key}Ref") or "").upper()[:1]
    return round(-value if ref == negative_ref else value, 7)  # 7 places is 1 cm


def gps_fields(src: Source) -> dict[str, Any]:
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
