"""The archive the web, search and browser tests look at: the example plus two made-up events.

The bundled example alone cannot show what search must tell apart, so two
event folders are written here (real JPEGs, event.yml, captions.csv) and
ingested through the real command line next to it:

- ``Đảng ủy`` and ``Đảng uỷ`` (both tone placements) in captions;
- ``đường`` in one caption and only ``dương`` in another (they fold alike);
- a photo of Trường THCS Nguyễn Gia Thiều known only by its unit, not its caption;
- an event that cites 05-CT/TW in its description only, and one that does not cite it;
- a caption that is an XSS attempt; a photo without caption and without unit;
- an event whose title, place, organiser, unit and tag are XSS attempts, its two
  photos taken in the same second (the event's order then goes by file name).
"""

from __future__ import annotations

import asyncio
import json
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import httpx
from datasette import hookimpl
from datasette.app import Datasette
from datasette.plugins import pm

from archive.text import slugify
from archive.web.config import build_datasette, load_metadata
from tests.conftest import EXAMPLES, Archive
from tests.images import make_jpeg

XSS = "<script>alert(1)</script> <img src=x onerror=alert(2)>"

# Every catalog text a page shows, each an XSS attempt of its own (see HOSTILE).
HOSTILE_TEXT = {
    "title": f"Hội thao {XSS}",
    "location": f"Sân {XSS}",
    "organizer": f"Ban {XSS}",
    "unit": f"Đội {XSS}",
    "tag": f"Thẻ {XSS}",
}

MEETING = {
    "slug": "sinh-hoat-chi-bo-khu-pho-3-thang-3-2024",
    "event.yml": """\
title: Sinh hoạt Chi bộ Khu phố 3 tháng 3 năm 2024
slug: sinh-hoat-chi-bo-khu-pho-3-thang-3-2024
date: 2024-03-08
location: Nhà văn hóa Khu phố 3
organizer: Chi bộ Khu phố 3
description: Chi bộ Khu phố 3 họp định kỳ, triển khai nhiệm vụ quý II.
tags: [Sinh hoạt chi bộ]
""",
    "camera": ("Samsung", "SM-G930F"),
    "day": "2024:03:08",
    "photos": {
        # file: (caption, units)
        "a.jpg": ("Đảng ủy phường dự sinh hoạt chi bộ", "Chi bộ Khu phố 3"),
        "b.jpg": ("Đồng chí Bí thư Đảng uỷ phát biểu chỉ đạo", "Chi bộ Khu phố 3"),
        "c.jpg": ("Con đường trước nhà văn hóa được trang trí cờ hoa", "Chi bộ Khu phố 3"),
        "d.jpg": ("Chị Lê Thị Dương, tổ trưởng tổ dân phố, báo cáo", "Chi bộ Khu phố 3"),
        "e.jpg": (XSS, "Chi bộ Khu phố 3"),
        "f.jpg": ("Công nhân in ấn tài liệu phục vụ sinh hoạt", "Chi bộ Khu phố 3"),
    },
}

CONFERENCE = {
    "slug": "hoi-nghi-hoc-tap-chuyen-de-nam-2024",
    "event.yml": """\
title: Hội nghị học tập chuyên đề năm 2024
slug: hoi-nghi-hoc-tap-chuyen-de-nam-2024
date: 2024-05-15
location: Hội trường phường 6
description: Quán triệt Chỉ thị 05-CT/TW của Bộ Chính trị và chuyên đề năm 2024.
tags: [Hội nghị]
""",
    "camera": ("Canon", "Canon EOS 80D"),
    "day": "2024:05:15",
    "photos": {
        "g.jpg": ("Học sinh khối 9 trồng cây xanh", "Trường THCS Nguyễn Gia Thiều"),
        "h.jpg": ("Quang cảnh hội nghị", ""),
        "i.jpg": ("", ""),
    },
}

HOSTILE = {
    "slug": "hoi-thao-thang-11-2023",
    "event.yml": f"""\
title: '{HOSTILE_TEXT["title"]}'
slug: hoi-thao-thang-11-2023
date: 2023-11-18
location: '{HOSTILE_TEXT["location"]}'
organizer: '{HOSTILE_TEXT["organizer"]}'
description: Hội thao thể dục thể thao của khu phố.
tags: ['{HOSTILE_TEXT["tag"]}']
""",
    "camera": ("Apple", "iPhone 8"),
    "day": "2023:11:18",
    "same_time": True,
    "photos": {
        "x1.jpg": ("Vận động viên chạy tiếp sức", HOSTILE_TEXT["unit"]),
        "x2.jpg": ("Trao giải cho các đội thắng", HOSTILE_TEXT["unit"]),
    },
}

EXAMPLE_EVENT_SLUG = "to-chuc-hoc-tap-truc-tuyen-chi-thi-05-ct-tw-nam-2018"
EXAMPLE_CAPTIONS = {
    "uy_ban": "Trụ sở Uỷ ban nhân dân phường 6",
    "cong_an": "Chi bộ Công an phường",
    "gia_thieu_staff": "Cán bộ, đảng viên Trường THCS Nguyễn Gia Thiều",
    "van_thu": "Cán bộ văn thư học tập Chủ đề năm 2018 tại góc làm việc",
    "gia_thieu_pupils": "Học sinh trường THCS Nguyễn Gia Thiều cùng tham gia lắng nghe học tập",
}


@dataclass
class ReviewArchive:
    """The built archive and a way to name its photos by file."""

    root: Path
    ids: dict[str, int] = field(default_factory=dict)  # original file name -> photo id
    captions: dict[int, str | None] = field(default_factory=dict)

    @property
    def catalog(self) -> Path:
        return self.root / "catalog.db"

    def id(self, name: str) -> int:
        return self.ids[name]


def _write_event(folder: Path, event: dict, colour_seed: int) -> None:
    folder.mkdir(parents=True)
    (folder / "event.yml").write_text(event["event.yml"], encoding="utf-8")
    lines = ["file,caption,units"]
    make, model = event["camera"]
    for n, (name, (caption, units)) in enumerate(event["photos"].items()):
        colour = ((colour_seed + 70 * n) % 256, (40 + 50 * n) % 256, (200 - 30 * n) % 256)
        make_jpeg(
            folder / name,
            size=(640, 480),
            color=colour,
            make=make,
            model=model,
            taken=f"{event['day']} {9 + (0 if event.get('same_time') else n):02d}:00:00",
        )
        lines.append(",".join(_csv_cell(cell) for cell in (name, caption, units)))
    (folder / "captions.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _csv_cell(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def build(root: Path, work: Path) -> ReviewArchive:
    """Ingest the example and the three made-up events into root, through the real CLI."""
    _write_event(work / "sinh-hoat-chi-bo", MEETING, 30)
    _write_event(work / "hoi-nghi", CONFERENCE, 150)
    _write_event(work / "hoi-thao", HOSTILE, 90)
    archive = Archive(root)
    for source in (EXAMPLES, work):
        report = archive.ingest(str(source))
        assert report["failed"] == 0, report["problems"]
    built = ReviewArchive(root)
    for row in archive.rows("SELECT id, original_name, caption FROM photos"):
        built.ids[row["original_name"]] = row["id"]
        built.captions[row["id"]] = row["caption"]
    assert len(built.ids) == 16
    return built


def example_ids(built: ReviewArchive) -> dict[str, int]:
    """The example's photos by a short name (see EXAMPLE_CAPTIONS)."""
    by_caption = {caption: pid for pid, caption in built.captions.items()}
    return {key: by_caption[caption] for key, caption in EXAMPLE_CAPTIONS.items()}


def photo_units(built: ReviewArchive) -> dict[str, int]:
    """Photos per unit, counted from the catalog's link table (the facet's truth)."""
    archive = Archive(built.root)
    rows = archive.rows(
        "SELECT u.name, count(*) AS n FROM photo_units pu JOIN units u ON u.id = pu.unit_id"
        " GROUP BY u.name"
    )
    return {row["name"]: row["n"] for row in rows}


def units_of(built: ReviewArchive, photo_id: int) -> list[str]:
    archive = Archive(built.root)
    return json.loads(
        archive.rows("SELECT units FROM photos WHERE id = ?", (photo_id,))[0]["units"]
    )


def hostile_pages(built) -> dict[str, tuple[str, ...]]:
    """Every page showing the hostile event's catalog text, and which of its texts it shows."""
    archive = Archive(built.root)
    event_id = archive.rows("SELECT id FROM events WHERE slug = ?", (HOSTILE["slug"],))[0]["id"]
    unit = archive.rows("SELECT id, slug FROM units WHERE name = ?", (HOSTILE_TEXT["unit"],))[0]
    organizer_slug = slugify(HOSTILE_TEXT["organizer"])
    photo_id = built.id("x1.jpg")
    in_photos = ("title", "unit", "tag")
    return {
        "/catalog/photos": in_photos,
        "/catalog/photos?_nocol=exif": in_photos,
        "/catalog/photos?_search=hoi+thao": in_photos,
        f"/catalog/photos?units__arraycontains={quote(HOSTILE_TEXT['unit'])}": in_photos,
        f"/catalog/photos?event_id={event_id}": in_photos,
        f"/catalog/photos/{photo_id}": ("unit", "tag"),  # a row page links its event by id
        "/catalog/events": ("title", "location", "organizer"),
        f"/catalog/events/{event_id}": ("title", "location"),  # its organiser by id
        "/catalog/units": ("unit", "organizer"),
        f"/catalog/units/{unit['id']}": ("unit",),
        "/catalog/tags": ("tag",),
        "/catalog/hoat_dong_don_vi_theo_nam": ("unit",),
        f"/-/photos/{photo_id}": in_photos,
        f"/-/events/{HOSTILE['slug']}": ("title", "location", "organizer", "unit"),
        f"/-/units/{unit['slug']}": ("unit", "title"),
        f"/-/units/{organizer_slug}": ("organizer",),
        "/-/timeline": ("title", "location"),
        "/-/search?q=hoi+thao": ("title", "unit"),
        f"/-/search?q={quote(HOSTILE_TEXT['unit'])}": ("unit",),
    }


# -- Datasette, as `archive serve` builds it ------------------------------------

METADATA = Path(__file__).resolve().parents[1] / "metadata.yml"


def datasette(built: ReviewArchive, **options: object) -> Datasette:
    """The Datasette `archive serve` runs on this archive (reviewers=, password_hash_env=)."""
    return build_datasette(built.catalog, load_metadata(METADATA), **options)


def get(ds: Datasette, path: str, actor: dict | None = None) -> httpx.Response:
    """One request through Datasette's own test client (as an actor, when given)."""

    async def request() -> httpx.Response:
        await ds.invoke_startup()
        cookies = {"ds_actor": ds.sign({"a": actor}, "actor")} if actor else None
        return await ds.client.get(path, cookies=cookies)

    return asyncio.run(request())


def found_ids(response: httpx.Response) -> set[int]:
    """The photo ids of a table JSON (?_shape=array) or a smart-search JSON response."""
    assert response.status_code == 200, response.text
    data = response.json()
    rows = data["results"] if isinstance(data, dict) else data
    return {row["id"] for row in rows}


class Elements(HTMLParser):
    """What a browser would build from the HTML: scripts, images, inline event handlers."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.img_srcs: list[str] = []
        self.handlers: list[tuple[str, str]] = []
        self._in_script = False

    @classmethod
    def of(cls, html: str) -> Elements:
        parser = cls()
        parser.feed(html)
        return parser

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handlers += [(tag, name) for name, _ in attrs if name.startswith("on")]
        if tag == "img":
            self.img_srcs.append(dict(attrs).get("src") or "")
        if tag == "script":
            self._in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data


def assert_inert(html: str, page: str) -> None:
    """Nothing of the page's catalog text became markup a browser would run."""
    elements = Elements.of(html)
    assert not any("alert" in script for script in elements.scripts), page
    assert not any(src == "x" for src in elements.img_srcs), page
    assert not elements.handlers, page  # no on…= attribute anywhere


@contextmanager
def foreign_plugin(hook: str, implementation: Callable[..., object]) -> Iterator[None]:
    """Someone else's plugin implementing one of Datasette's hooks, installed for the block:
    the archive must then not assume its own hooks are the only ones."""
    plugin = types.ModuleType(f"foreign_{hook}")
    setattr(plugin, hook, hookimpl(implementation))
    pm.register(plugin, name=f"foreign-{hook}")
    try:
        yield
    finally:
        pm.unregister(plugin)
