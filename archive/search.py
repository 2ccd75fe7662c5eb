"""The search index: what a reviewer's query is matched against.

SQLite's ``remove_diacritics`` folds ``ả`` to ``a`` but never ``đ`` to ``d``,
so ``dang uy`` would not find ``Đảng ủy``. Each photo's row in ``photos_fts``
therefore holds its text twice: as written (caption, event title, units,
tags) and folded by :func:`archive.text.fold`. A query with or without
diacritics then matches one or the other; Datasette's own table search box
uses this table (``fts_table`` in metadata.yml).

The smart search needs what that index cannot give: telling ``đường`` from
``dương``, which fold alike, and telling a photo's own text (caption, units,
tags) from its event's (title, description). ``photos_smart_fts`` holds the
text four times, with a tokenizer that keeps diacritics: the photo's own and
its event's, each through :func:`archive.text.exact_key` (diacritics kept, tone
placement ``Uỷ``/``Ủy`` made equal, case folded) and through ``fold``. A word
typed with its marks can then be required to match exactly, and a match in
the caption can outrank one in the event's description.

A photo's units are indexed by their names and by every other name (alias)
they are known by, so ``UBND`` finds the photos of ``Ủy ban nhân dân phường 6``
once that alias is registered.

The catalog calls :func:`reindex` whenever it changes anything a photo's text
depends on (:func:`reindex_unit` when a unit's names change); both tables are
kept in the same call. This module is the index's repository: the only code
that writes its rows (tests/test_architecture.py holds it so), as the
repositories of :mod:`archive.catalog` are for the catalog's tables.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from archive import fields
from archive.sqlitedb import Database
from archive.text import exact_key, fold, nfc, strip_diacritics

FTS_TABLE = "photos_fts"
FTS_COLUMNS = ("caption", "event", "units", "tags", "folded")
SMART_TABLE = "photos_smart_fts"
SMART_COLUMNS = ("exact_own", "exact_event", "folded_own", "folded_event")

# The longest query either search accepts. A reviewer types a few words; twenty
# thousand make FTS5 parse for seconds, past Datasette's time limit.
MAX_QUERY_CHARS = 200

# The characters FTS5's unicode61 tokenizer keeps in a token (letters and
# digits; "_" and punctuation separate), so a query splits as the index did.
_TOKEN = re.compile(r"[^\W_]+")


def create_index(db: Database) -> None:
    """Create the search tables of the current layout (idempotent).

    m002 created ``photos_fts``; m003 added ``photos_smart_fts``. Both
    migrations call this, so a new archive and an upgraded one end the same.
    """
    db.execute(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
        + ", ".join(FTS_COLUMNS)
        + ", tokenize = 'unicode61 remove_diacritics 2')"
    )
    db.execute(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {SMART_TABLE} USING fts5("
        + ", ".join(SMART_COLUMNS)
        + ", tokenize = 'unicode61 remove_diacritics 0')"
    )


def _photo_text(db: Database) -> str:
    """The query of a photo's text: caption, event, units, tags, then every other searchable
    field (archive.fields.SEARCH_TEXT).

    An early migration rebuilds the index before a later one has added a field's
    column, so a column the catalog does not have yet reads as NULL.
    """
    present = {row[1] for row in db.execute("PRAGMA table_info(photos)").fetchall()}
    extra = "".join(f", p.{f.name}" if f.name in present else ", NULL" for f in fields.SEARCH_TEXT)
    return f"""SELECT p.id, p.caption, e.title, e.description, p.units, p.tags{extra}
    FROM photos p LEFT JOIN events e ON e.id = p.event_id"""


_INSERT_FTS = f"INSERT INTO {FTS_TABLE} (rowid, {', '.join(FTS_COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?)"
_INSERT_SMART = (
    f"INSERT INTO {SMART_TABLE} (rowid, {', '.join(SMART_COLUMNS)}) VALUES (?, ?, ?, ?, ?)"
)
# Photos per round of a range rebuild: enough for executemany to pay, few enough
# that a million-photo rebuild never holds more than one round in memory.
REBUILD_CHUNK = 10_000


def index_values(row: tuple, aliases: list[str]) -> tuple[tuple, tuple]:
    """A photo's rows of both tables, from (id, caption, title, description, units, tags, ...).

    The one definition of what is indexed: :func:`reindex` (one photo at a
    time, as the catalog changes) and :func:`reindex_range` (many at once)
    both call it, so they cannot drift apart. The other searchable fields
    (photographer, credit: :data:`archive.fields.SEARCH_TEXT`) follow the six
    and count as the photo's own text.

    Each key of a joined text is the keys of its parts joined (the keys work
    word by word and collapse spaces), so every part is keyed once through
    :func:`_keys`: an event's write-up, shared by hundreds of photos, is folded
    once rather than per photo. tests/test_search_index_values.py holds the
    rows to the keys of the whole texts.
    """
    photo_id, caption, title, description, units, tags, *extra = row
    event = " ".join(part for part in (title, description) if part)
    units_text = " ; ".join([*json.loads(units or "[]"), *aliases])
    tags_text = " ; ".join(json.loads(tags or "[]"))
    caption_exact, caption_folded = _keys(caption or "")
    event_exact, event_folded = _keys(event)
    rest = [_keys(part or "") for part in (units_text, tags_text, *extra)]
    folded_rest = [folded for _, folded in rest]
    folded_own = _joined([caption_folded, *folded_rest])
    exact_own = _joined([caption_exact, *(exact for exact, _ in rest)])
    return (
        (
            photo_id,
            caption or "",
            event,
            units_text,
            tags_text,
            _joined([caption_folded, event_folded, *folded_rest]),
        ),
        (photo_id, exact_own, event_exact, folded_own, event_folded),
    )


@lru_cache(maxsize=16_384)
def _keys(text: str) -> tuple[str, str]:
    """The exact key and the folded key of one part of a photo's text."""
    return exact_key(text), fold(text)


def _joined(keys: Iterable[str]) -> str:
    """Keys of consecutive parts as the key of the parts joined by a space would be."""
    return " ".join(key for key in keys if key)


def reindex(db: Database, photo_ids: Iterable[int]) -> None:
    """Rewrite the index rows of these photos from the catalog as it is now."""
    photo_text = _photo_text(db)
    for photo_id in photo_ids:
        row = db.execute(f"{photo_text} WHERE p.id = ?", (photo_id,)).fetchone()
        db.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = ?", (photo_id,))
        db.execute(f"DELETE FROM {SMART_TABLE} WHERE rowid = ?", (photo_id,))
        if row is None:
            continue
        fts_row, smart_row = index_values(tuple(row), _unit_aliases(db, photo_id))
        db.execute(_INSERT_FTS, fts_row)
        db.execute(_INSERT_SMART, smart_row)


def reindex_range(db: Database, first_id: int, last_id: int) -> int:
    """Rewrite the index rows of every photo with first_id <= id <= last_id; how many.

    The same rows as :func:`reindex` of those ids, made in rounds of
    :data:`REBUILD_CHUNK` photos: one query for their text, one for their
    units' aliases, one ``executemany`` per table. The catalog's bulk path
    (:mod:`archive.catalog.bulk`) calls it once after inserting a range of new ids.
    """
    db.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid BETWEEN ? AND ?", (first_id, last_id))
    db.execute(f"DELETE FROM {SMART_TABLE} WHERE rowid BETWEEN ? AND ?", (first_id, last_id))
    aliases_of: dict[int, list[str]] = {}
    for unit_id, alias in db.execute("SELECT unit_id, alias FROM unit_aliases").fetchall():
        aliases_of.setdefault(unit_id, []).append(alias)
    done = 0
    photo_text = _photo_text(db)
    low = first_id
    while low <= last_id:
        high = min(low + REBUILD_CHUNK - 1, last_id)
        rows = db.execute(
            f"{photo_text} WHERE p.id BETWEEN ? AND ? ORDER BY p.id", (low, high)
        ).fetchall()
        photo_aliases: dict[int, list[str]] = {}
        if aliases_of:
            links = db.execute(
                "SELECT photo_id, unit_id FROM photo_units WHERE photo_id BETWEEN ? AND ?",
                (low, high),
            ).fetchall()
            for photo_id, unit_id in links:
                photo_aliases.setdefault(photo_id, []).extend(aliases_of.get(unit_id, ()))
        # The order _unit_aliases gives (ORDER BY alias: code points, as Python sorts str).
        values = [index_values(tuple(r), sorted(photo_aliases.get(r[0], ()))) for r in rows]
        db.conn.executemany(_INSERT_FTS, [fts for fts, _ in values])
        db.conn.executemany(_INSERT_SMART, [smart for _, smart in values])
        done += len(values)
        low = high + 1
    return done


def _unit_aliases(db: Database, photo_id: int) -> list[str]:
    """The other names of the photo's units: a reviewer types the one the ward uses."""
    rows = db.execute(
        """SELECT a.alias FROM photo_units pu JOIN unit_aliases a ON a.unit_id = pu.unit_id
           WHERE pu.photo_id = ? ORDER BY a.alias""",
        (photo_id,),
    ).fetchall()
    return [alias for (alias,) in rows]


def reindex_unit(db: Database, unit_id: int) -> None:
    """Rewrite the index rows of the unit's photos: after its names (or aliases) changed."""
    rows = db.execute("SELECT photo_id FROM photo_units WHERE unit_id = ?", (unit_id,)).fetchall()
    reindex(db, [photo_id for (photo_id,) in rows])


def reindex_all(db: Database) -> None:
    """Rebuild both tables from the catalog: after a layout change, or to repair."""
    db.execute(f"DELETE FROM {FTS_TABLE}")
    db.execute(f"DELETE FROM {SMART_TABLE}")
    first, last = db.execute("SELECT min(id), max(id) FROM photos").fetchone()
    if first is not None:
        reindex_range(db, first, last)


# -- the smart query ---------------------------------------------------------

ANYWHERE = "{exact_own exact_event}"
FOLDED_ANYWHERE = "{folded_own folded_event}"


@dataclass(frozen=True)
class Word:
    """One word of a query, in the two forms the index holds."""

    exact: str
    folded: str
    strict: bool  # typed with diacritics: only words written exactly so may match


@dataclass(frozen=True)
class SmartQuery:
    """A reviewer's query, split as the index splits text.

    A word typed with diacritics (``đường``) means the reviewer knows how it is
    written: it matches only that word (``Đường``, ``ĐƯỜNG``, either tone
    placement), never one that only folds alike (``dương``). A word typed
    without (``duong``) matches every word that folds to it. Exact matches
    rank above folded ones either way.
    """

    text: str
    words: tuple[Word, ...]

    def folded_words(self, columns: str = FOLDED_ANYWHERE) -> str:
        return f"{columns} : (" + " ".join(_quote(w.folded) for w in self.words) + ")"

    def folded_phrase(self) -> str:
        return f"{FOLDED_ANYWHERE} : " + _quote(" ".join(w.folded for w in self.words))

    def strict_words(self) -> str | None:
        strict = [_quote(w.exact) for w in self.words if w.strict]
        return f"{ANYWHERE} : (" + " ".join(strict) + ")" if strict else None

    def exact_words(self) -> str:
        return f"{ANYWHERE} : (" + " ".join(_quote(w.exact) for w in self.words) + ")"

    def exact_phrase(self) -> str:
        return f"{ANYWHERE} : " + _quote(" ".join(w.exact for w in self.words))


def _quote(token: str) -> str:
    # Tokens hold only letters and digits, so quoting cannot be escaped out of.
    return f'"{token}"'


def parse(text: str | None) -> SmartQuery | None:
    """The query's words, or None when it has none (empty, only punctuation)."""
    text = nfc(text or "").strip()
    words = []
    for token in _TOKEN.findall(exact_key(text)):
        words.append(Word(exact=token, folded=fold(token), strict=strip_diacritics(token) != token))
    return SmartQuery(text, tuple(words)) if words else None


# A result is a photo card (archive.fields.CARD), with its event's slug and title.
PHOTO_COLUMNS = fields.select(fields.CARD) + ", e.slug AS event_slug, e.title AS event_title"
