"""A photo's fields, declared once: every other module reads this table.

Each :class:`Field` says what one column of ``photos`` holds, where its value
comes from, who may set it, and where it shows: the records workers hand the
writer (:class:`archive.records.PhotoFacts` is checked against it), the
caption sheet's columns and headers, the search index, the photo page, the
search results, the gallery JSON and its schema, and the IIIF manifest. A new
field is one row here plus one additive migration in :mod:`archive.db`
(:func:`missing_columns` tells which columns a catalog still lacks) and,
when a file carries it, its reader in :mod:`ingest.exif`.

The order of :data:`FIELDS` is the order of the JSON export's keys, so a new
field lands where its row is and an export keeps its shape.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from archive.i18n import N_

# Where a value comes from. "metadata" is EXIF, XMP or IPTC (ingest.exif reads them);
# "bytes" the file itself (hash, size, decoder); "derived" is computed from other columns
# by the writer; "store" is the archive's own bookkeeping; "people" is what staff say
# (caption sheet, article, command line, flags).
ORIGINS = ("metadata", "bytes", "people", "derived", "store")


@dataclass(frozen=True)
class Field:
    """One column of ``photos`` and everything the archive does with it.

    ``export`` is the key in a photo's JSON record; ``"gps.lat"`` nests under
    ``gps``. ``sheet`` holds the caption-sheet headers that name it, Vietnamese
    first then English, compared folded (``Người chụp`` = ``nguoi chup``).
    ``setting`` names an archive setting whose value stands in where a photo
    has none. ``page`` is how the photo page shows it: ``"list"`` in the facts
    table under ``label``, ``"custom"`` by the template's own markup, None not
    at all. ``iiif`` is a canvas metadata label, or ``"requiredStatement"``.
    """

    name: str
    sql: str  # TEXT | INTEGER | REAL
    origin: str
    facts: bool = False  # read from the file's bytes: a field of PhotoFacts
    sheet: tuple[str, ...] = ()
    searchable: bool = False
    public: bool = True  # kept by a --public export
    export: str | None = None
    schema: Mapping[str, Any] | None = None  # JSON Schema of the exported value
    label: str | None = None  # Vietnamese, for pages and the IIIF manifest
    page: str | None = None
    card: bool = False  # in every photo card (event, unit, search pages)
    iiif: str | None = None
    iiif_language: str = "vi"  # "none" for values that are not words (dates)
    sheet_kind: str = "text"  # how a sheet cell is read: text, caption, list, date
    setting: str | None = None
    description: str = ""

    @property
    def settable(self) -> bool:
        """Staff may give it in a caption sheet (read as ``sheet_kind`` says)."""
        return bool(self.sheet)

    @property
    def python_type(self) -> Any:
        if self.name == "exif":
            return dict[str, str]
        return {"TEXT": str, "INTEGER": int, "REAL": float}[self.sql] | None


_TEXT = {"$ref": "#/$defs/text"}


def _f(name: str, sql: str, origin: str, **rest: Any) -> Field:
    return Field(name, sql, origin, **rest)


CAPTION_HEADERS = (
    *("chu thich", "chu thich anh", "mo ta", "mo ta anh", "tieu de", "noi dung"),
    *("caption", "description", "title"),
)
TAKEN_AT_HEADERS = (
    *("ngay", "ngay chup", "thoi gian", "thoi gian chup", "ngay gio chup"),
    *("taken at", "date taken", "date", "datetime", "time"),
)

FIELDS: tuple[Field, ...] = (
    _f("id", "INTEGER", "store", export="id", card=True),
    _f("sha256", "TEXT", "bytes", facts=True, export="sha256", page="custom"),
    _f(
        "caption",
        "TEXT",
        "people",
        sheet=CAPTION_HEADERS,
        sheet_kind="caption",
        searchable=True,
        export="caption",
        card=True,
    ),
    _f("caption_source", "TEXT", "people", page="custom"),
    # Sheet headers of units and tags are those of event.yml (ingest.textfile).
    _f(
        "units",
        "TEXT",
        "people",
        sheet_kind="list",
        searchable=True,
        export="units",
        card=True,
        iiif="Đơn vị",
    ),
    _f(
        "tags",
        "TEXT",
        "people",
        sheet_kind="list",
        searchable=True,
        export="tags",
        card=True,
        iiif="Từ khóa",
    ),
    _f("event_id", "INTEGER", "people", export="event", card=True),
    _f(
        "taken_at",
        "TEXT",
        "metadata",
        facts=True,
        sheet=TAKEN_AT_HEADERS,
        sheet_kind="date",
        export="taken_at",
        card=True,
        iiif="Thời điểm chụp",
        iiif_language="none",
    ),
    _f("taken_at_source", "TEXT", "metadata", facts=True),
    _f(
        "photographer",
        "TEXT",
        "metadata",
        facts=True,
        sheet=("nguoi chup", "photographer", "tac gia", "author", "artist", "by line"),
        searchable=True,
        export="photographer",
        schema=_TEXT,
        label="Người chụp",
        page="list",
        card=True,
        iiif="Người chụp",
        description="Who took the photo: EXIF Artist, XMP dc:creator, IPTC By-line.",
    ),
    _f(
        "credit",
        "TEXT",
        "metadata",
        facts=True,
        sheet=("nguon", "credit", "nguon anh", "ghi cong"),
        searchable=True,
        export="credit",
        schema=_TEXT,
        label="Nguồn",
        page="list",
        iiif="requiredStatement",
        setting="credit",
        description="Whom re-use must credit: XMP photoshop:Credit, IPTC Credit; else the"
        " archive's credit setting.",
    ),
    _f("width", "INTEGER", "bytes", facts=True, export="width", page="custom"),
    _f("height", "INTEGER", "bytes", facts=True, export="height", page="custom"),
    # A clip is a row of photos too (issue 11): these say which kind and how it plays.
    _f(
        "media_type",
        "TEXT",
        "bytes",
        facts=True,
        export="type",
        schema={"enum": ["photo", "video"]},
        label="Loại",
        page="custom",
        card=True,
        description="What the item is: 'photo' or 'video' (a clip, with a poster frame).",
    ),
    _f(
        "duration",
        "REAL",
        "bytes",
        facts=True,
        export="duration",
        schema={"type": ["number", "null"], "minimum": 0},
        label="Thời lượng",
        page="custom",
        card=True,
        description="Length of a clip in seconds; null for a photo.",
    ),
    _f("camera", "TEXT", "derived", public=False, export="camera", card=True),
    _f("gps_lat", "REAL", "metadata", facts=True, public=False, export="gps.lat"),
    _f("gps_lon", "REAL", "metadata", facts=True, public=False, export="gps.lon"),
    _f("gps_alt", "REAL", "metadata", facts=True, public=False, export="gps.alt"),
    _f("private", "INTEGER", "people", public=False, export="private"),
    _f("thumb_path", "TEXT", "store", facts=True, export="thumbnail"),
    _f("preview_path", "TEXT", "store", facts=True, export="preview"),
    # The browser-playable transcode of a clip; NULL when the original plays as it is.
    _f("playback_path", "TEXT", "store", facts=True, export="playback.path", page="custom"),
    _f("playback_mime", "TEXT", "store", facts=True, export="playback.format", page="custom"),
    _f("playback_width", "INTEGER", "store", facts=True, export="playback.width", page="custom"),
    _f("playback_height", "INTEGER", "store", facts=True, export="playback.height", page="custom"),
    _f("original_name", "TEXT", "derived", export="original.name", page="custom"),
    _f("format", "TEXT", "bytes", facts=True, export="original.format", page="custom"),
    _f("mime", "TEXT", "bytes", facts=True, export="original.mime"),
    _f("bytes", "INTEGER", "bytes", facts=True, export="original.bytes", page="custom"),
    _f("source_path", "TEXT", "derived", public=False, export="source_path"),
    _f("exif", "TEXT", "metadata", facts=True, public=False, export="exif"),
    _f("embedded_caption", "TEXT", "metadata", facts=True),
    _f("embedded_caption_source", "TEXT", "metadata", facts=True),
    _f("year", "INTEGER", "derived", page="custom"),
    _f("ext", "TEXT", "bytes", facts=True),
    _f("make", "TEXT", "metadata", facts=True),
    _f("model", "TEXT", "metadata", facts=True),
    _f("lens", "TEXT", "metadata", facts=True, page="custom"),
    _f("iso", "INTEGER", "metadata", facts=True, page="custom"),
    _f("exposure", "TEXT", "metadata", facts=True, page="custom"),
    _f("exposure_time", "REAL", "metadata", facts=True),
    _f("f_number", "REAL", "metadata", facts=True, page="custom"),
    _f("focal_length", "REAL", "metadata", facts=True, page="custom"),
    _f("orientation", "INTEGER", "metadata", facts=True),
    _f("frame_rate", "REAL", "bytes", facts=True, label="Số khung hình/giây", page="custom"),
    _f("video_codec", "TEXT", "bytes", facts=True, label="Mã hóa hình", page="custom"),
    _f("audio_codec", "TEXT", "bytes", facts=True, label="Mã hóa tiếng", page="custom"),
    _f("bitrate", "INTEGER", "bytes", facts=True, label="Tốc độ bit", page="custom"),
    _f("original_path", "TEXT", "store", facts=True),
    _f("run_id", "INTEGER", "store"),
    _f("added_at", "TEXT", "store"),
    _f("updated_at", "TEXT", "store"),
    # Near-duplicates (migration m010, archive.similar): a perceptual fingerprint of the
    # 320 px thumbnail and the sharpness of the 1280 px preview, computed by the worker
    # from the images it already made; then the group the writer put the photo in.
    _f("phash", "TEXT", "bytes", facts=True),  # 16 hex digits: a 64-bit DCT hash
    _f("dhash", "TEXT", "bytes", facts=True),  # 16 hex digits: a 64-bit gradient hash
    _f("sharpness", "REAL", "bytes", facts=True),  # variance of the Laplacian, 1280 px grey
    _f("group_id", "INTEGER", "derived"),  # photo_groups.id; NULL = in no group
    _f("is_pick", "INTEGER", "derived"),  # 1 = its group's pick or in no group
)

BY_NAME: dict[str, Field] = {f.name: f for f in FIELDS}

# The fields whose values a file's metadata gives (ingest.exif.ExifRecord has each).
FROM_METADATA: tuple[str, ...] = tuple(
    f.name
    for f in FIELDS
    if f.origin == "metadata" and f.name != "exif"  # exif: ExifRecord.tags
)
SHEET_FIELDS: tuple[Field, ...] = tuple(f for f in FIELDS if f.settable)
# Plain-text fields staff may set in a sheet or on the command line, handled alike.
SHEET_TEXT: tuple[Field, ...] = tuple(f for f in SHEET_FIELDS if f.sheet_kind == "text")
# What people say about a photo (a sheet, the command line, the flags but private): a
# run that changes one of these changed the photo.
CURATED: tuple[str, ...] = tuple(
    f.name for f in FIELDS if f.settable or (f.origin == "people" and f.name != "private")
)
# Searchable fields the index holds as plain text, beside caption, units and tags (which
# the search module treats by kind: units with their aliases, tags as a list).
SEARCH_TEXT: tuple[Field, ...] = tuple(
    f for f in FIELDS if f.searchable and f.name not in {"caption", "units", "tags"}
)
PAGE_LIST: tuple[Field, ...] = tuple(f for f in FIELDS if f.page == "list")
# Shown on the photo page beside its card, each by the template's own markup.
PAGE_FACTS: tuple[Field, ...] = tuple(f for f in FIELDS if f.page == "custom")
CARD: tuple[Field, ...] = tuple(f for f in FIELDS if f.card)
IIIF_PAIRS: tuple[Field, ...] = tuple(f for f in FIELDS if f.iiif and f.iiif != "requiredStatement")
STATEMENTS: tuple[Field, ...] = tuple(f for f in FIELDS if f.iiif == "requiredStatement")
# Shown by `archive settings` (translated there, then given the setting's name as {field}).
SETTING_HELP = N_("the {field} of a photo that has none of its own")
SETTINGS: dict[str, str] = {f.setting: SETTING_HELP for f in FIELDS if f.setting}


def names(fields: Iterable[Field] = FIELDS) -> tuple[str, ...]:
    return tuple(f.name for f in fields)


def select(fields: Iterable[Field], alias: str = "p") -> str:
    """A SELECT list of these columns, qualified by the table alias."""
    return ", ".join(f"{alias}.{f.name}" for f in fields)


def exported(public: bool) -> tuple[Field, ...]:
    """The fields a JSON export carries, in its key order."""
    return tuple(f for f in FIELDS if f.export and (f.public or not public))


DEFAULTED: tuple[Field, ...] = tuple(f for f in FIELDS if f.setting)


def with_defaults(row: Mapping[str, Any], settings: Mapping[str, Any]) -> dict[str, Any]:
    """The row with each field that has an archive-wide default filled where empty."""
    out = dict(row)
    fill_defaults(out, settings)
    return out


def fill_defaults(row: dict[str, Any], settings: Mapping[str, Any]) -> None:
    """:func:`with_defaults` in place, for rows the caller owns (an export's thousands)."""
    for f in DEFAULTED:
        if not row.get(f.name, True):
            row[f.name] = settings.get(f.setting or "") or row[f.name]


def missing_columns(table_info: Iterable[Mapping[str, Any]]) -> list[str]:
    """Declared fields a catalog's ``photos`` lacks, from ``PRAGMA table_info(photos)``.

    Migrations stay hand-written and additive; this is how a test (and a
    developer adding a field) learns one is missing.
    """
    present = {row["name"]: str(row["type"]).upper() for row in table_info}
    return [f.name for f in FIELDS if present.get(f.name) != f.sql]


def schema_properties(public: bool = False) -> dict[str, Any]:
    """The JSON Schema properties the declaration gives the exported fields that have one."""
    out: dict[str, Any] = {}
    for f in exported(public):
        if f.schema and f.export:
            out[f.export] = {
                **f.schema,
                **({"description": f.description} if f.description else {}),
            }
    return out


def complete_schema(document: dict[str, Any]) -> dict[str, Any]:
    """The gallery JSON Schema with the declared fields' photo properties in declared order.

    Nested values (gps, original, images) are described by hand in the shipped
    file; a field declared with a ``schema`` gets its property, its place in
    ``required`` and, unless public, in what a public export must not hold.
    The shipped file must equal its completion (tests/test_fields.py): it is
    hand-formatted for reading, and the test says what a new field lacks.
    """
    out = json.loads(json.dumps(document))
    photo = out["$defs"]["photo"]
    keys = list(dict.fromkeys(f.export.split(".", 1)[0] for f in exported(False) if f.export))
    declared = schema_properties()
    properties = {k: declared.get(k, photo["properties"].get(k)) for k in keys}
    photo["properties"] = {k: v for k, v in properties.items() if v is not None}
    required = set(photo["required"]) | set(declared)
    photo["required"] = [k for k in keys if k in required]
    public_keys = {f.export.split(".", 1)[0] for f in exported(True) if f.export}
    out["$defs"]["public_photo"] = {
        "not": {"anyOf": [{"required": [k]} for k in keys if k not in public_keys]}
    }
    return out
