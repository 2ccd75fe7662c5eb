"""A searched photos table's facets, every kind counted in one statement.

A search's page shows three kinds of facet: the columns (event, year, type,
camera: archive/web/column_facets.py), the units and tags from the link tables
(archive/web/facets.py) and "only picks" (archive/web/pick_facet.py). Counted
kind by kind, that is three statements that each look the words up in the
index and read the matches again, and three trips to a read thread. Here the
matches are read once (a ``MATERIALIZED`` common table expression of their
ids and facet columns) and each facet counted from them in its own branch of
one ``UNION ALL``, with its own ``ORDER BY`` and ``LIMIT``: the rows each
facet's own statement gives (archive/web/facet_sql.py states those branches
for both).

Whichever facet of the page asks first runs the statement; the others take
their rows from it (once per request, archive/web/request_memo.py). Without a
search, on another table, with a column the table lacks, or when the
statement runs past the facet time limit, :func:`counted` says None and each
facet counts on its own, as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from datasette.database import QueryInterrupted
from datasette.facets import load_facet_configs
from datasette.utils import escape_sqlite

from archive.web.facet_sql import (
    LINKED_TYPE,
    LINKS,
    PICKS_COLUMN,
    PICKS_TYPE,
    TABLE,
    linked_counts_among,
    picks_counts_among,
    run_counting,
)
from archive.web.request_memo import once, read_key
from archive.web.site import is_catalog

MATCHES = "archive_matches"
COLUMN_TYPE = "column"

# A facet of the statement: (its type, its column).
Place = tuple[str, str]
K = TypeVar("K")


@dataclass(frozen=True)
class Wanted:
    """What a page's facets count: its columns, its linked facets, whether its picks."""

    columns: tuple[str, ...] = ()
    linked: tuple[str, ...] = ()
    picks: bool = False

    def places(self) -> list[Place]:
        """Each facet, in the order of the statement's branches (a row's ``facet``)."""
        return [
            *((COLUMN_TYPE, column) for column in self.columns),
            *((LINKED_TYPE, column) for column in self.linked),
            *([(PICKS_TYPE, PICKS_COLUMN)] if self.picks else []),
        ]

    def matched(self) -> list[str]:
        """The matches' columns the branches read."""
        ids = ["id"] if self.linked else []
        picks = [PICKS_COLUMN] if self.picks else []
        return list(dict.fromkeys([*ids, *picks, *self.columns]))


def wanted_of(configs: dict[str, list[dict[str, Any]]], known: set[str]) -> Wanted | None:
    """The facets Datasette's configs ask for (metadata and address), each once.

    None when a column facet names a column the table lacks: Datasette's own
    facet then says so. Linked facets other than units and tags are not the
    link tables' (LinkedFacet ignores them too); picks count where the column is.
    """

    def names(kind: str) -> list[str]:
        found = (
            c["config"].get("column") or c["config"].get("simple") for c in configs.get(kind, [])
        )
        return list(dict.fromkeys(name for name in found if name))

    columns = names(COLUMN_TYPE)
    if not set(columns) <= known:
        return None
    return Wanted(
        columns=tuple(columns),
        linked=tuple(name for name in names(LINKED_TYPE) if name in LINKS),
        picks=PICKS_COLUMN in names(PICKS_TYPE) and PICKS_COLUMN in known,
    )


def counting_sql(sql: str, wanted: Wanted, limit: int, labels: dict[str, str] | None = None) -> str:
    """One statement counting each wanted facet over the rows of ``sql``.

    Its rows are ``(facet, value, count, label)``: ``facet`` the place in
    :meth:`Wanted.places`; ``label`` a column's expression of ``value`` from
    ``labels`` (see :func:`label_expressions`), else NULL. A column facet
    counts its non-NULL values, most first, ties by value; the others are
    their facets' own statements over the matches (archive/web/facet_sql.py).
    """
    labels = labels or {}
    branches = []
    for place, (kind, column) in enumerate(wanted.places()):
        if kind == COLUMN_TYPE:
            name = escape_sqlite(column)
            branches.append(
                f"select *, {labels.get(column, 'null')} as label"
                f" from (select {place} as facet, {name} as value, count(*) as count"
                f" from {MATCHES} where {name} is not null group by {name}"
                f" order by count desc, value limit {limit})"
            )
            continue
        counts = (
            linked_counts_among(column, limit, MATCHES)
            if kind == LINKED_TYPE
            else picks_counts_among(MATCHES)
        )
        branches.append(f"select {place} as facet, value, count, null as label from ({counts})")
    read = ", ".join(escape_sqlite(column) for column in wanted.matched())
    return f"with {MATCHES} as materialized (select {read} from ({sql})) " + " union all ".join(
        branches
    )


def rows_by_place(rows: Any, places: list[K]) -> dict[K, list[Any]]:
    """A union of facets' rows, each ``facet`` an index into ``places``, split by facet."""
    counted: dict[K, list[Any]] = {place: [] for place in places}
    for row in rows:
        counted[places[row["facet"]]].append(row)
    return counted


async def label_expressions(database: Any, columns: list[str]) -> dict[str, str]:
    """Each column that points into a table with a label column (the event's title): the
    label of ``value`` as Datasette's ``expand_foreign_keys`` looks it up, as SQL."""
    foreign_keys = await database.foreign_keys_for_table(TABLE)
    labels = {}
    for column in columns:
        fk = next((fk for fk in foreign_keys if fk["column"] == column), None)
        label = fk and await database.label_column_for_table(fk["other_table"])
        if label:
            labels[column] = (
                f"(select {escape_sqlite(label)} from {escape_sqlite(fk['other_table'])}"
                f" where {escape_sqlite(fk['other_column'])} = value)"
            )
    return labels


async def counted(facet: Any) -> dict[Place, list[Any]] | None:
    """Every facet's rows of a searched photos table, from one statement run once per
    request; None where each facet counts on its own (see the module's docstring).

    The whole answer is shared by the page's facets (every one of them asks), so what
    they want, the labels and the statement are worked out once, by the first.
    """
    if (
        facet.table != TABLE
        or not facet.request.args.get("_search")
        or not is_catalog(facet.ds, facet.database)
    ):
        return None
    read = read_key(facet.ds.get_database(facet.database), facet.sql, facet.params)
    try:
        if read is None:  # parameters that cannot be a key: counted for this facet alone
            return await _count(facet)
        return await once(("archive_searched_facets", read), _count, facet)
    except QueryInterrupted:
        return None


async def _count(facet: Any) -> dict[Place, list[Any]] | None:
    """:func:`counted`'s work, once a request."""
    database = facet.ds.get_database(facet.database)
    known = set(await database.table_columns(TABLE))
    wanted = wanted_of(load_facet_configs(facet.request, facet.metadata), known)
    if wanted is None or not wanted.places():
        return None
    labels = await label_expressions(database, list(wanted.columns))
    sql = counting_sql(facet.sql, wanted, facet.get_facet_size() + 1, labels)
    return rows_by_place((await _run(facet, sql)).rows, wanted.places())


async def _run(facet: Any, sql: str) -> Any:
    """The one counting statement (apart from each facet's own, so a test can stop it)."""
    return await run_counting(facet, sql)
