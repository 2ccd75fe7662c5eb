"""An archive made by an older version opens in this one, its rows intact and searchable."""

from __future__ import annotations

from pathlib import Path

from archive.db import connect, migrations, open_catalog


def test_first_schema_archive_upgrades_in_place(tmp_path: Path) -> None:
    path = tmp_path / "catalog.db"
    old = connect(path)
    migrations.apply(old, stop_before="m002_search_index")  # the schema of the first release
    old.execute(
        "INSERT INTO events (slug, title, date, created_at, updated_at)"
        " VALUES ('hoc-tap', 'Học tập Chỉ thị 05-CT/TW', '2017-12-22', 'x', 'x')"
    )
    old.execute(
        "INSERT INTO photos (sha256, event_id, caption, original_path, units, added_at, updated_at)"
        " VALUES ('ab' || hex(randomblob(31)), 1, 'Đảng ủy phường 6 học tập', 'originals/ab/x.jpg',"
        " '[\"Đảng ủy phường 6\"]', 'x', 'x')"
    )
    old.close()

    db = open_catalog(path)
    applied = [m.name for m in migrations.applied(db)]
    assert migrations.pending(db) == [] and applied[0] == "m001_initial"
    [photo] = db.execute("SELECT caption FROM photos").fetchall()
    assert photo[0] == "Đảng ủy phường 6 học tập"
    hits = db.execute("SELECT rowid FROM photos_fts WHERE photos_fts MATCH 'dang uy'").fetchall()
    assert hits == [(1,)]
    # Opening again applies nothing twice.
    again = open_catalog(path)
    assert [m.name for m in migrations.applied(again)] == applied
