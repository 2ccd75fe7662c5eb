"""The photos repository: photo rows, their sources, and the lists they mirror.

It keeps the denormalised columns (``units``, ``tags``, ``camera``,
``year``) true to the many-to-many tables they mirror, and each photo's
search rows current (:mod:`archive.search`). Units and tags are resolved
through the functions the :class:`~archive.catalog.Catalog` facade hands in
(its units and tags repositories), so a new name is registered there.
"""

from __future__ import annotations

import json
from typing import Any

from archive import fields, search
from archive.catalog.rows import LinkingRepository, basename, photo_row, year_of
from archive.clock import now
from archive.dates import CAMERA_SOURCES
from archive.records import PhotoFacts, PhotoMeta, SourceFile

SEEN_CHUNK = 50_000  # sources noted seen per statement


class Photos(LinkingRepository):
    """Photos and photo_sources; photo_units and photo_tags as a photo's links."""

    # -- photos --------------------------------------------------------------

    def photo(self, photo_id: int) -> dict[str, Any] | None:
        return self._one("SELECT * FROM photos WHERE id = ?", (photo_id,))

    def photo_by_sha(self, sha256: str) -> dict[str, Any] | None:
        return self._one("SELECT * FROM photos WHERE sha256 = ?", (sha256,))

    def photo_for_source(self, source: SourceFile) -> int | None:
        """The photo an unchanged file (same path, size and mtime) already is: no hashing needed."""
        row = self._one(
            "SELECT photo_id FROM photo_sources WHERE path = ? AND size = ? AND mtime_ns = ?",
            (source.path, source.size, source.mtime_ns),
        )
        return row["photo_id"] if row else None

    def sources_under(self, folder: str, sep: str) -> dict[str, tuple[int, int, int, bool]]:
        """Every source path under folder: (size, mtime_ns, photo_id, is the photo's primary).

        One range scan of the path index per folder, so a re-run recognises its
        unchanged files without a query each (``sep`` + 1 is the next character up).
        """
        rows = self.db.execute(
            """SELECT s.path, s.size, s.mtime_ns, s.photo_id, p.source_path = s.path
               FROM photo_sources s JOIN photos p ON p.id = s.photo_id
               WHERE s.path >= ? AND s.path < ?""",
            (folder + sep, folder + chr(ord(sep) + 1)),
        )
        return {
            path: (size, mtime, photo, bool(primary)) for path, size, mtime, photo, primary in rows
        }

    def note_seen(self, paths: list[str], run_id: int) -> None:
        """Record that this run saw these (unchanged) sources, in one statement per chunk.

        The paths go in as one JSON array, so SQLite looks up and updates the rows itself
        rather than running one bound UPDATE per path: a third of the time for the
        10,000 sources of a re-run, chunked so a million does not make one huge string.
        """
        for start in range(0, len(paths), SEEN_CHUNK):
            self.db.execute(
                "UPDATE photo_sources SET last_run_id = ?"
                " WHERE path IN (SELECT value FROM json_each(?))",
                (run_id, json.dumps(paths[start : start + SEEN_CHUNK])),
            )

    def photo_at_path(self, path: str) -> int | None:
        """The photo a source path last held, whatever its size and mtime were then."""
        row = self._one("SELECT photo_id FROM photo_sources WHERE path = ?", (path,))
        return row["photo_id"] if row else None

    def knows_source(self, path: str) -> bool:
        return self._one("SELECT 1 AS x FROM photo_sources WHERE path = ?", (path,)) is not None

    def add_photo(self, facts: PhotoFacts, source: SourceFile, run_id: int) -> int:
        """Insert a new photo from its facts; the file must already be in the store."""
        row = photo_row(facts, source, run_id, now())
        photo_id = self.db["photos"].insert(row).last_pk
        self.remember_source(photo_id, source, run_id)
        search.reindex(self.db, [photo_id])
        return photo_id

    def remember_source(self, photo_id: int, source: SourceFile, run_id: int) -> None:
        self.db.execute(
            """INSERT INTO photo_sources (photo_id, path, size, mtime_ns, first_run_id, last_run_id)
               VALUES (?, ?, ?, ?, ?, ?)
               ON CONFLICT(path) DO UPDATE SET photo_id = excluded.photo_id,
                 size = excluded.size, mtime_ns = excluded.mtime_ns,
                 last_run_id = excluded.last_run_id""",
            (photo_id, source.path, source.size, source.mtime_ns, run_id, run_id),
        )

    def make_primary_source(self, photo_id: int, path: str) -> None:
        """The photo was moved: its new place is where captions come from now."""
        self.db.execute(
            "UPDATE photos SET source_path = ?, original_name = ? WHERE id = ?",
            (path, basename(path), photo_id),
        )

    def curated(self, photo_id: int) -> tuple:
        """What people said about a photo, to tell whether a run changed it."""
        row = self.photo(photo_id)
        return tuple(row[k] for k in fields.CURATED)

    def apply_meta(
        self, photo_id: int, said: list[tuple[PhotoMeta, bool]], event_ids: dict[str, int]
    ) -> bool:
        """Bring a photo's curated fields in line with all that was said of it in this run.

        ``said`` holds what each of its files said, with True for the photo's
        primary source. Only the primary may replace what is there; other
        copies of the same photo fill gaps and add units or tags. Applying
        the same statements again changes nothing, so a re-run is quiet. A
        caption is never cleared: nothing typed earlier is lost. A sheet's date
        alone that names the camera's day keeps the camera's time (:func:`_sheet_date`).
        """
        row = self.photo(photo_id)
        updates: dict[str, Any] = {}
        if chosen := _pick(said, "caption", row["caption"]):
            updates["caption"], updates["caption_source"] = chosen.caption, chosen.caption_source
        elif not row["caption"] and row["embedded_caption"]:
            updates["caption"] = row["embedded_caption"]
            updates["caption_source"] = f"embedded:{row['embedded_caption_source']}"
        if chosen := _pick(said, "taken_at", row["taken_at"]):
            updates.update(_sheet_date(chosen.taken_at, row))
        if (chosen := _pick(said, "event", row["event_id"])) and chosen.event in event_ids:
            updates["event_id"] = event_ids[chosen.event]
        updates.update(_said_texts(said, row))
        updates = {k: v for k, v in updates.items() if row[k] != v}
        links_changed = self._link(
            photo_id, "photo_units", "unit_id", said, "units", lambda n: self.ensure_unit(n)[0]
        )
        links_changed |= self._link(photo_id, "photo_tags", "tag_id", said, "tags", self.ensure_tag)
        if links_changed:
            updates.update(self._lists(photo_id))
        if not updates:
            return False
        assignments = ", ".join(f"{k} = ?" for k in updates)
        self.db.execute(
            f"UPDATE photos SET {assignments}, updated_at = ? WHERE id = ?",
            (*updates.values(), now(), photo_id),
        )
        search.reindex(self.db, [photo_id])
        return True

    def _link(
        self,
        photo_id: int,
        table: str,
        column: str,
        said: list[tuple[PhotoMeta, bool]],
        field: str,
        resolve: Any,
    ) -> bool:
        """Set a photo's units or tags from what its primary said, plus what copies add."""
        primary = [getattr(m, field) for m, p in said if p and getattr(m, field) is not None]
        copies = [getattr(m, field) for m, p in said if not p and getattr(m, field) is not None]
        if not primary and not copies:
            return False
        wanted = list(dict.fromkeys(resolve(name) for names in primary + copies for name in names))
        before = [
            r[column]
            for r in self._all(
                f"SELECT {column} FROM {table} WHERE photo_id = ? ORDER BY rowid", (photo_id,)
            )
        ]
        after = wanted if primary else before + [i for i in wanted if i not in before]
        if after == before:
            return False
        self.db.execute(f"DELETE FROM {table} WHERE photo_id = ?", (photo_id,))
        for item in after:
            self.db.execute(
                f"INSERT INTO {table} (photo_id, {column}) VALUES (?, ?)", (photo_id, item)
            )
        return True

    def _lists(self, photo_id: int) -> dict[str, str]:
        units = [
            r["name"]
            for r in self._all(
                "SELECT u.name FROM photo_units pu JOIN units u ON u.id = pu.unit_id"
                " WHERE pu.photo_id = ? ORDER BY pu.rowid",
                (photo_id,),
            )
        ]
        tags = [
            r["name"]
            for r in self._all(
                "SELECT t.name FROM photo_tags pt JOIN tags t ON t.id = pt.tag_id"
                " WHERE pt.photo_id = ? ORDER BY pt.rowid",
                (photo_id,),
            )
        ]
        return {
            "units": json.dumps(units, ensure_ascii=False),
            "tags": json.dumps(tags, ensure_ascii=False),
        }

    def refresh_lists(self, photo_id: int) -> None:
        """Rewrite a photo's units and tags columns from its links (after a merge)."""
        lists = self._lists(photo_id)
        self.db.execute(
            "UPDATE photos SET units = ?, tags = ?, updated_at = ? WHERE id = ?",
            (lists["units"], lists["tags"], now(), photo_id),
        )

    def set_playback(
        self, photo_id: int, path: str | None, mime: str | None, size: tuple[int, int] | None
    ) -> None:
        """Record a clip's browser preview (None: the original plays as it is, or none yet)."""
        width, height = size or (None, None)
        self.db.execute(
            "UPDATE photos SET playback_path = ?, playback_mime = ?, playback_width = ?,"
            " playback_height = ?, updated_at = ? WHERE id = ?",
            (path, mime, width, height, now(), photo_id),
        )

    def set_private(self, photo_ids: list[int], private: bool) -> int:
        """Mark photos private (left out of --public exports) or not; returns how many changed."""
        changed = 0
        for photo_id in photo_ids:
            changed += self.db.execute(
                "UPDATE photos SET private = ?, updated_at = ? WHERE id = ? AND private != ?",
                (int(private), now(), photo_id, int(private)),
            ).rowcount
        return changed


def _said_texts(said: list[tuple[PhotoMeta, bool]], row: dict[str, Any]) -> dict[str, str]:
    """Plain-text fields (photographer, credit) as _pick chooses them: primary, else gaps."""
    out: dict[str, str] = {}
    for name in {name for meta, _ in said for name, _ in meta.texts}:
        primary = [dict(m.texts).get(name) for m, p in said if p and dict(m.texts).get(name)]
        copies = [dict(m.texts).get(name) for m, _ in said if dict(m.texts).get(name)]
        if primary:
            out[name] = primary[0]
        elif not row[name] and copies:
            out[name] = copies[0]
    return out


def _sheet_date(said: str, row: dict[str, Any]) -> dict[str, Any]:
    """The taken_at columns a sheet's date sets: none when it only confirms the camera's day.

    Staff often type the day alone; the camera knew the time of that day (and its offset),
    so a date without a time that names the camera's own day keeps the camera's moment and
    source. A time typed in the sheet, another day, or a photo with no camera date: the
    sheet's value replaces what is there, a date alone stored as a date.
    """
    camera = row["taken_at"] if row["taken_at_source"] in CAMERA_SOURCES else None
    if camera and len(said) == 10 and camera[:10] == said:
        return {}
    return {"taken_at": said, "taken_at_source": "sheet", "year": year_of(said)}


def _pick(said: list[tuple[PhotoMeta, bool]], field: str, current: Any) -> PhotoMeta | None:
    """The statement that sets a field: the primary's, else a copy's where nothing is set."""
    for meta, primary in said:
        if primary and getattr(meta, field):
            return meta
    if current:
        return None
    return next((meta for meta, _ in said if getattr(meta, field)), None)
