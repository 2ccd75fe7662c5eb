"""Facets of a searched photos table counted over its newest matches, at most ``SAMPLE``.

A word in most captions matches most of the archive: at a million photos,
each facet of such a search (event, year, camera, type, units, tags, picks)
reads hundreds of thousands of rows, one to four seconds each even from
narrow covering indexes (measured with bench/bench_search.py's catalog), past
Datasette's one-second facet limit, so the page said "facets timed out" and
showed none. Counting exactly cannot fit that limit on a two-core machine.

So, as the smart search does with its floor, the facets of a search count
the ``SAMPLE`` matches most recently archived (the highest ids, which FTS5
gives in order without reading the rest: ``ORDER BY rowid DESC LIMIT``), and
the page says so in a line above them (:func:`sample_note`) whenever the
words match more than that. Up to ``SAMPLE`` matches the counts are exact,
since the sample is every match. The rows, their order and the total are
untouched: only statements that wrap the table's query in a facet's
``FROM (...)`` are changed, and the total keeps its own exact count.

The most recently archived rather than the newest taken: the taken order of
the matches needs every match looked up first (half a second a facet at a
million photos, measured), while the ids come straight from the index. In a
ward's archive the two are close: photos are archived after they are taken.
"""

from __future__ import annotations

import re
from typing import Any

from datasette.utils import escape_sqlite

from archive.i18n import number
from archive.search import FTS_TABLE
from archive.web.request_memo import peek, read_key

SAMPLE = 10_000
NOTE = (
    "Số đếm ở các nhóm dưới đây tính trên {sample} ảnh nhập kho gần nhất"
    " trong hơn {sample} ảnh tìm thấy."
)

_FTS = escape_sqlite(FTS_TABLE)
# Datasette's search condition (escaped words, or _searchmode=raw).
SEARCH = re.compile(
    rf"\(select rowid from {_FTS} where {_FTS} match (?P<match>escape_fts\(:search\)|:search)\)"
)
# A facet's statement: the table's query inside a FROM ( ... ).
WRAPPED = re.compile(r"\bfrom\s*\(\s*select\s.+?\sfrom photos\s+where\s", re.IGNORECASE | re.DOTALL)


def bounded(sql: str) -> str:
    """A facet statement over a search, counting its ``SAMPLE`` newest matches; else ``sql``."""
    if WRAPPED.search(sql) is None:
        return sql
    return SEARCH.sub(
        lambda m: (
            f"(select rowid from {_FTS} where {_FTS} match {m['match']}"
            f" order by rowid desc limit {SAMPLE})"
        ),
        sql,
    )


def index_count_sql(match: str) -> str:
    """The matches of a search counted in the index alone (``match``: how the words are bound)."""
    return f"select count(*) from {_FTS} where {_FTS} match {match}"


async def sample_note(database: Any, request: Any) -> str | None:
    """The line the table shows when its facets counted a sample; None when they are exact.

    The matches' exact count, when the page has read it already (a search alone: its
    total), answers without another trip to the database.
    """
    words = request.args.get("_search") if request is not None else None
    if not words or database is None:
        return None
    raw = request.args.get("_searchmode") == "raw"
    match = ":search" if raw else "escape_fts(:search)"
    counted = peek(read_key(database, index_count_sql(match), {"search": words}))
    if counted is not None:
        return _note(counted.first()[0])
    sql = (
        f"select count(*) from (select rowid from {_FTS} where {_FTS} match {match}"
        f" limit {SAMPLE + 1})"
    )
    try:
        found = (await database.execute(sql, {"search": words})).first()[0]
    except Exception:  # noqa: BLE001 (a broken raw expression: Datasette shows its own error)
        return None
    return _note(found)


def _note(matches: int) -> str | None:
    """The note for a search of that many matches: only past the sample."""
    return NOTE.format(sample=number(SAMPLE, lang="vi")) if matches > SAMPLE else None
