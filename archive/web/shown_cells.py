"""The photos table's page renders the cells it shows, not every column of every row.

Datasette builds a cell for each column of each row (``render_cell`` through
pluggy, then its own formatting) before the template runs: 58 columns x 101
rows, near 6,000 cells, of which the reviewers' layout
(``_table-catalog-photos.html``) shows seven columns. For a search with few
matches that was most of the page: at a million photos, a rare word's page
took 70 ms of Python beside 25 ms of SQL (bench/bench_search.py).

So for that layout only, :func:`install` gives Datasette's
``display_columns_and_rows`` the shown columns (:data:`SHOWN`), each row seen
through them (:class:`ShownRow`: its cells are those columns, while
``render_cell`` can still read any column of it, as the thumbnail reads the
caption and the clip's length). The header list (every column: the sort menu
and the filters name them all) is built as before. The layout is the one the
template picks: the photos table of the archive's catalog, without ``_col``
or ``_nocol`` (those get Datasette's table of every cell); the request's
choice is kept in a context variable by :func:`shown_wrapper`, since
Datasette does not pass the request there. The JSON and CSV never go through
it, and the row page has its own binding of the function.

When the archive is the only plugin showing cells, the shown cells are built by
its cell functions directly (:func:`own_cells`), as Datasette's loop would with
that one ``render_cell``: the loop's hook call per cell (through pluggy, then an
await) was 40% of a rare word's page at a million photos (700 cells). A value
that would need Datasette's other cases (a link of its own, bytes, a unit of
measure) sends the page back through Datasette's loop.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Iterator
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qs

from datasette.plugins import pm
from datasette.utils import is_url, to_css_class
from markupsafe import Markup

from archive.web import cells, deferred_labels
from archive.web.html_text import escaped
from archive.web.site import Links, is_catalog
from archive.web.table_order import is_photos_table

TABLE = "photos"
# The plugins whose render_cell the archive knows: its own (the gallery one shows slugs only).
OWN_CELL_PLUGINS = frozenset({"archive", "archive_galleries"})
# The columns of _table-catalog-photos.html, in its order (tests hold the two equal).
SHOWN = ("thumb_path", "caption", "event_id", "units", "taken_at", "duration", "camera")
ROW_HTML = "archive_html"  # the attribute of a row own_cells made: its cells' HTML, SHOWN's order
_COMPACT = contextvars.ContextVar("archive_shown_cells", default=False)


def query_args(scope: dict[str, Any]) -> dict[str, list[str]]:
    """The request's arguments, read as Datasette's ``request.args`` reads them."""
    return parse_qs((scope.get("query_string") or b"").decode("latin-1"), keep_blank_values=True)


def all_columns_asked(args: dict[str, list[str]]) -> bool:
    """``_col`` or ``_nocol`` in the request."""
    return "_col" in args or "_nocol" in args


def shown_wrapper(app: Any) -> Any:
    """ASGI middleware: a photos table request without ``_col``/``_nocol`` shows SHOWN,
    and its HTML page labels only the rows' shown cells (:mod:`deferred_labels`)."""

    async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope.get("type") != "http" or not is_photos_table(scope.get("path") or ""):
            await app(scope, receive, send)
            return
        args = query_args(scope)
        compact = not all_columns_asked(args)
        token = _COMPACT.set(compact)
        deferral = (
            deferred_labels.defer()
            if compact and deferred_labels.is_html_page(scope, args)
            else None
        )
        try:
            await app(scope, receive, send)
        finally:
            if deferral is not None:
                deferred_labels.reset(deferral)
            _COMPACT.reset(token)

    return wrapped


class ShownRow:
    """A row whose cells are the shown columns; any column can still be read by name."""

    __slots__ = ("_row", "_at")

    def __init__(self, row: Any, at: list[int]) -> None:
        self._row, self._at = row, at

    def __iter__(self) -> Iterator[Any]:
        row = self._row
        return (row[i] for i in self._at)

    def __getitem__(self, key: Any) -> Any:
        return self._row[key]

    def keys(self) -> Any:
        return self._row.keys()


def row_cells(row: Any, shown: Any) -> Markup:
    """The ``<td>`` of a row's cells for the columns ``shown`` names, in its order.

    What the template's loop over the cells wrote, as one string: at 700 cells
    a page, Jinja's lookups and escapes per cell were a third of the render.
    Each text is escaped as the template's autoescape did (a cell's Markup stays).
    A row :func:`own_cells` made carries that string already, for :data:`SHOWN`.
    """
    made = getattr(row, ROW_HTML, None)
    if made is not None and tuple(item[0] for item in shown) == SHOWN:
        return Markup(made)
    by_column = {cell["column"]: cell for cell in row}
    cells_html = (by_column[item[0]] for item in shown if item[0] in by_column)
    return Markup("".join(_cell_html(cell) for cell in cells_html))


def rows_html(rows: Any, shown: Any) -> Markup:
    """Every row's ``<tr>`` with its :func:`row_cells`, as one string for the template.

    Each row in the template's loop was three pieces of output, and in Jinja's
    async mode every piece passes up through each template the page extends.
    """
    return Markup("\n".join(f"<tr>{row_cells(row, shown)}</tr>" for row in rows))


def _cell_html(cell: dict[str, Any]) -> str:
    """One cell's ``<td>``, its text escaped as the template's autoescape did."""
    return _td(cell["column"], cell["value_type"], escaped(cell["value"]))


def _td(column: str, value_type: str, html: str) -> str:
    """A ``<td>`` with the column's and the value's classes around HTML already escaped."""
    return f"{_cell_start(column, value_type)}{html}</td>"


@lru_cache(maxsize=1024)
def _cell_start(column: str, value_type: str) -> str:
    """A cell's ``<td>`` with its classes: the same few per column on every row."""
    return f'<td class="col-{escaped(to_css_class(column))} type-{escaped(value_type)}">'


def by_name(columns: Any) -> dict[str, Any]:
    """Datasette's display columns by name, for the headers of the shown ones."""
    return {column["name"]: column for column in columns}


def install() -> None:
    """Put the shown columns in front of Datasette's table cells (once per process).

    Imported here: the plugin is loaded while Datasette's views are still importing.
    """
    from datasette.views import table as table_view

    original = table_view.display_columns_and_rows
    if getattr(original, "_archive_shown", False):
        return

    async def display(
        datasette: Any,
        database_name: str,
        table_name: str,
        description: Any,
        rows: Any,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        labels = deferred_labels.kept() or {}
        if not _COMPACT.get() or table_name != TABLE or not is_catalog(datasette, database_name):
            rows = deferred_labels.labelled(rows, labels)
            return await original(
                datasette, database_name, table_name, description, rows, *args, **kwargs
            )
        at = [i for i, column in enumerate(description) if column[0] in SHOWN]
        shown = [description[i] for i in at]
        truncate = kwargs.get("truncate_cells", datasette.setting("truncate_cells_html"))
        if cells_are_own():
            shown_rows = [ShownRow(row, at) for row in rows]
            own = own_cells(datasette, database_name, shown, shown_rows, truncate, labels)
            if own is not None:
                columns, _ = await original(
                    datasette, database_name, table_name, description, [], *args, **kwargs
                )
                return columns, own
        # Every column's header, and the shown cells: at once, since each call
        # asks the database for the table's columns and keys.
        shown_rows = [ShownRow(row, at) for row in deferred_labels.labelled(rows, labels)]
        (columns, _), (_, found) = await asyncio.gather(
            original(datasette, database_name, table_name, description, [], *args, **kwargs),
            original(datasette, database_name, table_name, shown, shown_rows, *args, **kwargs),
        )
        return columns, found

    display._archive_shown = True  # type: ignore[attr-defined]
    table_view.display_columns_and_rows = display


def cells_are_own() -> bool:
    """Whether every installed ``render_cell`` is the archive's own."""
    return {i.plugin_name for i in pm.hook.render_cell.get_hookimpls()} <= OWN_CELL_PLUGINS


def own_cells(
    datasette: Any,
    database_name: str,
    shown: list[Any],
    rows: list[ShownRow],
    truncate: int,
    labels: deferred_labels.Labels,
) -> list[Any] | None:
    """The shown cells of each row as Datasette's loop makes them when the archive's
    ``render_cell`` is the only one; None when a value needs one of its other cases.

    A value with a label kept aside (the event's title) is the ``{"value", "label"}``
    Datasette's label step would have made of it. Datasette's first cell (a link to
    the row by its key) is left out: the layout shows no ``id`` column.
    """
    from datasette.views.table import Row  # the views import this plugin: imported here

    links = Links(datasette, database_name)
    names = [column[0] for column in shown]
    renders = [cells.html_renderer(TABLE, name) for name in names]
    units = (datasette.table_metadata(database_name, TABLE) or {}).get("units") or {}
    found = []
    for row in rows:
        made, html = [], {}
        for name, render, value in zip(names, renders, row, strict=True):
            if labels and value is not None and (name, value) in labels:
                value = {"value": value, "label": labels[(name, value)]}
            piece = render(links, row, value) if render is not None else None
            if piece:
                display = _markup(piece)
            else:  # Datasette's own cases, those the photos table meets
                if isinstance(value, (bytes, dict)) or name in units:
                    return None
                if value in ("", None):
                    display = piece = NBSP
                else:
                    display = str(value)
                    if is_url(display.strip()):
                        return None
                    if truncate and len(display) > truncate:
                        display = display[:truncate] + "\u2026"
                    piece = escaped(display)
            value_type = "none" if value is None else type(value).__name__
            made.append({"column": name, "value": display, "raw": value, "value_type": value_type})
            html[name] = _td(name, value_type, piece)
        shown_row = Row(made)
        setattr(shown_row, ROW_HTML, "".join(html[name] for name in SHOWN if name in html))
        found.append(shown_row)
    return found


NBSP = Markup("&nbsp;")


def _markup(html: str) -> Markup:
    """HTML already escaped, as markup without ``Markup.__new__`` (Python, which asks
    the text for ``__html__`` first): a page makes one per shown cell."""
    return str.__new__(Markup, html)
