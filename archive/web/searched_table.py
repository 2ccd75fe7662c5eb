"""The photos table searched: its total counted in the index, its first page read in order.

**The total.**
Datasette counts a searched table as ``select count(*) from photos where id in
(select rowid from photos_fts where photos_fts match …)``: it builds the list
of every match, then looks each one up among the photos, whose rows are a few
kilobytes each. For a word in most captions at a million photos that is
seconds; counting the matches in ``photos_fts`` alone takes a tenth of it.
The two are the same number because the catalog's one writer indexes a photo
in the same transaction that writes it and removes it with it
(archive/search.py; tests/test_table_paging.py holds the two counts equal).

Only that exact statement, the one Datasette writes for ``?_search=`` with no
other condition, is replaced; any filter beside the search keeps Datasette's
own count.

**The first page.** Newest first, Datasette's query looks up every match and
sorts them all to keep 101: for a word in most captions, every photo. When
the matches are many (``DENSE``, counted in the index first), the page reads
the ``taken_order`` index from the newest and keeps the first 101 that match,
which for a common word is a few hundred index entries. Few matches are
sorted as before (a handful of rows). The same rows in the same order either
way: the order is the unique ``taken_order``.

:func:`install` puts both in front of the catalog database's ``execute`` when
the server starts, with the whole table's event facet read off the kept counts
(:mod:`archive.web.kept_facets`); every other statement passes unchanged.
"""

from __future__ import annotations

import re
from typing import Any

from datasette.utils import escape_sqlite

from archive.search import FTS_TABLE
from archive.web import searched_picks, searched_unit
from archive.web.bounded_facets import bounded, index_count_sql
from archive.web.kept_facets import read_kept
from archive.web.request_memo import SCHEMA_VERSION, once, read_key

TABLE, FTS_PK = "photos", "id"


def _rewrites() -> dict[str, str]:
    """Datasette's statement (its quoting, its trailing space) -> the index's count."""
    out = {}
    table, pk, fts = escape_sqlite(TABLE), escape_sqlite(FTS_PK), escape_sqlite(FTS_TABLE)
    for match in ("escape_fts(:search)", ":search"):  # escaped, and _searchmode=raw
        clause = f"{fts} match {match}"
        datasette_sql = (
            f"select count(*) from {table} where {pk} in (select rowid from {fts} where {clause}) "
        )
        out[datasette_sql] = index_count_sql(match)
    return out


REWRITES = _rewrites()
# Matches at which reading the index in order beats sorting them all.
DENSE = 2_000
# Time-index entries the first page may walk asking FTS5 photo by photo (see probed).
WALK = 10_000
FIRST_PAGE = re.compile(
    rf"select (?P<columns>.+) from {TABLE} where {FTS_PK} in"
    rf" \(select rowid from {FTS_TABLE} where {FTS_TABLE} match"
    r" (?P<match>escape_fts\(:search\)|:search)\) "
    r"order by taken_order desc limit (?P<limit>\d+)",
    re.DOTALL,
)


def in_index_order(sql: str) -> tuple[str, str] | None:
    """For Datasette's first page of a search, newest first: (count, ordered) statements."""
    found = FIRST_PAGE.fullmatch(sql)
    if found is None:
        return None
    match, limit = found["match"], found["limit"]
    count = f"select count(*) from {FTS_TABLE} where {FTS_TABLE} match {match}"
    ordered = (
        f"select {found['columns']} from {TABLE} where {FTS_PK} in ("
        f"select {FTS_PK} from {TABLE} indexed by idx_photos_taken_order"
        f" where {FTS_PK} in (select rowid from {FTS_TABLE} where {FTS_TABLE} match {match})"
        f" order by taken_order desc limit {limit}"
        f") order by taken_order desc limit {limit}"
    )
    return count, ordered


def probed(sql: str) -> str | None:
    """That first page walking the time index and asking FTS5 about each photo by rowid.

    For a word in most photos the walk stops within a few hundred entries, and
    no list of every match is built (at a million matches that list alone came
    near the one-second limit on a loaded machine). Used when the expected walk,
    ``limit * photos / matches``, is at most ``WALK``.
    """
    found = FIRST_PAGE.fullmatch(sql)
    if found is None:
        return None
    match, limit = found["match"], found["limit"]
    inner = (
        f"select p.{FTS_PK} from {TABLE} p indexed by idx_photos_taken_order where exists"
        f" (select 1 from {FTS_TABLE} where {FTS_TABLE} match {match} and rowid = p.{FTS_PK})"
        f" order by p.taken_order desc limit {limit}"
    )
    return (
        f"select {found['columns']} from {TABLE} where {FTS_PK} in ({inner})"
        f" order by taken_order desc limit {limit}"
    )


PHOTOS = f"select coalesce(max({FTS_PK}), 0) from {TABLE}"
# The index's count of a search's matches: read to choose the plan, then as the total.
COUNT = re.compile(rf"select count\(\*\) from {FTS_TABLE} where {FTS_TABLE} match \S+$")


def found_limit(sql: str) -> str:
    """The page size of a first page :data:`FIRST_PAGE` matched."""
    found = FIRST_PAGE.fullmatch(sql)
    return found["limit"] if found else "0"


def counted_in_index(sql: str) -> str:
    """The statement to run instead of ``sql`` (itself when it is not a search-only count)."""
    return REWRITES.get(sql, sql)


def install(database: Any) -> None:
    """Route the database's queries through the two rewrites (once per database).

    The class's own ``execute`` is looked up at each call, so whatever wraps
    Datasette's Database (a tracer, a test counting rows) still sees every query.
    """
    if getattr(database, "_archive_searched_table", False):
        return

    async def execute(sql: str, params: Any = None, *args: Any, **kwargs: Any) -> Any:
        own = type(database).execute

        async def run(_: Any, statement: str, values: Any, *more: Any, **options: Any) -> Any:
            """Reads a request makes twice (a search's count, the schema version) read once."""
            key = read_key(database, statement, values) if not more and not options else None
            if key is None or not (statement == SCHEMA_VERSION or COUNT.match(statement)):
                return await own(database, statement, values, *more, **options)
            return await once(key, own, database, statement, values)

        sql = searched_unit.counted_in_links(counted_in_index(read_kept(sql)))
        sql = bounded(searched_picks.counted_in_index(sql))
        ordered, dense = in_index_order(sql), DENSE
        if ordered is None:
            ordered, dense = searched_picks.in_index_order(sql), searched_picks.DENSE
        if ordered is not None:
            hits = (await run(database, ordered[0], params)).first()[0]
            walk = probed(sql)
            if walk is not None and hits >= dense:
                photos = (await run(database, PHOTOS, params)).first()[0]
                sql = walk if int(found_limit(sql)) * photos <= WALK * hits else ordered[1]
            elif hits >= dense:
                sql = ordered[1]
        with_unit = searched_unit.in_index_order(sql)
        if with_unit is not None:
            counts = [
                (await run(database, counting, params)).first()[0]
                for counting in (with_unit.words, with_unit.unit, with_unit.photos)
            ]
            sql = with_unit.choose(*counts)
        return await run(database, sql, params, *args, **kwargs)

    database.execute = execute
    database._archive_searched_table = True
