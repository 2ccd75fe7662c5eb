"""The bounded smart query gives the one-statement ranking's pages, on a synthetic district.

smart_sql and count_sql below state the ranking as one statement (what the
archive ran before its search was bounded); archive.search_rank computes the
same pages in bounded steps. Both run here
side by side on the same catalog (bench/synthetic.py) for queries with and
without diacritics, common and rare, several words, both tone placements:
pages 1-3, their order, match flags and the total must be identical.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from archive import search, search_rank
from bench import synthetic

QUERIES = [
    "rạch", "rach", "đường", "duong", "dương", "Dương Bá Trạc", "duong ba trac",
    "Uỷ ban phường", "Ủy ban phường", "uy ban phuong", "uỷ ban nhân dân", "ủy ban nhân dân",
    "UBND", "ubnd phuong 6", "UBND phường 6", "phường", "phuong", "phường 6", "phuong 6",
    "hoà giải", "hòa giải", "hoa giai", "Hoà Bình", "hòa bình", "hoa binh",
    "đảng ủy", "đảng uỷ", "dang uy", "Đảng ủy phường 1", "cán bộ đảng viên",
    "can bo dang vien", "05-CT/TW", "chỉ thị 05", "nghị quyết", "nghi quyet trung uong",
    "biểu dương", "bieu duong", "tuyên dương", "tuyen duong", "an toàn giao thông",
    "an toan giao thong", "đường Nguyễn Trãi", "duong nguyen trai", "Trần Hưng Đạo",
    "tran hung dao", "vệ sinh môi trường", "ve sinh", "chuyển đổi số", "chuyen doi so",
    "khu phố 3", "học sinh", "hoc sinh tieu hoc", "Âu Dương Lân", "au duong lan",
    "nhà văn hóa", "nha van hoa", "xyzzy", "đường dương",
]  # fmt: skip
PAGE = 25
SMART = search.SMART_TABLE


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> sqlite3.Connection:
    root = tmp_path_factory.mktemp("rank") / "archive"
    synthetic.build(root, 2000, seed=6)
    conn = sqlite3.connect(root / "catalog.db")
    conn.row_factory = sqlite3.Row
    return conn


# -- the one-statement ranking, the reference ------------------------------------


def smart_sql(
    query: search.SmartQuery, limit: int = 50, offset: int = 0
) -> tuple[str, dict[str, Any]]:
    """SQL and parameters for one page of results, best first.

    Order: the whole query written exactly as one phrase, then every word
    written exactly, then the folded phrase, then every word found in the
    photo's own text (not only its event's), then FTS5's bm25 (own text
    weighing three times the event's), then newest first. Returned as SQL so
    Datasette ran it on its own read-only connection, under its time limit.
    """
    params: dict[str, Any] = {
        "folded_words": query.folded_words(),
        "folded_phrase": query.folded_phrase(),
        "own_words": query.folded_words("folded_own"),
        "exact_words": query.exact_words(),
        "exact_phrase": query.exact_phrase(),
        "limit": limit,
        "offset": offset,
    }
    flags = "\n".join(
        f"p.id IN (SELECT rowid FROM {SMART} WHERE {SMART} MATCH :{name}) AS {name},"
        for name in ("exact_phrase", "exact_words", "folded_phrase", "own_words")
    )
    sql = f"""
        WITH hits AS (
          SELECT rowid AS id, bm25({SMART}, 0, 0, 3.0, 1.0) AS score FROM {SMART}
          WHERE {SMART} MATCH :folded_words {_strict_clause(query, params)}
        )
        SELECT {search.PHOTO_COLUMNS},
          {flags}
          hits.score AS score
        FROM hits JOIN photos p ON p.id = hits.id LEFT JOIN events e ON e.id = p.event_id
        ORDER BY exact_phrase DESC, exact_words DESC, folded_phrase DESC, own_words DESC,
          hits.score, p.taken_at DESC, p.id DESC
        LIMIT :limit OFFSET :offset"""
    return sql, params


def count_sql(query: search.SmartQuery) -> tuple[str, dict[str, Any]]:
    """SQL and parameters counting every result of the query."""
    params: dict[str, Any] = {"folded_words": query.folded_words()}
    sql = f"SELECT count(*) FROM {SMART} WHERE {SMART} MATCH :folded_words " + _strict_clause(
        query, params
    )
    return sql, params


def _strict_clause(query: search.SmartQuery, params: dict[str, Any]) -> str:
    strict = query.strict_words()
    if strict is None:
        return ""
    params["strict"] = strict
    return f"AND rowid IN (SELECT rowid FROM {SMART} WHERE {SMART} MATCH :strict)"


def _old(conn: sqlite3.Connection, query: search.SmartQuery, page: int) -> tuple[int, list]:
    count, count_params = count_sql(query)
    total = conn.execute(count, count_params).fetchone()[0]
    sql, params = smart_sql(query, PAGE, (page - 1) * PAGE)
    return total, [_key(row) for row in conn.execute(sql, params).fetchall()]


def _key(row: sqlite3.Row) -> tuple:
    return (row["id"], *(bool(row[f]) for f in search_rank.FLAGS), row["score"])


@pytest.mark.parametrize("typed", QUERIES)
def test_pages_one_to_three_are_the_one_statement_ranking(catalog, typed) -> None:
    query = search.parse(typed)
    for page in (1, 2, 3):
        total, rows = _old(catalog, query, page)
        assert total <= search_rank.RANK_LIMIT
        new = search_rank.run(catalog, search_rank.plan(query, PAGE, (page - 1) * PAGE))
        assert (new.total, new.more) == (total, False), typed
        assert [_key(row) for row in new.rows] == rows, (typed, page)


def test_the_synthetic_queries_find_something(catalog) -> None:
    """The comparison means something: most queries have hits, several more than a page."""
    totals = [_old(catalog, search.parse(q), 1)[0] for q in QUERIES]
    assert sum(1 for t in totals if t > 3 * PAGE) >= 15 and totals[QUERIES.index("xyzzy")] == 0


def _tiered(conn: sqlite3.Connection, query: search.SmartQuery, limit: int) -> list[tuple]:
    """Past the bound: every hit by its four flags (best first), then newest first; the first
    ``limit`` of them, as the one-statement ranking's flags say."""
    sql, params = smart_sql(query, -1, 0)
    rows = [_key(row)[:5] for row in conn.execute(sql, params).fetchall()]
    rows.sort(key=lambda r: (*(not flag for flag in r[1:]), -r[0]))
    return rows[:limit]


@pytest.mark.parametrize("typed", QUERIES)
def test_past_the_bound_pages_are_the_tiers_of_every_hit(catalog, typed, monkeypatch) -> None:
    """With the bound lowered under the hits, the tiered pages (flags skipped when no photo
    has them, as at a million photos) are those of the flags computed over every hit."""
    query = search.parse(typed)
    total, _ = _old(catalog, query, 1)
    bound = 60
    if total <= bound:
        pytest.skip(f"{total} hits: within the bound")
    monkeypatch.setattr(search_rank, "RANK_LIMIT", bound)
    expected = _tiered(catalog, query, bound)
    for page in (1, 2, 3):
        new = search_rank.run(catalog, search_rank.plan(query, PAGE, (page - 1) * PAGE))
        assert (new.total, new.more) == (bound, True), typed
        got = [_key(row)[:5] for row in new.rows]
        assert got == expected[(page - 1) * PAGE : page * PAGE], (typed, page)
