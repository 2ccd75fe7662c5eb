"""A synthetic district archive: units, events and photos like a ward office's, seeded.

Used by bench_search.py (100,000 to 1,000,000 photos) and tests/test_bulk.py
(a few hundred). Only the catalog is made; no image files exist, so thumbnails
answer 404 and nothing else notices.

What makes it realistic for search and facets:

- 300 units in 20 wards (15 each) with kinds, parents and 80 aliases
  (``UBND phường 6``); photos name them in either tone placement
  (``Uỷ ban``/``Ủy ban``) or by an alias, as sheets do;
- 2,000 events over 16 years (2009-2024), one of them with 5,000 photos
  (``BIG_EVENT_SLUG``; fewer when the archive is small), the others sharing
  the rest at random;
- captions from a vocabulary holding ``đ``, ``hoà``/``hòa``, both placements of
  ``Uỷ``, and the pair ``đường``/``dương`` (streets, ``biểu dương``, ``Dương Bá
  Trạc``); ``RARE_WORD`` in about one caption in 2,000, ``COMMON_WORD`` in
  nearly all; some photos uncaptioned, some with only an embedded caption;
- 1-3 units and 0-2 tags per photo, wards and units Zipf-weighted so facets
  have a long tail; GPS on a third; cameras from a list; 1% undated.

Everything is drawn from ``random.Random(seed)``: the same seed and size give
the same archive.
"""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from archive.catalog import Catalog
from archive.catalog.bulk import BulkPhoto
from archive.db import open_catalog, write_transaction
from archive.records import EventSpec, PhotoFacts, SourceFile
from archive.store import Store
from archive.text import slugify

WARDS = 20
EVENTS = 2_000
BIG_EVENT_PHOTOS = 5_000
BIG_EVENT_SLUG = "dai-hoi-dang-bo-phuong-6-lan-thu-xii"
FIRST_YEAR, YEARS = 2009, 16
RARE_WORD, COMMON_WORD = "rạch", "phường"

STREETS = ["Nguyễn Trãi", "Trần Hưng Đạo", "Dương Bá Trạc", "Phạm Thế Hiển", "Âu Dương Lân"]
GROUPS = [
    "Cán bộ, đảng viên {unit}",
    "Đoàn viên thanh niên phường {w}",
    "Hội viên Hội Liên hiệp Phụ nữ phường {w}",
    "Bà con nhân dân khu phố {k} phường {w}",
    "Học sinh Trường Tiểu học Hoà Bình phường {w}",
    "Lãnh đạo Uỷ ban nhân dân phường {w}",
    "Lãnh đạo Ủy ban nhân dân phường {w}",
    "Đảng ủy phường {w}",
]
VERBS = ["học tập", "tham gia", "ra quân", "lắng nghe", "thảo luận", "biểu dương", "đón tiếp"]
TOPICS = [
    "Chỉ thị 05-CT/TW",
    "Nghị quyết Trung ương 4 khóa XII",
    "công tác hòa giải ở cơ sở",
    "công tác hoà giải ở cơ sở",
    "an toàn giao thông trên tuyến đường {street}",
    "vệ sinh môi trường",
    "phòng chống dịch bệnh",
    "chuyển đổi số",
    "gương người tốt việc tốt được tuyên dương",
]
PLACES = [
    "tại hội trường Uỷ ban nhân dân phường {w}",
    "tại hội trường Ủy ban nhân dân phường {w}",
    "trên đường {street}",
    "tại nhà văn hóa khu phố {k} phường {w}",
    "tại sân Trường Tiểu học Hòa Bình",
    "",
]
EVENT_TITLES = [
    "Hội nghị sơ kết công tác quý {q} năm {y} phường {w}",
    "Học tập Nghị quyết Đại hội Đảng bộ phường {w} năm {y}",
    "Lễ khai giảng năm học {y}-{y1} Trường Tiểu học Hòa Bình phường {w}",
    "Ra quân làm sạch đường {street} năm {y}",
    "Tuyên dương gương người tốt việc tốt phường {w} năm {y}",
    "Tiếp xúc cử tri phường {w} quý {q} năm {y}",
    "Hoà giải ở cơ sở tại khu phố {k} phường {w} năm {y}",
    "Ngày hội Đại đoàn kết toàn dân tộc khu phố {k} phường {w} năm {y}",
]
TAGS = [
    "Chỉ thị 05-CT/TW", "Học tập chính trị", "Hội nghị", "Lễ khai giảng", "Tiếp xúc cử tri",
    "Hòa giải cơ sở", "Hoà giải cơ sở", "An toàn giao thông", "Vệ sinh môi trường",
    "Người tốt việc tốt", "Tuyên dương", "Chuyển đổi số", "Đại hội", "Thể thao", "Văn nghệ",
    "Phòng chống dịch", "Cải cách hành chính", "Quốc phòng toàn dân", "Khuyến học",
    "Đền ơn đáp nghĩa", "Trung thu", "Tết", "Hiến máu", "Xây dựng nông thôn mới",
]  # fmt: skip
CAMERAS = [
    ("Canon", "Canon EOS 80D"), ("NIKON CORPORATION", "NIKON D7500"), ("samsung", "SM-J710F"),
    ("Apple", "iPhone 11"), ("SONY", "ILCE-6400"), ("OPPO", "CPH2127"), (None, None),
]  # fmt: skip


@dataclass(frozen=True)
class Unit:
    name: str
    kind: str
    parent: str | None
    aliases: tuple[str, ...]
    typed_as: tuple[str, ...]  # how sheets name it: as registered, other tone placement, alias


def units() -> list[Unit]:
    """The 300 units: 15 in each ward, the committee and party first (they are its parents)."""
    out: list[Unit] = []
    for w in range(1, WARDS + 1):
        uy = "Uỷ" if w % 2 else "Ủy"  # the ward's own spelling; sheets type either
        dang, ubnd, mttq = f"Đảng ủy phường {w}", f"{uy} ban nhân dân phường {w}", ""
        mttq = f"Ủy ban Mặt trận Tổ quốc phường {w}"
        other = ubnd.replace("Uỷ", "Ủy") if w % 2 else ubnd.replace("Ủy", "Uỷ")
        out += [
            Unit(dang, "đảng ủy", None, (f"ĐU phường {w}",), (dang, f"ĐU phường {w}")),
            Unit(ubnd, "ủy ban", None, (f"UBND phường {w}",), (ubnd, other, f"UBND phường {w}")),
            Unit(mttq, "mặt trận", None, (f"MTTQ phường {w}",), (mttq, f"MTTQ phường {w}")),
        ]
        doan = f"Đoàn Thanh niên phường {w}"
        out.append(Unit(doan, "đoàn thể", dang, (f"Đoàn TN phường {w}",), (doan,)))
        for name, kind, parent in [
            (f"Hội Liên hiệp Phụ nữ phường {w}", "hội", mttq),
            (f"Hội Cựu chiến binh phường {w}", "hội", mttq),
            (f"Chi bộ Công an phường {w}", "chi bộ", dang),
            *((f"Chi bộ khu phố {k} phường {w}", "chi bộ", dang) for k in (1, 2, 3)),
            *((f"Tổ dân phố {k} phường {w}", "tổ dân phố", ubnd) for k in (1, 2, 3, 4)),
            (f"Trường Tiểu học Hòa Bình phường {w}", "trường học", ubnd),
        ]:
            out.append(Unit(name, kind, parent, (), (name,)))
    return out


def register_units(catalog: Catalog, registry: list[Unit]) -> None:
    for unit in registry:
        catalog.add_unit(unit.name, unit.kind, unit.parent)
    for unit in registry:
        for alias in unit.aliases:
            catalog.add_alias(unit.name, alias)


def _zipf(n: int) -> list[float]:
    return [1 / (i + 1) for i in range(n)]


def event_specs(rng: random.Random, registry: list[Unit]) -> list[EventSpec]:
    """2,000 events over the 16 years, the big one first; slugs unique by construction."""
    specs = [
        EventSpec(
            slug=BIG_EVENT_SLUG,
            title="Đại hội Đảng bộ phường 6 lần thứ XII, nhiệm kỳ 2020-2025",
            date="2020-06-18",
            location="Hội trường Ủy ban nhân dân phường 6",
            organizer="Đảng ủy phường 6",
            description="Đại hội đại biểu Đảng bộ phường 6 lần thứ XII.",
            units=("Đảng ủy phường 6", "Ủy ban Mặt trận Tổ quốc phường 6"),
        )
    ]
    seen = {BIG_EVENT_SLUG}
    start = date(FIRST_YEAR, 1, 1)
    span = (date(FIRST_YEAR + YEARS, 1, 1) - start).days
    while len(specs) < EVENTS:
        day = start + timedelta(days=rng.randrange(span))
        w, k, q = rng.randint(1, WARDS), rng.randint(1, 3), (day.month - 1) // 3 + 1
        title = rng.choice(EVENT_TITLES).format(
            w=w, k=k, q=q, y=day.year, y1=day.year + 1, street=rng.choice(STREETS)
        )
        slug = f"{slugify(title)}-{day.isoformat()}"
        if slug in seen:
            continue
        seen.add(slug)
        ward_units = registry[(w - 1) * 15 : w * 15]
        specs.append(
            EventSpec(
                slug=slug,
                title=title,
                date=day.isoformat(),
                location=f"Phường {w}",
                organizer=ward_units[rng.choice((0, 1, 2))].name,
                description=f"{title}. Ảnh do bộ phận văn thư phường {w} lưu.",
                units=(ward_units[rng.randrange(15)].name,),
            )
        )
    return specs


def big_event_size(n: int) -> int:
    return min(BIG_EVENT_PHOTOS, n // 4)


def photos(
    n: int, seed: int, registry: list[Unit], events: list[tuple[int, str, str]]
) -> Iterator[BulkPhoto]:
    """The photos, lazily (a million never sit in memory); events as (id, slug, date).

    The first ``big_event_size(n)`` belong to the big event (``events[0]``).
    """
    rng = random.Random(f"photos:{seed}")
    ward_weights = _zipf(WARDS)
    unit_weights = _zipf(15)
    big = big_event_size(n)
    for i in range(n):
        event_id, slug, day = events[0] if i < big else events[1 + rng.randrange(len(events) - 1)]
        w = rng.choices(range(1, WARDS + 1), ward_weights)[0]
        ward_units = registry[(w - 1) * 15 : w * 15]
        chosen = rng.choices(ward_units, unit_weights, k=rng.randint(1, 3))
        typed = tuple(rng.choice(u.typed_as) for u in chosen)
        tags = tuple(rng.sample(TAGS, rng.randint(0, 2)))
        sha = hashlib.sha256(f"{seed}:{i}".encode()).hexdigest()
        make, model = rng.choice(CAMERAS)
        undated = rng.random() < 0.01
        taken = None if undated else f"{day}T{rng.randint(7, 17):02d}:{rng.randrange(60):02d}:00"
        caption, embedded = _caption(rng, w, chosen[0].name), None
        roll = rng.random()
        if roll < 0.08:
            caption = None
        elif roll < 0.11:
            caption, embedded = None, caption
        gps = rng.random() < 1 / 3
        facts = PhotoFacts(
            sha256=sha,
            ext="jpg",
            format="JPEG",
            mime="image/jpeg",
            bytes=rng.randint(800_000, 9_000_000),
            width=4000,
            height=3000,
            original_path=Store.original_relpath(sha, "jpg"),
            thumb_path=Store.thumb_relpath(sha, 320),
            preview_path=Store.thumb_relpath(sha, 1280),
            taken_at=taken,
            taken_at_source=None if undated else "DateTimeOriginal",
            make=make,
            model=model,
            iso=rng.choice((100, 200, 400, 800)),
            exposure="1/60",
            exposure_time=1 / 60,
            f_number=4.0,
            focal_length=35.0,
            gps_lat=round(10.74 + rng.random() / 50, 6) if gps else None,
            gps_lon=round(106.65 + rng.random() / 50, 6) if gps else None,
            orientation=1,
            embedded_caption=embedded,
            embedded_caption_source="XMP dc:description" if embedded else None,
            exif={"Image Make": make or "", "Image Model": model or "", "EXIF ISO": "200"},
        )
        source = SourceFile(f"/anh/{slug}/IMG_{i:07d}.JPG", facts.bytes, 1_600_000_000 + i)
        yield BulkPhoto(
            facts,
            source,
            caption=caption,
            caption_source="sheet" if caption else None,
            units=typed,
            tags=tags,
            event_id=event_id,
        )


def _caption(rng: random.Random, w: int, unit: str) -> str:
    if rng.random() < 0.0005:
        return f"Khánh thành cầu Rạch Ông, phường {w}"
    street, k = rng.choice(STREETS), rng.randint(1, 3)
    parts = [rng.choice(GROUPS), rng.choice(VERBS), rng.choice(TOPICS), rng.choice(PLACES)]
    text = " ".join(p for p in parts if p)
    return text.format(unit=unit, w=w, k=k, street=street)


def gallery_ids(first: int, last: int, size: int) -> list[int]:
    """``size`` photo ids spread evenly over first..last, for the big gallery."""
    count = last - first + 1
    size = min(size, count)
    return [first + (i * count) // size for i in range(size)]


GALLERY_SLUG, GALLERY_SIZE = "bo-anh-muoi-nghin", 10_000


@dataclass(frozen=True)
class Built:
    """What a build made and how long each step took (seconds)."""

    photos: int
    seconds: dict[str, float]
    big_event: str
    gallery: str


def build(root: Path, n: int, seed: int = 6) -> Built:
    """A new archive root at ``root`` holding ``n`` synthetic photos, through the bulk path."""
    store = Store(root)
    if store.catalog_path.exists():
        raise SystemExit(f"{store.catalog_path}: already exists; choose an empty folder")
    store.create()
    catalog = Catalog(open_catalog(store.catalog_path))
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    registry = units()
    with write_transaction(catalog.db):
        register_units(catalog, registry)
        events = []
        for spec in event_specs(random.Random(f"events:{seed}"), registry):
            event_id, _ = catalog.upsert_event(spec)
            events.append((event_id, spec.slug, spec.date))
    seconds["units and events"] = time.perf_counter() - started
    started = time.perf_counter()
    with write_transaction(catalog.db):
        run_id = catalog.start_run("bench_search --build", None)
    ids = catalog.add_photos_bulk(photos(n, seed, registry, events), run_id)
    with write_transaction(catalog.db):
        catalog.finish_run(run_id, "ok", {"added": len(ids)})
    seconds["photos (bulk)"] = time.perf_counter() - started
    started = time.perf_counter()
    with write_transaction(catalog.db):
        catalog.create_gallery(
            GALLERY_SLUG,
            "Bộ ảnh mười nghìn",
            "Ảnh chọn đều từ cả kho, để đo trang tải JSON.",
            gallery_ids(ids.start, ids.stop - 1, GALLERY_SIZE),
        )
    seconds["gallery"] = time.perf_counter() - started
    catalog.db.close()
    return Built(n, seconds, BIG_EVENT_SLUG, GALLERY_SLUG)
