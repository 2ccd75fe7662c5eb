"""The archive the web, search and browser tests look at: the example plus two made-up events.

The bundled example alone cannot show what search must tell apart, so two
event folders are written here (real JPEGs, event.yml, captions.csv) and
ingested through the real command line next to it:

- ``Đảng ủy`` and ``Đảng uỷ`` (both tone placements) in captions;
- ``đường`` in one caption and only ``dương`` in another (they fold alike);
- a photo of Trường THCS Nguyễn Gia Thiều known only by its unit, not its caption;
- an event that cites 05-CT/TW in its description only, and one that does not cite it;
- a caption that is an XSS attempt; a photo without caption and without unit.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from datasette.app import Datasette

from archive.web.config import build_datasette, load_metadata
from tests.conftest import EXAMPLES, Archive
from tests.images import make_jpeg

XSS = "<script>alert(1)</script> <img src=x onerror=alert(2)>"

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
            taken=f"{event['day']} {9 + n:02d}:00:00",
        )
        quoted = caption.replace('"', '""')
        lines.append(f'{name},"{quoted}",{units}')
    (folder / "captions.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def build(root: Path, work: Path) -> ReviewArchive:
    """Ingest the example and the two made-up events into root, through the real CLI."""
    _write_event(work / "sinh-hoat-chi-bo", MEETING, 30)
    _write_event(work / "hoi-nghi", CONFERENCE, 150)
    archive = Archive(root)
    for source in (EXAMPLES, work):
        report = archive.ingest(str(source))
        assert report["failed"] == 0, report["problems"]
    built = ReviewArchive(root)
    for row in archive.rows("SELECT id, original_name, caption FROM photos"):
        built.ids[row["original_name"]] = row["id"]
        built.captions[row["id"]] = row["caption"]
    assert len(built.ids) == 14
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
