"""The bundle's index.html as a reader sees it: people's text stays text, and each card
lists the photographer and credit the JSON export holds, labelled as archive.fields says.

Everything goes through the real command line: an event folder of JPEGs made here, a
caption sheet with ``Người chụp`` and ``Nguồn`` columns, ``archive export --bundle``;
the page is then parsed, and opened from file:// in headless Chromium.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from archive import fields
from archive.bundle_html import EAGER
from tests.browser import launch_chromium, open_page
from tests.conftest import Archive
from tests.images import make_jpeg

SLUG = "hop-to-dan-pho"
CREDIT_SETTING = "Ảnh: UBND phường 6"
# Each would run script or break the markup if written into the page unescaped.
CAPTION_XSS = '<script>alert("chú thích")</script> & <b>đậm</b>'
UNIT_XSS = '<img src=x onerror=alert("đơn vị")>Tổ 7'
PHOTOGRAPHER_XSS = 'Lan"><svg onload=alert(1)>'
CREDIT_XSS = "</dd></dl></figure><script>alert(2)</script>"
TITLE_XSS = "Họp tổ <script>alert(3)</script>"
DESCRIPTION_XSS = "Đoạn <iframe src=x></iframe> &amp; hết"
PHOTOGRAPHER, CREDIT, UNIT = "Nguyễn Văn An", "Báo Quận 3", "Tổ dân phố 7"


class Page(HTMLParser):
    """The tags of a page, and each figure's caption and labelled facts (dt → dd)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.figures: list[dict[str, str]] = []
        self._in: str | None = None
        self._dt = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        self.tags.append((tag, named))
        if tag == "figure":
            self.figures.append({})
        elif tag == "span" and named.get("class") in ("caption", "units"):
            self._in = str(named["class"])
        elif tag in ("dt", "dd"):
            self._in = tag

    def handle_endtag(self, tag: str) -> None:
        if tag in ("span", "dt", "dd"):
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "dt":
            self._dt += data
        elif self._in == "dd":
            self.figures[-1][self._dt] = self.figures[-1].get(self._dt, "") + data
            self._dt = ""
        elif self._in:
            self.figures[-1][self._in] = self.figures[-1].get(self._in, "") + data


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


def event_folder(folder: Path, rows: list[tuple[str, ...]]) -> Path:
    """Three photos a minute apart and a tab-separated caption sheet of the given rows."""
    folder.mkdir(parents=True)
    for n, name in enumerate(("a.jpg", "b.jpg", "c.jpg")):
        make_jpeg(folder / name, taken=f"2024:03:08 09:0{n}:00", color=(40 * n, 90, 160))
    (folder / "event.yml").write_text(
        f"title: Họp tổ dân phố 7\nslug: {SLUG}\ndate: 2024-03-08\n", "utf-8"
    )
    header = ("Tên tệp", "Chú thích", "Đơn vị", "Người chụp", "Nguồn")
    sheet = "".join("\t".join(row) + "\n" for row in (header, *rows))
    (folder / "captions.tsv").write_text(sheet, "utf-8")
    return folder


@pytest.fixture
def credited(tmp_path: Path) -> Archive:
    """a.jpg with photographer and credit, b.jpg a photographer only, c.jpg neither."""
    archive = Archive(tmp_path / "archive")
    archive.run("settings", "set", "credit", CREDIT_SETTING)
    rows = [
        ("a.jpg", "Họp tổ", UNIT, PHOTOGRAPHER, CREDIT),
        ("b.jpg", "Bầu tổ trưởng", UNIT, "Trần Thị Bình", ""),
        ("c.jpg", "", UNIT, "", ""),
    ]
    archive.ingest(str(event_folder(tmp_path / "src" / "hop", rows)))
    return archive


def labels() -> tuple[str, str]:
    return fields.BY_NAME["photographer"].label or "", fields.BY_NAME["credit"].label or ""


def test_photographer_and_credit_are_on_every_card_that_has_them(credited, tmp_path) -> None:
    by, source = labels()
    for args in ((), ("--public",)):  # both fields are public: a --public bundle keeps them
        bundle = tmp_path / f"bundle{len(args)}"
        credited.run("export", "--event", SLUG, "--bundle", str(bundle), *args)
        page = parse((bundle / "index.html").read_text("utf-8"))
        assert page.figures == [
            {"caption": "Họp tổ", "units": UNIT, by: PHOTOGRAPHER, source: CREDIT},
            # No credit of its own: the archive's credit setting, as the JSON export fills it.
            {
                "caption": "Bầu tổ trưởng",
                "units": UNIT,
                by: "Trần Thị Bình",
                source: CREDIT_SETTING,
            },  # fmt: skip
            {"caption": "Ảnh 3", "units": UNIT, source: CREDIT_SETTING},
        ], args
        # The page says what the bundle's JSON says.
        document = json.loads((bundle / "gallery.json").read_text("utf-8"))
        said = [(p["photographer"], p["credit"]) for p in document["photos"]]
        shown = [(f.get(by), f.get(source)) for f in page.figures]
        assert shown == said


def test_without_a_credit_setting_a_photo_without_either_lists_nothing(tmp_path) -> None:
    archive = Archive(tmp_path / "archive")
    archive.ingest(str(event_folder(tmp_path / "src" / "hop", [("a.jpg", "Họp tổ", "", "", "")])))
    archive.run("export", "--event", SLUG, "--bundle", str(tmp_path / "b"))
    html = (tmp_path / "b" / "index.html").read_text("utf-8")
    assert "<dl" not in html and "<dt>" not in html
    assert [f["caption"] for f in parse(html).figures] == ["Họp tổ", "Ảnh 2", "Ảnh 3"]


def test_text_typed_by_people_stays_text(tmp_path) -> None:
    """Caption, unit, photographer, credit, title and description with markup in them."""
    archive = Archive(tmp_path / "archive")
    rows = [("a.jpg", CAPTION_XSS, UNIT_XSS, PHOTOGRAPHER_XSS, CREDIT_XSS)]
    archive.ingest(str(event_folder(tmp_path / "src" / "hop", rows)))
    archive.run("gallery", "create", "g", "--title", TITLE_XSS, "--event", SLUG,
                "--description", DESCRIPTION_XSS)  # fmt: skip
    stored = archive.rows("SELECT caption, photographer, credit FROM photos ORDER BY taken_at")[0]
    assert stored == {"caption": CAPTION_XSS, "photographer": PHOTOGRAPHER_XSS,
                      "credit": CREDIT_XSS}  # fmt: skip
    usb = tmp_path / "usb"
    archive.run("export", "g", "--bundle", str(usb))
    html = (usb / "index.html").read_text("utf-8")
    page = parse(html)
    tags = [tag for tag, _ in page.tags]
    assert not {"script", "svg", "iframe", "b"} & set(tags), tags
    assert tags.count("img") == 3 and tags.count("figure") == 3 and tags.count("dl") == 1
    assert not [attrs for _, attrs in page.tags if any(a.startswith("on") for a in attrs)]
    by, source = labels()
    first = page.figures[0]
    assert (first["caption"], first["units"]) == (CAPTION_XSS, UNIT_XSS)
    assert (first[by], first[source]) == (PHOTOGRAPHER_XSS, CREDIT_XSS)
    alts = [attrs["alt"] for tag, attrs in page.tags if tag == "img"]
    assert alts == [CAPTION_XSS, "", ""]

    with launch_chromium() as browser, open_page(browser, offline=True) as (view, seen):
        view.goto((usb / "index.html").as_uri(), wait_until="load")
        assert view.locator("h1").inner_text() == TITLE_XSS
        assert view.title() == TITLE_XSS
        assert view.locator(".description p").inner_text() == DESCRIPTION_XSS
        card = view.locator("figure").first
        assert card.locator(".caption").inner_text() == CAPTION_XSS
        assert card.locator(".units").inner_text() == UNIT_XSS
        assert card.locator("dd").all_inner_texts() == [PHOTOGRAPHER_XSS, CREDIT_XSS]
        assert card.locator("dt").all_inner_texts() == [by, source]
        assert view.evaluate("document.scripts.length") == 0
        assert view.locator("main figure").count() == 3
    assert not (seen.dialogs or seen.errors), seen


def test_the_first_screens_load_eagerly_and_the_rest_lazily(tmp_path) -> None:
    folder = tmp_path / "src" / "dong"
    folder.mkdir(parents=True)
    count = EAGER + 2
    for n in range(count):
        make_jpeg(folder / f"{n:03}.jpg", size=(32, 24), taken=f"2024:03:08 09:{n // 60:02}:"
                  f"{n % 60:02}", color=(n, 255 - n, 90))  # fmt: skip
    (folder / "event.yml").write_text("title: Đông\nslug: dong\ndate: 2024-03-08\n", "utf-8")
    archive = Archive(tmp_path / "archive")
    archive.ingest(str(folder))
    archive.run("export", "--event", "dong", "--bundle", str(tmp_path / "b"))
    page = parse((tmp_path / "b" / "index.html").read_text("utf-8"))
    images = [attrs for tag, attrs in page.tags if tag == "img"]
    assert len(images) == count
    assert [attrs.get("loading") for attrs in images] == [None] * EAGER + ["lazy"] * 2
    links = [attrs["href"] for tag, attrs in page.tags if tag == "a" and "thumbs/" in attrs["href"]]
    assert len(links) == count and all(link.startswith("thumbs/1280/") for link in links)
