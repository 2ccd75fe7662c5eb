"""What every repository of the catalog shares: its connection, its reads, the error.

Each repository (:mod:`archive.catalog.photos`, ``units``, ``events``, …)
holds the one ``sqlite_utils`` connection the :class:`~archive.catalog.Catalog`
facade was opened on, and reads through a :class:`~archive.reader.Reader` on
it. A repository that needs another's work gets it as an explicit
parameter when the facade builds it; none calls a sibling by inheritance.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from archive.errors import ArchiveError
from archive.reader import Reader
from archive.records import PhotoFacts, SourceFile
from archive.sqlitedb import Database
from archive.text import clean


class CatalogError(ArchiveError):
    """A request the catalog cannot honour (unknown unit, name clash); one line for the user."""


class Repository:
    """One table family's writer; rows are read through ``self.read`` (a Reader)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.read = Reader(db)

    def _one(self, sql: str, params: Any = ()) -> dict[str, Any] | None:
        return self.read.one(sql, params)

    def _all(self, sql: str, params: Any = ()) -> list[dict[str, Any]]:
        return self.read.all(sql, params)


class LinkingRepository(Repository):
    """A writer of photos that links units and tags, resolved through the facade's registries."""

    def __init__(
        self,
        db: Database,
        ensure_unit: Callable[[str], tuple[int, bool]],
        ensure_tag: Callable[[str], int],
    ) -> None:
        super().__init__(db)
        self.ensure_unit, self.ensure_tag = ensure_unit, ensure_tag


def camera_name(make: str | None, model: str | None) -> str | None:
    """One readable camera name: "Canon EOS 5D", not "Canon Canon EOS 5D"."""
    make, model = clean(make), clean(model)
    if make and model and model.casefold().startswith(make.split()[0].casefold()):
        return model
    return " ".join(part for part in (make, model) if part) or None


def year_of(taken_at: str | None) -> int | None:
    return int(taken_at[:4]) if taken_at and taken_at[:4].isdigit() else None


def basename(path: str) -> str:
    return path.replace("\\", "/").rsplit("/", 1)[-1]


def photo_row(facts: PhotoFacts, source: SourceFile, run_id: int, stamp: str) -> dict[str, Any]:
    """A new photo's row from its facts: the one place its derived columns are made.

    Both the photo-at-a-time writer and the bulk path build rows here, so
    ``camera``, ``year`` and the rest cannot differ between them.
    """
    row = asdict(facts)
    row["exif"] = json.dumps(row.pop("exif"), ensure_ascii=False, sort_keys=True)
    row.update(
        media_type=facts.media_type or "photo",
        camera=camera_name(facts.make, facts.model),
        year=year_of(facts.taken_at),
        original_name=basename(source.path),
        source_path=source.path,
        run_id=run_id,
        added_at=stamp,
        updated_at=stamp,
    )
    return row
