"""The statements that count the photos table's units, tags and "only picks" facets.

Each is written once here because two callers state it: the facet itself
(archive/web/facets.py, archive/web/pick_facet.py), over the table's query,
and a search's facets counted together (archive/web/searched_facets.py), over
the matches read once. The same text over the same photos gives the same rows.
"""

from __future__ import annotations

from typing import Any

TABLE = "photos"
# Column of photos -> (link table, its key column, table of names).
LINKS: dict[str, tuple[str, str, str]] = {
    "units": ("photo_units", "unit_id", "units"),
    "tags": ("photo_tags", "tag_id", "tags"),
}
LINKED_TYPE = "linked"  # metadata.yml: "- linked: units"
PICKS_TYPE = "picks"  # metadata.yml: "- picks: is_pick"
PICKS_COLUMN = "is_pick"


def linked_counts(column: str, limit: int, source: str, inside: str) -> str:
    """The photos of each unit (or tag) among the links of ``source``, most first.

    ``source`` is the link table (with an index to use, if any) as ``l``; ``inside``
    the condition on its rows, blank for all of them.
    """
    _, key, names = LINKS[column]
    return (
        f"SELECT n.name AS value, count(*) AS count FROM {source}"
        f" JOIN {names} n ON n.id = l.{key} {inside}"
        f" GROUP BY l.{key} ORDER BY count(*) DESC, n.name LIMIT {limit}"
    )


def linked_counts_among(column: str, limit: int, shown: str) -> str:
    """:func:`linked_counts` of the photos whose ids ``shown`` selects (a table or a query)."""
    link = LINKS[column][0]
    return linked_counts(
        column, limit, f"{link} l", f"WHERE l.photo_id IN (SELECT id FROM {shown})"
    )


def picks_counts_among(shown: str) -> str:
    """The picks (``1``) and the other near-duplicates (``0``) among the rows of ``shown``."""
    return (
        f"SELECT {PICKS_COLUMN} AS value, count(*) AS count FROM {shown}"
        f" WHERE {PICKS_COLUMN} IN (0, 1) GROUP BY {PICKS_COLUMN}"
    )


async def run_counting(facet: Any, sql: str) -> Any:
    """A facet's statement on its database, with the table's parameters, under the
    facet time limit (past it: Datasette's ``QueryInterrupted``)."""
    return await facet.ds.execute(
        facet.database,
        sql,
        facet.params,
        truncate=False,
        custom_time_limit=facet.ds.setting("facet_time_limit_ms"),
    )
