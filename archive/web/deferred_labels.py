"""The photos table's page labels the rows it shows, not every column of every row.

Datasette labels a table's foreign keys (the photo's event by its title) by
rebuilding each row of the page: a new ``CustomRow`` of every column, each
value looked up against the labels. On the photos table that is 58 columns x
101 rows, about 6,000 lookups in Python: 7 ms a page, a sixth of a rare word's
table search, for the one label the reviewers' layout shows (the event).

So on that page (the HTML view whose cells :mod:`archive.web.shown_cells`
builds) the labels Datasette fetched are kept aside instead of applied: its
``expand_foreign_keys`` answers nothing once the view reaches its rows, after
its facets, so the rows stay as SQLite gave them, and :func:`labelled` applies
the kept labels where a cell is built: to the shown columns only in the
archive's own cells, to every column (as Datasette did) when the page goes
through Datasette's loop. The queries asked, the facets' labels and the
page's bytes are the same; tests/test_web_deferred_labels.py holds them equal.
The JSON and CSV (and any page that names its columns) label as Datasette does.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass, field
from typing import Any

TABLE = "photos"
Labels = dict[tuple[str, Any], str]


@dataclass
class Deferral:
    """One page's deferral: the catalog's name once the view has reached its rows, then
    their labels."""

    database: str | None = None
    labels: Labels = field(default_factory=dict)


_DEFERRAL: contextvars.ContextVar[Deferral | None] = contextvars.ContextVar(
    "archive_deferred_labels", default=None
)


def is_html_page(scope: dict[str, Any], query_args: dict[str, list[str]]) -> bool:
    """The photos table's HTML view: no ``.json``/``.csv``, no ``_format``."""
    return (scope.get("path") or "").rstrip("/").endswith(f"/{TABLE}") and (
        "_format" not in query_args
    )


def defer() -> contextvars.Token[Deferral | None]:
    """Keep this request's row labels aside (the caller resets the token when it ends)."""
    return _DEFERRAL.set(Deferral())


def reset(token: contextvars.Token[Deferral | None]) -> None:
    _DEFERRAL.reset(token)


def kept() -> Labels | None:
    """The labels kept aside for this page's rows; None when this page did not defer them."""
    deferral = _DEFERRAL.get()
    return deferral.labels if deferral is not None else None


def labelled(rows: list[Any], labels: Labels) -> list[Any]:
    """The rows as Datasette's label step makes them: a labelled value becomes
    ``{"value": …, "label": …}`` in a ``CustomRow``; rows without labels stay as they are."""
    if not labels:
        return rows
    from datasette.utils import CustomRow

    made = []
    for row in rows:
        columns = list(row.keys())  # a sqlite3.Row iterates its values, not its names
        new_row = CustomRow(columns)
        for column in columns:
            value = row[column]
            if value is not None and (column, value) in labels:
                new_row[column] = {"value": value, "label": labels[(column, value)]}
            else:
                new_row[column] = value
        made.append(new_row)
    return made


def install() -> None:
    """Wrap Datasette's label steps of the table view (once per process).

    The view asks ``expandable_columns`` once, after its facets and just before
    it labels its rows: that call arms the deferral, so the facets' own labels
    (the same ``expand_foreign_keys``, asked earlier) are never held back.
    """
    from datasette.app import Datasette
    from datasette.views.table import TableView

    from archive.web.site import is_catalog

    if getattr(TableView.expandable_columns, "_archive_deferred", False):
        return
    original_expandable = TableView.expandable_columns
    original_expand = Datasette.expand_foreign_keys

    async def expandable_columns(self: Any, database_name: str, table_name: str) -> Any:
        found = await original_expandable(self, database_name, table_name)
        deferral = _DEFERRAL.get()
        if deferral is not None and table_name == TABLE:
            deferral.database = database_name if is_catalog(self.ds, database_name) else None
        return found

    async def expand_foreign_keys(
        self: Any, database: str, table: str, column: str, values: Any
    ) -> Any:
        labels = await original_expand(self, database, table, column, values)
        deferral = _DEFERRAL.get()
        if deferral is None or (database, table) != (deferral.database, TABLE):
            return labels  # not armed (the facets' labels), or not the catalog's photos
        deferral.labels.update(labels)
        return {}

    expandable_columns._archive_deferred = True  # type: ignore[attr-defined]
    TableView.expandable_columns = expandable_columns  # type: ignore[method-assign]
    Datasette.expand_foreign_keys = expand_foreign_keys  # type: ignore[method-assign]
