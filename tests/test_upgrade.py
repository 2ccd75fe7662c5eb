"""`archive upgrade` runs an older archive's long migrations; `archive serve` asks for it first.

A real archive of ``LONG_FROM_PHOTOS`` synthetic photos (the bulk path) is
taken back to before migration m011 (its index and column dropped, its record
removed), which is what an archive made by the previous version looks like.
`archive serve` must refuse it without starting the work, `archive upgrade`
must apply the step and say so, and the server then starts and pages the table.
"""

from __future__ import annotations

import json
import sqlite3
import urllib.request
from pathlib import Path

import pytest

from archive import upgrade
from archive.db import TAKEN_ORDER, migrations
from bench import synthetic
from tests.browser import ArchiveServer
from tests.conftest import Archive

STEP = "m011_photos_taken_order"


# A later migration with an index on taken_order: the version before m011 had it not either.
LATER = {
    "m013_pick_indexes": [
        "idx_photos_event_picks",
        "idx_photos_picks_taken",
        "idx_photos_picks_year",
        "idx_photos_picks_camera",
        "idx_photos_picks_event",
    ]
}


def before_m011(catalog: Path) -> None:
    """The catalog as the version before m011 left it (so without m013 either)."""
    conn = sqlite3.connect(catalog)
    with conn:
        for name, indexes in LATER.items():
            for index in indexes:
                conn.execute(f"DROP INDEX {index}")
            conn.execute("DELETE FROM _sqlite_migrations WHERE name = ?", (name,))
        conn.execute("DROP INDEX idx_photos_taken_order")
        conn.execute(f"ALTER TABLE photos DROP COLUMN {TAKEN_ORDER}")
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = ?", (STEP,))
    conn.close()


def applied(catalog: Path) -> set[str]:
    conn = sqlite3.connect(f"file:{catalog}?mode=ro", uri=True)
    try:
        return {r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations")}
    finally:
        conn.close()


@pytest.fixture(scope="module")
def old_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("upgrade") / "archive"
    synthetic.build(root, upgrade.LONG_FROM_PHOTOS)
    before_m011(root / "catalog.db")
    return root


def test_serve_refuses_then_upgrade_applies_then_serve_runs(old_archive: Path) -> None:
    catalog = old_archive / "catalog.db"
    archive = Archive(old_archive)
    refused = archive.run("serve", "--port", "1", expect=2)
    assert "archive upgrade" in refused.stderr and STEP in refused.stderr
    assert f"{upgrade.LONG_FROM_PHOTOS:,}" in refused.stderr
    assert STEP not in applied(catalog)  # asking did not start the work

    done = archive.run("upgrade")
    assert f"[1/2] {STEP}:" in done.stderr and "[2/2] m013_pick_indexes:" in done.stderr
    assert "done in" in done.stderr and "2 steps applied" in done.stdout
    assert STEP in applied(catalog)
    assert {m.name for m in migrations._migrations} <= applied(catalog)
    again = archive.run("upgrade")
    assert "already up to date" in again.stdout

    with ArchiveServer(old_archive) as server:
        address = server.url("/catalog/photos.json?_size=3&_shape=objects")
        with urllib.request.urlopen(address, timeout=30) as response:
            data = json.load(response)
    assert len(data["rows"]) == 3 and data["rows"][0][TAKEN_ORDER]


def test_a_small_archive_is_migrated_on_open_as_before(tmp_path: Path) -> None:
    root = tmp_path / "archive"
    synthetic.build(root, 300)
    before_m011(root / "catalog.db")
    assert upgrade.long_pending(root / "catalog.db") == ([], 300)
    Archive(root).run("events")  # any command opening the catalog
    assert STEP in applied(root / "catalog.db")


def test_upgrade_of_no_archive_names_the_folder(tmp_path: Path) -> None:
    result = Archive(tmp_path / "nothing").run("upgrade", expect=2)
    assert "catalog.db not found" in result.stderr and not (tmp_path / "nothing").exists()
