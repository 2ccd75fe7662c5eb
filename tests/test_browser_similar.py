"""Near-duplicate groups as a reviewer sees them, in a real headless Chromium (issue 12).

Acceptance 2's page half: the generated event of 60 photos from 3 phones with 8
known groups (tests/scenes.py) shows 8 group cards plus its 28 photos
in no group, and opening a group's "+N ảnh gần giống" shows its members,
without script; a member's page lists the group with its pick marked.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser import ArchiveServer, launch_chromium, open_page, screenshot
from tests.similar_groups import REVIEWED, SLUG, Built, build_scene_archive

LOADED = "img => img.complete && img.naturalWidth > 0"


@pytest.fixture(scope="module")
def chromium() -> Any:
    with launch_chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def built(chromium, tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build_scene_archive(tmp_path_factory.mktemp("browser-similar"))


@pytest.fixture(scope="module")
def site(built: Built) -> Any:
    with ArchiveServer(built.root) as server:
        yield server


def loaded_widths(page: Any, selector: str) -> list[int]:
    """Scroll each image into view (they load lazily), wait for it; their natural widths."""
    images = page.locator(selector)
    for image in images.all():
        image.scroll_into_view_if_needed()
        page.wait_for_function(LOADED, arg=image.element_handle(), timeout=10_000)
    return page.eval_on_selector_all(selector, "els => els.map(e => e.naturalWidth)")


@pytest.mark.parametrize("script", [True, False], ids=["with-script", "without-script"])
def test_event_page_shows_8_group_cards_and_opens_one(chromium, site, built, script) -> None:
    with open_page(chromium, java_script_enabled=script) as (page, seen):
        page.goto(site.url(f"/-/events/{SLUG}"))
        cards = page.locator(".archive-grid > li")
        assert cards.count() == 8 + 28
        groups = page.locator(".archive-grid details.archive-group")
        assert groups.count() == 8
        badges = groups.locator("summary").all_inner_texts()
        assert sorted(badges) == sorted(f"+{len(g) - 1} ảnh gần giống" for g in built.groups)
        shown_cards = [
            int(i.removeprefix("anh-")) for i in cards.evaluate_all("els => els.map(e => e.id)")
        ]
        assert set(shown_cards) == {g[0] for g in built.groups} | set(built.singletons)
        first = groups.nth(0)
        members = first.locator(".archive-group-members img")
        assert not members.first.is_visible()  # closed until asked
        first.locator("summary").click()
        assert first.evaluate("d => d.open")
        group = next(
            g
            for g in built.groups
            if str(g[0]) == first.evaluate("d => d.closest('li').id.slice(4)")
        )
        assert members.count() == len(group) - 1
        assert all(
            width > 0 for width in loaded_widths(page, "details[open] .archive-group-members img")
        )
        screenshot(page, f"event-page-group-open-{'js' if script else 'nojs'}")
        with page.expect_navigation():
            first.locator("a.archive-group-all").click()
        assert page.locator("h1").inner_text() == f"Nhóm {len(group)} ảnh gần giống"
        assert page.locator(".archive-group-members-grid > li").count() == len(group)
        assert page.locator(".archive-group-pick").count() == 1
        assert (seen.dialogs, seen.errors, seen.failed) == ([], [], [])


def test_a_members_page_lists_its_group_and_its_pick(chromium, site, built) -> None:
    group = built.groups[REVIEWED]
    with open_page(chromium) as (page, seen):
        page.goto(site.url(f"/-/photos/{group[1]}"))
        section = page.locator("#nhom-anh-gan-giong")
        assert section.locator("h2").inner_text() == f"Nhóm {len(group)} ảnh gần giống"
        assert "người duyệt chọn" in section.inner_text()
        assert section.locator("li").count() == len(group)
        assert section.locator(".archive-group-pick").count() == 1
        assert section.locator(".archive-group-current").count() == 1
        assert all(width > 0 for width in loaded_widths(page, "#nhom-anh-gan-giong img"))
        screenshot(page, "photo-page-group")
        with page.expect_navigation():
            section.get_by_role("link", name="một ảnh khác").click()
        assert page.url.endswith(f"/-/photos/{group[0]}")
        assert "Ảnh này là ảnh chọn của nhóm" in page.locator("#nhom-anh-gan-giong").inner_text()
        assert (seen.dialogs, seen.errors, seen.failed) == ([], [], [])
