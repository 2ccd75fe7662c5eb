"""Which photos a gallery starts from: events, units, tags, a search, a date range.

Kept apart from the gallery rows because the command line builds one from
its options and the reader (:mod:`archive.reader`) turns it into SQL; nothing
here writes.
Different options narrow (AND); repeating one widens (OR): ``--unit A --unit
B --from 2024-01-01`` is "A or B, since 2024".
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from archive import search_rank
from archive.text import slugify


@dataclass(frozen=True)
class Selection:
    """The options of a selection, as typed (units and events resolved by the catalog)."""

    events: tuple[str, ...] = ()
    units: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    search: str | None = None
    date_from: str | None = None  # YYYY-MM-DD, inclusive
    date_to: str | None = None
    # One photo of each group of near-duplicates: a way to narrow, not a selection itself.
    picks_only: bool = False

    def is_empty(self) -> bool:
        return not any(v for k, v in asdict(self).items() if k != "picks_only")

    def as_json(self) -> str:
        """What a gallery was made from, kept with it for the record."""
        given = {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items() if v}
        return json.dumps(given, ensure_ascii=False, sort_keys=True)


def _marks(values: list[Any]) -> str:
    return ", ".join("?" * len(values))


def where(
    selection: Selection, db: Any, event_ids: list[int], unit_ids: list[int]
) -> tuple[list[str], list[Any]]:
    """SQL conditions on ``photos p`` and their parameters; empty when nothing was asked."""
    clauses: list[str] = []
    params: list[Any] = []
    if event_ids:
        clauses.append(f"p.event_id IN ({_marks(event_ids)})")
        params += event_ids
    if unit_ids:
        clauses.append(
            f"p.id IN (SELECT photo_id FROM photo_units WHERE unit_id IN ({_marks(unit_ids)}))"
        )
        params += unit_ids
    if selection.tags:
        slugs = [slugify(tag) for tag in selection.tags]
        clauses.append(
            "p.id IN (SELECT pt.photo_id FROM photo_tags pt JOIN tags t ON t.id = pt.tag_id"
            f" WHERE t.slug IN ({_marks(slugs)}))"
        )
        params += slugs
    if selection.search:
        ids = search_photo_ids(db, selection.search)
        clauses.append(f"p.id IN ({_marks(ids)})" if ids else "0")
        params += ids
    if selection.date_from:
        clauses.append("substr(p.taken_at, 1, 10) >= ?")
        params.append(selection.date_from)
    if selection.date_to:
        clauses.append("substr(p.taken_at, 1, 10) <= ?")
        params.append(selection.date_to)
    return clauses, params


def search_photo_ids(db: Any, query: str) -> list[int]:
    """Every photo the archive's smart search finds for query (all pages, not the first).

    The same rules as the search page: a word typed with diacritics must match
    as written (``đường`` is not ``dương``), one typed without matches every
    spelling that folds to it (``dang uy`` finds ``Đảng ủy``).
    """
    return [row["id"] for row in search_rank.smart_search(db, query, limit=-1)]
