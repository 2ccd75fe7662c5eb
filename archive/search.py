"""The search index: what a reviewer's query is matched against.

SQLite's ``remove_diacritics`` folds ``ả`` to ``a`` but never ``đ`` to ``d``,
so ``dang uy`` would not find ``Đảng ủy``. Each photo's row in ``photos_fts``
therefore holds its text twice: as written (caption, event title, units,
tags) and folded by :func:`archive.text.fold`. A query with or without
diacritics then matches one or the other. The catalog calls :func:`reindex`
whenever it changes anything a photo's text depends on.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from sqlite_utils import Database

from archive.text import fold

FTS_TABLE = "photos_fts"
FTS_COLUMNS = ("caption", "event", "units", "tags", "folded")


def create_index(db: Database) -> None:
    db.execute(
        f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5("
        + ", ".join(FTS_COLUMNS)
        + ", tokenize = 'unicode61 remove_diacritics 2')"
    )


def reindex(db: Database, photo_ids: Iterable[int]) -> None:
    """Rewrite the index rows of these photos from the catalog as it is now."""
    for photo_id in photo_ids:
        row = db.execute(
            """SELECT p.caption, e.title, e.description, p.units, p.tags
               FROM photos p LEFT JOIN events e ON e.id = p.event_id WHERE p.id = ?""",
            (photo_id,),
        ).fetchone()
        db.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = ?", (photo_id,))
        if row is None:
            continue
        caption, title, description, units, tags = row
        event = " ".join(part for part in (title, description) if part)
        units_text = " ; ".join(json.loads(units or "[]"))
        tags_text = " ; ".join(json.loads(tags or "[]"))
        folded = fold(" ".join(p for p in (caption, event, units_text, tags_text) if p))
        db.execute(
            f"INSERT INTO {FTS_TABLE} (rowid, {', '.join(FTS_COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?)",
            (photo_id, caption or "", event, units_text, tags_text, folded),
        )


def reindex_all(db: Database) -> None:
    db.execute(f"DELETE FROM {FTS_TABLE}")
    reindex(db, [row[0] for row in db.execute("SELECT id FROM photos").fetchall()])
