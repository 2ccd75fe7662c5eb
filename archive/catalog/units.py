"""The unit registry: one unit however its name is typed.

A unit's identity is its folded name (``Uỷ ban nhân dân phường 6`` =
``UY BAN NHAN DAN PHUONG 6``) or an alias (``UBND phường 6``); it is shown as
first written. The units repository of :class:`archive.catalog.Catalog`;
its reads (``find_unit``, ``suggest_unit``, ``list_units``) are the
:class:`~archive.reader.Reader`'s.
"""

from __future__ import annotations

from collections.abc import Callable

from archive import search
from archive.catalog.rows import CatalogError, Repository
from archive.clock import now
from archive.text import clean, slugify


class Units(Repository):
    """units and unit_aliases; a merge also moves the photo and event links."""

    def ensure_unit(self, name: str) -> tuple[int, bool]:
        """The unit's id, creating it as first written when unseen; True when created."""
        found = self.read.find_unit(name)
        if found:
            return found["id"], False
        return self.add_unit(name), True

    def add_unit(self, name: str, kind: str | None = None, parent: str | None = None) -> int:
        name = clean(name) or ""
        slug = slugify(name)
        if not slug:
            raise CatalogError(f"a unit needs a name with letters or digits: {name!r}")
        if self.read.find_unit(name):
            raise CatalogError(f"unit already exists: {self.read.find_unit(name)['name']}")
        parent_id = self._unit_id(parent) if parent else None
        row = {
            "slug": slug,
            "name": name,
            "kind": clean(kind),
            "parent_id": parent_id,
            "created_at": now(),
        }
        return self.db["units"].insert(row).last_pk

    def update_unit(self, name: str, kind: str | None = None, parent: str | None = None) -> None:
        unit_id = self._unit_id(name)
        if kind is not None:
            self.db.execute("UPDATE units SET kind = ? WHERE id = ?", (clean(kind), unit_id))
        if parent is not None:
            parent_id = self._unit_id(parent)
            if unit_id in self._ancestors(parent_id):
                raise CatalogError(
                    f"{parent} is {name} or belongs to it: a unit cannot contain itself"
                )
            self.db.execute("UPDATE units SET parent_id = ? WHERE id = ?", (parent_id, unit_id))

    def _ancestors(self, unit_id: int) -> list[int]:
        """The unit and every unit above it, stopping at a loop an older version let in."""
        chain: list[int] = []
        while unit_id is not None and unit_id not in chain:
            chain.append(unit_id)
            row = self._one("SELECT parent_id FROM units WHERE id = ?", (unit_id,))
            unit_id = row["parent_id"] if row else None
        return chain

    def _unit_id(self, name: str) -> int:
        found = self.read.find_unit(name)
        if not found:
            hint = self.read.suggest_unit(name)
            raise CatalogError(
                f"no unit named {name!r}" + (f" (did you mean {hint!r}?)" if hint else "")
            )
        return found["id"]

    def add_alias(self, unit: str, alias: str) -> None:
        unit_id = self._unit_id(unit)
        alias = clean(alias) or ""
        existing = self.read.find_unit(alias)
        if existing and existing["id"] == unit_id:
            return
        if existing:
            raise CatalogError(f"{alias!r} already names another unit: {existing['name']}")
        self.db["unit_aliases"].insert({"unit_id": unit_id, "alias": alias, "slug": slugify(alias)})
        search.reindex_unit(self.db, unit_id)  # "UBND" must find the committee's photos

    def merge_units(self, source: str, target: str, refresh_lists: Callable[[int], None]) -> int:
        """Fold source into target: photos, events, aliases and its name follow it.

        refresh_lists rewrites a moved photo's ``units`` column (the photos
        repository's). Returns how many photos moved."""
        source_id, target_id = self._unit_id(source), self._unit_id(target)
        if source_id == target_id:
            raise CatalogError("cannot merge a unit into itself")
        old = self._one("SELECT * FROM units WHERE id = ?", (source_id,))
        photo_ids = [
            r["photo_id"]
            for r in self._all("SELECT photo_id FROM photo_units WHERE unit_id = ?", (source_id,))
        ]
        for table, key in (("photo_units", "photo_id"), ("event_units", "event_id")):
            self.db.execute(
                f"INSERT OR IGNORE INTO {table} ({key}, unit_id)"
                f" SELECT {key}, ? FROM {table} WHERE unit_id = ?",
                (target_id, source_id),
            )
            self.db.execute(f"DELETE FROM {table} WHERE unit_id = ?", (source_id,))
        self.db.execute(
            "UPDATE unit_aliases SET unit_id = ? WHERE unit_id = ?", (target_id, source_id)
        )
        # Children of the merged unit move to the target, never the target under itself.
        self.db.execute(
            "UPDATE units SET parent_id = CASE WHEN id = ? THEN ? ELSE ? END WHERE parent_id = ?",
            (target_id, old["parent_id"], target_id, source_id),
        )
        self.db.execute(
            "UPDATE events SET organizer_unit_id = ? WHERE organizer_unit_id = ?",
            (target_id, source_id),
        )
        self.db.execute("DELETE FROM units WHERE id = ?", (source_id,))
        self.db["unit_aliases"].insert(
            {"unit_id": target_id, "alias": old["name"], "slug": old["slug"]}
        )
        for photo_id in photo_ids:
            refresh_lists(photo_id)
        # The target's own photos gain the merged name as an alias, not only the moved ones.
        search.reindex_unit(self.db, target_id)
        return len(photo_ids)
