"""A searched photos table's column facets, from the search's one counting statement.

Datasette's column facet counts each column (event, year, type, camera) with
its own statement, each wrapping the table's query: for a search, four
statements that each look the words up in the index and read every match
again, and four trips to a read thread. On the photos table of the catalog
under a search, every facet of the page is counted in one statement instead
(archive/web/searched_facets.py); here its rows become the column facets'
results.

Everything else is Datasette's: which columns (the metadata's and the
address's, in their order), the size, the labels of the event, each value's
link and whether it is chosen, "truncated" and "hideable". Without a search
(the whole table, "only picks", a filter) each column keeps its own
statement, which the catalog's kept counts and partial indexes answer
(archive/web/kept_facets.py, migration m013). A column the table lacks, or
a statement that runs past the facet time limit, sends the page back to
Datasette's own way, one statement a column.
tests/test_column_facets.py holds the results equal to Datasette's.
"""

from __future__ import annotations

from typing import Any

from archive.web import searched_facets
from archive.web.absolute_urls import tail_joiner
from archive.web.facet_paths import path_with_added_args, path_with_removed_args, quoted
from archive.web.searched_facets import COLUMN_TYPE


async def counted_together(facet: Any) -> tuple[list[dict[str, Any]], list[str]] | None:
    """The facet's results from the search's one statement, or None when Datasette's own
    way applies."""
    counted = await searched_facets.counted(facet)
    if counted is None:
        return None
    configs = facet.get_configs()
    size = facet.get_facet_size()
    pairs = facet.get_querystring_pairs()
    results = []
    for config in configs:
        column = config["config"].get("column") or config["config"]["simple"]
        rows = counted[COLUMN_TYPE, column]
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
