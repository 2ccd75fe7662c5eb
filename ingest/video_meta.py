"""What a clip's container says about it: when, where, with which camera.

Phones write these as container tags, not EXIF: MP4/QuickTime ``creation_time``
(UTC, often zero when unset), Apple's ``com.apple.quicktime.creationdate``
(local time with its zone: the better of the two), the place as ISO 6709 text
(``+21.0285+105.8542+012.000/``) under Apple's
``com.apple.quicktime.location.ISO6709`` or Android's ``location``, and the
camera under Apple's or Android's own keys. FFmpeg gives them all as one dict
of text; this module reads that dict and nothing else, so it is tested without
a clip. The dates are ISO 8601 from machines, not dates typed by staff, so
they are read with :meth:`datetime.fromisoformat` rather than archive.dates.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from archive.dates import WARD_ZONE
from archive.i18n import _

# Preferred first: the zone Apple writes beats creation_time's bare UTC.
DATE_KEYS = ("com.apple.quicktime.creationdate", "creation_time", "date")
LOCATION_KEYS = ("com.apple.quicktime.location.ISO6709", "location", "location-eng")
MAKE_KEYS = ("com.apple.quicktime.make", "com.android.manufacturer", "make")
MODEL_KEYS = ("com.apple.quicktime.model", "com.android.model", "model")
# ISO 6709 in decimal degrees, as phones write it: latitude, longitude, optional altitude.
_ISO6709 = re.compile(r"^\s*([+-]\d{1,2}(?:\.\d+)?)([+-]\d{1,3}(?:\.\d+)?)([+-]\d+(?:\.\d+)?)?")
_ZONE_NO_COLON = re.compile(r"([+-]\d\d)(\d\d)$")
_OLDEST = 1980  # an MP4 with no date says 1904 or 1970 (the epochs): that is no date


@dataclass
class ClipMeta:
    """The container's facts, each None when it does not say; notes are for the report."""

    taken_at: str | None = None
    taken_at_source: str | None = None
    gps_lat: float | None = None
    gps_lon: float | None = None
    gps_alt: float | None = None
    make: str | None = None
    model: str | None = None
    notes: list[str] = field(default_factory=list)


def read_meta(tags: Mapping[str, str]) -> ClipMeta:
    """Container tags (keys as FFmpeg names them) made into the catalog's facts."""
    meta = ClipMeta()
    for key in DATE_KEYS:
        if raw := tags.get(key, "").strip():
            when = moment(raw)
            if when is None:
                meta.notes.append(
                    _("{tag} is not a usable date: {raw}").format(tag=key, raw=repr(raw))
                )
                continue
            meta.taken_at, meta.taken_at_source = when, key
            break
    for key in LOCATION_KEYS:
        if raw := tags.get(key, "").strip():
            place = iso6709(raw)
            if place is None:
                meta.notes.append(
                    _("{tag} is not a usable place: {raw}").format(tag=key, raw=repr(raw))
                )
                continue
            meta.gps_lat, meta.gps_lon, meta.gps_alt = place
            break
    meta.make = _first(tags, MAKE_KEYS)
    meta.model = _first(tags, MODEL_KEYS)
    return meta


def moment(raw: str) -> str | None:
    """ISO 8601 with its offset, or None for junk and the zero dates of unset clocks.

    A time in UTC (``...Z``, as ``creation_time`` always is) is told in the
    ward's zone (:data:`archive.dates.WARD_ZONE`), with that offset: the archive
    sorts clips among photos whose cameras wrote Vietnam's local time as text,
    and the instant stays exact. Not the computer's zone: a server kept on UTC
    would put an 08:30 clip at 01:30, before the morning's photos.
    """
    text = _ZONE_NO_COLON.sub(r"\1:\2", raw.strip().replace(" ", "T", 1))
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    if when.year < _OLDEST:
        return None
    if when.tzinfo is None:
        return when.replace(microsecond=0).isoformat()
    if when.utcoffset() == timedelta(0) and not _has_own_zone(raw):
        when = when.astimezone(WARD_ZONE)
    return when.replace(microsecond=0).isoformat()


def _has_own_zone(raw: str) -> bool:
    """Whether the text names a zone other than UTC's marks (``Z``, ``+00:00``)."""
    return not raw.rstrip().endswith(("Z", "z", "+00:00", "+0000", "-00:00"))


def iso6709(raw: str) -> tuple[float, float, float | None] | None:
    """Latitude, longitude and altitude from ISO 6709 decimal text, None if out of range."""
    match = _ISO6709.match(raw)
    if match is None:
        return None
    lat, lon = float(match[1]), float(match[2])
    alt = float(match[3]) if match[3] else None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        return None
    return lat, lon, alt


def _first(tags: Mapping[str, str], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        if value := " ".join(tags.get(key, "").split()):
            return value
    return None
