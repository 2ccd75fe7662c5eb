"""The archive the reviewer-page tests of near-duplicate groups share (issue 12).

The acceptance event of tests/scenes.py (60 photos from 3 phones, 8 groups built
in, 28 photos of other scenes) is ingested through the real command line, which
fingerprints and groups it; then a reviewer chooses another pick for one group
with ``archive similar pick``. :func:`build_scene_archive` checks that ingest
found the groups as built, and names them by photo id for the page tests
(tests/test_similar_web.py, tests/test_browser_similar.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import Archive
from tests.scenes import build_event

SLUG = "le-trao-giai-thuong"
TITLE = "Lễ trao giải thưởng"
REVIEWED = 1  # the index (in the built groups) of the group whose pick a reviewer chose


@dataclass
class Built:
    root: Path
    ids: dict[str, int]  # file name -> photo id
    groups: list[list[int]]  # photo ids of each built group, its pick first
    group_ids: list[int]  # photo_groups.id of each, in the same order
    singletons: list[int]

    @property
    def catalog(self) -> Path:
        return self.root / "catalog.db"


UNIT, TAG = "Chi đoàn phường", "Lễ trao giải"


def build_scene_archive(work: Path) -> Built:
    """The 60-photo event ingested (and so grouped), one group's pick chosen by a reviewer."""
    scene = build_event(work / "sources" / "le-trao-giai")
    archive = Archive(work / "archive")
    report = archive.ingest(
        str(work / "sources" / "le-trao-giai"),
        *("--event-title", TITLE, "--event", SLUG),
        # A unit and a tag on every photo: the "only picks" facets count their links.
        *("--unit", UNIT, "--tag", TAG),
    )
    assert report["failed"] == 0 and report["added"] == 60, report
    ids = {
        r["original_name"]: r["id"] for r in archive.rows("SELECT id, original_name FROM photos")
    }
    reviewed = next(n for n in scene.groups[REVIEWED] if n != scene.picks[REVIEWED])
    archive.run("similar", "pick", str(ids[reviewed]))
    found = json.loads(archive.run("similar", "--event", SLUG, "--json").stdout)
    by_members = {frozenset(g["members"]): g for g in found}
    groups, group_ids = [], []
    for names in scene.groups:
        group = by_members[frozenset(ids[n] for n in names)]  # as built, or a KeyError
        groups.append([group["pick"], *sorted(set(group["members"]) - {group["pick"]})])
        group_ids.append(group["id"])
    assert len(found) == len(scene.groups)
    assert groups[REVIEWED][0] == ids[reviewed]
    return Built(archive.root, ids, groups, group_ids, [ids[n] for n in scene.singletons])
