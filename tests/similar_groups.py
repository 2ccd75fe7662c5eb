"""Groups written as built, for the reviewer-page tests, until ingest groups by itself.

STAND-IN: the grouping at ingest (branch ``similar``, archive.catalog.similar) is
not there yet, so these tests write the groups a scene was built with
(tests/similar_scenes.py) straight into the catalog's ``photo_groups``,
``photos.group_id`` and ``photos.is_pick`` (the names of migration m010). Once
ingest groups the photos, the tests read the groups it made and this goes.

:func:`build_scene_archive` is the archive the page tests share (tests/test_similar_web.py,
tests/test_browser_similar.py): the scene ingested through the real command line, grouped.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from tests import similar_scenes
from tests.conftest import Archive


def write_groups(
    catalog: Path, groups: list[list[int]], by_reviewer: frozenset[int] = frozenset()
) -> list[int]:
    """One group per list of photo ids (its pick first); the new groups' ids, in order.

    ``by_reviewer`` holds the indexes (in ``groups``) of groups whose pick a reviewer chose.
    """
    conn = sqlite3.connect(catalog)
    try:
        with conn:
            ids = []
            for n, members in enumerate(groups):
                (event_id,) = conn.execute(
                    "SELECT event_id FROM photos WHERE id = ?", (members[0],)
                ).fetchone()
                cursor = conn.execute(
                    "INSERT INTO photo_groups (event_id, pick_id, pick_by_reviewer, size)"
                    " VALUES (?, ?, ?, ?)",
                    (event_id, members[0], int(n in by_reviewer), len(members)),
                )
                ids.append(cursor.lastrowid)
                for photo_id in members:
                    conn.execute(
                        "UPDATE photos SET group_id = ?, is_pick = ? WHERE id = ?",
                        (cursor.lastrowid, int(photo_id == members[0]), photo_id),
                    )
        return ids
    finally:
        conn.close()


REVIEWED = 1  # the index of the group whose pick a reviewer chose


@dataclass
class Built:
    root: Path
    ids: dict[str, int]  # file name -> photo id
    groups: list[list[int]]  # photo ids, the pick first
    group_ids: list[int]
    singletons: list[int]

    @property
    def catalog(self) -> Path:
        return self.root / "catalog.db"


def build_scene_archive(work: Path) -> Built:
    """The 60-photo event ingested through the CLI, then grouped as built (pick_by_reviewer
    on group REVIEWED)."""
    scene = similar_scenes.write_event(work / "sources" / "le-trao-giai")
    archive = Archive(work / "archive")
    report = archive.ingest(str(scene.folder))
    assert report["failed"] == 0, report["problems"]
    ids = {
        r["original_name"]: r["id"] for r in archive.rows("SELECT id, original_name FROM photos")
    }
    assert len(ids) == 60
    groups = [[ids[name] for name in group] for group in scene.groups]
    group_ids = write_groups(archive.root / "catalog.db", groups, frozenset({REVIEWED}))
    return Built(archive.root, ids, groups, group_ids, [ids[n] for n in scene.singletons])
