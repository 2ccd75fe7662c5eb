"""Every catalog text a reviewer sees is escaped: captions, titles, places, units, tags.

Each is its own XSS attempt, ingested through the real CLI (see web_archive).
"""

from __future__ import annotations

from markupsafe import escape

from tests import web_archive
from tests.web_archive import HOSTILE_TEXT, XSS, get


def ok(ds, path: str):
    response = get(ds, path)
    assert response.status_code == 200, (path, response.status_code, response.text[:500])
    return response


def test_a_script_in_a_caption_is_text_on_every_page(built, ds) -> None:
    photo_id = built.id("e.jpg")
    assert built.captions[photo_id] == XSS
    pages = [
        "/catalog/photos",
        "/catalog/photos?_search=script",
        "/catalog/photos?_nocol=exif",
        f"/catalog/photos/{photo_id}",
        f"/-/photos/{photo_id}",
        f"/-/events/{web_archive.MEETING['slug']}",
        "/-/units/chi-bo-khu-pho-3",
        "/-/search?q=script+alert",
        f"/-/search?q={XSS}",
        "/catalog/anh_chua_co_don_vi",
    ]
    for page in pages:
        web_archive.assert_inert(ok(ds, page).text, page)
    for page in pages[:-1]:
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in ok(ds, page).text, page


def test_scripts_in_titles_places_organisers_units_and_tags_are_text_everywhere(built, ds) -> None:
    """Each catalog text is its own XSS attempt, ingested from event.yml and captions.csv."""
    for page, shown in web_archive.hostile_pages(built).items():
        html = ok(ds, page).text
        web_archive.assert_inert(html, page)
        for field in shown:
            assert str(escape(HOSTILE_TEXT[field])) in html, (page, field)
