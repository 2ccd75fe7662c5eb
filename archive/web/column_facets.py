"""A searched photos table's column facets counted in one statement.

Datasette's column facet counts each column (event, year, type, camera) with
its own statement, each wrapping the table's query: for a search, four
statements that each look the words up in the index and read every match
again, and four trips to a read thread. Here, on the photos table of the
catalog under a search, the matches' facet columns are read once (a
``MATERIALIZED`` common table expression) and each column counted from them,
its ``ORDER BY count desc, value LIMIT`` in its own branch of one
``UNION ALL``: the same rows for each column as its own statement gives.

Everything else is Datasette's: which columns (the metadata's and the
address's, in their order), the size, the labels of the event, each value's
link and whether it is chosen, "truncated" and "hideable". Without a search
(the whole table, "only picks", a filter) each column keeps its own
statement, which the catalog's kept counts and partial indexes answer
(archive/web/kept_facets.py, migration m013). A column the table lacks, or
one statement that runs past the facet time limit, sends the page back to
Datasette's own way, one statement a column.
tests/test_column_facets.py holds the results equal to Datasette's.
"""

from __future__ import annotations

from typing import Any

from datasette.database import QueryInterrupted
from datasette.utils import escape_sqlite, path_with_removed_args

from archive.web.absolute_urls import tail_joiner
from archive.web.facet_paths import path_with_added_args, quoted
from archive.web.site import is_catalog

TABLE = "photos"


def counting_sql(
    sql: str, columns: list[str], limit: int, labels: dict[str, str] | None = None
) -> str:
    """One statement counting each column's values over the rows of ``sql``, facet by facet.

    Its rows are ``(facet, value, count, label)``: ``facet`` the column's place in
    ``columns``; ``label`` from ``labels`` (a column's expression of ``value``, see
    :func:`label_expressions`), else NULL.
    """
    names = [escape_sqlite(column) for column in columns]
    labels = labels or {}
    branches = " union all ".join(
        f"select *, {labels.get(column, 'null')} as label"
        f" from (select {i} as facet, {name} as value, count(*) as count"
        f" from archive_matches where {name} is not null group by {name}"
        f" order by count desc, value limit {limit})"
        for i, (column, name) in enumerate(zip(columns, names, strict=True))
    )
    return (
        f"with archive_matches as materialized (select {', '.join(names)} from ({sql})) {branches}"
    )


def rows_by_facet(rows: Any, columns: list[str]) -> dict[str, list[Any]]:
    """A union of facets' rows, each ``facet`` a place in ``columns``, split by column."""
    counted: dict[str, list[Any]] = {column: [] for column in columns}
    for row in rows:
        counted[columns[row["facet"]]].append(row)
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


async def counted_together(facet: Any) -> tuple[list[dict[str, Any]], list[str]] | None:
    """The facet's results from one statement, or None when Datasette's own way applies."""
    search = facet.request.args.get("_search")
    if facet.table != TABLE or not search or not is_catalog(facet.ds, facet.database):
        return None
    configs = facet.get_configs()
    columns = [config["config"].get("column") or config["config"]["simple"] for config in configs]
    distinct = list(dict.fromkeys(columns))
    database = facet.ds.get_database(facet.database)
    known = set(await database.table_columns(TABLE))
    if len(distinct) < 2 or not set(distinct) <= known:
        return None
    size = facet.get_facet_size()
    labels = await label_expressions(database, distinct)
    try:
        found = await facet.ds.execute(
            facet.database,
            counting_sql(facet.sql, distinct, size + 1, labels),
            facet.params,
            truncate=False,
            custom_time_limit=facet.ds.setting("facet_time_limit_ms"),
        )
    except QueryInterrupted:
        return None
    counted = rows_by_facet(found.rows, distinct)
    pairs = facet.get_querystring_pairs()
    results = []
    for config, column in zip(configs, columns, strict=True):
        rows = counted[column]
        results.append(
            {
                "name": column,
                "type": facet.type,
                "hideable": config["source"] != "metadata",
                "toggle_url": facet.ds.urls.path(
                    path_with_removed_args(facet.request, {"_facet": column})
                ),
                "results": _values(facet, column, rows[:size], pairs),
                "truncated": len(rows) > size,
            }
        )
    return results, []


def _values(
    facet: Any, column: str, rows: list[Any], pairs: list[tuple[str, str]]
) -> list[dict[str, Any]]:
    """Each value of one column as Datasette's column facet lists it (a value with no
    label, its column pointing nowhere or its row missing there, shows as itself)."""
    labels = {(column, row["value"]): row["label"] for row in rows if row["label"] is not None}
    key = f"{column}__exact" if column.startswith("_") else column
    ds, request = facet.ds, facet.request
    # Every value's narrowing link is one address with the value's text at the end.
    added = tail_joiner(ds, request, str(ds.urls.path(path_with_added_args(request, {key: ""}))))
    values = []
    for row in rows:
        value = row["value"]
        selected = (key, str(value)) in pairs
        if selected:
            path = path_with_removed_args(request, {key: str(value)})
            toggle = ds.absolute_url(request, ds.urls.path(path))
        elif isinstance(value, bytes):
            toggle = ds.absolute_url(
                request, ds.urls.path(path_with_added_args(request, {key: value}))
            )
        else:
            toggle = added(quoted(str(value)))
        values.append(
            {
                "value": value,
                "label": labels.get((column, value), value),
                "count": row["count"],
                "toggle_url": toggle,
                "selected": selected,
            }
        )
    return values


def install() -> None:
    """Count a searched photos table's column facets together (once per process)."""
    from datasette.facets import ColumnFacet

    original = ColumnFacet.facet_results
    if getattr(original, "_archive_together", False):
        return

    async def facet_results(self: Any) -> Any:
        together = await counted_together(self)
        return together if together is not None else await original(self)

    facet_results._archive_together = True  # type: ignore[attr-defined]
    ColumnFacet.facet_results = facet_results  # type: ignore[method-assign]
