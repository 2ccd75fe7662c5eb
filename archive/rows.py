"""What every part of the one writer shares: rows as dicts, the clock, the error.

:class:`archive.catalog.Catalog` is assembled from mixins (units, galleries)
so each stays small; they all read through :class:`Rows`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlite_utils import Database


class CatalogError(Exception):
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
