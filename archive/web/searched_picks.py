"""The photos table searched under "only picks" (``is_pick=1``, or ``0``): first page and total.

With ``?_search=đường&is_pick=1`` Datasette writes its bound ``"is_pick" = :p0``,
the search, and archive/web/pick_facet.py's literal ``is_pick = 1``. SQLite then
looks up every match's row and sorts them: at a million photos the first page
passed the one-second SQL limit (HTTP 400), and the total was not computed.

As archive/web/searched_table.py does for a search alone, a dense search
(``DENSE`` matches, counted in the index) reads the table's picks newest first
from m013's partial index ``idx_photos_picks_taken`` (for ``is_pick = 0``, the
whole ``idx_photos_taken_order``) and keeps the first rows that match: the same
statement with a plan, so the same rows in the same order. The total is the
matches counted in the index less the other members of groups among them
(``is_pick = 0``, m014's partial index ``idx_photos_others``, a few rows); with
``is_pick=0``, those alone. No photo row is read.
"""

from __future__ import annotations

import re

from archive.search import FTS_TABLE

TABLE = "photos"
DENSE = 2_000
INDEX = {"1": "idx_photos_picks_taken", "0": "idx_photos_taken_order"}
_WHERE = (
    r"\"is_pick\" = :p\d+ and id in \(select rowid from photos_fts where photos_fts match"
    r" (?P<match>escape_fts\(:search\)|:search)\) and is_pick = (?P<value>[01])"
)
FIRST_PAGE = re.compile(
    rf"select (?P<columns>.+) from {TABLE} where (?P<where>{_WHERE})"
    r" order by taken_order desc limit (?P<limit>\d+)",
    re.DOTALL,
)
COUNT = re.compile(rf"select count\(\*\) from {TABLE} where (?P<where>{_WHERE}) ")


def counted_in_index(sql: str) -> str:
    """The total of a search under "only picks" from the picks' index; else ``sql``."""
    found = COUNT.fullmatch(sql)
    if found is None:
        return sql
    fts, match = FTS_TABLE, found["match"]
    others = (
        f"select count(*) from {TABLE} indexed by idx_photos_others where is_pick = 0"
        f" and id in (select rowid from {fts} where {fts} match {match})"
    )
    if found["value"] == "0":
        return others
    return f"select (select count(*) from {fts} where {fts} match {match}) - ({others})"


def in_index_order(sql: str) -> tuple[str, str] | None:
    """(words' count, ordered statement) for that first page; None for other SQL."""
    found = FIRST_PAGE.fullmatch(sql)
    if found is None:
        return None
    match, limit, where = found["match"], found["limit"], found["where"]
    ordered = (
        f"select {found['columns']} from {TABLE} where id in ("
        f"select id from {TABLE} indexed by {INDEX[found['value']]} where {where}"
        f" order by taken_order desc limit {limit}"
        f") order by taken_order desc limit {limit}"
    )
    return f"select count(*) from {FTS_TABLE} where {FTS_TABLE} match {match}", ordered
