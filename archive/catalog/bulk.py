"""The catalog's bulk path: many new photos in one transaction, indexed once at the end.

An ingest writes one photo at a time (add, then apply what its sheet says,
then reindex it), which is right for a folder of event photos and far too
slow for a district's million: every photo costs a dozen statements and two
FTS5 rewrites. :meth:`Bulk.add_photos_bulk` takes the same facts and
statements for many photos and writes them with ``executemany`` in rounds,
then builds their search rows with one :func:`archive.search.reindex_range`.

The rows it writes are the ones the normal writer would: the photo row comes
from the same :func:`archive.catalog.rows.photo_row`, units and tags resolve
through the same ``ensure_unit``/``ensure_tag`` (handed in by the facade; an
unknown name is created as first written, an alias finds its unit), and the
``units``/``tags`` JSON holds the registered names in the order given,
duplicates dropped. tests/test_bulk.py holds it to that.

It is for photos the catalog does not hold yet (a new district, a benchmark):
a SHA-256 or source path already in the catalog is refused, and the whole
batch with it, rather than merged as an ingest would.

Example::

    run_id = catalog.start_run("import district", user=None)
    ids = catalog.add_photos_bulk(
        (BulkPhoto(facts, source, caption="Lễ khai giảng", units=("Chi bộ 3",)) for ...),
        run_id,
    )
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from typing import Any

from archive import search
from archive.catalog.rows import CatalogError, LinkingRepository, photo_row
from archive.clock import now
from archive.db import write_transaction
from archive.records import PhotoFacts, SourceFile
from archive.text import slugify

# Photos written per round of executemany: large enough to amortise each call,
# small enough that a million-photo import holds one round in memory at a time.
BULK_CHUNK = 5_000
# SQLite's page cache for the import, in KiB (a negative cache_size). The
# photos table has some twenty indexes, each written at random places; with the
# default 2 MB their pages leave the cache between rounds and one big
# transaction spills and rereads them. 256 MB holds them at a million photos.
BULK_CACHE_KIB = 262_144


@dataclass(frozen=True)
class BulkPhoto:
    """A new photo for the bulk path: its file's facts and what people say of it.

    ``caption`` None falls back to the embedded caption, as an ingest does;
    ``units`` and ``tags`` are names as typed (any spelling, or an alias).
    """

    facts: PhotoFacts
    source: SourceFile
    caption: str | None = None
    caption_source: str | None = None
    units: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    event_id: int | None = None


class Bulk(LinkingRepository):
    """The bulk path of the photos repository; units and tags resolve through the facade's."""

    def add_photos_bulk(self, photos: Iterable[BulkPhoto], run_id: int) -> range:
        """Insert new photos with their units, tags and event; their ids, in order.

        One transaction (the caller's when one is open, else its own
        ``BEGIN IMMEDIATE``): a failure leaves the catalog as it was. The
        search index of the new ids is built once, after the last row.
        """
        with _page_cache(self.db.conn, BULK_CACHE_KIB):
            if self.db.conn.in_transaction:
                return self._add_bulk(photos, run_id)
            with write_transaction(self.db):
                return self._add_bulk(photos, run_id)

    def _add_bulk(self, photos: Iterable[BulkPhoto], run_id: int) -> range:
        first = next_id = (self.db.execute("SELECT max(id) FROM photos").fetchone()[0] or 0) + 1
        units: dict[str, tuple[int, str]] = {}
        tags: dict[str, tuple[int, str]] = {}
        for chunk in _chunks(photos, BULK_CHUNK):
            rows, sources, unit_links, tag_links = [], [], [], []
            stamp = now()
            for photo in chunk:
                photo_id, next_id = next_id, next_id + 1
                row = {"id": photo_id, **photo_row(photo.facts, photo.source, run_id, stamp)}
                row.update(_said(photo))
                photo_units = self._resolve(photo.units, units, self._unit)
                photo_tags = self._resolve(photo.tags, tags, self._tag)
                row["units"] = json.dumps(list(photo_units.values()), ensure_ascii=False)
                row["tags"] = json.dumps(list(photo_tags.values()), ensure_ascii=False)
                rows.append(row)
                s = photo.source
                sources.append(
                    {
                        "photo_id": photo_id,
                        "path": s.path,
                        "size": s.size,
                        "mtime_ns": s.mtime_ns,
                        "first_run_id": run_id,
                        "last_run_id": run_id,
                    }
                )
                unit_links += [(photo_id, unit_id) for unit_id in photo_units]
                tag_links += [(photo_id, tag_id) for tag_id in photo_tags]
            self._write_chunk(rows, sources, unit_links, tag_links)
        if next_id > first:
            search.reindex_range(self.db, first, next_id - 1)
        return range(first, next_id)

    def _write_chunk(
        self,
        rows: list[dict[str, Any]],
        sources: list[dict[str, Any]],
        unit_links: list[tuple[int, int]],
        tag_links: list[tuple[int, int]],
    ) -> None:
        if not rows:
            return
        conn = self.db.conn
        try:
            self.db["photos"].insert_all(rows)
            self.db["photo_sources"].insert_all(sources)
        except sqlite3.IntegrityError as error:
            raise CatalogError(
                f"bulk import refused: a photo or source path is already in the catalog ({error})"
            ) from error
        conn.executemany("INSERT INTO photo_units (photo_id, unit_id) VALUES (?, ?)", unit_links)
        conn.executemany("INSERT INTO photo_tags (photo_id, tag_id) VALUES (?, ?)", tag_links)

    def _resolve(
        self, names: tuple[str, ...], cache: dict[str, tuple[int, str]], look_up: Any
    ) -> dict[int, str]:
        """Id to registered name of each unit or tag named, first occurrence first.

        Duplicates (two spellings of one unit) count once, as ``Photos._link`` counts them.
        """
        found: dict[int, str] = {}
        for name in names:
            key = slugify(name)
            if key not in cache:
                cache[key] = look_up(name)
            item_id, registered = cache[key]
            found.setdefault(item_id, registered)
        return found

    def _unit(self, name: str) -> tuple[int, str]:
        unit_id = self.ensure_unit(name)[0]
        return unit_id, self._one("SELECT name FROM units WHERE id = ?", (unit_id,))["name"]

    def _tag(self, name: str) -> tuple[int, str]:
        tag_id = self.ensure_tag(name)
        return tag_id, self._one("SELECT name FROM tags WHERE id = ?", (tag_id,))["name"]


def _said(photo: BulkPhoto) -> dict[str, Any]:
    """The curated columns, as ``Photos.apply_meta`` sets them for a new photo."""
    said: dict[str, Any] = {"event_id": photo.event_id, "caption": None, "caption_source": None}
    if photo.caption:
        said.update(caption=photo.caption, caption_source=photo.caption_source)
    elif photo.facts.embedded_caption:
        said.update(
            caption=photo.facts.embedded_caption,
            caption_source=f"embedded:{photo.facts.embedded_caption_source}",
        )
    return said


@contextmanager
def _page_cache(conn: sqlite3.Connection, kib: int) -> Iterator[None]:
    """The connection's page cache set to ``kib`` for the block, as it was after."""
    (before,) = conn.execute("PRAGMA cache_size").fetchone()
    conn.execute(f"PRAGMA cache_size = {-int(kib)}")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA cache_size = {int(before)}")


def _chunks(items: Iterable[BulkPhoto], size: int) -> Iterator[list[BulkPhoto]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk
