"""Gallery rows: curated, ordered selections of photos, and the settings exports read.

This is part of the one writer (``archive.catalog.Catalog`` inherits
:class:`GalleryRecords`), kept in its own module so the catalog stays small.
It only needs the catalog's ``db``, ``_one`` and ``_all``, so it also works on
a plain read-only ``sqlite3`` connection (Datasette's) for the reading half.

An event is a gallery too, without rows here: its photos ordered by the time
they were taken. :meth:`GalleryRecords.find_gallery` hands both out as one
:class:`GalleryRef`, so every export path treats them alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from archive.errors import ArchiveError
from archive.i18n import N_
from archive.selection import Selection, did_you_mean, where
from archive.text import clean, slugify

# Photos of a gallery in curated order; of an event by time (undated last), then file name.
EVENT_ORDER = "p.taken_at IS NULL, p.taken_at, p.original_name, p.id"

# The settings an export reads, with what each one means (shown by `archive settings`).
SETTINGS = {
    "base_url": N_("web address where exported folders are published (IIIF ids, JSON urls)"),
    "rights": N_("rights URI for IIIF `rights` (a Creative Commons or RightsStatements.org URL)"),
    "required_statement": N_("text every re-use must show (IIIF requiredStatement value)"),
    "required_statement_label": N_("label of that text (default: Ghi công)"),
    "language": N_(
        "language of the command line for this archive: vi or en (default: the system's)"
    ),
}

_PHOTO_REF = re.compile(r"^(?:\d{1,11}|[0-9a-fA-F]{8,64})$")


class GalleryError(ArchiveError):
    """A gallery request the catalog cannot honour; one line for the user."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


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


class GalleryRecords:
    """Gallery reads and writes; mixed into ``Catalog`` (uses its db, _one, _all)."""

    db: Any

    def _one(self, sql: str, params: Any = ()) -> dict[str, Any] | None:  # pragma: no cover
        raise NotImplementedError

    def _all(self, sql: str, params: Any = ()) -> list[dict[str, Any]]:  # pragma: no cover
        raise NotImplementedError

    # -- reading -------------------------------------------------------------

    def has_galleries(self) -> bool:
        """False on a catalog not yet migrated (Datasette may open an old one read-only)."""
        return bool(
            self._one(
                "SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = 'galleries'"
            )
        )

    def gallery(self, slug: str) -> dict[str, Any] | None:
        if not self.has_galleries():
            return None
        return self._one("SELECT * FROM galleries WHERE slug = ?", (slugify(slug),))

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
            event = self._one(
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
        return self._all(
            "SELECT p.id, p.sha256, p.taken_at, p.caption, p.private, p.original_name"
            f" FROM {ref.members}",
            ref.params,
        )

    def list_galleries(self) -> list[dict[str, Any]]:
        if not self.has_galleries():
            return []
        return self._all(
            """SELECT g.slug, g.title, g.description, g.created_at, g.updated_at,
                 (SELECT count(*) FROM gallery_photos WHERE gallery_id = g.id) AS photos
               FROM galleries g ORDER BY g.slug"""
        )

    def select_photos(self, selection: Selection) -> list[int]:
        """Photo ids matching a selection, by time taken (undated last).

        A unit, tag or event the archive does not know is a typo, not an
        empty selection: refused, so a gallery is never silently empty.
        """
        events = [self._event_id(slug) for slug in selection.events]
        units = [self._known_unit_id(name) for name in selection.units]
        for tag in selection.tags:
            self._known_tag(tag)
        clauses, params = where(selection, self.db, events, units)
        if not clauses:
            return []
        rows = self._all(
            f"SELECT p.id FROM photos p WHERE {' AND '.join(clauses)} ORDER BY {EVENT_ORDER}",
            params,
        )
        return [row["id"] for row in rows]

    def resolve_photos(self, refs: tuple[str, ...] | list[str]) -> list[int]:
        """Photo ids from what a user types: an id, or a SHA-256 (8+ hex digits of it)."""
        ids: list[int] = []
        for ref in refs:
            ref = ref.strip()
            if not _PHOTO_REF.match(ref):
                raise GalleryError(f"not a photo id or SHA-256: {ref!r}")
            if ref.isdigit() and len(ref) < 12:
                row = self._one("SELECT id FROM photos WHERE id = ?", (int(ref),))
                if row is None:
                    raise GalleryError(f"no photo with id {ref}")
            else:
                rows = self._all(
                    "SELECT id FROM photos WHERE sha256 LIKE ? LIMIT 2", (ref.lower() + "%",)
                )
                if len(rows) != 1:
                    found = "no photo" if not rows else "more than one photo"
                    raise GalleryError(f"{found} with SHA-256 starting {ref}")
                row = rows[0]
            ids.append(row["id"])
        return list(dict.fromkeys(ids))

    def setting(self, key: str) -> str | None:
        row = self._one("SELECT value FROM settings WHERE key = ?", (key,))
        return row["value"] if row else None

    def settings(self) -> dict[str, str | None]:
        """Every known setting, unset ones as None, in the documented order."""
        rows = {r["key"]: r["value"] for r in self._all("SELECT key, value FROM settings")}
        return {key: rows.get(key) for key in SETTINGS}

    # -- writing -------------------------------------------------------------

    def create_gallery(
        self,
        slug: str,
        title: str,
        description: str | None,
        photo_ids: list[int],
        selection: Selection | None = None,
    ) -> int:
        """A new gallery holding photo_ids in the order given."""
        slug = slugify(slug)
        title = clean(title) or ""
        if not slug:
            raise GalleryError("a gallery needs a slug with letters or digits")
        if not title:
            raise GalleryError("a gallery needs a title (--title)")
        if self.gallery(slug):
            raise GalleryError(f"gallery already exists: {slug}")
        if self._one("SELECT 1 AS x FROM events WHERE slug = ?", (slug,)):
            raise GalleryError(
                f"{slug!r} is an event's slug, and an event already is a gallery"
                f" (use --event {slug}); choose another slug"
            )
        gallery_id = self.db.execute(
            "INSERT INTO galleries (slug, title, description, selection, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                slug,
                title,
                clean(description),
                (selection or Selection()).as_json(),
                _now(),
                _now(),
            ),
        ).lastrowid
        self._write_order(gallery_id, list(dict.fromkeys(photo_ids)))
        return gallery_id

    def delete_gallery(self, slug: str) -> int:
        """Remove a gallery (never its photos); returns how many photos it held."""
        gallery_id = self._gallery_id(slug)
        held = len(self._order(gallery_id))
        self.db.execute("DELETE FROM gallery_photos WHERE gallery_id = ?", (gallery_id,))
        self.db.execute("DELETE FROM galleries WHERE id = ?", (gallery_id,))
        return held

    def add_to_gallery(self, slug: str, photo_ids: list[int], at: int | None = None) -> int:
        """Insert photos at position ``at`` (1-based; default: the end); how many were new.

        Photos already in the gallery stay where they are: adding is never moving."""
        gallery_id = self._gallery_id(slug)
        order = self._order(gallery_id)
        present = set(order)
        new = [pid for pid in dict.fromkeys(photo_ids) if pid not in present]
        index = len(order) if at is None else self._index(at, len(order) + 1)
        self._write_order(gallery_id, order[:index] + new + order[index:])
        return len(new)

    def remove_from_gallery(self, slug: str, photo_ids: list[int]) -> int:
        """Take photos out (they stay in the archive); how many were in the gallery."""
        gallery_id = self._gallery_id(slug)
        order = self._order(gallery_id)
        leaving = set(photo_ids)
        kept = [pid for pid in order if pid not in leaving]
        self._write_order(gallery_id, kept)
        return len(order) - len(kept)

    def move_in_gallery(self, slug: str, photo_id: int, position: int) -> None:
        """Put a photo at ``position`` (1-based); the others keep their relative order."""
        gallery_id = self._gallery_id(slug)
        order = self._order(gallery_id)
        if photo_id not in order:
            raise GalleryError(f"photo {photo_id} is not in gallery {slugify(slug)}")
        order.remove(photo_id)
        order.insert(self._index(position, len(order) + 1), photo_id)
        self._write_order(gallery_id, order)

    def set_private(self, photo_ids: list[int], private: bool) -> int:
        """Mark photos private (left out of --public exports) or not; returns how many changed."""
        changed = 0
        for photo_id in photo_ids:
            changed += self.db.execute(
                "UPDATE photos SET private = ?, updated_at = ? WHERE id = ? AND private != ?",
                (int(private), _now(), photo_id, int(private)),
            ).rowcount
        return changed

    def set_setting(self, key: str, value: str | None) -> None:
        """Set (or with None, clear) one of :data:`SETTINGS`; unknown keys are typos."""
        if key not in SETTINGS:
            raise GalleryError(f"unknown setting {key!r} (known: {', '.join(SETTINGS)})")
        value = clean(value)
        if value is not None and key in ("base_url", "rights") and "://" not in value:
            raise GalleryError(f"{key} must be a full web address (https://…), not {value!r}")
        if value is not None and key == "language" and value not in ("vi", "en"):
            raise GalleryError(f"language must be vi or en, not {value!r}")
        if value is None:
            self.db.execute("DELETE FROM settings WHERE key = ?", (key,))
        else:
            self.db.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?)"
                " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    # -- helpers -------------------------------------------------------------

    def _gallery_id(self, slug: str) -> int:
        row = self.gallery(slug)
        if row is None:
            if self._one("SELECT 1 AS x FROM events WHERE slug = ?", (slug,)):
                raise GalleryError(
                    f"{slug!r} is an event: its photos are ordered by time and cannot be"
                    f" curated; create a gallery from it: archive gallery create NEW-SLUG"
                    f" --title … --event {slug}"
                )
            raise GalleryError(f"no gallery {slug!r} (see: archive gallery list)")
        return row["id"]

    def _event_id(self, slug: str) -> int:
        row = self._one("SELECT id FROM events WHERE slug = ?", (slug,))
        if row is None:
            raise GalleryError(f"no event with slug {slug!r} (see: archive events)")
        return row["id"]

    def _known_unit_id(self, name: str) -> int:
        found = self._one(
            "SELECT id FROM units WHERE slug = ? UNION ALL"
            " SELECT unit_id FROM unit_aliases WHERE slug = ?",
            (slugify(name), slugify(name)),
        )
        if found is None:
            known = self._all(
                "SELECT slug, name FROM units UNION ALL SELECT a.slug, u.name"
                " FROM unit_aliases a JOIN units u ON u.id = a.unit_id"
            )
            hint = did_you_mean(name, [(r["slug"], r["name"]) for r in known])
            raise GalleryError(f"no unit named {name!r}{hint or ' (see: archive units)'}")
        return found["id"]

    def _known_tag(self, name: str) -> None:
        """Tags, like units, match by their whole name in any spelling."""
        if self._one("SELECT 1 AS x FROM tags WHERE slug = ?", (slugify(name),)) is None:
            known = [(r["slug"], r["name"]) for r in self._all("SELECT slug, name FROM tags")]
            hint = did_you_mean(name, known) or " (tags match by their whole name)"
            raise GalleryError(f"no tag named {name!r}{hint}")

    def _order(self, gallery_id: int) -> list[int]:
        rows = self._all(
            "SELECT photo_id FROM gallery_photos WHERE gallery_id = ? ORDER BY position",
            (gallery_id,),
        )
        return [row["photo_id"] for row in rows]

    def _write_order(self, gallery_id: int, order: list[int]) -> None:
        """Store the order as positions 1..n, touching only the rows that changed."""
        before = {
            r["photo_id"]: (r["position"], r["added_at"])
            for r in self._all(
                "SELECT photo_id, position, added_at FROM gallery_photos WHERE gallery_id = ?",
                (gallery_id,),
            )
        }
        for photo_id in set(before) - set(order):
            self.db.execute(
                "DELETE FROM gallery_photos WHERE gallery_id = ? AND photo_id = ?",
                (gallery_id, photo_id),
            )
        now = _now()
        changed = False
        for position, photo_id in enumerate(order, start=1):
            old = before.get(photo_id)
            if old is not None and old[0] == position:
                continue
            changed = True
            self.db.execute(
                "INSERT INTO gallery_photos (gallery_id, photo_id, position, added_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT(gallery_id, photo_id)"
                " DO UPDATE SET position = excluded.position",
                (gallery_id, photo_id, position, old[1] if old else now),
            )
        if changed or set(before) - set(order):
            self.db.execute("UPDATE galleries SET updated_at = ? WHERE id = ?", (now, gallery_id))

    @staticmethod
    def _index(position: int, limit: int) -> int:
        if not 1 <= position <= limit:
            raise GalleryError(f"position must be between 1 and {limit}, not {position}")
        return position - 1
