"""The reviewer's pages of near-duplicate groups (issue 12), through Datasette as served.

The acceptance event of tests/scenes.py (60 photos from three phones, 8 groups
built in) is ingested through the real command line, which groups it, and one
group's pick is chosen by a reviewer (tests/similar_groups.py). The event page
shows each group once, the photos table filters to the picks, a photo page and
a group's page list the group.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from urllib.parse import urlencode

import pytest
from datasette.app import Datasette
from datasette.plugins import pm

from archive.web import group_queries, pages, queries
from archive.web.config import build_datasette, load_metadata
from tests.similar_groups import REVIEWED, SLUG, TAG, UNIT, Built, build_scene_archive
from tests.test_table_paging import StatementLog
from tests.web_archive import METADATA, get


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build_scene_archive(tmp_path_factory.mktemp("similar-web"))


@pytest.fixture(scope="module")
def ds(built: Built) -> Datasette:
    return build_datasette(built.catalog, load_metadata(METADATA))


def event_json(ds: Datasette, query: str = "") -> dict:
    response = get(ds, f"/-/events/{SLUG}.json{query}")
    assert response.status_code == 200, response.text
    return response.json()


def test_event_page_shows_each_group_once_as_its_pick(ds, built) -> None:
    data = event_json(ds)
    cards = {card["id"]: card for card in data["photos"]}
    assert len(cards) == 8 + 28
    assert set(cards) == {g[0] for g in built.groups} | set(built.singletons)
    for n, group in enumerate(built.groups):
        badge = cards[group[0]]["group"]
        assert badge["id"] == built.group_ids[n]
        assert badge["others"] == len(group) - 1
        assert badge["label"] == f"+{len(group) - 1} ảnh gần giống"
        assert badge["pick_by_reviewer"] is (n == REVIEWED)
        assert sorted(m["id"] for m in badge["members"]) == sorted(group[1:])
        assert not any(m["is_pick"] for m in badge["members"])
        assert badge["more"] is False
    assert all("group" not in cards[i] for i in built.singletons)
    assert data["event"]["photo_count"] == 60  # the count is of photos, not of cards


def test_event_page_html_has_a_badge_per_group_that_opens_its_members(ds, built) -> None:
    html = get(ds, f"/-/events/{SLUG}").text
    assert html.count('<details class="archive-group"') == 8
    for n, group in enumerate(built.groups):
        block = re.search(
            rf'<details class="archive-group" data-group="{built.group_ids[n]}">(.*?)</details>',
            html,
            re.S,
        )
        assert block, n
        assert f"+{len(group) - 1} ảnh gần giống" in block.group(1)
        shown = {int(i) for i in re.findall(r'src="/-/images/thumb/(\d+)"', block.group(1))}
        assert shown == set(group[1:])
        assert f'href="/-/groups/{built.group_ids[n]}"' in block.group(1)
    assert "người duyệt chọn" in html and "chọn tự động" in html


def test_event_pages_by_key_hold_every_card_once(ds, built, monkeypatch) -> None:
    monkeypatch.setattr(pages, "EVENT_PAGE_SIZE", 7)
    seen: list[int] = []
    query = ""
    for _ in range(10):
        data = event_json(ds, query)
        seen += [card["id"] for card in data["photos"]]
        if not data["next"]:
            break
        query = "?" + data["next"].split("?", 1)[1]
    assert len(seen) == 36 and len(set(seen)) == 36
    assert set(seen) == {g[0] for g in built.groups} | set(built.singletons)


def test_photo_page_lists_its_group_and_its_pick(ds, built) -> None:
    group = built.groups[REVIEWED]
    member = group[2]
    data = get(ds, f"/-/photos/{member}.json").json()["photo"]["group"]
    assert data["id"] == built.group_ids[REVIEWED]
    assert data["size"] == len(group)
    assert data["is_pick"] is False and data["pick_id"] == group[0]
    assert data["pick_by_reviewer"] is True
    members = data["members"]
    assert members[0]["id"] == group[0] and members[0]["is_pick"]
    assert {m["id"] for m in members} == set(group)
    html = get(ds, f"/-/photos/{member}").text
    assert f"Nhóm {len(group)} ảnh gần giống" in html
    assert "người duyệt chọn" in html
    section = html.split('id="nhom-anh-gan-giong"', 1)[1].split("</section>", 1)[0]
    assert section.count('class="archive-group-pick') == 1
    assert "Ảnh đang xem" in section
    pick = get(ds, f"/-/photos/{group[0]}.json").json()["photo"]["group"]
    assert pick["is_pick"] is True
    assert get(ds, f"/-/photos/{built.singletons[0]}.json").json()["photo"]["group"] is None


def test_group_page_lists_every_member_with_the_pick_marked(ds, built) -> None:
    n = 0
    response = get(ds, f"/-/groups/{built.group_ids[n]}.json")
    assert response.status_code == 200
    data = response.json()
    assert [p["id"] for p in data["photos"] if p["is_pick"]] == [built.groups[n][0]]
    assert {p["id"] for p in data["photos"]} == set(built.groups[n])
    assert data["group"]["event"]["slug"] == SLUG
    assert data["group"]["pick_by_reviewer"] is False
    html = get(ds, f"/-/groups/{built.group_ids[n]}").text
    assert f"Nhóm {len(built.groups[n])} ảnh gần giống" in html and "Ảnh chọn" in html
    assert get(ds, "/-/groups/999999").status_code == 404


def table_json(ds: Datasette, query: str) -> dict:
    response = get(ds, f"/catalog/photos.json?_shape=objects&_size=100&{query}")
    assert response.status_code == 200, response.text
    return response.json()


def picks_facet(data: dict) -> dict[int, tuple[str, int]]:
    facet = data["facet_results"]["is_pick"]
    return {r["value"]: (r["label"], r["count"]) for r in facet["results"]}


def test_photos_table_facet_only_picks(ds, built) -> None:
    everything = table_json(ds, "")
    assert picks_facet(everything) == {1: ("Chỉ ảnh chọn", 36), 0: ("Ảnh gần giống khác", 24)}
    picks = table_json(ds, "is_pick=1")
    assert {r["id"] for r in picks["rows"]} == {g[0] for g in built.groups} | set(built.singletons)
    assert picks_facet(picks) == {1: ("Chỉ ảnh chọn", 36)}
    others = table_json(ds, "is_pick=0")
    assert {r["id"] for r in others["rows"]} == {i for g in built.groups for i in g[1:]}
    assert picks_facet(others) == {0: ("Ảnh gần giống khác", 24)}
    # Narrowed by another filter, the counts are of the rows shown.
    conn = sqlite3.connect(built.catalog)
    camera, taken = conn.execute(
        "SELECT camera, count(*) FROM photos GROUP BY camera ORDER BY camera LIMIT 1"
    ).fetchone()
    conn.close()
    narrowed = table_json(ds, urlencode({"camera": camera}))
    rows = narrowed["rows"]
    assert len(rows) == taken and 0 < sum(r["is_pick"] for r in rows) < taken
    assert picks_facet(narrowed) == {
        1: ("Chỉ ảnh chọn", sum(r["is_pick"] for r in rows)),
        0: ("Ảnh gần giống khác", sum(not r["is_pick"] for r in rows)),
    }
    html = get(ds, "/catalog/photos").text
    facet = html.split('id="facet-is_pick"', 1)[1].split("</div>", 1)[0]
    assert "<strong>Ảnh chọn" in facet  # titled by the column's label in metadata.yml
    assert "Chỉ ảnh chọn</a> 36" in facet and "Ảnh gần giống khác</a> 24" in facet
    assert "?is_pick=1" in facet
    shown = get(ds, "/catalog/photos?is_pick=1").text
    assert "36 dòng chỉ ảnh chọn (mỗi nhóm ảnh gần giống một ảnh)" in re.sub(r"\s+", " ", shown)


def plan(catalog: Path, sql: str, params: dict) -> str:
    conn = sqlite3.connect(catalog)
    try:
        rows = conn.execute(f"EXPLAIN QUERY PLAN {sql}", params).fetchall()
    finally:
        conn.close()
    return "\n".join(row[-1] for row in rows)


def test_event_cards_are_one_index_seek_without_a_sort(built) -> None:
    """A 5,000-photo event at a million photos: the page reads its rows off the index."""
    after = {"id": 1, "taken_at": "2024", "original_name": "x"}
    for key in (None, after):
        condition, params = queries._after_event_key(key)
        sql = group_queries.EVENT_CARDS_SQL.format(condition=condition)
        found = plan(built.catalog, sql, {"id": 1, "limit": 201, **params})
        assert "idx_photos_event_picks" in found, found
        assert "TEMP B-TREE" not in found, found


def test_a_pages_group_members_are_read_off_the_group_index(built) -> None:
    """Not off the partial index of every photo that is not a pick (m014), walked whole."""
    params = {"g0": 1, "g1": 2, "g2": 3, "shown": group_queries.MEMBERS_SHOWN}
    found = plan(built.catalog, group_queries.shown_members_sql(3), params)
    assert "idx_photos_group" in found, found
    assert "idx_photos_others" not in found, found


def test_only_picks_table_reads_its_partial_index_without_a_sort(ds, built) -> None:
    """The table's SQL for "only picks", as Datasette ran it: no scan of every photo."""
    data = table_json(ds, "is_pick=1")
    found = plan(built.catalog, data["query"]["sql"], data["query"]["params"])
    assert "idx_photos_picks_taken" in found, found
    assert "TEMP B-TREE" not in found, found


def test_the_event_page_explains_its_badges_and_a_lone_photo_has_no_group(ds, built) -> None:
    """The hint says what "+N" is; a photo in no group has no group section on its page."""
    html = get(ds, f"/-/events/{SLUG}").text
    assert "Mỗi nhóm ảnh gần giống hiện một ảnh chọn" in html
    other = get(ds, f"/-/photos/{built.singletons[0]}").text
    assert "nhom-anh-gan-giong" not in other


@pytest.mark.parametrize("column", ["year", "camera", "event_id"])
def test_only_picks_facets_count_a_covering_index(built, column) -> None:
    """Datasette's column facets over "only picks" (its bound filter beside our literal)."""
    table = 'select * from photos where "is_pick" = :p0 and is_pick = 1'
    sql = (
        f"select {column} as value, count(*) as count from ({table})"
        f" where {column} is not null group by {column} order by count desc, value limit 31"
    )
    found = plan(built.catalog, sql, {"p0": "1"})
    assert "COVERING INDEX idx_photos_picks_" in found, found


def test_only_picks_units_and_tags_facets_count_the_picks_links(ds, built) -> None:
    """Each link keeps its photo's flag (migration m014) through grouping and the reviewer's
    pick; the units facet under "only picks" reads the units' kept pick counts (m015),
    the tags facet counts the picks' links."""
    conn = sqlite3.connect(built.catalog)
    try:
        for link, key, names in (
            ("photo_units", "unit_id", "units"),
            ("photo_tags", "tag_id", "tags"),
        ):
            stale = conn.execute(
                f"SELECT count(*) FROM {link} l JOIN photos p ON p.id = l.photo_id"
                " WHERE l.is_pick IS NOT p.is_pick"
            ).fetchone()[0]
            assert stale == 0
            expected = dict(
                conn.execute(
                    f"SELECT n.name, count(*) FROM {link} l JOIN {names} n ON n.id = l.{key}"
                    f" JOIN photos p ON p.id = l.photo_id WHERE p.is_pick = 1 GROUP BY l.{key}"
                ).fetchall()
            )
            everything = dict(
                conn.execute(
                    f"SELECT n.name, count(*) FROM {link} l JOIN {names} n ON n.id = l.{key}"
                    f" GROUP BY l.{key}"
                ).fetchall()
            )
            column = names
            log = StatementLog()
            pm.register(log, name="statement-log")
            try:
                shown = table_json(
                    build_datasette(built.catalog, load_metadata(METADATA)), "is_pick=1"
                )
            finally:
                pm.unregister(name="statement-log")
            if names == "units":  # its kept pick counts (m015), equal to a fresh count
                assert any("pick_count AS count FROM units" in s for s in log.statements)
                kept = dict(conn.execute("SELECT name, pick_count FROM units").fetchall())
                assert {n: c for n, c in kept.items() if c} == expected
            else:
                assert any(f"INDEXED BY idx_{link}_picks" in s for s in log.statements)
            assert not shown.get("facets_timed_out")
            counts = {r["value"]: r["count"] for r in shown["facet_results"][column]["results"]}
            assert counts == expected
            assert expected == {(UNIT if column == "units" else TAG): 36}
            assert everything == {(UNIT if column == "units" else TAG): 60}
        sql = (
            "SELECT n.name AS value, count(*) AS count FROM photo_units l"
            " INDEXED BY idx_photo_units_picks JOIN units n ON n.id = l.unit_id"
            " WHERE l.is_pick = 1 GROUP BY l.unit_id"
        )
    finally:
        conn.close()
    assert "idx_photo_units_picks" in plan(built.catalog, sql, {})


def test_a_group_of_clips_shows_its_members_as_clips(tmp_path: Path) -> None:
    """Two clips of one picture are one group: its page and a member's page mark them as clips."""
    from tests.clips import make_clip
    from tests.conftest import Archive

    folder = tmp_path / "van-nghe"
    folder.mkdir()
    (folder / "event.yml").write_text("title: Văn nghệ\ndate: 2024-09-02\n", encoding="utf-8")
    make_clip(folder / "VID_1.mp4", seconds=2.0, size=(320, 240))
    make_clip(folder / "VID_2.mp4", seconds=3.0, size=(320, 240))
    archive = Archive(tmp_path / "archive")
    archive.ingest(str(folder), "--no-video-previews")
    [group] = archive.rows("SELECT id, pick_id FROM photo_groups")
    ds = build_datasette(archive.root / "catalog.db", load_metadata(METADATA))
    for path in (f"/-/groups/{group['id']}", f"/-/photos/{group['pick_id']}"):
        page = get(ds, path).text
        grid = page[page.index("archive-group-members-grid") :]
        assert grid.count('class="archive-play"') == 2, path
        assert "0:02" in grid and "0:03" in grid, path
    member = get(ds, f"/-/photos/{group['pick_id']}.json").json()["photo"]["group"]["members"]
    assert {m["media_type"] for m in member} == {"video"}


def test_a_catalog_from_before_groups_shows_every_photo_as_a_card(built, tmp_path) -> None:
    """Served read-only and never migrated (no photo_groups): each photo is its own card."""
    old = tmp_path / "catalog.db"
    with sqlite3.connect(built.catalog) as source, sqlite3.connect(old) as copy:
        source.backup(copy)
    with sqlite3.connect(old) as db:
        db.execute("DROP TABLE photo_groups")
    data = event_json(build_datasette(old, load_metadata(METADATA)))
    assert len(data["photos"]) == data["event"]["photo_count"] == 60
    assert not any("group" in card for card in data["photos"])
