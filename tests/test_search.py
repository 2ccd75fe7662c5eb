"""Search the way Vietnamese reviewers type: the photos table's search box and the smart search.

Both are asked through Datasette's own client, on an archive ingested through
the real command line (tests/web_archive.py: the example plus two events made
for the cases search must tell apart).
"""

from __future__ import annotations

import pytest

from archive import search
from archive.db import open_catalog
from tests import web_archive
from tests.web_archive import datasette, found_ids, get

EXAMPLE_PHOTOS = {1, 2, 3, 4, 5}  # ids of the bundled example, ingested first


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> web_archive.ReviewArchive:
    work = tmp_path_factory.mktemp("search")
    built = web_archive.build(work / "archive", work / "sources")
    assert {built.id(name) for name in built.ids if name.startswith("IMG_")} == EXAMPLE_PHOTOS
    return built


@pytest.fixture(scope="module")
def ds(built: web_archive.ReviewArchive):
    return datasette(built)


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
    rows = search.smart_search(upgraded, "Công an")
    assert [r["caption"] for r in rows] == ["Chi bộ Công an phường"]


def test_the_index_follows_the_catalog_when_units_merge(archive) -> None:
    archive.ingest(str(web_archive.EXAMPLES))
    assert len(search.smart_search(archive.catalog().db, "Công an")) == 1
    archive.run("units", "merge", "Bộ phận văn thư phường 6", "Chi bộ Công an phường")
    rows = search.smart_search(archive.catalog().db, "Công an")
    assert {r["caption"] for r in rows} == {
        "Chi bộ Công an phường",
        "Cán bộ văn thư học tập Chủ đề năm 2018 tại góc làm việc",
    }
