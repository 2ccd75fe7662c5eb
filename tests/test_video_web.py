"""Clips on the web (issue 11, acceptance 2): played, seeked and shown in a real Chromium.

One `archive serve` over tests/video_archive.py's event (three photos, three
clips) and one headless Chromium for the module. The player must really
decode (``readyState >= 2``) and advance; a seek to the middle of a clip too
big to fetch at once must be a Range request the server answers 206; the
event page, the table and its facet must show clips as clips.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests import video_archive
from tests.browser import ArchiveServer, launch_chromium, open_page, screenshot

VIDEO = "document.querySelector('video')"


@pytest.fixture(scope="module")
def chromium() -> Any:
    with launch_chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def built(chromium, tmp_path_factory: pytest.TempPathFactory) -> video_archive.VideoArchive:
    work = tmp_path_factory.mktemp("video-web")
    return video_archive.build(work / "archive", work / "sources")


@pytest.fixture(scope="module")
def site(built) -> Any:
    with ArchiveServer(built.root) as server:
        yield server


def playback_responses(page: Any) -> list[dict[str, Any]]:
    """Every answer the server gave to the player's requests, with the Range asked."""
    seen: list[dict[str, Any]] = []

    def on_response(response: Any) -> None:
        if "/-/images/playback/" in response.url:
            seen.append(
                {
                    "status": response.status,
                    "range": response.request.headers.get("range"),
                    "content_range": response.headers.get("content-range"),
                }
            )

    page.on("response", on_response)
    return seen


def test_chromium_plays_the_clip_and_its_time_advances(chromium, site, built) -> None:
    with open_page(chromium) as (page, seen):
        page.goto(site.url(f"/-/photos/{built.id('chao-co.mp4')}"))
        video = page.locator("video")
        assert video.get_attribute("preload") == "metadata"
        assert video.get_attribute("controls") is not None
        assert video.get_attribute("poster") == f"/-/images/preview/{built.id('chao-co.mp4')}"
        source = page.locator("video source")
        assert source.get_attribute("src") == f"/-/images/playback/{built.id('chao-co.mp4')}"
        assert source.get_attribute("type") == "video/mp4"
        page.wait_for_function(f"{VIDEO}.readyState >= 2", timeout=15_000)
        assert page.evaluate(f"{VIDEO}.duration") == pytest.approx(6, abs=0.1)
        # Muted, as a page may start playing without a click only so.
        page.evaluate(f"{VIDEO}.muted = true; {VIDEO}.play()")
        page.wait_for_function(f"{VIDEO}.currentTime > 0.5", timeout=15_000)
        assert page.evaluate(f"{VIDEO}.error") is None
        screenshot(page, "video-item-page")
        assert seen.dialogs == [] and seen.errors == []


def test_a_seek_to_the_middle_is_a_range_answered_206(chromium, site, built) -> None:
    clip = built.id("toan-canh.mp4")
    size = (built.root / _row(built, clip)["original_path"]).stat().st_size
    with open_page(chromium) as (page, _):
        answers = playback_responses(page)
        page.goto(site.url(f"/-/photos/{clip}"))
        page.wait_for_function(f"{VIDEO}.readyState >= 1", timeout=15_000)
        before = len(answers)
        page.evaluate(
            f"""() => new Promise(done => {{
                {VIDEO}.addEventListener('seeked', done, {{once: true}});
                {VIDEO}.currentTime = {VIDEO}.duration / 2;
            }})"""
        )
        page.wait_for_function(f"{VIDEO}.readyState >= 2", timeout=15_000)
        assert page.evaluate(f"{VIDEO}.currentTime") == pytest.approx(4, abs=0.2)
    assert answers and all(a["status"] == 206 for a in answers), answers
    starts = [int(re.match(r"bytes=(\d+)-", a["range"]).group(1)) for a in answers[before:]]
    # The middle of the clip is read from the middle of the file, by a range the server honoured.
    assert any(size // 4 < start < size * 3 // 4 for start in starts), (starts, size)
    for answer in answers:
        start = int(answer["range"][6:].split("-")[0])
        assert answer["content_range"] == f"bytes {start}-{size - 1}/{size}"


def test_a_clip_browsers_cannot_play_plays_from_its_playback_file(chromium, site, built) -> None:
    clip = built.id("hat.mov")
    row = _row(built, clip)
    with open_page(chromium) as (page, seen):
        page.goto(site.url(f"/-/photos/{clip}"))
        assert page.locator("video source").get_attribute("type") == "video/mp4"
        page.wait_for_function(f"{VIDEO}.readyState >= 2", timeout=15_000)
        assert page.evaluate(f"[{VIDEO}.videoWidth, {VIDEO}.videoHeight]") == [
            row["playback_width"],
            row["playback_height"],
        ]
        facts = page.locator("dl.archive-facts").inner_text()
        assert seen.errors == []
    assert "Thời lượng\n0:03" in facts
    assert "hình hevc · không có tiếng" in facts
    assert "Số khung hình/giây\n25" in facts
    assert "Độ phân giải\n480 × 270 điểm ảnh" in facts
    served = httpx.get(site.url(f"/-/images/playback/{clip}"))
    assert served.content == (built.root / row["playback_path"]).read_bytes()
    assert served.headers["content-type"] == "video/mp4"
    # Its tag names the transcode, not the original a clip without one plays from.
    assert served.headers["etag"] == f'"{row["sha256"]}-playback-playback"'
    plain = httpx.get(site.url(f"/-/images/playback/{built.id('toan-canh.mp4')}"))
    assert plain.headers["etag"].endswith('-playback-originals"')


def test_a_photo_has_nothing_to_play(site, built) -> None:
    assert httpx.get(site.url(f"/-/images/playback/{built.id('a.jpg')}")).status_code == 404
    page = httpx.get(site.url(f"/-/photos/{built.id('a.jpg')}")).text
    assert "<video" not in page


def test_the_event_page_shows_posters_with_a_play_mark_and_durations(chromium, site, built) -> None:
    with open_page(chromium) as (page, seen):
        page.goto(site.url(f"/-/events/{video_archive.EVENT_SLUG}"))
        cards = page.locator("ul.archive-grid li")
        names = ["a.jpg", "chao-co.mp4", "b.jpg", "hat.mov", "c.jpg", "toan-canh.mp4"]
        assert [c.get_attribute("id") for c in cards.all()] == [f"anh-{built.id(n)}" for n in names]
        clips = page.locator("a.archive-video")
        assert clips.count() == 3
        for clip in clips.all():
            clip.scroll_into_view_if_needed()
            image = clip.locator("img").element_handle()
            page.wait_for_function("i => i.complete && i.naturalWidth > 0", arg=image)
            assert clip.locator(".archive-play").is_visible()
        durations = page.locator("a.archive-video .archive-duration").all_inner_texts()
        assert durations == ["0:06", "0:03", "0:08"]
        # A clip opens its own page (where it plays), not the stills' lightbox.
        assert clips.first.get_attribute("href") == f"/-/photos/{built.id('chao-co.mp4')}"
        assert page.locator(f"#xem-{built.id('chao-co.mp4')}").count() == 0
        screenshot(page, "video-event-page")
        assert seen.errors == [] and seen.failed == []


def test_the_unit_page_shows_the_clips_posters(chromium, site, built) -> None:
    from archive.text import slugify

    with open_page(chromium) as (page, seen):
        page.goto(site.url(f"/-/units/{slugify(video_archive.UNIT)}"))
        clips = page.locator("ul.archive-grid a.archive-video")
        assert clips.count() == 3
        for clip in clips.all():
            clip.scroll_into_view_if_needed()
            image = clip.locator("img").element_handle()
            page.wait_for_function("i => i.complete && i.naturalWidth > 0", arg=image)
        # Newest first on a unit's page.
        durations = page.locator("a.archive-video .archive-duration").all_inner_texts()
        assert durations == ["0:08", "0:03", "0:06"]
        assert seen.errors == []


def test_search_finds_clips_by_caption_and_unit_and_marks_them(site, built) -> None:
    from tests.web_archive import Elements

    for query, expected in (
        ("hat quoc ca", {"hat.mov"}),
        ("chi doan", set(video_archive.CLIP_CAPTIONS)),
    ):
        data = httpx.get(site.url("/-/search.json"), params={"q": query}).json()
        found = {r["id"] for r in data["results"]}
        assert found == {built.id(name) for name in expected}, query
    page = httpx.get(site.url("/-/search"), params={"q": "hat quoc ca"}).text
    assert page.count('class="archive-play"') == 1 and "0:03" in page
    assert f"/-/images/thumb/{built.id('hat.mov')}" in Elements.of(page).img_srcs


def test_the_photos_table_has_a_media_type_facet_and_durations(chromium, site, built) -> None:
    with open_page(chromium) as (page, seen):
        page.goto(site.url("/catalog/photos"))
        facet = page.locator("#facet-media_type")
        assert facet.locator("strong").inner_text().startswith("Loại")
        values = facet.locator("li").all_inner_texts()
        assert values == ["ảnh 3", "video 3"]
        with page.expect_navigation():
            facet.locator("a", has_text="video").click()
        rows = page.locator("table.archive-photos tbody tr")
        assert rows.count() == 3
        assert "Loại = «video»" in page.locator("h3.archive-count").inner_text()
        durations = sorted(rows.locator("td.col-duration").all_inner_texts())
        assert durations == ["0:03", "0:06", "0:08"]
        assert rows.locator("td.col-thumb_path .archive-play").count() == 3
        screenshot(page, "video-photos-table")
        assert seen.errors == []


def test_the_item_json_names_what_the_player_plays(site, built) -> None:
    clip = built.id("hat.mov")
    data = httpx.get(site.url(f"/-/photos/{clip}.json")).json()["photo"]
    assert data["media_type"] == "video"
    assert data["playback_url"] == f"/-/images/playback/{clip}"
    assert data["playback_type"] == "video/mp4"
    assert data["duration"] == pytest.approx(3, abs=0.05)


def _row(built: video_archive.VideoArchive, photo_id: int) -> dict[str, Any]:
    from tests.conftest import Archive

    return Archive(built.root).rows("SELECT * FROM photos WHERE id = ?", (photo_id,))[0]
