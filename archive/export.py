"""Gallery JSON: the one documented format galleries leave the archive in.

The format is described by ``archive/schemas/gallery.schema.json`` (shipped in
the package) and every other output is made from it: the IIIF manifest
(:mod:`archive.iiif`), the offline folder (:mod:`archive.bundle`) and the
Datasette download all transform the same :class:`GalleryExport`, so they can
never disagree about which photos are in a gallery or what their captions say.

Two exports of the same gallery are byte-identical but for ``generated_at``:
keys are written in a fixed order, lists in catalog order, text as UTF-8
(NFC, as stored) rather than ``\\u`` escapes. Each photo is one line, so a diff
of two exports shows which photos changed.

Which columns a photo's record holds, under which keys and in which order, is
:mod:`archive.fields`' declaration; this module only shapes them (a unit list,
an image with its size, a nested ``original``). A gallery of 10,000 photos is
read in a handful of queries (photos, events, units and tags with their links,
settings) and written with the C JSON encoder from plain dicts. Each photo's
EXIF, the largest part of its record, is stored as JSON text; all of a
gallery's are parsed in one ``json.loads`` of their concatenation, far cheaper
than one call per photo; see ``bench/bench_export.py``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from archive import fields
from archive.clock import now
from archive.reader import GalleryRef, Reader
from archive.similar import one_per_group

FORMAT = "ward-photo-archive/gallery"
FORMAT_VERSION = 1
PREVIEW_EDGE, THUMB_EDGE = 1280, 320  # long edges of thumbs/1280 and thumbs/320 (store.py)
DEFAULT_STATEMENT_LABEL = "Ghi công"

# Top-level keys of a photo's record and the declared fields under each, in export order.
Layout = tuple[tuple[str, tuple[fields.Field, ...]], ...]


def _layout(public: bool) -> Layout:
    groups: dict[str, list[fields.Field]] = {}
    for f in fields.exported(public):
        groups.setdefault(f.export.split(".", 1)[0], []).append(f)
    return tuple((key, tuple(group)) for key, group in groups.items())


_LAYOUTS = {public: _layout(public) for public in (False, True)}
# What the query must read: every exported column, and those the export itself needs.
_READ = tuple(
    dict.fromkeys(
        [*(f.name for f in fields.exported(False)), "private", "event_id", "group_id", "is_pick"]
    )
)
_PHOTO_COLUMNS = ", ".join(f"p.{name}" for name in _READ)


@dataclass(frozen=True)
class ExportOptions:
    """What varies between exports of one gallery.

    public: leave out private photos, GPS, EXIF, camera and source paths.
    base_url: where the exported files will be published; adds ``url`` next
    to each ``path`` and is the base of IIIF ids. generated_at: None means
    now; a caller that must reproduce an export byte for byte gives it.
    """

    public: bool = False
    base_url: str | None = None
    generated_at: str | None = None
    picks_only: bool = False  # one photo of each group of near-duplicates (archive.similar)


@dataclass(frozen=True)
class GalleryExport:
    """A gallery as exported: the ``gallery`` header and ``photos`` of the JSON format.

    Each photo is a plain dict, keys in the documented order (exif last, and
    only in a full export).
    """

    gallery: dict[str, Any]
    photos: list[dict[str, Any]]

    def to_json(self) -> str:
        """The export as text: fixed key order, one photo per line, UTF-8 as text."""
        encode = _ENCODER.encode
        records = [encode(photo) for photo in self.photos]
        photos = ",\n  ".join(records)
        lines = [
            "{",
            f' "format": {encode(FORMAT)},',
            f' "format_version": {FORMAT_VERSION},',
            f' "gallery": {encode(self.gallery)},',
            f' "photos": [\n  {photos}\n ]' if records else ' "photos": []',
            "}",
        ]
        return "\n".join(lines) + "\n"


_ENCODER = json.JSONEncoder(ensure_ascii=False)


def schema() -> dict[str, Any]:
    """The shipped JSON Schema of the gallery format."""
    text = resources.files("archive").joinpath("schemas/gallery.schema.json").read_text("utf-8")
    return json.loads(text)


@lru_cache(maxsize=1024)  # a ward's phones give a handful of sizes
def derivative_size(width: int | None, height: int | None, long_edge: int) -> tuple[int, int]:
    """The size ingest gives a thumbnail: long edge scaled down, never up, rounded.

    The 320 px thumbnail is made from the 1280 px preview, so its size is
    computed from the preview's; reading 20,000 image headers instead would
    cost more than the whole export (tests check this against real files).
    """
    if not width or not height:
        return 0, 0
    preview = _fit((width, height), PREVIEW_EDGE)
    return preview if long_edge >= PREVIEW_EDGE else _fit(preview, long_edge)


def _fit(size: tuple[int, int], long_edge: int) -> tuple[int, int]:
    scale = min(1.0, long_edge / max(size))
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


def export_gallery(
    reader: Reader, ref: GalleryRef, options: ExportOptions | None = None
) -> GalleryExport:
    """Read a gallery (or event) and its photos into the export format."""
    options = options or ExportOptions()
    base = _base(options.base_url)
    events = {
        row["id"]: row
        for row in reader.all(
            "SELECT id, slug, title, date, location FROM events WHERE id IN"
            f" (SELECT event_id FROM photos WHERE id IN ({ref.member_ids}))",
            ref.params,
        )
    }
    short = {key: {"slug": e["slug"], "title": e["title"]} for key, e in events.items()}
    units = _links(reader, ref, "photo_units", "unit_id", "units")
    tags = _links(reader, ref, "photo_tags", "tag_id", "tags")
    settings = reader.settings()
    cursor = reader.tuples(f"SELECT {_PHOTO_COLUMNS} FROM {ref.members}", ref.params)
    rows = [dict(zip(_READ, row, strict=True)) for row in cursor]
    if options.public:
        rows = [row for row in rows if not row["private"]]
    else:
        # One parse of every photo's EXIF text (stored as JSON by the one writer).
        parsed = json.loads("[" + ",".join(row["exif"] or "{}" for row in rows) + "]")
        for row, exif in zip(rows, parsed, strict=True):
            row["exif"] = exif
    if options.picks_only:  # after --public: a private pick gives way to a member shown
        rows = one_per_group(rows)
    context = _Context(units, tags, short, base)
    layout = _LAYOUTS[options.public]
    photos = []
    for row in rows:
        fields.fill_defaults(row, settings)
        photos.append(_photo(row, layout, context))
    event_ids = {row["event_id"] for row in rows}
    event = ref.event
    if event is None and len(event_ids) == 1 and None not in event_ids:
        event = events[event_ids.pop()]  # a gallery from one event is that event's, for readers
    return GalleryExport(
        gallery=_header(settings, ref, photos, event, options, base), photos=photos
    )


def gallery_json(reader: Reader, ref: GalleryRef, options: ExportOptions | None = None) -> str:
    """The text `archive export` writes and Datasette serves: one function, same bytes."""
    return export_gallery(reader, ref, options).to_json()


def _base(base_url: str | None) -> str | None:
    if not base_url:
        return None
    return base_url if base_url.endswith("/") else base_url + "/"


def _links(
    reader: Reader, ref: GalleryRef, table: str, column: str, target: str
) -> dict[int, list[dict[str, str]]]:
    """Every unit (or tag) of every photo in the gallery, in the order they were linked.

    A ward has tens of units and tags and a gallery thousands of photos, so
    each unit's ``{"slug", "name"}`` is made once and shared by its photos.
    """
    named = {
        key: {"slug": slug, "name": name}
        for key, slug, name in reader.tuples(
            f"SELECT id, slug, name FROM {target} WHERE id IN"
            f" (SELECT {column} FROM {table} WHERE photo_id IN ({ref.member_ids}))",
            ref.params,
        )
    }
    out: dict[int, list[dict[str, str]]] = {}
    rows = reader.tuples(
        f"SELECT photo_id, {column} FROM {table} WHERE photo_id IN ({ref.member_ids})"
        " ORDER BY photo_id, rowid",
        ref.params,
    )
    for photo_id, key in rows:
        if photo_id in out:
            out[photo_id].append(named[key])
        else:
            out[photo_id] = [named[key]]
    return out


def _image(path: str | None, size: tuple[int, int], base: str | None) -> dict[str, Any] | None:
    if not path:
        return None
    image: dict[str, Any] = {"path": path}
    if base:
        image["url"] = base + path
    image["width"], image["height"] = size[0] or None, size[1] or None
    return image


@dataclass(frozen=True)
class _Context:
    """What shaping a photo needs beyond its row: its links, and where files will be."""

    units: dict[int, list[dict[str, str]]]
    tags: dict[int, list[dict[str, str]]]
    events: dict[int, dict[str, Any]]
    base: str | None


def _gps(row: dict[str, Any], _: _Context) -> dict[str, Any] | None:
    lat, lon = row["gps_lat"], row["gps_lon"]
    has_gps = lat is not None and lon is not None
    return {"lat": lat, "lon": lon, "alt": row["gps_alt"]} if has_gps else None


def _thumbnail(row: dict[str, Any], c: _Context) -> dict[str, Any] | None:
    size = derivative_size(row["width"], row["height"], THUMB_EDGE)
    return _image(row["thumb_path"], size, c.base)


def _preview(row: dict[str, Any], c: _Context) -> dict[str, Any] | None:
    size = derivative_size(row["width"], row["height"], PREVIEW_EDGE)
    return _image(row["preview_path"], size, c.base)


# Keys whose value is shaped from its columns rather than copied (or nested) as stored.
_SHAPES: dict[str, Any] = {
    "units": lambda row, c: c.units.get(row["id"], []),
    "tags": lambda row, c: c.tags.get(row["id"], []),
    "event": lambda row, c: c.events.get(row["event_id"]),
    "gps": _gps,
    "private": lambda row, _: bool(row["private"]),
    "thumbnail": _thumbnail,
    "preview": _preview,
}


def _photo(row: dict[str, Any], layout: Layout, context: _Context) -> dict[str, Any]:
    """One photo's record, keys in the declared order."""
    photo: dict[str, Any] = {}
    for key, group in layout:
        if shape := _SHAPES.get(key):
            photo[key] = shape(row, context)
        elif len(group) == 1 and group[0].export == key:
            photo[key] = row[group[0].name]
        else:
            photo[key] = {f.export.split(".", 1)[1]: row[f.name] for f in group}
    return photo


def _header(
    settings: dict[str, Any],
    ref: GalleryRef,
    photos: list[dict[str, Any]],
    event: dict[str, Any] | None,
    options: ExportOptions,
    base: str | None,
) -> dict[str, Any]:
    days = [photo["taken_at"][:10] for photo in photos if photo["taken_at"]]
    if days:
        date_range: dict[str, str] | None = {"from": min(days), "to": max(days)}
    elif event and event.get("date"):
        date_range = {"from": event["date"], "to": event["date"]}
    else:
        date_range = None
    statement = settings["required_statement"]
    return {
        "kind": ref.kind,
        "slug": ref.slug,
        "title": ref.title,
        "description": ref.description,
        "event": {key: event[key] for key in ("slug", "title", "date", "location")}
        if event
        else None,
        "date_range": date_range,
        "generated_at": options.generated_at or now(),
        "count": len(photos),
        "public": options.public,
        "base_url": base,
        "rights": settings["rights"],
        "required_statement": {
            "label": settings["required_statement_label"] or DEFAULT_STATEMENT_LABEL,
            "value": statement,
        }
        if statement
        else None,
    }
