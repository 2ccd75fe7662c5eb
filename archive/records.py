"""Plain records handed to the catalog writer.

Worker processes and manifest readers produce these; only the repositories of
:mod:`archive.catalog` turn them into rows. Keeping them free of behaviour lets them cross process
boundaries and keeps the core independent of the import pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass, field, make_dataclass
from typing import Any

from archive.fields import BY_NAME, FIELDS

# Facts without a default: every file has them (the thumbnails are None in a dry run).
_REQUIRED_FACTS = (
    *("sha256", "ext", "format", "mime", "bytes", "width", "height"),
    *("original_path", "thumb_path", "preview_path"),
)


def _facts_fields() -> list[tuple[str, Any, Any]]:
    """PhotoFacts' fields: the declared columns read from a file's bytes (archive.fields)."""
    declared = [f for f in FIELDS if f.facts]
    out: list[tuple[str, Any, Any]] = [
        (name, BY_NAME[name].python_type, field()) for name in _REQUIRED_FACTS
    ]
    for f in declared:
        if f.name in _REQUIRED_FACTS:
            continue
        default = field(default_factory=dict) if f.name == "exif" else field(default=None)
        out.append((f.name, f.python_type, default))
    return out


PhotoFacts = make_dataclass(
    "PhotoFacts",
    _facts_fields(),
    frozen=True,
    namespace={
        "__doc__": "What the file itself says: derived from its bytes, the same on every run."
        " Its fields are the declared columns with ``facts=True`` (archive.fields)."
    },
)
PhotoFacts.__module__ = __name__  # pickled across worker processes by name


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
    # Plain-text fields said of it (archive.fields.SHEET_TEXT), as (name, value) pairs.
    texts: tuple[tuple[str, str], ...] = ()


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
