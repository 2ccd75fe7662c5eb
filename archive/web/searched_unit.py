"""The photos table searched with one unit chosen: its first page and its total, indexed.

With ``?_search=đường&units__arraycontains=Đảng ủy phường 1`` Datasette writes
its JSON condition (``:p0 in (select value from json_each(units))``), the
search and the link table's ``id IN`` of archive/web/facets.py. SQLite starts
from one of the two lists, reads every photo row of it for the JSON and
sorts them: at a million photos the first page passed the one-second SQL limit
(HTTP 400) and the total took five seconds.

**The first page.** When the words and the unit have so many photos that
the first page is found within ``WALK`` entries of the time index (from the
index's count of the words, the unit's kept ``units.photo_count`` and the
number of photos), it walks ``idx_photos_taken_order`` from the newest and
tests each photo's unit (a seek in the link table's key) and words (an FTS5
lookup by rowid), as archive/web/searched_table.py does for a search alone.
Otherwise the matches are few: it joins the unit's links to the words' index
and sorts those. Both keep Datasette's conditions, so the same rows in the
same order either way.

**The total.** Counted in the link table: the unit's links (its index), each
looked up in the list of the words' matches, without the JSON: the two hold
the same links, since the catalog's one writer writes the JSON column from
the links in the same transaction (archive/web/facets.py relies on that for
the facet; tests/test_table_facets.py holds it).
``count(DISTINCT ...)``: two units may share a name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from archive.search import FTS_TABLE

TABLE = "photos"
DENSE = 2_000
# Time-index entries a first page may read (each tests the unit and the words).
WALK = 10_000
_SEARCH = (
    rf"id in \(select rowid from {FTS_TABLE} where {FTS_TABLE} match"
    r" (?P<match>escape_fts\(:search\)|:search)\)"
)
_JSON = r":(?P<p>p\d+) in \(select value from json_each\(\"photos\"\.\"units\"\)\)"
_LINKED = (
    r"id IN \(SELECT l\.photo_id FROM photo_units l JOIN units n ON n\.id = l\.unit_id"
    r" WHERE n\.name = :linked_units_0\)"
)
# Datasette's clauses in its order: filters, then the search, then the plugins'.
WHERE = rf"{_JSON} and {_SEARCH} and {_LINKED}"
FIRST_PAGE = re.compile(
    rf"select (?P<columns>.+) from {TABLE} where (?P<where>{WHERE})"
    r" order by taken_order desc limit (?P<limit>\d+)",
    re.DOTALL,
)
COUNT = re.compile(rf"select count\(\*\) from {TABLE} where {WHERE} ")


def counted_in_links(sql: str) -> str:
    """The total of a search with one unit chosen, from the links; else ``sql``."""
    found = COUNT.fullmatch(sql)
    if found is None:
        return sql
    return (
        "select count(DISTINCT l.photo_id) from units n"
        " CROSS JOIN photo_units l INDEXED BY idx_photo_units_unit ON l.unit_id = n.id"
        " WHERE n.name = :linked_units_0 AND l.photo_id IN"
        f" (select rowid from {FTS_TABLE} where {FTS_TABLE} match {found['match']})"
    )


def in_index_order(sql: str) -> Plans | None:
    """The two plans of that first page and the counts that choose; None for other SQL."""
    found = FIRST_PAGE.fullmatch(sql)
    if found is None:
        return None
    match, limit, columns = found["match"], int(found["limit"]), found["columns"]
    json_param = found["p"]
    in_words = f"select 1 from {FTS_TABLE} where {FTS_TABLE} match {match} and rowid = p.id"
    in_unit = (
        "select 1 from photo_units l JOIN units n ON n.id = l.unit_id"
        " where l.photo_id = p.id and n.name = :linked_units_0"
    )
    walked = (
        f"select p.id from {TABLE} p indexed by idx_photos_taken_order"
        f" where exists ({in_unit}) and exists ({in_words})"
        f" and :{json_param} in (select value from json_each(p.units))"
        f" order by p.taken_order desc limit {limit}"
    )
    both = (
        "select l.photo_id from units n JOIN photo_units l ON l.unit_id = n.id"
        f" JOIN (select rowid AS r from {FTS_TABLE} where {FTS_TABLE} match {match}) f"
        " ON f.r = l.photo_id WHERE n.name = :linked_units_0"
    )
    return Plans(
        words=f"select count(*) from {FTS_TABLE} where {FTS_TABLE} match {match}",
        unit="select coalesce(max(photo_count), 0) from units where name = :linked_units_0",
        photos=f"select coalesce(max(id), 0) from {TABLE}",
        limit=limit,
        walk=(
            f"select {columns} from {TABLE} where id in ({walked})"
            f" order by taken_order desc limit {limit}"
        ),
        sort=(
            f"select {columns} from {TABLE} where id in ({both}) and {found['where']}"
            f" order by taken_order desc limit {limit}"
        ),
    )


@dataclass(frozen=True)
class Plans:
    """The statements of a search with one unit chosen; :meth:`choose` picks the plan."""

    words: str
    unit: str
    photos: str
    limit: int
    walk: str
    sort: str

    def choose(self, words: int, unit: int, photos: int) -> str:
        """Walk the time index while the expected walk is short; else sort the few matches."""
        if min(words, unit) < DENSE:
            return self.sort
        expected = self.limit * photos * photos / (words * unit)  # entries read, if independent
        return self.walk if expected <= WALK else self.sort
