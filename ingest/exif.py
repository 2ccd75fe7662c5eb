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
import warnings
from collections.abc import Callable
from dataclasses import field, make_dataclass
from typing import Any

import exifread
import pillow_heif
from exifread.core.exceptions import ExifNotFound
from PIL import Image

from archive.fields import BY_NAME, FROM_METADATA
from archive.i18n import _
from ingest.embedded_caption import (
    one_line,
    read_credits,
    read_embedded_caption,
)
from ingest.exif_values import (
    Source,
    camera_fields,
    exposure_fields,
    gps_fields,
    printable_tags,
    tag_text,
    taken_at_fields,
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


# --- locating metadata blocks -----------------------------------------------


def _locate(src: Source) -> None:
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


def _read_tags(src: Source) -> dict[str, Any]:
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


# --- the record -------------------------------------------------------------


def _caption(src: Source, make: str | None, model: str | None) -> dict[str, Any]:
    """Handed the blocks already located, so the file is walked once for both jobs."""
    description = tag_text(src.tags, "Image ImageDescription")  # as the tag table has it
    caption, source, notes = read_embedded_caption(
        src.data, src.tags, src.tiff, src.xmp, description=description, make=make, model=model
    )
    src.notes.extend(notes)
    return {"embedded_caption": caption, "embedded_caption_source": source} if caption else {}


def _credits(src: Source) -> dict[str, Any]:
    """Photographer and credit, from the blocks already located (see read_credits)."""
    found, notes = read_credits(src.data, src.xmp, tag_text(src.tags, "Image Artist"))
    src.notes.extend(notes)
    return found


def read_exif(data: bytes) -> ExifRecord:
    """Read a photo's metadata; damaged metadata gives warnings, never an exception."""
    src = Source(data)
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


def _fields(src: Source) -> dict[str, Any]:
    """Every typed field, each group guarded so one bad tag cannot lose the rest."""
    out: dict[str, Any] = {}
    steps: tuple[tuple[str, Callable[[], dict[str, Any]]], ...] = (
        ("tags", lambda: {"tags": printable_tags(src)}),
        ("date", lambda: taken_at_fields(src)),
        ("camera", lambda: camera_fields(src)),
        ("exposure", lambda: exposure_fields(src)),
        ("gps", lambda: gps_fields(src)),
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
