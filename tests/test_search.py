"""Search the way Vietnamese reviewers type: the photos table's search box and the smart search.

Both are asked through Datasette's own client, on an archive ingested through
the real command line (tests/web_archive.py: the example plus events made for
the cases search must tell apart).
"""

from __future__ import annotations

import random
import sqlite3
from urllib.parse import parse_qsl, quote, urlencode

import pytest
from datasette.database import Database, QueryInterrupted
from datasette.utils import escape_fts

from archive import search, search_rank
from archive.db import open_catalog
from archive.web.table_search import tidy_query
from tests import web_archive
from tests.web_archive import datasette, found_ids, get

EXAMPLE_PHOTOS = {1, 2, 3, 4, 5}  # ids of the bundled example, ingested first
ALL_PHOTOS = 16


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> web_archive.ReviewArchive:
    work = tmp_path_factory.mktemp("search")
    built = web_archive.build(work / "archive", work / "sources")
    assert {built.id(name) for name in built.ids if name.startswith("IMG_")} == EXAMPLE_PHOTOS
    return built


def table_search(ds, built, query: str) -> set[int]:
    return found_ids(get(ds, f"/catalog/photos.json?_shape=array&_size=max&_search={query}"))


def smart(ds, query: str) -> dict:
    response = get(ds, f"/-/search.json?q={query}")
    assert response.status_code == 200, response.text
    return response.json()


def expected(built: web_archive.ReviewArchive, *names: str) -> set[int]:
    return {built.id(name) for name in names}


# The table, row by row: what is typed, what must be found (exactly these photos).
DANG_UY = ["dang uy", "Đảng ủy", "ĐẢNG UỶ", "đảng uỷ"]


@pytest.mark.parametrize("endpoint", ["table", "smart"])
@pytest.mark.parametrize("typed", DANG_UY)
def test_dang_uy_however_typed_finds_both_tone_placements(built, ds, endpoint, typed) -> None:
    found = table_search(ds, built, typed) if endpoint == "table" else _smart_ids(ds, typed)
    # a.jpg says "Đảng ủy", b.jpg "Đảng uỷ"; the example's event text and unit name it too.
    assert found == expected(built, "a.jpg", "b.jpg") | EXAMPLE_PHOTOS
    assert built.captions[built.id("a.jpg")].startswith("Đảng ủy")
    assert "Đảng uỷ" in built.captions[built.id("b.jpg")]


@pytest.mark.parametrize("endpoint", ["table", "smart"])
def test_cong_an_finds_the_police_cell(built, ds, endpoint) -> None:
    found = table_search(ds, built, "cong an") if endpoint == "table" else _smart_ids(ds, "cong an")
    police = {pid for pid, c in built.captions.items() if c == "Chi bộ Công an phường"}
    assert police and police <= found
    # Every word, anywhere, folded: "Công nhân in ấn" has both; nothing else does.
    assert found == police | expected(built, "f.jpg")


@pytest.mark.parametrize("endpoint", ["table", "smart"])
def test_nguyen_gia_thieu_by_caption_or_by_unit(built, ds, endpoint) -> None:
    typed = "nguyen gia thieu"
    found = table_search(ds, built, typed) if endpoint == "table" else _smart_ids(ds, typed)
    by_caption = {pid for pid, c in built.captions.items() if c and "Nguyễn Gia Thiều" in c}
    by_unit_only = expected(built, "g.jpg")  # "Học sinh khối 9 trồng cây xanh"
    assert "Nguyễn" not in built.captions[built.id("g.jpg")]
    assert web_archive.units_of(built, built.id("g.jpg")) == ["Trường THCS Nguyễn Gia Thiều"]
    assert len(by_caption) == 2
    assert found == by_caption | by_unit_only


@pytest.mark.parametrize("endpoint", ["table", "smart"])
def test_directive_number_finds_events_citing_it_in_title_or_description(
    built, ds, endpoint
) -> None:
    found = (
        table_search(ds, built, "05-CT/TW") if endpoint == "table" else _smart_ids(ds, "05-CT/TW")
    )
    cited_in_title = EXAMPLE_PHOTOS
    cited_in_description = expected(built, "g.jpg", "h.jpg", "i.jpg")
    assert found == cited_in_title | cited_in_description


def _smart_ids(ds, typed: str) -> set[int]:
    return {row["id"] for row in smart(ds, typed)["results"]}


# -- the smart search: exact before folded, diacritics mean what they say --------


def test_typed_with_diacritics_finds_only_that_word(built, ds) -> None:
    road, name = built.id("c.jpg"), built.id("d.jpg")  # "Con đường…", "Chị Lê Thị Dương…"
    assert _smart_ids(ds, "đường") == {road}
    assert _smart_ids(ds, "dương") == {name}
    assert _smart_ids(ds, "ĐƯỜNG") == {road}
    assert _smart_ids(ds, "duong") == {road, name}


def test_exact_matches_rank_above_folded_ones(built, ds) -> None:
    police = next(pid for pid, c in built.captions.items() if c == "Chi bộ Công an phường")
    printers = built.id("f.jpg")  # "Công nhân in ấn…": "công" exact, "an" only folded (ấn)
    for typed in ("Công an", "cong an"):
        results = smart(ds, typed)["results"]
        assert [r["id"] for r in results] == [police, printers], typed
    kinds = [r["match"] for r in smart(ds, "Công an")["results"]]
    assert kinds == ["exact_phrase", "folded_words"]


def test_either_tone_placement_is_an_exact_match(built, ds) -> None:
    for typed in ("Đảng uỷ", "đảng ủy", "ĐẢNG ỦY"):
        results = smart(ds, typed)["results"]
        assert {r["match"] for r in results} == {"exact_phrase"}, typed
        # The photos whose own caption says it come before those whose event text does.
        assert {r["id"] for r in results[:2]} == expected(built, "a.jpg", "b.jpg"), typed


def test_smart_search_page_counts_and_pages(built, ds) -> None:
    data = smart(ds, "dang uy")
    assert data["total"] == 7 and data["pages"] == 1 and data["next_url"] is None
    assert [w["exact_only"] for w in data["words"]] == [False, False]
    assert smart(ds, "Đảng uy")["words"][0] == {
        "word": "đảng",
        "folded": "dang",
        "exact_only": True,
    }
    empty = smart(ds, "  ?! ")
    assert (empty["total"], empty["results"]) == (0, [])
    html = get(ds, "/-/search?q=cong+an").text
    assert "Tìm thấy <strong>2</strong> ảnh" in html and "Chi bộ Công an phường" in html


# -- whatever is typed or put in the address: a page, never an error -----------------

NO_WORD = ["", " ", '"', '""', '" "', "?!", "(", ")", "*", "-", "^", ":", "\x00", "\n"]
FTS_SYNTAX = ['"dang uy"', '"dang', 'uy"', "dang*", "-dang", "dang AND uy", "(dang", "dang)",
              "dang OR", "NEAR(dang uy)", "dang:uy", 'x"\n"', '"a\nb"', "a\x00b"]  # fmt: skip


@pytest.mark.parametrize("typed", NO_WORD)
def test_a_table_search_without_a_word_shows_the_whole_table(ds, typed) -> None:
    data = get(ds, f"/catalog/photos.json?_size=0&_search={quote(typed)}").json()
    assert data["filtered_table_rows_count"] == ALL_PHOTOS, typed
    html = get(ds, f"/catalog/photos?_search={quote(typed)}")
    assert html.status_code == 200 and "Invalid SQL" not in html.text, typed
    assert ("không có chữ hay số nào" in html.text) == bool(typed.strip()), typed


@pytest.mark.parametrize("typed", FTS_SYNTAX)
def test_fts_syntax_in_the_table_search_is_searched_as_text(ds, typed) -> None:
    for path in ("/catalog/photos.json?_shape=array", "/catalog/photos?_sort=caption"):
        response = get(ds, f"{path}&_search={quote(typed)}")
        assert response.status_code == 200, (path, typed, response.text[:300])
    assert len(get(ds, f"/catalog/photos.json?_shape=array&_search={quote(typed)}").json()) < 8


def test_no_typed_text_makes_an_invalid_match_expression() -> None:
    """Whatever survives the request's tidying, Datasette's escape_fts turns into valid FTS5."""
    conn = sqlite3.connect(":memory:")
    conn.create_function("escape_fts", 1, escape_fts)
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(a, tokenize = 'unicode61 remove_diacritics 2')")
    conn.execute("INSERT INTO t VALUES ('đảng ủy and or not near')")
    pieces = ['"', "*", "-", "(", ")", ":", "^", "+", " ", "\n", "\r", "\x00", "\t", "AND", "OR",
              "NOT", "NEAR", "dang", "đ", "{", "}", ",", "."]  # fmt: skip
    rng = random.Random(6)
    for _ in range(5000):
        typed = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        tidied = tidy_query(urlencode({"_search": typed}).encode())
        value = typed if tidied is None else dict(parse_qsl(tidied[0].decode())).get("_search")
        if value is not None:
            conn.execute("SELECT rowid FROM t WHERE t MATCH escape_fts(?)", [value])


def test_a_very_long_search_is_refused_in_vietnamese_without_sql(ds) -> None:
    limit = search.MAX_QUERY_CHARS
    for typed in ("a" * 20_000, "a " * 10_000, "đ" * (limit + 1)):
        for path in (
            f"/-/search.json?q={quote(typed)}",
            f"/catalog/photos.json?_search={quote(typed)}",
        ):
            response = get(ds, path)
            assert response.status_code == 400, path[:40]
            error = response.json()["error"]
            assert error.startswith("Từ khóa tìm kiếm dài quá") and f"tối đa {limit} ký tự" in error
            assert "select" not in response.text.lower() and "match" not in response.text.lower()
    page = get(ds, f"/-/search?q={'a' * 20_000}")
    assert page.status_code == 400 and "Từ khóa tìm kiếm dài quá" in page.text
    assert f'maxlength="{limit}"' in page.text and f"Gõ tối đa {limit} ký tự" in page.text
    assert smart(ds, "a" * limit)["total"] == 0  # at the limit: searched


def test_a_search_out_of_time_is_a_400_without_its_sql(ds, monkeypatch) -> None:
    execute = Database.execute

    async def slow(self: Database, sql: str, *args, **kwargs):
        if search.SMART_TABLE in sql:
            raise QueryInterrupted(sqlite3.OperationalError("interrupted"), sql, args)
        return await execute(self, sql, *args, **kwargs)

    monkeypatch.setattr(Database, "execute", slow)
    for path in ("/-/search.json?q=dang+uy", "/-/search?q=dang+uy"):
        response = get(ds, path)
        assert response.status_code == 400, path
        text = response.json()["error"] if ".json" in path else response.text
        assert "mất quá nhiều thời gian" in text, path
        assert search.SMART_TABLE not in response.text and "MATCH" not in response.text, path


def test_a_search_page_past_the_last_shows_the_last(ds) -> None:
    first = smart(ds, "dang")
    for page in ("99999999999999999999", "9" * 5000, "2"):
        data = smart(ds, f"dang&page={page}")
        assert (data["page"], data["pages"]) == (1, 1) and data["results"] == first["results"]
    for page in ("abc", "0", "-5"):
        response = get(ds, f"/-/search.json?q=dang&page={page}")
        assert response.status_code == 400, page
        assert response.json()["error"].startswith("Số trang không hợp lệ"), page


# -- the index itself ---------------------------------------------------------------


def test_query_words_split_as_the_index_splits_them() -> None:
    query = search.parse("Đảng Uỷ  05-CT/TW")
    assert [(w.exact, w.folded, w.strict) for w in query.words] == [
        ("đảng", "dang", True),
        ("ủy", "uy", True),
        ("05", "05", False),
        ("ct", "ct", False),
        ("tw", "tw", False),
    ]
    assert search.parse("") is None and search.parse(" - / ") is None


def test_an_archive_from_before_the_smart_index_gets_it_on_open(archive) -> None:
    """m003 builds the new index for photos ingested before it existed."""
    archive.ingest(str(web_archive.EXAMPLES))
    db = open_catalog(archive.root / "catalog.db")
    db.execute(f"DROP TABLE {search.SMART_TABLE}")
    db.execute("DELETE FROM _sqlite_migrations WHERE name = 'm003_search_exact_words'")
    db.conn.commit()
    upgraded = open_catalog(archive.root / "catalog.db")
    assert upgraded[search.SMART_TABLE].count == 5
    rows = search_rank.smart_search(upgraded, "Công an")
    assert [r["caption"] for r in rows] == ["Chi bộ Công an phường"]


def test_the_index_follows_the_catalog_when_units_merge(archive) -> None:
    archive.ingest(str(web_archive.EXAMPLES))
    assert len(search_rank.smart_search(archive.catalog().db, "Công an")) == 1
    archive.run("units", "merge", "Bộ phận văn thư phường 6", "Chi bộ Công an phường")
    rows = search_rank.smart_search(archive.catalog().db, "Công an")
    assert {r["caption"] for r in rows} == {
        "Chi bộ Công an phường",
        "Cán bộ văn thư học tập Chủ đề năm 2018 tại góc làm việc",
    }


# -- other names of a unit ---------------------------------------------------------


def _alias_uy_ban(archive) -> tuple[int, int]:
    """`archive units alias` on the example: (the unit's id, its one photo's id)."""
    archive.ingest(str(web_archive.EXAMPLES))
    archive.run("units", "alias", "Ủy ban nhân dân phường 6", "UBND phường 6")
    unit = archive.catalog().find_unit("UBND phường 6")
    photo = archive.rows("SELECT photo_id FROM photo_units WHERE unit_id = ?", (unit["id"],))
    assert len(photo) == 1
    return unit["id"], photo[0]["photo_id"]


def _finds(archive, typed: str) -> tuple[set[int], set[int]]:
    """What the smart search and the table's search box find, on a fresh Datasette."""
    ds = datasette(web_archive.ReviewArchive(archive.root))
    smart_ids = {r["id"] for r in smart(ds, quote(typed))["results"]}
    table_ids = found_ids(get(ds, f"/catalog/photos.json?_shape=array&_search={quote(typed)}"))
    return smart_ids, table_ids


def test_a_unit_is_found_by_its_aliases_once_its_photos_are_reindexed(archive) -> None:
    unit_id, photo_id = _alias_uy_ban(archive)
    db = open_catalog(archive.root / "catalog.db")
    search.reindex_unit(db, unit_id)  # what the catalog's writer calls after add_alias
    db.conn.commit()
    for typed in ("UBND", "ubnd phuong 6", "UBND phường"):
        assert _finds(archive, typed) == ({photo_id}, {photo_id}), typed
    search.reindex_all(db)  # a rebuild keeps them
    db.conn.commit()
    assert _finds(archive, "UBND") == ({photo_id}, {photo_id})


def test_archive_units_alias_makes_the_alias_searchable(archive) -> None:
    _, photo_id = _alias_uy_ban(archive)
    assert _finds(archive, "UBND") == ({photo_id}, {photo_id})
