"""The catalog read-only: every query the command line, the web and the exports share.

:class:`Reader` takes any connection to a catalog: the writer's own (the
command line reads what it is about to change), or one of Datasette's
read-only ``sqlite3`` connections (:mod:`archive.web` runs it through
``db.execute_fn``, see :func:`archive.web.queries.read`). It has no method
that writes, holds its connection privately, and refuses any SQL but a
query, so a page or an export cannot change a row even by mistake; the
writer is :class:`archive.catalog.Catalog`, which the web never imports.

An event is a gallery too, without rows in ``galleries``: its photos in
:data:`EVENT_ORDER`. :meth:`Reader.find_gallery` hands both out as one
:class:`GalleryRef`, so every export path treats them alike.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from archive import fields
from archive.errors import ArchiveError
from archive.i18n import N_
from archive.selection import Selection, where
from archive.similar import one_per_group
from archive.text import did_you_mean, slugify

# The order of an event's photos everywhere: `gallery show`, the exports, the event's
# grid and cover, and a photo page's "previous / next". NULLs read as '' (an undated
# photo first), so the same key can be compared in SQL as a row value (one with a NULL
# in it compares as NULL): a photo's neighbours are then the grid's neighbours.
EVENT_KEY = ("coalesce(p.taken_at, '')", "coalesce(p.original_name, '')", "p.id")
EVENT_ORDER = ", ".join(EVENT_KEY)

# The settings an export reads, with what each one means (shown by `archive settings`).
SETTINGS = {
    "base_url": N_("web address where exported folders are published (IIIF ids, JSON urls)"),
    "rights": N_("rights URI for IIIF `rights` (a Creative Commons or RightsStatements.org URL)"),
    "required_statement": N_("text every re-use must show (IIIF requiredStatement value)"),
    "required_statement_label": N_("label of that text (default: Ghi công)"),
    "language": N_(
        "language of the command line for this archive: vi or en (default: the system's)"
    ),
    **fields.SETTINGS,  # defaults of photo fields (credit), declared in archive.fields
    "similar_window_minutes": N_(
        "minutes apart two camera times may be in one group of near-duplicates (default: 10)"
    ),
}

_PHOTO_REF = re.compile(r"^(?:\d{1,11}|[0-9a-fA-F]{8,64})$")
# A query starts so; anything else (a PRAGMA, an INSERT, an ATTACH) is refused.
_QUERY = re.compile(r"^\s*(?:SELECT|WITH|VALUES)\b", re.IGNORECASE)
_CTE_WRITE = re.compile(r"\)\s*(?:INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
_UNIT_NAMES = (
    "SELECT slug, name FROM units UNION ALL SELECT a.slug, u.name"
    " FROM unit_aliases a JOIN units u ON u.id = a.unit_id"
)


class GalleryError(ArchiveError):
    """A gallery request the catalog cannot honour; one line for the user."""


@dataclass(frozen=True)
class GalleryRef:
    """A created gallery or an event, as the exports see it.

    ``members`` is SQL (alias ``p`` for photos) that yields the photo rows in
    order when placed after ``SELECT ... FROM``; ``member_ids`` selects just
    their ids, unordered (cheaper inside ``IN (...)``). Both take ``params``.
    """

    kind: str  # "gallery" or "event"
    id: int
    slug: str
    title: str
    description: str | None
    members: str
    member_ids: str
    params: tuple[Any, ...]
    event: dict[str, Any] | None = None


class Reader:
    """Queries on one catalog connection; nothing here can write."""

    def __init__(self, conn: Any) -> None:
        # A sqlite_utils Database (the command line's) or a plain sqlite3 connection.
        self._conn: sqlite3.Connection = getattr(conn, "conn", conn)

    # -- rows ----------------------------------------------------------------

    def _cursor(self, sql: str, params: Any) -> sqlite3.Cursor:
        if not _QUERY.match(sql) or _CTE_WRITE.search(sql):
            raise ValueError(f"the reader runs queries only, not: {sql.split(None, 1)[0]}")
        return self._conn.execute(sql, params)

    def all(self, sql: str, params: Any = ()) -> list[dict[str, Any]]:
        """Every row of a query, as dicts keyed by column name."""
        cursor = self._cursor(sql, params)
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def one(self, sql: str, params: Any = ()) -> dict[str, Any] | None:
        """The first row of a query as a dict, or None."""
        cursor = self._cursor(sql, params)
        row = cursor.fetchone()
        if row is None:
            return None
        return dict(zip([c[0] for c in cursor.description], row, strict=True))

    def tuples(self, sql: str, params: Any = ()) -> Iterator[tuple[Any, ...]]:
        """The rows of a query as tuples, one at a time: for exports of thousands of photos."""
        yield from self._cursor(sql, params)

    # -- photos, units, events ------------------------------------------------

    def photo(self, photo_id: int) -> dict[str, Any] | None:
        return self.one("SELECT * FROM photos WHERE id = ?", (photo_id,))

    def find_unit(self, name: str) -> dict[str, Any] | None:
        """A unit by its folded name or any alias: spelling, case and tones do not matter."""
        slug = slugify(name)
        if not slug:
            return None
        return self.one("SELECT * FROM units WHERE slug = ?", (slug,)) or self.one(
            "SELECT units.* FROM unit_aliases JOIN units ON units.id = unit_aliases.unit_id"
            " WHERE unit_aliases.slug = ?",
            (slug,),
        )

    def suggest_unit(self, name: str) -> str | None:
        """The known unit one typo away from name, for a "did you mean"."""
        return did_you_mean(name, [(r["slug"], r["name"]) for r in self.all(_UNIT_NAMES)])

    def list_units(self) -> list[dict[str, Any]]:
        return self.all(
            """SELECT u.id, u.slug, u.name, u.kind, p.name AS parent,
                 (SELECT json_group_array(alias) FROM unit_aliases WHERE unit_id = u.id) AS aliases,
                 (SELECT count(*) FROM photo_units WHERE unit_id = u.id) AS photos
               FROM units u LEFT JOIN units p ON p.id = u.parent_id ORDER BY u.slug"""
        )

    def event(self, slug: str) -> dict[str, Any] | None:
        return self.one("SELECT * FROM events WHERE slug = ?", (slug,))

    def event_slug(self, event_id: int) -> str:
        return self.one("SELECT slug FROM events WHERE id = ?", (event_id,))["slug"]

    def list_events(self) -> list[dict[str, Any]]:
        return self.all(
            """SELECT e.slug, e.title, e.date, e.location, o.name AS organizer,
                 (SELECT count(*) FROM photos WHERE event_id = e.id) AS photos
               FROM events e LEFT JOIN units o ON o.id = e.organizer_unit_id
               ORDER BY e.date DESC, e.slug"""
        )

    def event_summary(self, slug: str) -> dict[str, Any] | None:
        """An event with its organizer's name, photo count and every unit it shows."""
        event = self.one(
            """SELECT e.id, e.slug, e.title, e.date, e.location, o.name AS organizer,
                 e.description, e.source_ref,
                 (SELECT count(*) FROM photos WHERE event_id = e.id) AS photos
               FROM events e LEFT JOIN units o ON o.id = e.organizer_unit_id WHERE e.slug = ?""",
            (slug,),
        )
        if event is None:
            return None
        rows = self.all(
            """SELECT u.name FROM event_units eu JOIN units u ON u.id = eu.unit_id
                 WHERE eu.event_id = :id
               UNION SELECT u.name FROM photo_units pu JOIN units u ON u.id = pu.unit_id
                 JOIN photos p ON p.id = pu.photo_id WHERE p.event_id = :id""",
            {"id": event["id"]},
        )
        event["units"] = sorted((r["name"] for r in rows), key=slugify)
        return event

    # -- galleries -----------------------------------------------------------

    def has_galleries(self) -> bool:
        """False on a catalog not yet migrated (Datasette may open an old one read-only)."""
        return bool(
            self.one("SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = 'galleries'")
        )

    def gallery(self, slug: str) -> dict[str, Any] | None:
        if not self.has_galleries():
            return None
        return self.one("SELECT * FROM galleries WHERE slug = ?", (slugify(slug),))

    def find_gallery(self, slug: str, kind: str | None = None) -> GalleryRef | None:
        """A created gallery by slug, else (or with kind="event" only) an event by slug."""
        if kind in (None, "gallery"):
            row = self.gallery(slug)
            if row is not None:
                return GalleryRef(
                    kind="gallery",
                    id=row["id"],
                    slug=row["slug"],
                    title=row["title"],
                    description=row["description"],
                    members="gallery_photos gp JOIN photos p ON p.id = gp.photo_id"
                    " WHERE gp.gallery_id = ? ORDER BY gp.position",
                    member_ids="SELECT photo_id FROM gallery_photos WHERE gallery_id = ?",
                    params=(row["id"],),
                )
        if kind in (None, "event"):
            event = self.one(
                "SELECT id, slug, title, date, location, description FROM events WHERE slug = ?",
                (slug,),
            )
            if event is not None:
                return GalleryRef(
                    kind="event",
                    id=event["id"],
                    slug=event["slug"],
                    title=event["title"],
                    description=event["description"],
                    members=f"photos p WHERE p.event_id = ? ORDER BY {EVENT_ORDER}",
                    member_ids="SELECT id FROM photos WHERE event_id = ?",
                    params=(event["id"],),
                    event=event,
                )
        return None

    def gallery_photos(self, ref: GalleryRef) -> list[dict[str, Any]]:
        """The photos of a gallery or event in order: what `gallery show` lists."""
        return self.all(
            "SELECT p.id, p.sha256, p.taken_at, p.caption, p.private, p.original_name"
            f" FROM {ref.members}",
            ref.params,
        )

    def gallery_order(self, gallery_id: int) -> list[int]:
        rows = self.all(
            "SELECT photo_id FROM gallery_photos WHERE gallery_id = ? ORDER BY position",
            (gallery_id,),
        )
        return [row["photo_id"] for row in rows]

    def list_galleries(self) -> list[dict[str, Any]]:
        if not self.has_galleries():
            return []
        return self.all(
            """SELECT g.slug, g.title, g.description, g.created_at, g.updated_at,
                 (SELECT count(*) FROM gallery_photos WHERE gallery_id = g.id) AS photos
               FROM galleries g ORDER BY g.slug"""
        )

    def select_photos(self, selection: Selection) -> list[int]:
        """Photo ids matching a selection, in :data:`EVENT_ORDER` (by time taken).

        A unit, tag or event the archive does not know is a typo, not an
        empty selection: refused, so a gallery is never silently empty.
        """
        events = [self._event_id(slug) for slug in selection.events]
        units = [self._known_unit_id(name) for name in selection.units]
        for tag in selection.tags:
            self._known_tag(tag)
        clauses, params = where(selection, self._conn, events, units)
        if not clauses:
            return []
        rows = self.all(
            f"SELECT p.id, p.group_id, p.is_pick FROM photos p WHERE {' AND '.join(clauses)}"
            f" ORDER BY {EVENT_ORDER}",
            params,
        )
        if selection.picks_only:
            rows = one_per_group(rows)
        return [row["id"] for row in rows]

    def resolve_photos(self, refs: tuple[str, ...] | list[str]) -> list[int]:
        """Photo ids from what a user types: an id, or a SHA-256 (8+ hex digits of it)."""
        ids: list[int] = []
        for ref in refs:
            ref = ref.strip()
            if not _PHOTO_REF.match(ref):
                raise GalleryError(f"not a photo id or SHA-256: {ref!r}")
            if ref.isdigit() and len(ref) < 12:
                row = self.one("SELECT id FROM photos WHERE id = ?", (int(ref),))
                if row is None:
                    raise GalleryError(f"no photo with id {ref}")
            else:
                rows = self.all(
                    "SELECT id FROM photos WHERE sha256 LIKE ? LIMIT 2", (ref.lower() + "%",)
                )
                if len(rows) != 1:
                    found = "no photo" if not rows else "more than one photo"
                    raise GalleryError(f"{found} with SHA-256 starting {ref}")
                row = rows[0]
            ids.append(row["id"])
        return list(dict.fromkeys(ids))

    def setting(self, key: str) -> str | None:
        row = self.one("SELECT value FROM settings WHERE key = ?", (key,))
        return row["value"] if row else None

    def settings(self) -> dict[str, str | None]:
        """Every known setting, unset ones as None, in the documented order."""
        rows = {r["key"]: r["value"] for r in self.all("SELECT key, value FROM settings")}
        return {key: rows.get(key) for key in SETTINGS}

    def _event_id(self, slug: str) -> int:
        row = self.one("SELECT id FROM events WHERE slug = ?", (slug,))
        if row is None:
            raise GalleryError(f"no event with slug {slug!r} (see: archive events)")
        return row["id"]

    def _known_unit_id(self, name: str) -> int:
        found = self.one(
            "SELECT id FROM units WHERE slug = ? UNION ALL"
            " SELECT unit_id FROM unit_aliases WHERE slug = ?",
            (slugify(name), slugify(name)),
        )
        if found is None:
            hint = self.suggest_unit(name)
            see = f" (did you mean {hint!r}?)" if hint else " (see: archive units)"
            raise GalleryError(f"no unit named {name!r}{see}")
        return found["id"]

    def _known_tag(self, name: str) -> None:
        """Tags, like units, match by their whole name in any spelling."""
        if self.one("SELECT 1 AS x FROM tags WHERE slug = ?", (slugify(name),)) is None:
            known = [(r["slug"], r["name"]) for r in self.all("SELECT slug, name FROM tags")]
            hint = did_you_mean(name, known)
            see = f" (did you mean {hint!r}?)" if hint else " (tags match by their whole name)"
            raise GalleryError(f"no tag named {name!r}{see}")
