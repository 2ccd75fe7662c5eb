"""One page of the smart search at bounded cost, whatever the archive's size.

The ranking stated in one statement (tests/test_search_rank.py keeps it as the
reference): every hit, four flags, bm25, sorted. At a million photos that statement cannot
finish in time: its strict filter (``rowid IN (… MATCH :strict)``) is run by
FTS5 as one lookup per hit, each re-running the folded MATCH, and a common
word has hundreds of thousands of hits to score and sort.

Here the same answer is asked in steps, each bounded:

- the hits are one FTS5 expression (folded words AND the strict words), so
  FTS5 merges doclists once. bm25 of that expression equals bm25 of the folded
  words alone: the strict words sit in the exact columns, whose weight is 0,
  and add exactly 0.0 to the score;
- the hits are counted up to :data:`RANK_LIMIT` + 1 only (FTS5 stops there);
- up to :data:`RANK_LIMIT` hits, the page is the old statement's page, with
  each flag's set taken within the hits (``(hits) AND (flag)``): the same
  photos, order, labels and total as that one statement;
- past it, the hits are ranked tier by tier (exact phrase, exact words, folded
  phrase, every word in the photo's own text: the old sort's four flags, in
  its order), newest photo first within a tier, each tier read with
  ``ORDER BY rowid DESC LIMIT`` so FTS5 stops when the page is full; only the
  first :data:`RANK_LIMIT` results are paged and the total is shown as
  "more than" that. Before the tiers, each flag is looked up alone, stopping
  at its first photo: a flag no photo has (an empty phrase of common words, a
  word typed without diacritics that is never written so) drops the tiers that
  need it and leaves every ``NOT`` of it out. Otherwise each empty tier makes
  FTS5 walk every hit through the flags' phrases (seconds at a million), to
  prove what the flag alone proves in a fraction of that; the pages are the same.

The steps are a generator of (sql, params) that is sent each answer's rows, so
the same plan runs on a sqlite3 connection (:func:`run`) and on Datasette's
read connection under its time limit (archive.web.search_page).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

from archive.search import PHOTO_COLUMNS, SMART_TABLE, SmartQuery, parse
from archive.sqlitedb import Database

# Hits ranked exactly as the one-statement ranking does (bm25 over all of them):
# scoring 10,000 hits takes tens of milliseconds; a million takes seconds.
RANK_LIMIT = 10_000

FLAGS = ("exact_phrase", "exact_words", "folded_phrase", "own_words")
# The old sort's flags, best first, leaving out what cannot be: a phrase
# written exactly has every word written exactly, and folds to the folded phrase.
TIERS = tuple(
    (ep, ew, fp, ow)
    for ep in (1, 0)
    for ew in (1, 0)
    for fp in (1, 0)
    for ow in (1, 0)
    if not ep or (ew and fp)
)

Step = tuple[str, dict[str, Any]]
Plan = Generator[Step, list[tuple], "Page"]


@dataclass(frozen=True)
class Page:
    """One page of results: rows as dicts (card columns, the four flags), and the total.

    ``more`` says the total is a floor: the query has more than ``total`` hits,
    and only the first ``total`` are paged.
    """

    total: int
    more: bool
    rows: list[dict[str, Any]]


def hits_expression(query: SmartQuery) -> str:
    """Every hit: each word folded, anywhere; and each word typed with diacritics, exactly."""
    strict = query.strict_words()
    folded = query.folded_words()
    return f"({folded}) AND ({strict})" if strict else folded


def flag_expressions(query: SmartQuery) -> dict[str, str]:
    return {
        "exact_phrase": query.exact_phrase(),
        "exact_words": query.exact_words(),
        "folded_phrase": query.folded_phrase(),
        "own_words": query.folded_words("folded_own"),
    }


def _count(expression: str, at_most: int) -> Step:
    sql = (
        f"SELECT count(*) FROM (SELECT rowid FROM {SMART_TABLE}"
        f" WHERE {SMART_TABLE} MATCH :match LIMIT :at_most)"
    )
    return sql, {"match": expression, "at_most": at_most}


def plan(query: SmartQuery, limit: int, offset: int) -> Plan:
    """The steps of one page (``limit`` rows from ``offset``, best first); returns the Page.

    ``limit < 0`` asks for every result in the exact ranking, whatever it costs.
    """
    hits = hits_expression(query)
    if limit < 0:  # every result (a selection made from a search): no time limit applies
        found = yield _ranked_sql(query, hits, -1, offset)
        return Page(len(found), False, _dicts(found))
    rows = yield _count(hits, RANK_LIMIT + 1)
    total = rows[0][0]
    if total <= RANK_LIMIT:
        found = yield _ranked_sql(query, hits, limit, offset)
        return Page(total, False, _dicts(found))
    offset = min(offset, RANK_LIMIT)
    limit = max(0, min(limit, RANK_LIMIT - offset))
    picked: list[tuple[int, tuple[int, ...]]] = []
    seen = 0
    flags = flag_expressions(query)
    empty: set[str] = set()
    for name in ("exact_words", "folded_phrase", "exact_phrase", "own_words"):
        if name == "exact_phrase" and empty & {"exact_words", "folded_phrase"}:
            empty.add(name)  # a phrase written exactly has its words, and folds to the phrase
            continue
        rows = yield _count(flags[name], 1)
        if not rows[0][0]:
            empty.add(name)
    flags = {name: e for name, e in flags.items() if name not in empty}
    for tier in TIERS:
        if len(picked) >= limit:
            break
        if any(tier[FLAGS.index(name)] for name in empty):
            continue
        expression = _tier_expression(hits, flags, tier)
        needed = offset + limit - seen
        rows = yield _count(expression, needed)
        size = rows[0][0]
        if size and seen + size > offset:
            start = max(0, offset - seen)
            ids = yield (
                f"SELECT rowid FROM {SMART_TABLE} WHERE {SMART_TABLE} MATCH :match"
                " ORDER BY rowid DESC LIMIT :limit OFFSET :offset",
                {"match": expression, "limit": limit - len(picked), "offset": start},
            )
            picked += [(photo_id, tier) for (photo_id,) in ids]
        seen += size
    if not picked:
        return Page(RANK_LIMIT, True, [])
    marks = ", ".join(f":id{i}" for i in range(len(picked)))
    found = yield (
        f"SELECT {PHOTO_COLUMNS} FROM photos p LEFT JOIN events e ON e.id = p.event_id"
        f" WHERE p.id IN ({marks})",
        {f"id{i}": photo_id for i, (photo_id, _) in enumerate(picked)},
    )
    by_id = {row["id"]: row for row in _dicts(found)}
    page = []
    for photo_id, tier in picked:
        row = by_id[photo_id]
        row.update(zip(FLAGS, tier, strict=True))
        row["score"] = None
        page.append(row)
    return Page(RANK_LIMIT, True, page)


def _tier_expression(hits: str, flags: dict[str, str], tier: tuple[int, ...]) -> str:
    """The hits with exactly these flags: (hits AND each flag set) NOT (any flag unset)."""
    having = " AND ".join(f"({e})" for name, e in flags.items() if tier[FLAGS.index(name)])
    # (A flag no photo has is left out of ``flags``: lacking it excludes nothing.)
    lacking = " OR ".join(f"({e})" for name, e in flags.items() if not tier[FLAGS.index(name)])
    expression = f"({hits})" + (f" AND {having}" if having else "")
    return f"({expression}) NOT ({lacking})" if lacking else expression


def _ranked_sql(query: SmartQuery, hits: str, limit: int, offset: int) -> Step:
    """The old statement's page (the one-statement reference), each MATCH run once.

    Each flag's set is taken within the hits, so it is no larger than they are.
    """
    params: dict[str, Any] = {"hits": hits, "limit": limit, "offset": offset}
    for name, expression in flag_expressions(query).items():
        params[name] = f"({hits}) AND ({expression})"
    flags = "\n".join(
        f"p.id IN (SELECT rowid FROM {SMART_TABLE} WHERE {SMART_TABLE} MATCH :{name}) AS {name},"
        for name in FLAGS
    )
    sql = f"""
        WITH hits AS MATERIALIZED (
          SELECT rowid AS id, bm25({SMART_TABLE}, 0, 0, 3.0, 1.0) AS score FROM {SMART_TABLE}
          WHERE {SMART_TABLE} MATCH :hits
        )
        SELECT {PHOTO_COLUMNS},
          {flags}
          hits.score AS score
        FROM hits JOIN photos p ON p.id = hits.id LEFT JOIN events e ON e.id = p.event_id
        ORDER BY exact_phrase DESC, exact_words DESC, folded_phrase DESC, own_words DESC,
          hits.score, p.taken_at DESC, p.id DESC
        LIMIT :limit OFFSET :offset"""
    return sql, params


def _dicts(rows: list[Any]) -> list[dict[str, Any]]:
    return [dict(row) for row in rows]


def run(conn: sqlite3.Connection, steps: Plan) -> Page:
    """Drive a plan on a sqlite3 connection (the catalog's, or a bench's own)."""

    def execute(sql: str, params: dict[str, Any]) -> list[sqlite3.Row]:
        cursor = conn.cursor()
        cursor.row_factory = sqlite3.Row
        return cursor.execute(sql, params).fetchall()

    try:
        step = next(steps)
        while True:
            step = steps.send(execute(*step))
    except StopIteration as done:
        return done.value


async def run_async(execute: Callable[[str, dict[str, Any]], Any], steps: Plan) -> Page:
    """Drive a plan with an awaitable ``execute`` (Datasette's ``db.execute``)."""
    try:
        step = next(steps)
        while True:
            step = steps.send(list((await execute(*step)).rows))
    except StopIteration as done:
        return done.value


def smart_search(db: Database, text: str, limit: int = 50, offset: int = 0) -> list[dict]:
    """Run the smart query on a catalog: one page of results, best first, as dicts.

    The page this module computes at bounded cost; ``limit=-1``
    means every result, ranked exactly (for a selection; no time limit there).
    """
    query = parse(text)
    if query is None:
        return []
    conn = db.conn if isinstance(db, Database) else db  # a catalog, or its bare connection
    return run(conn, plan(query, limit, offset)).rows
