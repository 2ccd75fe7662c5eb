"""The galleries repository: curated, ordered selections of photos.

An event is a gallery too, without rows here (its photos are ordered by
time, see :data:`archive.reader.EVENT_ORDER`), so it cannot be curated; the
reads (``find_gallery``, ``gallery_photos``, ``select_photos``) are the
:class:`~archive.reader.Reader`'s, which the web uses on its own connection.
"""

from __future__ import annotations

from archive.catalog.rows import Repository
from archive.clock import now as _now
from archive.reader import GalleryError
from archive.selection import Selection
from archive.text import clean, slugify


class Galleries(Repository):
    """galleries and gallery_photos."""

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
        if self.read.gallery(slug):
            raise GalleryError(f"gallery already exists: {slug}")
        if self._one("SELECT 1 AS x FROM events WHERE slug = ?", (slug,)):
            raise GalleryError(
                f"{slug!r} is an event's slug, and an event already is a gallery"
                f" (use --event {slug}); choose another slug"
            )
        stamp = _now()
        row = {
            "slug": slug,
            "title": title,
            "description": clean(description),
            "selection": (selection or Selection()).as_json(),
            "created_at": stamp,
            "updated_at": stamp,
        }
        gallery_id = self.db["galleries"].insert(row).last_pk
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

    # -- helpers -------------------------------------------------------------

    def _gallery_id(self, slug: str) -> int:
        row = self.read.gallery(slug)
        if row is None:
            if self._one("SELECT 1 AS x FROM events WHERE slug = ?", (slug,)):
                raise GalleryError(
                    f"{slug!r} is an event: its photos are ordered by time and cannot be"
                    f" curated; create a gallery from it: archive gallery create NEW-SLUG"
                    f" --title … --event {slug}"
                )
            raise GalleryError(f"no gallery {slug!r} (see: archive gallery list)")
        return row["id"]

    def _order(self, gallery_id: int) -> list[int]:
        return self.read.gallery_order(gallery_id)

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
