"""What every part of the one writer shares: rows as dicts, the clock, the error.

:class:`archive.catalog.Catalog` is assembled from mixins (units, galleries)
so each stays small; they all read through :class:`Rows`.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from sqlite_utils import Database

from archive.errors import ArchiveError
from archive.records import PhotoFacts, SourceFile
from archive.text import clean


class CatalogError(ArchiveError):
    """A request the catalog cannot honour (unknown unit, name clash); one line for the user."""


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Rows:
    def __init__(self, db: Database) -> None:
        self.db = db

    def _one(self, sql: str, params: Any = ()) -> dict[str, Any] | None:
        cursor = self.db.execute(sql, params)
        row = cursor.fetchone()
        if row is None:
            return None
        return dict(zip([c[0] for c in cursor.description], row, strict=True))

    def _all(self, sql: str, params: Any = ()) -> list[dict[str, Any]]:
        cursor = self.db.execute(sql, params)
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


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
        camera=camera_name(facts.make, facts.model),
        year=year_of(facts.taken_at),
        original_name=basename(source.path),
        source_path=source.path,
        run_id=run_id,
        added_at=stamp,
        updated_at=stamp,
    )
    return row
