"""Bringing an archive made by an older version up to date, step by step, on request.

Most migrations (archive.db) are instant and still run whenever a command opens
the catalog. Some read or rewrite every photo: a full reindex of the search
tables, the pages' kept counts, a new index over all photos. At a million
photos those take minutes each, and a server that ran them while starting
would look hung to whoever opened the page. ``archive serve`` therefore
refuses such an archive (:func:`long_pending`) and names ``archive upgrade``,
which runs the pending migrations one at a time and says each as it starts
and finishes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from archive.db import connect, migrations, open_read_only
from archive.errors import ArchiveError
from archive.i18n import N_, _, number
from archive.sqlitedb import Database

# Migrations that read or write every photo row (the rest touch the schema only).
LONG = frozenset(
    {
        "m002_search_index",
        "m003_search_exact_words",
        "m005_search_unit_aliases",
        "m006_photographer_credit",
        "m008_pages_kept_counts",
        "m009_video",  # marks every row a photo
        "m011_photos_taken_order",
        "m013_pick_indexes",  # four indexes over every photo
    }
)
# What each step brings, as the person running the upgrade reads it (translated).
SUMMARIES = {
    "m001_initial": N_("the catalog's tables"),
    "m002_search_index": N_("the search index"),
    "m003_search_exact_words": N_("search by exact words, with their diacritics"),
    "m004_galleries": N_("galleries"),
    "m005_search_unit_aliases": N_("search by the units' other names"),
    "m006_photographer_credit": N_("photographer and credit"),
    "m007_table_facet_indexes": N_("fast facets of the photos table"),
    "m008_pages_kept_counts": N_("photo counts of the event, unit and timeline pages"),
    "m009_video": N_("video clips"),
    "m010_near_duplicates": N_("groups of near-duplicate photos"),
    "m011_photos_taken_order": N_("the photos table's page order"),
    "m013_pick_indexes": N_("fast pages of 'only picks'"),
    "m015_unit_pick_counts": N_("fast units facet of 'only picks'"),
}
# Below this many photos even a full reindex takes seconds: opening runs it as before.
LONG_FROM_PHOTOS = 10_000


@dataclass(frozen=True)
class Step:
    name: str
    summary: str  # what the step brings (SUMMARIES), else its docstring's first line


def pending(db: Database) -> list[Step]:
    """The migrations this catalog has not had yet, in the order they run."""
    return [Step(m.name, _summary(m.name, m.fn.__doc__)) for m in migrations.pending(db)]


def _summary(name: str, doc: str | None) -> str:
    if name in SUMMARIES:
        return _(SUMMARIES[name])
    return ((doc or "").strip().splitlines() or [name])[0]


def photo_count(db: Database) -> int:
    if not db["photos"].exists():
        return 0
    return db.execute("SELECT max(id) FROM photos").fetchone()[0] or 0


def long_pending(catalog_path: Path) -> tuple[list[Step], int]:
    """The pending migrations that are long on this catalog (none when it is small); photos.

    Read without writing a byte, so asking never starts the work.
    """
    db = open_read_only(catalog_path)
    try:
        photos = photo_count(db)
        if photos < LONG_FROM_PHOTOS:
            return [], photos
        return [s for s in pending(db) if s.name in LONG], photos
    finally:
        db.close()


def upgrade(
    catalog_path: Path,
    starting: Callable[[int, int, Step], None],
    done: Callable[[Step, float], None],
) -> list[Step]:
    """Apply every pending migration, one transaction each, reporting before and after each.

    An interruption leaves the finished steps applied and the current one rolled
    back (each migration is one transaction), so running it again goes on.
    """
    db = connect(catalog_path)
    try:
        steps = pending(db)
        for index, step in enumerate(steps):
            starting(index + 1, len(steps), step)
            began = time.perf_counter()
            later = [s.name for s in steps[index + 1 :]]
            migrations.apply(db, stop_before=later or None)
            done(step, time.perf_counter() - began)
        return steps
    finally:
        db.close()


def refuse_long_upgrade(root: Path, catalog_path: Path) -> None:
    """An ArchiveError telling to run `archive upgrade` when :func:`long_pending` names steps."""
    if not catalog_path.exists():
        return  # the command's usual "no archive here" follows
    steps, photos = long_pending(catalog_path)
    if steps:
        raise ArchiveError(
            _(
                "{root}: made by an older version; updating its {photos} photos takes a while"
                " ({names}): run `archive upgrade` first, then serve"
            ).format(root=root, photos=number(photos), names=", ".join(s.name for s in steps))
        )
