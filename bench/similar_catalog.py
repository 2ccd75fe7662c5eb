"""A large catalog for bench_similar_pages.py, written by SQLite itself in minutes.

bench/synthetic.py builds a realistic archive through the catalog's bulk path,
which at a million photos takes most of an hour; the group pages need only the
shape: 2,000 events (one of ``synthetic.BIG_EVENT_PHOTOS`` photos, named
``synthetic.BIG_EVENT_SLUG``), 300 units, a million photo rows of about a
kilobyte (their EXIF as text), one unit each. The rows go in by
``INSERT … SELECT`` over a recursive count, through every migration's schema,
indexes and triggers (the kept counts are kept as an ingest keeps them).
No image files exist: thumbnails answer 404 and nothing else notices.
"""

from __future__ import annotations

import time
from pathlib import Path

from archive.db import open_catalog
from archive.store import Store
from bench import synthetic

NOW = "2024-01-01T00:00:00+00:00"
EVENTS, UNITS = synthetic.EVENTS, 300
CAMERAS = "'Samsung SM-A525F','Apple iPhone 12','OPPO CPH2219','Canon EOS 80D','Sony ILCE-7M3'"


def build(root: Path, photos: int) -> dict[str, float]:
    """The catalog at ``root``; seconds per step."""
    store = Store(root)
    if store.catalog_path.exists():
        raise SystemExit(f"{store.catalog_path}: already exists; choose an empty folder")
    store.create()
    db = open_catalog(store.catalog_path)
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    with db.conn:
        db.execute(
            f"""INSERT INTO units (id, slug, name, kind, created_at)
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {UNITS})
                SELECT i, 'to-dan-pho-' || i, 'Tổ dân phố ' || i, 'tổ dân phố', '{NOW}' FROM n"""
        )
        db.execute(
            f"""INSERT INTO events (id, slug, title, date, created_at, updated_at)
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {EVENTS})
                SELECT i, CASE i WHEN 1 THEN '{synthetic.BIG_EVENT_SLUG}' ELSE 'su-kien-' || i END,
                  'Sự kiện ' || i, date('2009-01-01', '+' || (i * 3) || ' days'), '{NOW}', '{NOW}'
                FROM n"""
        )
    seconds["units and events"] = time.perf_counter() - started
    started = time.perf_counter()
    big = synthetic.big_event_size(photos)
    with db.conn:
        db.execute(
            f"""INSERT INTO photos (id, sha256, event_id, taken_at, original_name, caption, year,
                  camera, units, exif, original_path, added_at, updated_at)
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {photos}),
                  p(i, event) AS (SELECT i, CASE WHEN i <= {big} THEN 1
                                         ELSE 2 + i % {EVENTS - 1} END FROM n)
                SELECT i, printf('%064x', i), event,
                  (SELECT date || 'T' || time(28800 + (i * 7) % 36000, 'unixepoch') || '+07:00'
                     FROM events WHERE id = event),
                  printf('IMG_%07d.jpg', i), 'Ảnh số ' || i || ' của sự kiện ' || event,
                  (SELECT CAST(substr(date, 1, 4) AS INTEGER) FROM events WHERE id = event),
                  json_extract(json_array({CAMERAS}), '$[' || (i % 5) || ']'),
                  json_array('Tổ dân phố ' || (1 + i % {UNITS})),
                  json_object('raw', hex(randomblob(400))),
                  printf('originals/%02x/%064x.jpg', i % 256, i), '{NOW}', '{NOW}'
                FROM p"""
        )
    seconds["photos"] = time.perf_counter() - started
    started = time.perf_counter()
    with db.conn:
        db.execute(
            f"INSERT INTO photo_units (photo_id, unit_id) SELECT id, 1 + id % {UNITS} FROM photos"
        )
    seconds["unit links"] = time.perf_counter() - started
    db.close()
    return seconds
