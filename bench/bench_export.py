"""Benchmark: exporting a 10,000-photo gallery to JSON against a plain sqlite3 + json.dumps.

    python bench/bench_export.py              # 10,000 photos, 7 rounds
    python bench/bench_export.py -n 50000 -r 5

The reference is the least any export must do: one ``sqlite3`` query reading
the gallery's photo rows (``SELECT p.*`` joined to ``gallery_photos`` in
order) into dicts and ``json.dumps`` of that list. Ours is
``archive.export.gallery_json``: the same rows plus each photo's units and
tags with their slugs, its event, derivative sizes, EXIF parsed into an
object, written in the documented format. Both run in the same process on
the same catalog file, alternating, after one warm-up each; the median of the
rounds is compared. Synthetic rows are inserted with sqlite-utils (no image
files are needed: the export reads the catalog only). The budget is 3x.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run from a checkout without `pip install -e .`
    sys.path.insert(0, str(ROOT))

from archive.catalog import Catalog  # noqa: E402
from archive.db import open_catalog  # noqa: E402
from archive.export import ExportOptions, gallery_json  # noqa: E402

BUDGET = 3.0
UNITS = [
    "Đảng ủy phường 6",
    "Ủy ban nhân dân phường 6",
    "Chi bộ Công an phường",
    "Trường THCS Nguyễn Gia Thiều",
    "Bộ phận văn thư phường 6",
    "Hội Liên hiệp Phụ nữ phường 6",
    "Đoàn Thanh niên phường 6",
    "Hội Cựu chiến binh phường 6",
] + [f"Tổ dân phố {n}" for n in range(1, 13)]
TAGS = ["Chỉ thị 05-CT/TW", "Học tập chính trị", "Hội nghị", "Lễ khai giảng", "Tiếp xúc cử tri"]
CAPTIONS = [
    "Cán bộ, đảng viên Trường THCS Nguyễn Gia Thiều học tập chuyên đề năm {y}",
    "Chi bộ Công an phường sinh hoạt định kỳ tháng {m}",
    "Học sinh trường THCS Nguyễn Gia Thiều cùng tham gia lắng nghe học tập",
    "Trụ sở Ủy ban nhân dân phường 6 trong ngày lễ",
]


def exif_for(n: int, taken: str) -> str:
    """An EXIF record the size of a phone's (about 20 tags, as ingest stores them)."""
    stamp = taken[:19].replace("-", ":").replace("T", " ")
    tags = {
        "EXIF DateTimeDigitized": stamp,
        "EXIF DateTimeOriginal": stamp,
        "EXIF ExposureTime": "[1, 30]",
        "EXIF FNumber": "[19, 10]",
        "EXIF FocalLength": "[37, 10]",
        "EXIF ISOSpeedRatings": str(100 + n % 700),
        "EXIF OffsetTimeOriginal": "+07:00",
        "EXIF ExifImageWidth": "4000",
        "EXIF ExifImageLength": "3000",
        "GPS GPSAltitude": "9",
        "GPS GPSAltitudeRef": "0",
        "GPS GPSLatitude": f"[10, 46, {13000 + n % 500}/250]",
        "GPS GPSLatitudeRef": "N",
        "GPS GPSLongitude": "[106, 41, 561/50]",
        "GPS GPSLongitudeRef": "E",
        "Image DateTime": stamp,
        "Image Make": "samsung",
        "Image Model": "SM-J710F",
        "Image Orientation": "Horizontal (normal)",
        "Image Software": "J710FXXU4BQK1",
    }
    return json.dumps(tags, ensure_ascii=False, sort_keys=True)


def build(path: Path, count: int) -> None:
    """A catalog with one event and a gallery of ``count`` synthetic photos."""
    rng = random.Random(4)
    db = open_catalog(path)
    now = "2024-03-08T00:00:00+00:00"
    with db.conn:
        db["units"].insert_all(
            {"id": i, "slug": f"u{i}", "name": name, "created_at": now}
            for i, name in enumerate(UNITS, start=1)
        )
        db["tags"].insert_all(
            {"id": i, "slug": f"t{i}", "name": name} for i, name in enumerate(TAGS, start=1)
        )
        db["events"].insert(
            {
                "id": 1,
                "slug": "hoi-nghi",
                "title": "Hội nghị tổng kết năm 2023",
                "date": "2023-12-22",
                "location": "Phường 6",
                "created_at": now,
                "updated_at": now,
            }  # fmt: skip
        )
        photos, links, tag_links = [], [], []
        for n in range(1, count + 1):
            taken = f"2023-{1 + n % 12:02d}-{1 + n % 28:02d}T{8 + n % 9:02d}:{n % 60:02d}:00+07:00"
            sha = f"{rng.getrandbits(256):064x}"
            units = rng.sample(range(1, len(UNITS) + 1), 1 + n % 2)
            tags = rng.sample(range(1, len(TAGS) + 1), 2)
            photos.append({
                "id": n, "sha256": sha, "event_id": 1,
                "caption": rng.choice(CAPTIONS).format(y=2023, m=1 + n % 12),
                "caption_source": "sheet", "taken_at": taken, "taken_at_source": "exif",
                "year": 2023, "width": 4000, "height": 3000, "format": "JPEG", "ext": "jpg",
                "mime": "image/jpeg", "bytes": 3_000_000 + n, "camera": "samsung SM-J710F",
                "make": "samsung", "model": "SM-J710F", "iso": 100 + n % 700,
                "gps_lat": 10.78 + n / 1e6, "gps_lon": 106.68, "gps_alt": 9.0,
                "orientation": 1, "original_name": f"IMG_{n:05d}.jpg",
                "source_path": f"D:/Ảnh/2023/IMG_{n:05d}.jpg",
                "original_path": f"originals/{sha[:2]}/{sha}.jpg",
                "thumb_path": f"thumbs/320/{sha[:2]}/{sha}.jpg",
                "preview_path": f"thumbs/1280/{sha[:2]}/{sha}.jpg",
                "units": json.dumps([UNITS[u - 1] for u in units], ensure_ascii=False),
                "tags": json.dumps([TAGS[t - 1] for t in tags], ensure_ascii=False),
                "exif": exif_for(n, taken), "private": 0, "added_at": now, "updated_at": now,
            })  # fmt: skip
            links += [{"photo_id": n, "unit_id": u} for u in units]
            tag_links += [{"photo_id": n, "tag_id": t} for t in tags]
        db["photos"].insert_all(photos, batch_size=1000)
        db["photo_units"].insert_all(links, batch_size=5000)
        db["photo_tags"].insert_all(tag_links, batch_size=5000)
        db["galleries"].insert(
            {
                "id": 1,
                "slug": "ca-nam",
                "title": "Cả năm 2023",
                "created_at": now,
                "updated_at": now,
            }
        )
        order = list(range(1, count + 1))
        rng.shuffle(order)  # a curated order, not the rowid order
        db["gallery_photos"].insert_all(
            ({"gallery_id": 1, "photo_id": pid, "position": pos, "added_at": now}
             for pos, pid in enumerate(order, start=1)),
            batch_size=5000,
        )  # fmt: skip
    db.close()


def reference(path: Path) -> str:
    """The named reference: one plain query, rows as dicts, json.dumps."""
    conn = sqlite3.connect(path)
    try:
        cursor = conn.execute(
            "SELECT p.* FROM gallery_photos gp JOIN photos p ON p.id = gp.photo_id"
            " WHERE gp.gallery_id = 1 ORDER BY gp.position"
        )
        names = [c[0] for c in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor]
        return json.dumps(rows)
    finally:
        conn.close()


def ours(path: Path) -> str:
    catalog = Catalog(open_catalog(path))
    try:
        return gallery_json(catalog.reader, catalog.find_gallery("ca-nam"), ExportOptions())
    finally:
        catalog.db.close()


def timed(fn, path: Path) -> tuple[float, int]:
    start = time.perf_counter()
    out = fn(path)
    return time.perf_counter() - start, len(out.encode("utf-8"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", "--photos", type=int, default=10_000)
    parser.add_argument("-r", "--rounds", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "catalog.db"
        start = time.perf_counter()
        build(path, args.photos)
        print(f"built a catalog of {args.photos:,} photos in {time.perf_counter() - start:.1f} s")
        document = json.loads(ours(path))
        assert document["gallery"]["count"] == args.photos  # the export is complete
        assert len(json.loads(reference(path))) == args.photos
        timings: dict[str, list[float]] = {"reference": [], "ours": []}
        sizes: dict[str, int] = {}
        for _ in range(args.rounds):
            for name, fn in (("reference", reference), ("ours", ours)):
                seconds, sizes[name] = timed(fn, path)
                timings[name].append(seconds)
    ref, our = (statistics.median(timings[k]) for k in ("reference", "ours"))
    print(f"reference  sqlite3 SELECT p.* + json.dumps: {ref * 1000:7.1f} ms  "
          f"({sizes['reference'] / 1e6:.1f} MB)")  # fmt: skip
    print(f"ours       archive.export.gallery_json:     {our * 1000:7.1f} ms  "
          f"({sizes['ours'] / 1e6:.1f} MB)")  # fmt: skip
    verdict = "within" if our / ref <= BUDGET else "OVER"
    print(f"ratio      {our / ref:.2f}x  ({verdict} the {BUDGET:.0f}x budget; median of "
          f"{args.rounds} rounds)")  # fmt: skip


if __name__ == "__main__":
    main()
