"""Every table a reviewer can open has a Vietnamese title, and every column a Vietnamese label.

Datasette shows a table's name, and a column's name, wherever metadata.yml
gives none: a reviewer met ``unit_event_photos`` on the home page and
``embedded_caption_source`` in the column menus. The catalog here is a real
one, made by ``archive init`` through the CLI, so a migration that adds a
table or a column without its words fails this test, and so does a label
for a column the catalog does not have (a renamed column left behind).
"""

from __future__ import annotations

import sqlite3

import yaml

from archive.shipped import metadata_path
from tests.conftest import Archive


def catalog_columns(archive: Archive) -> dict[str, list[str]]:
    archive.run("init")
    with sqlite3.connect(archive.root / "catalog.db") as db:
        names = [
            row[0]
            for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                " AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%_fts%'"
            )
        ]
        return {
            name: [row[1] for row in db.execute(f"PRAGMA table_xinfo([{name}])")] for name in names
        }


def test_every_listed_table_and_its_columns_speak_vietnamese(archive: Archive) -> None:
    tables = yaml.safe_load(metadata_path().read_text("utf-8"))["databases"]["catalog"]["tables"]
    columns = catalog_columns(archive)
    listed = [name for name in columns if not tables.get(name, {}).get("hidden")]
    untitled = [name for name in listed if not tables.get(name, {}).get("title")]
    assert untitled == [], untitled
    unlabelled = {
        name: missing
        for name, found in columns.items()
        if name in listed
        if (missing := [c for c in found if c not in tables[name].get("columns", {})])
    }
    assert unlabelled == {}, unlabelled
    stale = {
        name: [c for c in meta.get("columns", {}) if c not in columns.get(name, ())]
        for name, meta in tables.items()
        if name in columns
    }
    assert {name: gone for name, gone in stale.items() if gone} == {}
    for name, meta in tables.items():
        for label in meta.get("columns", {}).values():
            assert any(ord(c) > 127 for c in label) or label.isupper(), (name, label)
