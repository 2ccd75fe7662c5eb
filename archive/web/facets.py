"""The photos table's units and tags facets, counted from the link tables.

Datasette's array facet unpacks every row's JSON (``json_each``) and then
de-duplicates whole rows: at a hundred thousand photos that is seconds and
"facet timed out". The catalog already keeps each photo's units and tags in
``photo_units`` and ``photo_tags`` (the JSON columns are their display copy,
written in the same transaction), indexed by photo and by unit or tag, so
this facet counts there: a photo counts once per unit linked to it, which is
what the array facet's de-duplication gives.

The facet is configured as ``linked: units`` (or ``tags``) in metadata.yml;
a ``?_facet_array=units`` typed in an address is turned into it by
:func:`facet_wrapper`, so old links keep working without the slow path. Its
values narrow with Datasette's own ``units__arraycontains=`` filter (the
same links as before); :func:`linked_filters` adds the indexed form of that
filter so SQLite can start from the link table instead of every row's JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode

from datasette.database import QueryInterrupted
from datasette.facets import Facet
from datasette.filters import FilterArguments

from archive.web import searched_facets
from archive.web.absolute_urls import tail_joiner
from archive.web.facet_paths import encoded_pair, kept_arguments, path_with_removed_args, quoted
from archive.web.facet_sql import LINKED_TYPE as TYPE
from archive.web.facet_sql import (
    LINKS,
    TABLE,
    linked_counts,
    linked_counts_among,
    run_counting,
)
from archive.web.pick_facet import only_picks_filter

# The shown photos' ids, read once for every linked facet of a page.
MATCHES = "archive_linked_matches"
# The whole table's counts, kept by the catalog's triggers (archive/kept_counts.py:
# units.photo_count is the unit's rows in photo_units), read instead of counted:
# the same numbers in the same order, without reading every link (10 ms at 100,000).
KEPT: dict[str, str] = {
    "units": "SELECT name AS value, photo_count AS count FROM units WHERE photo_count > 0"
    " ORDER BY photo_count DESC, name LIMIT {limit}",
}
# The same under "only picks" alone: units.pick_count is the unit's links to picks (m015).
KEPT_PICKS: dict[str, str] = {
    "units": "SELECT name AS value, pick_count AS count FROM units WHERE pick_count > 0"
    " ORDER BY pick_count DESC, name LIMIT {limit}",
}


class LinkedFacet(Facet):
    """Counts per unit (or tag) of the photos the table shows, from the link table."""

    type = TYPE

    async def facet_results(self) -> tuple[list[dict[str, Any]], list[str]]:
        results: list[dict[str, Any]] = []
        timed_out: list[str] = []
        if self.table != TABLE:
            return results, timed_out
        size = self.get_facet_size()
        wanted: dict[str, dict[str, Any]] = {}
        for source_and_config in self.get_configs():
            config = source_and_config["config"]
            column = config.get("column") or config["simple"]
            if column in LINKS:  # asked for twice (metadata and address): counted once
                wanted.setdefault(column, source_and_config)
        counted = await self._counted_together(list(wanted), size + 1)
        pairs = self.get_querystring_pairs()
        prefix = _added_prefix(self.request)
        for column, source_and_config in wanted.items():
            key = encoded_pair(f"{column}__arraycontains", "")
            added = tail_joiner(self.ds, self.request, prefix + key)
            rows = counted[column] if counted is not None else await self._counted(column, size + 1)
            if rows is None:
                timed_out.append(column)
                continue
            results.append(
                {
                    "name": column,
                    "type": "array",  # what the templates and scripts know it as
                    "results": [self.value(column, r, pairs, added) for r in rows[:size]],
                    "hideable": source_and_config["source"] != "metadata",
                    "toggle_url": self.ds.urls.path(
                        path_with_removed_args(self.request, {f"_facet_{TYPE}": column})
                    ),
                    "truncated": len(rows) > size,
                }
            )
        return results, timed_out

    async def _counted(self, column: str, limit: int) -> list[Any] | None:
        """One facet's rows from its own statement; None when it ran past the time limit."""
        try:
            found = await self._run(self.count_sql(column, limit))
        except QueryInterrupted:
            return None
        return list(found.rows)

    async def _counted_together(self, columns: list[str], limit: int) -> dict[str, list] | None:
        """Every facet's rows from one statement (one trip to a read thread, the table's
        matches read once); None for one statement a facet: a single facet, or a time-out.

        Under a search that statement is the one counting every facet of the page
        (archive/web/searched_facets.py)."""
        searched = await searched_facets.counted(self)
        if searched is not None:
            return {column: searched[TYPE, column] for column in columns}
        if len(columns) < 2:
            return None
        branches = " union all ".join(
            f"select {i} as facet, value, count from ({self.count_sql(column, limit, MATCHES)})"
            for i, column in enumerate(columns)
        )
        if MATCHES in branches:
            branches = f"with {MATCHES} as materialized (select id from ({self.sql})) {branches}"
        try:
            found = await self._run(branches)
        except QueryInterrupted:
            return None
        return searched_facets.rows_by_place(found.rows, columns)

    async def _run(self, sql: str) -> Any:
        return await run_counting(self, sql)

    def count_sql(self, column: str, limit: int, matches: str | None = None) -> str:
        """The counts of one facet: the kept counts when nothing narrows the table (else the
        whole link table); under "only picks", the units' kept pick counts (m015), the
        tags' picks' links (their partial index, m014). ``matches`` names a table of the
        shown photos' ids to read instead of the table's query."""
        unfiltered = self.sql.strip() == f"select * from [{TABLE}]" or " where " not in self.sql
        only_picks = only_picks_filter(self.request) and self.request.args.get("is_pick") == "1"
        if unfiltered and not only_picks and column in KEPT:
            return KEPT[column].format(limit=limit)
        if only_picks and column in KEPT_PICKS:
            return KEPT_PICKS[column].format(limit=limit)
        link = LINKS[column][0]
        if only_picks:
            source = f"{link} l INDEXED BY idx_{link}_picks"
            return linked_counts(column, limit, source, "WHERE l.is_pick = 1")
        if unfiltered:
            return linked_counts(column, limit, f"{link} l", "")
        return linked_counts_among(column, limit, matches or f"({self.sql})")

    def value(
        self, column: str, row: Any, pairs: list[tuple[str, str]], added: Callable[[str], str]
    ) -> dict[str, Any]:
        """One value; ``added`` makes its narrowing link from its encoded text (what
        ``path_with_added_args`` gives, from the address parsed once per facet)."""
        value = str(row["value"])
        key = f"{column}__arraycontains"
        selected = (key, value) in pairs
        if selected:
            toggle = self.ds.absolute_url(
                self.request, path_with_removed_args(self.request, {key: value})
            )
        else:
            toggle = added(quoted(value))
        return {
            "value": value,
            "label": value,
            "count": row["count"],
            "toggle_url": toggle,
            "selected": selected,
        }


def _added_prefix(request: Any) -> str:
    """The address a value's narrowing link starts with: the page's own arguments, parsed
    and re-encoded as ``path_with_added_args`` does (blank ones dropped), then ``?`` or
    ``&`` for the one added."""
    current = kept_arguments(request.query_string)
    return f"{request.path}?{current}&" if current else f"{request.path}?"


def linked_filters(request: Any, table: str) -> FilterArguments | None:
    """``units__arraycontains=X`` also as an indexed ``id IN (photos linked to X)``.

    Datasette keeps its own JSON condition (and its "units contains" line);
    this one has the same rows, since the JSON is written from the links, and
    lets SQLite read only the photos of that unit.
    """
    if table != TABLE:
        return None
    wheres: list[str] = []
    params: dict[str, str] = {}
    for column, (link, key, names) in LINKS.items():
        for i, value in enumerate(request.args.getlist(f"{column}__arraycontains")):
            name = f"linked_{column}_{i}"
            wheres.append(
                f"id IN (SELECT l.photo_id FROM {link} l JOIN {names} n ON n.id = l.{key}"
                f" WHERE n.name = :{name})"
            )
            params[name] = value
    return FilterArguments(wheres, params) if wheres else None


def retype(query_string: bytes, configured: frozenset[str] = frozenset()) -> bytes | None:
    """``_facet_array=units|tags`` as ``_facet_linked=``, and no ``_facet=`` of a column the
    metadata already facets (Datasette would show it twice); None when nothing changes."""
    if b"_facet" not in query_string:
        return None
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    changed = False
    kept = []
    for key, value in pairs:
        if key == "_facet_array" and value in LINKS:
            key, changed = f"_facet_{TYPE}", True
        elif key == "_facet" and value in configured:
            changed = True
            continue
        kept.append((key, value))
    return urlencode(kept).encode("latin-1") if changed else None


def configured_columns(datasette: Any, database: str) -> frozenset[str]:
    """The photos table's column facets its metadata lists (plain names, as ``- year``)."""
    table = datasette.table_metadata(database, TABLE) or {}
    return frozenset(f for f in table.get("facets", []) if isinstance(f, str))


def facet_wrapper(app: Any, datasette: Any) -> Any:
    """ASGI middleware: array facets of units and tags on the photos table become linked
    ones; a column facet asked for again in the address is asked for once."""

    async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
        parts = (scope.get("path") or "").rstrip("/").split("/")
        if (
            scope.get("type") == "http"
            and len(parts) >= 3
            and parts[-1] in (TABLE, f"{TABLE}.json")
        ):
            configured = configured_columns(datasette, parts[-2])
            query_string = retype(scope.get("query_string") or b"", configured)
            if query_string is not None:
                scope = {**scope, "query_string": query_string}
        await app(scope, receive, send)

    return wrapped
