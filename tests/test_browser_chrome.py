"""Datasette's own pages as a reviewer first sees them, in a real Chromium.

Two promises of the plugin's template overrides (archive/web/templates/):
the photos table's search box, facets and first thumbnails fit a 1280×800
window without scrolling; and no page shows Datasette's English words, or a
raw column name where metadata.yml gives a Vietnamese label, with script or
without (the templates do it, not vi.js).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import datasette
import pytest

from tests import web_archive
from tests.browser import ArchiveServer, launch_chromium, open_page, screenshot

DATASETTE_TEMPLATES = Path(datasette.__file__).parent / "templates"
WINDOW = {"width": 1280, "height": 800}
LOADED = "img => img.complete && img.naturalWidth > 0"

# Words of Datasette 0.65's templates (table, index, database, row, query, error, base,
# _footer, _suggested_facets, _facet_results), matched as whole words.
ENGLISH = [
    "rows", "row", "Next page", "Advanced export", "This data as", "Powered by",
    "Queries took", "Suggested facets", "sorted by", "descending", "where", "search matches",
    "Apply", "column", "remove filter", "Sort", "View and edit SQL", "Edit SQL", "Tables",
    "Queries", "Views", "hidden", "download", "expand labels", "stream all rows",
    "JSON shape", "CSV options", "Export CSV", "advanced", "default", "newline-delimited",
    "Custom SQL query", "Run SQL", "Query parameters", "Links from other tables", "from",
    "Log out", "Log in", "Data license", "Data source", "Error", "Not found", "not found",
    "records", "results", "home", "Search", "contains", "array", "Menu", "Table actions",
]  # fmt: skip
# Columns with a label in metadata.yml that a page could show by their raw name.
RAW_COLUMNS = ["taken_at", "event_id", "caption", "units", "camera", "year", "tags"]
FORBIDDEN = re.compile(
    r"(?<![\w-])(" + "|".join(map(re.escape, ENGLISH + RAW_COLUMNS)) + r")(?![\w-])"
)

# Every visible text node, and the words of visible controls; never a table cell or a
# facet value (catalog data), nor what a user typed into a text box.
VISIBLE_TEXT = """() => {
    const data = "tbody td, .facet-info ul";
    const seen = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const node = walker.currentNode, el = node.parentElement, text = node.nodeValue.trim();
        if (!text || !el || el.closest(data)) continue;
        if (el.closest("script, style, option, pre, code, textarea")) continue;
        if (el.checkVisibility({checkVisibilityCSS: true})) seen.push(text);
    }
    for (const select of document.querySelectorAll("select")) {
        if (select.checkVisibility() && select.selectedOptions.length)
            seen.push(select.selectedOptions[0].textContent.trim());
    }
    for (const el of document.querySelectorAll("input, button, textarea, [title], [placeholder]")) {
        if (el.type === "hidden" || !el.checkVisibility() || el.closest(data)) continue;
        if (["submit", "button", "reset"].includes(el.type) && el.value) seen.push(el.value);
        for (const name of ["placeholder", "title"])
            if (el.getAttribute(name)) seen.push(el.getAttribute(name));
    }
    return seen;
}"""


@pytest.fixture(scope="module")
def chromium() -> Any:
    with launch_chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def built(chromium, tmp_path_factory: pytest.TempPathFactory) -> web_archive.ReviewArchive:
    work = tmp_path_factory.mktemp("chrome")
    return web_archive.build(work / "archive", work / "sources")


@pytest.fixture(scope="module")
def site(built) -> Any:
    with ArchiveServer(built.root) as server:
        yield server


def english_on(page: Any) -> list[str]:
    """The visible strings of the page that hold a forbidden word, each with the word.

    The menu is opened first: its links (a plugin's "Log in") are words a reviewer reads.
    """
    found = []
    page.evaluate("document.querySelectorAll('details.nav-menu').forEach(d => d.open = true)")
    for text in page.evaluate(VISIBLE_TEXT):
        found += [f"{match.group(1)!r} in {text[:80]!r}" for match in FORBIDDEN.finditer(text)]
    return found


def test_the_words_list_catches_datasettes_own_page() -> None:
    """The checker itself: the words of Datasette's own table template trip it."""
    text = (DATASETTE_TEMPLATES / "table.html").read_text(encoding="utf-8")
    for words in ("Next page", "Advanced export", "This data as", "Apply", "- column -"):
        assert words in text and FORBIDDEN.search(words), words
    assert not FORBIDDEN.search("16 dòng xếp theo Thời điểm chụp giảm dần · Trang sau")
    assert not FORBIDDEN.search("embedded_caption onerror src=x")


def test_first_screen_of_the_photos_table(chromium, site) -> None:
    with open_page(chromium) as (page, seen):
        page.set_viewport_size(WINDOW)
        page.goto(site.url("/catalog/photos"))
        thumb = page.locator("table.archive-photos td.col-thumb_path img").first
        page.wait_for_function(LOADED, arg=thumb.element_handle(), timeout=10_000)
        assert page.evaluate("window.scrollY") == 0
        inside = "el => { const r = el.getBoundingClientRect(); return r.top >= 0 && r.left >= 0"
        inside += f" && r.bottom <= {WINDOW['height']} && r.right <= {WINDOW['width']}; }}"
        assert thumb.evaluate(inside), thumb.bounding_box()
        assert page.locator("#_search").evaluate(inside)
        facets = page.locator(".facet-info")
        assert facets.count() >= 1 and facets.first.evaluate(inside)
        assert page.locator(".facet-info-name").first.inner_text().split()[0] != "units"
        assert not page.locator("dl.column-descriptions").is_visible()  # folded away
        page.locator("summary", has_text="Giải thích các cột").click()
        assert page.locator("dl.column-descriptions").is_visible()
        page.locator("summary", has_text="Giải thích các cột").click()
        # The window, not the whole page (docs/photos-table-1280x800.png is a copy of it).
        path = screenshot(page, "photos-table-1280x800")
        page.screenshot(path=str(path), full_page=False)
        assert (seen.dialogs, seen.errors) == ([], [])


def pages_to_read(built: web_archive.ReviewArchive) -> list[str]:
    photo = built.id("e.jpg")
    unit = quote("Chi bộ Khu phố 3")
    return [
        "/",
        "/catalog",
        f"/catalog/photos?_search=chi+bo&units__arraycontains={unit}",
        "/catalog/events",
        "/catalog/units",
        f"/catalog/photos/{photo}",
        "/catalog/events/1",
        "/catalog/anh_chua_co_chu_thich",
        "/catalog/hoat_dong_don_vi_theo_nam",
        f"/-/events/{web_archive.EXAMPLE_EVENT_SLUG}",
        "/-/units/chi-bo-khu-pho-3",
        f"/-/photos/{photo}",
        "/-/search?q=dang+uy",
        "/-/timeline",
        "/khong-co-trang-nay",
        "/catalog/khong_co_bang",
    ]


@pytest.mark.parametrize("script", [True, False], ids=["with-script", "without-script"])
def test_no_english_and_no_raw_column_names(chromium, site, built, script: bool) -> None:
    found: dict[str, list[str]] = {}
    with open_page(chromium, java_script_enabled=script) as (page, seen):
        page.set_viewport_size(WINDOW)
        for path in pages_to_read(built):
            page.goto(site.url(path))
            found[path] = english_on(page)
        # Page 2 of the table, reached by its own link.
        page.goto(site.url("/catalog/photos?_size=5&_facet=caption_source"))
        assert page.locator(".facet-info-name", has_text="Nguồn chú thích").count() == 1
        with page.expect_navigation():
            page.get_by_role("link", name="Trang sau").click()
        assert "_next=" in page.url
        found["page 2"] = english_on(page)
        status = page.goto(site.url("/catalog/photos/999999")).status
        assert status == 404 and "Không tìm thấy" in page.locator("h1").inner_text()
        found["row 404"] = english_on(page)
        screenshot(page, f"chrome-404-{'script' if script else 'noscript'}")
    english = {path: words for path, words in found.items() if words}
    assert english == {}, "\n".join(f"{path}: {words}" for path, words in english.items())
    assert seen.errors == []
