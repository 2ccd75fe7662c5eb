"""A reviewer's session in a real headless Chromium against a real `archive serve`.

One browser and one server for the module (tests/browser.py); screenshots go
to test-output/screenshots/. Skips where chromium or playwright is missing.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests import web_archive
from tests.browser import ArchiveServer, launch_chromium, open_page, screenshot
from tests.web_archive import XSS

PASSWORD = "mật khẩu phường 6"
HASH_ENV = "ARCHIVE_TEST_PASSWORD_HASH"
LOADED = "img => img.complete && img.naturalWidth > 0"


@pytest.fixture(scope="module")
def chromium() -> Any:
    with launch_chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def built(chromium, tmp_path_factory: pytest.TempPathFactory) -> web_archive.ReviewArchive:
    work = tmp_path_factory.mktemp("browser")
    return web_archive.build(work / "archive", work / "sources")


@pytest.fixture(scope="module")
def site(built) -> Any:
    with ArchiveServer(built.root) as server:
        yield server


def wait_for_images(page: Any, selector: str) -> list[int]:
    """Bring every image into view (they load lazily) and wait for it; their natural widths."""
    images = page.locator(selector)
    assert images.count() > 0, selector
    for image in images.all():
        image.scroll_into_view_if_needed()
        page.wait_for_function(LOADED, arg=image.element_handle(), timeout=10_000)
    return page.eval_on_selector_all(selector, "els => els.map(e => e.naturalWidth)")


def search_the_table(page: Any, site: Any, typed: str) -> Any:
    page.goto(site.url("/catalog/photos"))
    page.fill("#_search", typed)
    with page.expect_navigation():
        page.press("#_search", "Enter")
    return page.locator("table.archive-photos tbody tr")


def test_typing_dang_uy_in_the_search_box_shows_photos(chromium, site, built) -> None:
    with open_page(chromium) as (page, seen):
        rows = search_the_table(page, site, "dang uy")
        assert "_search=dang+uy" in page.url
        captions = rows.locator("td.col-caption").all_inner_texts()
        assert len(captions) == 7
        assert "Đảng ủy phường dự sinh hoạt chi bộ" in captions
        assert "Đồng chí Bí thư Đảng uỷ phát biểu chỉ đạo" in captions
        widths = wait_for_images(page, "table.archive-photos td.col-thumb_path img")
        assert len(widths) == 7 and all(width > 0 for width in widths)
        assert page.locator("label[for=_search]").inner_text() == "Tìm:"  # templates/table.html
        screenshot(page, "photos-table-search-dang-uy")
        assert (seen.dialogs, seen.errors, seen.failed) == ([], [], [])


def test_event_page_grid_and_larger_preview(chromium, site) -> None:
    with open_page(chromium) as (page, seen):
        rows = search_the_table(page, site, "Chi bộ Công an phường")
        with page.expect_navigation():
            rows.first.locator("td.col-event_id a").click()
        assert page.locator("h1").inner_text() == (
            "Tổ chức học tập trực tuyến Chỉ thị 05-CT/TW năm 2018"
        )
        widths = wait_for_images(page, ".archive-grid img")
        assert len(widths) == 5 and all(width > 0 for width in widths)
        screenshot(page, "event-page")
        page.locator(".archive-grid a.archive-thumb").nth(1).click()
        preview = page.locator(".archive-lightbox:target img")
        preview.wait_for(state="visible")
        page.wait_for_function(LOADED, arg=preview.element_handle())
        assert preview.evaluate("img => img.naturalWidth") > 320  # the 1280 preview, not the thumb
        screenshot(page, "event-page-preview")
        page.locator(".archive-lightbox:target .archive-lightbox-close").click()
        assert page.locator(".archive-lightbox:target").count() == 0
        assert (seen.dialogs, seen.errors, seen.failed) == ([], [], [])


def test_photo_page_and_the_next_photo(chromium, site) -> None:
    with open_page(chromium) as (page, seen):
        page.goto(site.url(f"/-/events/{web_archive.EXAMPLE_EVENT_SLUG}"))
        # Leaving while the grid still loads would abort those requests (counted as failed).
        wait_for_images(page, ".archive-grid img")
        with page.expect_navigation():
            page.locator(".archive-grid figcaption a").first.click()
        assert page.locator("h1").inner_text() == "Trụ sở Uỷ ban nhân dân phường 6"
        assert wait_for_images(page, ".archive-preview img")[0] > 320
        assert page.get_by_role("link", name="Xem trên bản đồ").count() == 1
        assert page.locator("a[rel=prev]").count() == 0  # the first photo of its event
        screenshot(page, "photo-page")
        with page.expect_navigation():
            page.locator("a[rel=next]").click()
        assert page.locator("h1").inner_text() == "Chi bộ Công an phường"
        assert (seen.dialogs, seen.errors, seen.failed) == ([], [], [])


def test_the_script_caption_stays_text_and_never_runs(chromium, site, built) -> None:
    photo_id = built.id("e.jpg")
    pages = [
        "/catalog/photos?_search=script",
        f"/catalog/photos/{photo_id}",
        f"/-/photos/{photo_id}",
        f"/-/events/{web_archive.MEETING['slug']}",
        "/-/units/chi-bo-khu-pho-3",
        "/-/search?q=script+alert",
    ]
    with open_page(chromium) as (page, seen):
        for path in pages:
            page.goto(site.url(path))
            page.wait_for_load_state("load")
            assert XSS in page.locator("body").inner_text(), path
            assert page.locator("img[src='x']").count() == 0, path
        page.goto(site.url(f"/-/photos/{photo_id}"))
        assert page.locator("h1").inner_text() == XSS
        screenshot(page, "photo-page-script-caption")
        assert seen.dialogs == [] and seen.errors == []


def test_locked_server_asks_for_the_password(chromium, built) -> None:
    from datasette_auth_passwords.utils import hash_password

    hashed = hash_password(PASSWORD)
    args = ("--reviewers", "--password-hash-env", HASH_ENV)
    with (
        ArchiveServer(built.root, *args, env={HASH_ENV: hashed}) as locked,
        open_page(chromium) as (page, seen),
    ):
        page.goto(locked.url("/catalog/photos"))
        assert page.url == locked.url("/-/login")
        page.fill("#username", "canbo")
        page.fill("#password", "sai mật khẩu")
        with page.expect_navigation():
            page.click("button[type=submit]")
        assert "Sai tên đăng nhập hoặc mật khẩu" in page.locator("body").inner_text()
        page.fill("#username", "canbo")
        page.fill("#password", PASSWORD)
        with page.expect_navigation():
            page.click("button[type=submit]")
        assert page.url == locked.url("/")
        rows = search_the_table(page, locked, "cong an")
        assert rows.count() == 2
        assert all(w > 0 for w in wait_for_images(page, "td.col-thumb_path img"))
        refused = page.goto(locked.url("/catalog?sql=select+1"))
        assert refused.status == 403
        screenshot(page, "locked-sql-refused")
        assert seen.dialogs == []
