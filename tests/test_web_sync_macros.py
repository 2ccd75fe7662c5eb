"""The photo grid written in Python and the lists rendered synchronously are the async
macros' output, byte for byte.

archive/web/grid_html.py writes the grid of the event and unit pages, and
archive/web/sync_macros.py renders the other lists with a synchronous twin of
Datasette's Jinja environment; these tests render the same cards (an event's
real cards, a clip, one with neither caption nor time, a group's, and a caption
that tries markup) through Datasette's own async environment and compare.
"""

from __future__ import annotations

import asyncio

from tests import web_archive
from tests.web_archive import datasette, get

ASYNC_GRID = (
    '{% from "_archive_macros.html" import photo_grid %}{{ photo_grid(cards, lightbox=lightbox) }}'
)


def _cards(ds) -> list[dict]:
    page = get(ds, f"/-/events/{web_archive.MEETING['slug']}.json")
    assert page.status_code == 200, page.text[:300]
    cards = page.json()["photos"]
    assert len(cards) >= 3
    odd = {**cards[0], "id": 990001, "caption": '<script>alert(1)</script> "Đảng ủy" & <b>'}
    clip = {**cards[1], "id": 990002, "media_type": "video", "duration": 75.4}
    bare = {**cards[2], "id": 990003, "caption": None, "taken_at": None}
    member = {"url": "/-/photos/1", "caption": "<b>gần giống</b>", "thumb_url": "/-/images/thumb/1"}
    group = {"id": 7, "label": "3 ảnh", "pick_reason": "nét nhất", "members": [member], "size": 3}
    grouped = {**cards[0], "id": 990004, "group": {**group, "url": "/-/groups/7", "more": True}}
    return [*cards, odd, clip, bare, grouped]


def test_the_synchronous_grid_is_the_async_macros_output(built) -> None:
    ds = datasette(built)
    cards = _cards(ds)
    env = ds.jinja_env
    template = env.from_string(ASYNC_GRID)
    for lightbox in (False, True):
        expected = asyncio.run(template.render_async(cards=cards, lightbox=lightbox))
        rendered = env.globals["archive_photo_grid"](cards, lightbox=lightbox)
        assert str(rendered) == expected
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered and "<script>" not in rendered
    assert 'class="archive-duration"' in rendered and "1:15" in rendered
    assert 'data-group="7"' in rendered and "&lt;b&gt;gần giống" in rendered


def test_the_pages_lists_are_the_async_macros_output(built) -> None:
    """The unit page's events, the timeline's months, the search's results."""
    ds = datasette(built)
    events = get(ds, "/-/units/chi-bo-khu-pho-3.json").json()["events"]
    months = get(ds, "/-/timeline.json").json()["months"]
    results = get(ds, "/-/search.json?q=chi+bo").json()["results"]
    assert events and len(months) >= 2 and len(results) >= 3
    odd = {**events[0], "title": '<script>alert(1)</script> "Đảng ủy"', "date": None}
    cases = {
        "unit_events": [*events, odd],
        "timeline_months": [*months, {"label": "Tháng <b>", "events": [odd]}],
        "search_results": [
            *results,
            {**results[0], "caption": odd["title"], "taken_at": None, "event": None},
            {**results[1], "media_type": "video", "duration": 75.4, "units": []},
        ],
    }
    env = ds.jinja_env
    for name, items in cases.items():
        template = env.from_string(
            f'{{% from "_archive_macros.html" import {name} %}}{{{{ {name}(items) }}}}'
        )
        expected = asyncio.run(template.render_async(items=items))
        rendered = env.globals[f"archive_{name}"](items)
        assert str(rendered) == expected, name
        assert "&lt;script&gt;" in rendered and "<script>" not in rendered
        assert "chưa rõ ngày" in rendered or name == "search_results"
