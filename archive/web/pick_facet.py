"""The photos table's "only picks" facet: one photo per group of near-duplicates.

Configured as ``picks: is_pick`` in metadata.yml. It offers two values, in
Vietnamese: "Chỉ ảnh chọn" (``is_pick = 1``: each group's pick and every photo
in no group) and "Ảnh gần giống khác" (the other members); choosing one adds
Datasette's own ``is_pick=1`` (or ``0``) filter, so the table, its JSON and its
CSV narrow alike.

Datasette's column facet would count ``is_pick`` over every row of the table:
a scan of a million photos on each unfiltered page. Unfiltered, this one
counts without reading ``photos``: the other members are the groups' sizes
less their picks (``photo_groups``, one row per group), and all photos are the
events' kept counts (``events.photo_count``) plus the photos of no event (a
seek in ``idx_photos_event``). Narrowed by a search or a filter, it counts the
rows the table shows, as Datasette's facets do, under the facet time limit.

Datasette writes the filter ``is_pick=1`` as ``"is_pick" = :p0``; SQLite cannot
use a partial index ``WHERE is_pick = 1`` for a bound parameter, so
:func:`picks_filters` adds the same condition as literal SQL (same rows): the
table's first page, its count and its year, camera and event facets then read the
partial indexes ``idx_photos_picks_*`` of migration m013.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from datasette.database import QueryInterrupted
from datasette.facets import Facet
from datasette.filters import FilterArguments

from archive.web import searched_facets
from archive.web.facet_paths import path_with_added_args, path_with_removed_args
from archive.web.facet_sql import PICKS_COLUMN as COLUMN
from archive.web.facet_sql import PICKS_TYPE as TYPE
from archive.web.facet_sql import TABLE, picks_counts_among, run_counting

LABELS = {1: "Chỉ ảnh chọn", 0: "Ảnh gần giống khác"}

UNFILTERED_SQL = """WITH kept AS (SELECT
      (SELECT coalesce(sum(photo_count), 0) FROM events)
        + (SELECT count(*) FROM photos WHERE event_id IS NULL) AS total,
      (SELECT coalesce(sum(size - 1), 0) FROM photo_groups) AS others)
    SELECT 1 AS value, total - others AS count FROM kept
    UNION ALL SELECT 0, others FROM kept"""


class PicksFacet(Facet):
    """Counts of picks and of the other near-duplicates among the photos the table shows."""

    type = TYPE

    async def suggest(self) -> list[dict[str, Any]]:
        return []  # configured in metadata.yml, never suggested

    async def facet_results(self) -> tuple[list[dict[str, Any]], list[str]]:
        results: list[dict[str, Any]] = []
        timed_out: list[str] = []
        configs = [c for c in self.get_configs() if self._column(c) == COLUMN]
        if self.table != TABLE or not configs:
            return results, timed_out
        searched = await searched_facets.counted(self)
        if searched is not None and (TYPE, COLUMN) in searched:
            rows = searched[TYPE, COLUMN]  # a search's: counted with every facet of its page
        else:
            try:
                rows = (await self._run(self.count_sql())).rows
            except QueryInterrupted:
                return results, [COLUMN]
            except sqlite3.OperationalError:
                return results, timed_out  # a catalog from before migration m010: no groups
        counts = {row["value"]: row["count"] for row in rows}
        if only_picks_filter(self.request):  # the kept counts of both; the table shows one
            counts = {v: c for v, c in counts.items() if str(v) == self.request.args[COLUMN]}
        pairs = self.get_querystring_pairs()
        results.append(
            {
                "name": COLUMN,
                "type": TYPE,
                "results": [
                    self.value(value, counts.get(value) or 0, pairs)
                    for value in (1, 0)
                    if counts.get(value) or (COLUMN, str(value)) in pairs
                ],
                "hideable": configs[0]["source"] != "metadata",
                "toggle_url": self.ds.urls.path(
                    path_with_removed_args(self.request, {f"_facet_{TYPE}": COLUMN})
                ),
                "truncated": False,
            }
        )
        return results, timed_out

    async def _run(self, sql: str) -> Any:
        return await run_counting(self, sql)

    @staticmethod
    def _column(source_and_config: dict[str, Any]) -> str | None:
        config = source_and_config["config"]
        return config.get("column") or config.get("simple")

    def count_sql(self) -> str:
        """The two counts; from the kept figures when nothing (but this facet) narrows."""
        unfiltered = self.sql.strip() == f"select * from [{TABLE}]" or " where " not in self.sql
        if unfiltered or only_picks_filter(self.request):
            return UNFILTERED_SQL
        return picks_counts_among(f"({self.sql})")

    def value(self, value: int, count: int, pairs: list[tuple[str, str]]) -> dict[str, Any]:
        arg = {COLUMN: str(value)}
        selected = (COLUMN, str(value)) in pairs
        path = (path_with_removed_args if selected else path_with_added_args)(self.request, arg)
        return {
            "value": value,
            "label": LABELS[value],
            "count": count,
            "toggle_url": self.ds.absolute_url(self.request, path),
            "selected": selected,
        }


def only_picks_filter(request: Any) -> bool:
    """Whether the table is narrowed by ``is_pick=`` alone (no search, no other filter)."""
    narrowing = [k for k in request.args if not k.startswith("_") or k in ("_search", "_where")]
    return narrowing == [COLUMN] and len(request.args.getlist(COLUMN)) == 1


def picks_filters(request: Any, table: str) -> FilterArguments | None:
    """``is_pick=1`` (or ``0``) also as the literal ``is_pick = 1``: the same rows, indexed."""
    value = request.args.get(COLUMN) if table == TABLE else None
    if value not in ("0", "1"):
        return None
    return FilterArguments([f"{COLUMN} = {int(value)}"])


def combined(*found: FilterArguments | None) -> FilterArguments | None:
    """Several plugins' filter arguments as the one a hook may return."""
    present = [f for f in found if f is not None]
    if not present:
        return None
    if len(present) == 1:
        return present[0]
    return FilterArguments(
        [w for f in present for w in f.where_clauses],
        {k: v for f in present for k, v in (f.params or {}).items()},
        [d for f in present for d in (f.human_descriptions or [])],
    )
