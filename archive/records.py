"""Plain records handed to the catalog writer.

Worker processes and manifest readers produce these; only `catalog.py` turns
them into rows. Keeping them free of behaviour lets them cross process
boundaries and keeps the core independent of the import pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class PhotoFacts:
    """What the file itself says: derived from its bytes, the same on every run."""

    sha256: str
    ext: str
    format: str
    mime: str
    bytes: int
    width: int | None
    height: int | None
    original_path: str
    thumb_path: str | None
    preview_path: str | None
    taken_at: str | None = None
    taken_at_source: str | None = None
    make: str | None = None
    model: str | None = None
    lens: str | None = None
    iso: int | None = None
    exposure: str | None = None
    exposure_time: float | None = None
    f_number: float | None = None
    focal_length: float | None = None
    gps_lat: float | None = None
    gps_lon: float | None = None
    gps_alt: float | None = None
    orientation: int | None = None
    embedded_caption: str | None = None
    embedded_caption_source: str | None = None
    exif: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PhotoMeta:
    """What people say about a photo: captions, units, tags, event.

    None means "not said here", which keeps what the catalog already has;
    an empty tuple for units or tags means "said: none".
    """

    caption: str | None = None
    caption_source: str | None = None
    units: tuple[str, ...] | None = None
    tags: tuple[str, ...] | None = None
    taken_at: str | None = None
    event: str | None = None  # the EventSpec.key of the event it belongs to


@dataclass(frozen=True)
class EventSpec:
    """An event as its folder or the command line describes it."""

    slug: str
    title: str
    date: str | None = None
    location: str | None = None
    organizer: str | None = None
    description: str | None = None
    source_ref: str | None = None
    units: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """How photos name their event within one run: its folder, else its slug."""
        return f"folder:{self.source_ref}" if self.source_ref else f"slug:{self.slug}"


@dataclass(frozen=True)
class SourceFile:
    """Where a photo was found: the key that lets an unchanged file skip hashing."""

    path: str
    size: int
    mtime_ns: int
