"""The archive in Datasette, through Datasette's own client: tables, pages, images, lock-down.

Every request goes to the Datasette that `archive serve` builds
(archive.web.config), on an archive ingested through the real command line.
"""

from __future__ import annotations

import io
import json
import tempfile
import threading
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest

from archive.db import open_catalog
from archive.reader import EVENT_ORDER, Reader
from archive.web.config import build_datasette, load_metadata
from tests import web_archive
from tests.conftest import Archive
from tests.images import make_jpeg
from tests.web_archive import HOSTILE, HOSTILE_TEXT, datasette, get

READER = {"id": "canbo"}
HASH_ENV = "ARCHIVE_TEST_PASSWORD_HASH"


@pytest.fixture
def locked(built, monkeypatch: pytest.MonkeyPatch):
    """`archive serve --reviewers --password-hash-env VAR`, with a real hash in VAR."""
    from datasette_auth_passwords.utils import hash_password

    monkeypatch.setenv(HASH_ENV, hash_password("mật khẩu phường 6"))
    return datasette(built, reviewers=True, password_hash_env=HASH_ENV)


def ok(ds, path: str, actor: dict | None = None):
    response = get(ds, path, actor)
    assert response.status_code == 200, (path, response.status_code, response.text[:500])
    return response


# -- the photos table ---------------------------------------------------------------


def test_facets_count_photos_per_event_unit_year_camera_and_tag(built, ds) -> None:
    facets = ok(ds, "/catalog/photos.json?_size=0").json()["facet_results"]
    counts = {name: {r["label"]: r["count"] for r in f["results"]} for name, f in facets.items()}
    assert counts["event_id"] == {
        "Tổ chức học tập trực tuyến Chỉ thị 05-CT/TW năm 2018": 5,
        "Sinh hoạt Chi bộ Khu phố 3 tháng 3 năm 2024": 6,
        "Hội nghị học tập chuyên đề năm 2024": 3,
        HOSTILE_TEXT["title"]: 2,
    }
    assert counts["units"] == web_archive.photo_units(built)
    assert counts["units"]["Trường THCS Nguyễn Gia Thiều"] == 3  # two by caption, one by unit
    assert counts["units"]["Chi bộ Khu phố 3"] == 6
    assert counts["year"] == {2017: 5, 2023: 2, 2024: 9}
    assert counts["camera"] == {
        "samsung SM-J710F": 5,
        "Samsung SM-G930F": 6,
        "Canon EOS 80D": 3,
        "Apple iPhone 8": 2,
    }
    assert counts["tags"] == {
        "Chỉ thị 05-CT/TW": 5,
        "Học tập chính trị": 5,
        "Sinh hoạt chi bộ": 6,
        "Hội nghị": 3,
        HOSTILE_TEXT["tag"]: 2,
    }
    # A facet narrows the rows and the other facets with it.
    narrowed = ok(ds, "/catalog/photos.json?units__arraycontains=Chi+bộ+Khu+phố+3&_size=0").json()
    assert narrowed["filtered_table_rows_count"] == 6


def test_photos_table_is_newest_first_with_thumbnails_and_links(built, ds) -> None:
    rows = ok(ds, "/catalog/photos.json?_shape=array&_size=max").json()
    taken = [row["taken_at"] for row in rows]
    assert taken == sorted(taken, reverse=True)
    html = ok(ds, "/catalog/photos").text
    newest = rows[0]["id"]
    assert f'<img src="/-/images/thumb/{newest}"' in html
    assert f'<a class="archive-thumb" href="/-/photos/{newest}">' in html
    captioned = rows[1]
    assert f'<a href="/-/photos/{captioned["id"]}">{captioned["caption"]}</a>' in html
    assert '<a href="/-/units/chi-bo-khu-pho-3">Chi bộ Khu phố 3</a>' in html
    assert (
        f'<a href="/-/events/{rows[0]["event_id"]}">Hội nghị học tập chuyên đề năm 2024</a>' in html
    )
    for label in ("Ảnh", "Chú thích", "Sự kiện", "Đơn vị", "Thời điểm chụp", "Máy chụp"):
        assert f">{label}" in html
    assert "09:00 ngày 15/05/2024" in html  # taken_at as a reviewer reads it
    assert 'id="_search"' in html  # the table's own search box, backed by photos_fts


# -- the pages ----------------------------------------------------------------------


def test_event_page_and_its_json(built, ds) -> None:
    slug = web_archive.EXAMPLE_EVENT_SLUG
    data = ok(ds, f"/-/events/{slug}.json").json()
    event = data["event"]
    assert event["title"] == "Tổ chức học tập trực tuyến Chỉ thị 05-CT/TW năm 2018"
    assert event["date"] == "2017-12-22" and event["photo_count"] == 5
    assert "Chi bộ Công an phường" in [u["name"] for u in event["units"]]
    assert event["organizer"] == {"name": "Đảng ủy phường 6", "url": "/-/units/dang-uy-phuong-6"}
    names = [p["caption"] for p in data["photos"]]
    assert names == list(web_archive.EXAMPLE_CAPTIONS.values())  # in the order they were taken
    html = ok(ds, f"/-/events/{slug}").text
    assert "<h1>Tổ chức học tập trực tuyến Chỉ thị 05-CT/TW năm 2018</h1>" in html
    assert "<dd>22/12/2017</dd>" in html
    assert "<p>Thực hiện Thông báo số 83-TB/BTGQU" in html
    # Each unit linked by name; no group among these photos, so no hint about group cards.
    for unit in event["units"]:
        assert f'<a href="{unit["url"]}">{unit["name"]}</a>' in html
    assert not any(p.get("group") for p in data["photos"])
    assert "Mỗi nhóm ảnh gần giống" not in html
    for photo in data["photos"]:
        assert f'href="#xem-{photo["id"]}"' in html  # the thumbnail opens the larger preview
        assert f'<img src="{photo["preview_url"]}"' in html
        assert photo["thumb_url"] == f"/-/images/thumb/{photo['id']}"
    # The photos table links events by id; that address shows the same page.
    assert ok(ds, f"/-/events/{event['id']}.json").json() == data
    assert get(ds, "/-/events/khong-co-su-kien-nay").status_code == 404


def test_unit_page_lists_events_and_photos_newest_first(built, ds) -> None:
    data = ok(ds, "/-/units/truong-thcs-nguyen-gia-thieu.json").json()
    assert data["unit"]["name"] == "Trường THCS Nguyễn Gia Thiều"
    assert data["unit"]["photo_count"] == 3
    assert [e["date"] for e in data["events"]] == ["2024-05-15", "2017-12-22"]
    taken = [p["taken_at"] for p in data["photos"]]
    assert len(taken) == 3 and taken == sorted(taken, reverse=True)
    assert data["photos"][0]["id"] == built.id("g.jpg")
    html = ok(ds, "/-/units/truong-thcs-nguyen-gia-thieu").text
    assert "<h1>Trường THCS Nguyễn Gia Thiều</h1>" in html and "Học sinh khối 9" in html


def test_a_unit_reached_by_another_of_its_names_redirects(built) -> None:
    Archive(built.root).run("units", "alias", "Chi bộ Khu phố 3", "CB KP3")
    response = get(datasette(built), "/-/units/cb-kp3.json")
    assert response.status_code == 302
    assert response.headers["location"] == "/-/units/chi-bo-khu-pho-3.json"
    assert ok(datasette(built), "/-/units/chi-bo-khu-pho-3.json").json()["unit"]["aliases"] == [
        "CB KP3"
    ]


def test_photo_page_shows_everything_and_walks_the_event(built, ds) -> None:
    ids = web_archive.example_ids(built)
    data = ok(ds, f"/-/photos/{ids['cong_an']}.json").json()["photo"]
    assert data["caption"] == "Chi bộ Công an phường"
    assert [u["name"] for u in data["units"]] == ["Chi bộ Công an phường"]
    assert data["event"]["slug"] == web_archive.EXAMPLE_EVENT_SLUG
    assert data["camera"] == "samsung SM-J710F"
    assert data["previous_url"] == f"/-/photos/{ids['uy_ban']}"
    assert data["next_url"] == f"/-/photos/{ids['gia_thieu_staff']}"
    assert abs(data["gps"]["lat"] - 10.78) < 0.01
    assert data["gps"]["map_url"].startswith("https://www.openstreetmap.org/?mlat=10.78")
    html = ok(ds, f"/-/photos/{ids['cong_an']}").text
    for text in ("← Ảnh trước", "Ảnh sau →", "Xem trên bản đồ", "samsung SM-J710F"):
        assert text in html
    assert f'<img src="/-/images/preview/{ids["cong_an"]}"' in html
    unit = data["units"][0]
    assert f'<dd><a href="{unit["url"]}">{unit["name"]}</a></dd>' in html
    two = next(i for i in built.ids.values() if len(web_archive.units_of(built, i)) >= 2)
    shown = ok(ds, f"/-/photos/{two}.json").json()["photo"]["units"]
    links = ", ".join(f'<a href="{u["url"]}">{u["name"]}</a>' for u in shown)
    assert f"<dd>{links}</dd>" in ok(ds, f"/-/photos/{two}").text
    none = next(i for i in built.ids.values() if not web_archive.units_of(built, i))
    assert "<dt>Đơn vị trong ảnh</dt><dd>chưa ghi</dd>" in ok(ds, f"/-/photos/{none}").text
    first = ok(ds, f"/-/photos/{ids['uy_ban']}.json").json()["photo"]
    assert first["previous_url"] is None
    no_gps = ok(ds, f"/-/photos/{built.id('a.jpg')}").text
    assert no_gps.count("Xem trên bản đồ") == 0
    assert get(ds, "/-/photos/99999").status_code == 404


def test_previous_and_next_walk_each_event_in_its_grid_order(built, ds) -> None:
    """Every photo of the event in its order; the grid is that order, one card per group
    of near-duplicates (flat test images group: the hostile event's two are one card)."""
    archive = Archive(built.root)
    for slug in (web_archive.EXAMPLE_EVENT_SLUG, web_archive.MEETING["slug"], HOSTILE["slug"]):
        grid = [p["id"] for p in ok(ds, f"/-/events/{slug}.json").json()["photos"]]
        rows = archive.rows(
            f"SELECT p.id FROM photos p JOIN events e ON e.id = p.event_id WHERE e.slug = ?"
            f" ORDER BY {EVENT_ORDER}",
            (slug,),
        )
        everything = [r["id"] for r in rows]
        assert grid == [i for i in everything if i in set(grid)], slug
        for key, order in (("next_url", everything), ("previous_url", everything[::-1])):
            walked = [order[0]]
            while url := ok(ds, f"/-/photos/{walked[-1]}.json").json()["photo"][key]:
                walked.append(int(url.rsplit("/", 1)[1]))
            assert walked == order, (slug, key)
    # Taken in the same second: the event goes by file name (then id).
    assert everything == [built.id("x1.jpg"), built.id("x2.jpg")]


def test_photo_page_reads_its_neighbours_not_the_whole_event(built, ds, monkeypatch) -> None:
    """Every query of the page (the plugin's, through archive.reader) returns one row at most."""
    rows_read: list[int] = []
    read_all = Reader.all

    def counting(self: Reader, sql: str, params=()):
        rows = read_all(self, sql, params)
        rows_read.append(len(rows))
        return rows

    monkeypatch.setattr(Reader, "all", counting)
    middle = web_archive.example_ids(built)["gia_thieu_staff"]
    photo = ok(ds, f"/-/photos/{middle}.json").json()["photo"]
    assert photo["previous_url"] and photo["next_url"]
    assert rows_read and max(rows_read) == 1, rows_read


def test_page_addresses_that_name_no_row_or_no_number(built, ds) -> None:
    """Pages go by key (``?after=<id>``): anything but a known id is a 400 in Vietnamese."""
    unit = "/-/units/chi-bo-khu-pho-3"
    first = ok(ds, f"{unit}.json").json()
    assert first["next"] is None and first["first"] is None  # one page: no pager
    for after in ("abc", "0", "-1", "1.5", "١", "99999999999999999999", "9" * 5000, "99999"):
        response = get(ds, f"{unit}.json?after={quote(after)}")
        assert response.json()["error"].startswith("Địa chỉ trang không hợp lệ"), after
        assert response.status_code == get(ds, f"{unit}?after={quote(after)}").status_code == 400
    # An event's address may be its id: a number too long for one is no event, not a 500.
    assert get(ds, "/-/events/99999999999999999999").status_code == 404


def test_timeline_groups_events_by_month_newest_first(built, ds) -> None:
    months = ok(ds, "/-/timeline.json").json()["months"]
    assert [(m["label"], [e["photo_count"] for e in m["events"]]) for m in months] == [
        ("Tháng 5 năm 2024", [3]),
        ("Tháng 3 năm 2024", [6]),
        ("Tháng 11 năm 2023", [2]),
        ("Tháng 12 năm 2017", [5]),
    ]
    html = ok(ds, "/-/timeline").text
    assert "<h2>Tháng 12 năm 2017</h2>" in html
    assert f'href="/-/events/{web_archive.EXAMPLE_EVENT_SLUG}"' in html


def test_an_empty_archives_timeline_says_how_to_fill_it(tmp_path: Path) -> None:
    open_catalog(tmp_path / "catalog.db").close()
    html = ok(build_datasette(tmp_path / "catalog.db", load_metadata(web_archive.METADATA)),
              "/-/timeline").text  # fmt: skip
    assert "Chưa có sự kiện nào. Nhập ảnh bằng lệnh <code>archive ingest</code>." in html
    assert "archive-month" not in html


# -- images -------------------------------------------------------------------------


def test_images_come_from_the_catalog_by_id_or_hash(built, ds) -> None:
    photo = Archive(built.root).rows("SELECT * FROM photos WHERE id = ?", (built.id("a.jpg"),))[0]
    for size, column in (("thumb", "thumb_path"), ("preview", "preview_path")):
        for key in (photo["id"], photo["sha256"]):
            response = ok(ds, f"/-/images/{size}/{key}")
            assert response.headers["content-type"] == "image/jpeg"
            assert response.content == (built.root / photo[column]).read_bytes()
    original = ok(ds, f"/-/images/original/{photo['id']}")
    assert original.content == (built.root / photo["original_path"]).read_bytes()
    assert "filename*=UTF-8''a.jpg" in original.headers["content-disposition"]
    for path in ("/-/images/thumb/99999", "/-/images/large/1", f"/-/images/thumb/{'0' * 64}"):
        assert get(ds, path).status_code == 404, path
    # A URL never names a file: anything but an id or a hash is no image route at all.
    for path in ("/-/images/thumb/..%2F..%2Fcatalog.db", "/-/images/original/catalog.db"):
        assert get(ds, path).status_code in (302, 404), path


def test_gallery_zip_is_read_off_the_event_loop(built, ds, monkeypatch) -> None:
    """The ZIP is streamed from a worker thread, then removed: the loop serves everyone else."""
    read_on_loop: list[str] = []
    io_open = io.open

    def spying_open(file, *args, **kwargs):
        on_loop = threading.current_thread() is threading.main_thread()  # asyncio.run's thread
        if Path(str(file)).name.startswith("gallery-") and on_loop:
            read_on_loop.append(str(file))
        return io_open(file, *args, **kwargs)

    monkeypatch.setattr(io, "open", spying_open)
    left_before = set(Path(tempfile.gettempdir()).glob("gallery-*.zip"))
    response = ok(ds, f"/-/galleries/{web_archive.MEETING['slug']}.zip?kind=event")
    assert response.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as bundle:
        assert sum(name.endswith(".jpg") for name in bundle.namelist()) >= 6
    assert read_on_loop == []
    assert set(Path(tempfile.gettempdir()).glob("gallery-*.zip")) == left_before


def test_locked_archive_refuses_the_anonymous_and_serves_the_logged_in(built, locked) -> None:
    photo_id = built.id("a.jpg")
    assert get(locked, f"/-/images/thumb/{photo_id}").status_code == 403
    assert get(locked, "/catalog/photos.json").status_code == 403
    for page in ("/", "/catalog/photos", f"/-/photos/{photo_id}", "/-/timeline", "/-/search"):
        response = get(locked, page)
        assert (response.status_code, response.headers.get("location")) == (302, "/-/login"), page
    login = ok(locked, "/-/login").text
    assert "Tên đăng nhập" in login and "Mật khẩu" in login
    assert ok(locked, f"/-/images/thumb/{photo_id}", READER).content[:2] == b"\xff\xd8"
    assert ok(locked, f"/-/photos/{photo_id}", READER)
    assert ok(locked, "/catalog/photos?_search=dang+uy", READER)


def test_images_follow_datasette_permissions_on_the_photos_table(built) -> None:
    """An `allow` block on the photos table alone also closes its images (not only the instance)."""
    metadata = load_metadata(web_archive.METADATA)
    metadata["databases"]["catalog"]["tables"]["photos"]["allow"] = {"id": "bientap"}
    ds = build_datasette(built.catalog, metadata)
    assert get(ds, "/-/images/thumb/1").status_code == 403
    assert get(ds, "/-/images/thumb/1", READER).status_code == 403
    assert get(ds, "/-/images/thumb/1", {"id": "bientap"}).status_code == 200


def test_reviewers_mode_refuses_sql_download_and_csv_stream(built, ds) -> None:
    reviewers = datasette(built, reviewers=True)
    for path in ("/catalog?sql=select+1", "/catalog.json?sql=select+*+from+photos"):
        assert get(reviewers, path).status_code == 403, path
        assert get(ds, path).status_code == 200, path  # the archivist's own mode allows them
    # Datasette never offers a database it has open read-write; reviewers get no download at all.
    assert get(reviewers, "/catalog.db").status_code == 403
    assert "Download SQLite DB" not in ok(reviewers, "/catalog").text
    assert get(reviewers, "/catalog/photos.csv?_stream=on").status_code == 400
    assert ok(reviewers, "/catalog/photos.csv?_size=3").text.count("\n") == 4
    # What reviewers need still works: search, facets, canned queries, pages.
    assert ok(reviewers, "/catalog/photos.json?_search=cong+an&_shape=array").json()
    assert ok(reviewers, "/catalog/anh_chua_co_chu_thich.json?_shape=array").json()
    assert ok(reviewers, f"/-/events/{web_archive.EXAMPLE_EVENT_SLUG}")


# -- canned queries and a catalog that keeps changing ---------------------------------


def test_canned_queries_for_reviewers(built, ds) -> None:
    def rows(name: str, query: str = "") -> list[dict]:
        return ok(ds, f"/catalog/{name}.json?_shape=array{query}").json()

    assert [r["id"] for r in rows("anh_chua_co_chu_thich")] == [built.id("i.jpg")]
    assert {r["id"] for r in rows("anh_chua_co_don_vi")} == {built.id("h.jpg"), built.id("i.jpg")}
    activity = {(r["Năm"], r["Đơn vị"]): (r["Số sự kiện"], r["Số ảnh"]) for r in rows(
        "hoat_dong_don_vi_theo_nam")}  # fmt: skip
    assert activity[(2024, "Chi bộ Khu phố 3")] == (1, 6)
    assert activity[(2017, "Trường THCS Nguyễn Gia Thiều")] == (1, 2)
    assert activity[(2024, "Trường THCS Nguyễn Gia Thiều")] == (1, 1)
    assert activity[(2017, "Các tổ dân phố phường 6")] == (1, 0)  # took part, in no photo
    only_2017 = rows("hoat_dong_don_vi_theo_nam", "&nam=2017")
    assert {r["Năm"] for r in only_2017} == {2017}
    html = ok(ds, "/catalog/anh_chua_co_chu_thich").text
    assert f'<img src="/-/images/thumb/{built.id("i.jpg")}"' in html


def test_last_ingest_runs_show_their_problems(archive, tmp_path: Path) -> None:
    folder = tmp_path / "usb"
    folder.mkdir()
    make_jpeg(folder / "tot.jpg", size=(64, 48))
    (folder / "hong.jpg").write_bytes(b"\xff\xd8 not really a JPEG")
    archive.ingest(str(folder), expect=1)
    built = web_archive.ReviewArchive(archive.root)
    runs = ok(datasette(built), "/catalog/cac_lan_nhap_gan_day.json?_shape=array").json()
    assert len(runs) == 1 and (runs[0]["Thêm"], runs[0]["Lỗi"]) == (1, 1)
    assert "hong.jpg" in runs[0]["Vấn đề"]


def test_serves_what_an_ingest_commits_meanwhile(archive, tmp_path: Path) -> None:
    archive.ingest(str(web_archive.EXAMPLES))
    ds = datasette(web_archive.ReviewArchive(archive.root))
    assert ok(ds, "/catalog/photos.json?_size=0").json()["filtered_table_rows_count"] == 5
    make_jpeg(tmp_path / "moi.jpg", size=(64, 48))
    archive.ingest(str(tmp_path / "moi.jpg"), "--caption", "Ảnh mới nhập")
    rows = ok(ds, "/catalog/photos.json?_shape=array&_search=anh+moi+nhap").json()
    assert [r["caption"] for r in rows] == ["Ảnh mới nhập"]
    assert ok(ds, f"/-/images/thumb/{rows[0]['id']}").content[:2] == b"\xff\xd8"
    assert json.loads(rows[0]["units"]) == []


def test_serve_refuses_a_missing_or_wrong_password_hash(archive, monkeypatch) -> None:
    monkeypatch.delenv(HASH_ENV, raising=False)
    archive.run("init")
    result = archive.run("serve", "--reviewers", "--password-hash-env", HASH_ENV, expect=2)
    assert f"${HASH_ENV} is empty" in result.output
    monkeypatch.setenv(HASH_ENV, "hunter2")
    result = archive.run("serve", "--password-hash-env", HASH_ENV, expect=2)
    assert "does not hold a password hash" in result.output
