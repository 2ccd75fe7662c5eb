"""Events: what a folder, an article or the command line says happened, and when.

The events repository of :class:`archive.catalog.Catalog`; the lists and
summaries are the :class:`~archive.reader.Reader`'s. An event's identity
is its folder first and its slug second, so a renamed title or a moved
folder keeps the event, and the same title on another day makes another one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from archive import search
from archive.catalog.rows import Repository
from archive.clock import now
from archive.records import EventSpec
from archive.sqlitedb import Database
from archive.text import clean


class Events(Repository):
    """events and event_units; a photo takes its event's day here too."""

    def __init__(self, db: Database, ensure_unit: Callable[[str], tuple[int, bool]]) -> None:
        super().__init__(db)
        self.ensure_unit = ensure_unit

    def adopt_event_folder(self, event_id: int, source_ref: str) -> None:
        """The event's folder was moved (or copied off the USB stick): the new one is its own."""
        self.db.execute("UPDATE events SET source_ref = ? WHERE id = ?", (source_ref, event_id))

    def find_event(self, spec: EventSpec) -> tuple[dict[str, Any] | None, str]:
        """The row a spec describes, and the slug it goes by.

        A folder's event is found by its folder first, so fixing a typo in the
        title renames the event instead of making a second one. Otherwise by
        slug; the same title on another day (the monthly meeting) is another
        event, whose slug carries its date.
        """
        if spec.source_ref:
            row = self._one("SELECT * FROM events WHERE source_ref = ?", (spec.source_ref,))
            if row is not None:
                return row, row["slug"]
        row = self.read.event(spec.slug)
        if row is not None and spec.date and row["date"] and row["date"] != spec.date:
            slug = f"{spec.slug}-{spec.date}"
            return self.read.event(slug), slug
        return row, spec.slug

    def upsert_event(self, spec: EventSpec) -> tuple[int, bool]:
        """Create or update the event; True when anything about it changed.

        Only the event's own source (its folder, or the command line for an
        event made there) may replace a field; another folder that names the
        same event only fills gaps, so two sources never overwrite each other
        on alternate runs.
        """
        organizer_id = self.ensure_unit(spec.organizer)[0] if spec.organizer else None
        values = {
            "title": clean(spec.title),
            "date": spec.date,
            "location": clean(spec.location),
            "organizer_unit_id": organizer_id,
            "description": spec.description,
        }
        row, slug = self.find_event(spec)
        changed = row is None
        if row is None:
            stamp = now()
            event_id = (
                self.db["events"]
                .insert(
                    {
                        "slug": slug,
                        **values,
                        "source_ref": spec.source_ref,
                        "created_at": stamp,
                        "updated_at": stamp,
                    }
                )
                .last_pk
            )
        else:
            event_id = row["id"]
            own = row["source_ref"] in (None, spec.source_ref)
            updates = {
                k: v
                for k, v in values.items()
                if v is not None and row[k] != v and (own or row[k] is None)
            }
            if row["source_ref"] is None and spec.source_ref:
                updates["source_ref"] = spec.source_ref
            if updates:
                changed = True
                assignments = ", ".join(f"{k} = ?" for k in updates)
                self.db.execute(
                    f"UPDATE events SET {assignments}, updated_at = ? WHERE id = ?",
                    (*updates.values(), now(), event_id),
                )
        for unit in spec.units:
            unit_id = self.ensure_unit(unit)[0]
            inserted = self.db.execute(
                "INSERT OR IGNORE INTO event_units (event_id, unit_id) VALUES (?, ?)",
                (event_id, unit_id),
            ).rowcount
            changed = changed or bool(inserted)
        if changed and row is not None:
            photos = self._all("SELECT id FROM photos WHERE event_id = ?", (event_id,))
            search.reindex(self.db, [photo["id"] for photo in photos])
        return event_id, changed

    def fill_event_dates(self) -> None:
        """An event with no date given takes the day of its earliest photo."""
        self.db.execute(
            """UPDATE events SET date = (SELECT min(substr(taken_at, 1, 10)) FROM photos
                 WHERE photos.event_id = events.id
                   AND taken_at_source NOT IN ('file_mtime', 'event'))
               WHERE date IS NULL"""
        )

    def date_undated_photos(self) -> int:
        """Photos with no date of their own take their event's day.

        A photo sent through Zalo or Facebook has lost its EXIF date: the day
        of its event is a better guess than the day the file was copied. Run
        after the events' own dates are known, so one ingest settles it.
        """
        return self.db.execute(
            """UPDATE photos SET taken_at = e.date, taken_at_source = 'event',
                 year = CAST(substr(e.date, 1, 4) AS INTEGER), updated_at = ?
               FROM events e
               WHERE e.id = photos.event_id AND e.date IS NOT NULL
                 AND photos.taken_at_source IN ('file_mtime', 'event')
                 AND photos.taken_at IS NOT e.date""",
            (now(),),
        ).rowcount
