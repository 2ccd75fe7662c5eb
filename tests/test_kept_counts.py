"""The figures the catalog keeps for the archive's pages are the figures a fresh count gives.

Photos change through the real command line (ingest, a photo moved to another
event by a caption sheet and by ``--event``, a re-dated photo, ``units merge``,
``photos private``); after each step every kept figure (events.photo_count,
units.photo_count and pick_count, unit_event_photos, photo_units.taken_key) is compared with
what counting the rows says, and with what the migration's backfill computes.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from archive.db import recount_kept
from tests.conftest import Archive
from tests.images import make_jpeg

KEPT = {
    "events": "SELECT id, photo_count FROM events ORDER BY id",
    "units": "SELECT id, photo_count FROM units ORDER BY id",
    "unit picks": "SELECT id, pick_count FROM units ORDER BY id",
    "unit events": "SELECT unit_id, event_id, photos FROM unit_event_photos"
    " ORDER BY unit_id, event_id",
    "unit keys": "SELECT photo_id, unit_id, taken_key FROM photo_units ORDER BY photo_id, unit_id",
}
FRESH = {
    "events": "SELECT e.id, (SELECT count(*) FROM photos WHERE event_id = e.id) FROM events e"
    " ORDER BY e.id",
    "units": "SELECT u.id, (SELECT count(*) FROM photo_units WHERE unit_id = u.id) FROM units u"
    " ORDER BY u.id",
    "unit picks": """SELECT u.id, (SELECT count(*) FROM photo_units pu JOIN photos p
        ON p.id = pu.photo_id WHERE pu.unit_id = u.id AND p.is_pick = 1) FROM units u
        ORDER BY u.id""",
    "unit events": """SELECT pu.unit_id, p.event_id, count(*) FROM photo_units pu
        JOIN photos p ON p.id = pu.photo_id WHERE p.event_id IS NOT NULL
        GROUP BY pu.unit_id, p.event_id ORDER BY 1, 2""",
    "unit keys": """SELECT pu.photo_id, pu.unit_id, coalesce(p.taken_at, '') FROM photo_units pu
        JOIN photos p ON p.id = pu.photo_id ORDER BY 1, 2""",
}


def kept_and_fresh(archive: Archive) -> tuple[dict, dict]:
    db = archive.catalog().db
    try:
        kept = {k: [tuple(r) for r in db.execute(sql).fetchall()] for k, sql in KEPT.items()}
        fresh = {k: [tuple(r) for r in db.execute(sql).fetchall()] for k, sql in FRESH.items()}
    finally:
        db.conn.close()
    return kept, fresh


def assert_kept(archive: Archive) -> dict:
    kept, fresh = kept_and_fresh(archive)
    assert kept == fresh
    return kept


def sheet(folder: Path, rows: list[tuple[str, str, str]]) -> None:
    lines = ["file,caption,units"] + [",".join(row) for row in rows]
    (folder / "captions.csv").write_text("\n".join(lines) + "\n", "utf-8")


def test_kept_figures_follow_every_change_made_through_the_cli(archive, tmp_path: Path) -> None:
    meeting = tmp_path / "hop-chi-bo"
    meeting.mkdir()
    for i, name in enumerate(("a.jpg", "b.jpg", "c.jpg")):
        make_jpeg(meeting / name, taken=f"2024:03:0{i + 1} 08:00:00", color=(10 * i, 90, 40))
    make_jpeg(meeting / "undated.jpg", taken=None, color=(1, 2, 3))  # dated by its event
    sheet(
        meeting,
        [
            ("a.jpg", "Họp chi bộ", "Chi bộ Khu phố 3"),
            ("b.jpg", "Biểu quyết", "Chi bộ Khu phố 3;Đoàn phường"),
            ("c.jpg", "Phát biểu", "Đoàn phường"),
            ("undated.jpg", "Ảnh gửi qua Zalo", "Chi bộ Khu phố 3"),
        ],
    )
    archive.ingest(str(meeting), "--event-title", "Họp Chi bộ Khu phố 3", "--date", "2024-03-01")
    first = assert_kept(archive)
    undated = archive.rows("SELECT taken_at_source FROM photos WHERE original_name = 'undated.jpg'")
    assert undated[0]["taken_at_source"] == "event"  # re-dated in the catalog, key followed
    assert [n for _, n in first["events"]] == [4]
    assert sorted(n for _, _, n in first["unit events"]) == [2, 3]

    other = tmp_path / "ra-quan"
    other.mkdir()
    make_jpeg(other / "d.jpg", taken="2024:05:10 07:00:00", color=(200, 1, 1))
    sheet(other, [("d.jpg", "Ra quân", "Đoàn phường")])
    archive.ingest(str(other), "--event-title", "Ra quân hè", "--date", "2024-05-10")
    assert_kept(archive)

    # The caption sheet's folder is moved into the second event's: its photos follow.
    moved = other / "tu-hop"
    moved.mkdir()
    shutil.move(str(meeting / "b.jpg"), str(moved / "b.jpg"))
    sheet(moved, [("b.jpg", "Biểu quyết (chuyển)", "Chi bộ Khu phố 3;Đoàn phường")])
    archive.ingest(str(moved), "--event", "ra-quan-he")
    b = archive.rows("SELECT event_id, caption FROM photos WHERE original_name = 'b.jpg'")[0]
    ra_quan = archive.rows("SELECT id FROM events WHERE slug = 'ra-quan-he'")[0]["id"]
    assert b["event_id"] == ra_quan  # the photo really changed event
    after_move = assert_kept(archive)
    assert dict(after_move["events"])[ra_quan] == 2

    # A re-dated photo (the sheet gives its time) moves in every unit's newest-first order.
    (other / "captions.csv").write_text(
        "file,caption,units,taken_at\nd.jpg,Ra quân,Đoàn phường,2024-05-11 09:30:00\n", "utf-8"
    )
    archive.ingest(str(other), "--event", "ra-quan-he")
    assert archive.rows("SELECT taken_at FROM photos WHERE original_name = 'd.jpg'")[0][
        "taken_at"
    ].startswith("2024-05-11")
    assert_kept(archive)

    archive.run("units", "merge", "Đoàn phường", "Chi bộ Khu phố 3")
    merged = assert_kept(archive)
    assert len(merged["units"]) == 1 and merged["units"][0][1] == 5  # every photo, once

    archive.run("photos", "private", "1")
    assert assert_kept(archive) == merged  # private photos still count (the pages show them)

    # The migration's backfill computes the same figures from the rows.
    db = archive.catalog().db
    db.execute("UPDATE events SET photo_count = 99")
    db.execute("UPDATE photo_units SET taken_key = 'x'")
    db.execute("UPDATE units SET pick_count = 7")
    recount_kept(db)
    db.conn.commit()
    db.conn.close()
    assert assert_kept(archive) == merged


def test_a_dry_run_changes_no_kept_figure(archive, tmp_path: Path) -> None:
    folder = tmp_path / "le"
    folder.mkdir()
    make_jpeg(folder / "a.jpg")
    archive.ingest(str(folder), "--event-title", "Lễ chào cờ", "--date", "2024-01-01")
    before = assert_kept(archive)
    make_jpeg(folder / "b.jpg", color=(5, 5, 5))
    archive.ingest(str(folder), "--event", "le-chao-co", "--dry-run")
    assert assert_kept(archive) == before
