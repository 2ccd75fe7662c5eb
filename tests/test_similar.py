"""Near-duplicate groups: real JPEGs of generated scenes from three phones, a real catalog.

The acceptance event (tests/scenes.py) holds 60 photos from 3 phones (other sizes,
EXIF Make/Model, clocks) with 8 groups built in: each a scene shot several times
(re-encoded, cropped, brighter or darker, burst frames, shaken frames) and 28 photos of
other scenes. Ingest must find exactly those groups, pick the sharp frame of the
largest phone in each, keep a reviewer's pick and split across a re-ingest, and
``--picks-only`` must export one photo per group.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import Archive
from tests.scenes import (
    BuiltEvent,
    Shot,
    Variant,
    build_event,
    chat_app,
    group_shots,
    write_shot,
)

SLUG = "le-trao-giai-thuong"
TITLE = "Lễ trao giải thưởng"


@pytest.fixture(scope="module")
def event(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuiltEvent]:
    folder = tmp_path_factory.mktemp("phones") / "le-trao-giai"
    return folder, build_event(folder)


@pytest.fixture(scope="module")
def ingested(event, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """The event ingested once (a real ingest); each test works on its own copy."""
    root = tmp_path_factory.mktemp("ingested") / "archive"
    found = _ingest(Archive(root), event[0])
    # Everything into catalog.db itself: the copies leave the WAL files out, which a
    # connection closing at garbage collection may delete while they are being copied.
    with sqlite3.connect(root / "catalog.db") as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return root, found


@pytest.fixture
def copy(ingested, root: Path) -> Archive:
    shutil.copytree(ingested[0], root, ignore=shutil.ignore_patterns("*-wal", "*-shm"))
    return Archive(root)


def _groups(archive) -> list[dict]:
    return json.loads(archive.run("similar", "--event", SLUG, "--json").stdout)


def _names(archive) -> dict[int, str]:
    return {
        r["id"]: r["original_name"] for r in archive.rows("SELECT id, original_name FROM photos")
    }


def _by_names(archive) -> dict[frozenset[str], str]:
    """Each group as the set of its members' file names, with its pick's file name."""
    names = _names(archive)
    return {frozenset(names[m] for m in g["members"]): names[g["pick"]] for g in _groups(archive)}


def _ingest(archive, folder: Path) -> dict:
    return archive.ingest(str(folder), "--event-title", TITLE, "--event", SLUG)


def test_the_groups_and_picks_come_out_as_built(ingested, copy, event) -> None:
    archive, built = copy, event[1]
    assert ingested[1]["added"] == 60, ingested[1]
    expected = {frozenset(g): pick for g, pick in zip(built.groups, built.picks, strict=True)}
    assert _by_names(archive) == expected
    cameras = {r["camera"] for r in archive.rows("SELECT DISTINCT camera FROM photos")}
    assert len(cameras) == 3  # three phones, grouped across them
    rows = archive.rows("SELECT original_name, group_id, is_pick FROM photos")
    alone = {r["original_name"] for r in rows if r["group_id"] is None}
    assert alone == set(built.singletons)
    assert all(r["is_pick"] == 1 for r in rows if r["group_id"] is None)
    assert sum(r["is_pick"] for r in rows) == len(built.singletons) + len(built.groups)


def test_a_reviewers_pick_and_split_survive_a_reingest(copy, event, tmp_path) -> None:
    (folder, built), archive = event, copy
    ids = {name: i for i, name in _names(archive).items()}
    chosen = next(n for n in built.groups[0] if n != built.picks[0])
    split_off = next(n for n in built.groups[3] if n != built.picks[3])
    assert "pick" in archive.run("similar", "pick", str(ids[chosen])).stdout
    sha = archive.rows("SELECT sha256 FROM photos WHERE id = ?", (ids[split_off],))[0]["sha256"]
    archive.run("similar", "split", sha[:12])  # a SHA-256 prefix names a photo too

    # A later ingest brings one more frame of group 5 and one unrelated photo into the
    # event, so its groups are recomputed from scratch.
    later = tmp_path / "le-trao-giai"
    later.mkdir()
    for shot in built.shots:
        (later / shot.name).write_bytes((folder / shot.name).read_bytes())
    extra = group_shots(5, 4)[3]
    extra = Shot("g5-late-C.jpg", extra.scene, "C", extra.when, extra.variant)
    write_shot(later, extra)
    write_shot(later, Shot("late-A.jpg", 999, "A", "2024:05:19 11:30:00", Variant()))
    report = _ingest(archive, later)
    assert report["added"] == 2, report

    groups = _by_names(archive)
    assert len(groups) == 8
    expected = {frozenset(g): pick for g, pick in zip(built.groups, built.picks, strict=True)}
    expected[frozenset(built.groups[0])] = chosen
    del expected[frozenset(built.groups[3])]
    expected[frozenset(built.groups[3]) - {split_off}] = built.picks[3]
    del expected[frozenset(built.groups[5])]
    expected[frozenset([*built.groups[5], "g5-late-C.jpg"])] = built.picks[5]
    assert groups == expected
    row = archive.rows("SELECT group_id, is_pick FROM photos WHERE id = ?", (ids[split_off],))
    assert row == [{"group_id": None, "is_pick": 1}]
    listed = archive.run("similar", "--event", SLUG).stdout
    assert "(chosen by a reviewer)" in listed

    archive.run("similar", "--regroup")  # and a recomputation on request keeps them too
    assert _by_names(archive) == expected


def test_picks_only_exports_one_photo_per_group(copy, event) -> None:
    archive, built = copy, event[1]
    exported = json.loads(archive.run("export", "--event", SLUG, "--picks-only").stdout)
    names = [p["original"]["name"] for p in exported["photos"]]
    assert sorted(names) == sorted([*built.singletons, *built.picks])
    everything = json.loads(archive.run("export", "--event", SLUG).stdout)
    assert len(everything["photos"]) == 60

    archive.run("gallery", "create", "trao-giai", "--title", TITLE, "--event", SLUG, "--picks-only")
    shown = json.loads(archive.run("gallery", "show", "trao-giai", "--json").stdout)
    ids = {name: i for i, name in _names(archive).items()}
    assert sorted(p["id"] for p in shown["photos"]) == sorted(
        ids[n] for n in [*built.singletons, *built.picks]
    )
    # A gallery holding two members of a group but not its pick exports one of them.
    others = [n for n in built.groups[2] if n != built.picks[2]][:2]
    archive.run("gallery", "create", "hai-anh", "--title", "Hai ảnh")
    archive.run("gallery", "add", "hai-anh", *(str(ids[n]) for n in others))
    two = json.loads(archive.run("export", "hai-anh", "--picks-only").stdout)
    assert [p["original"]["name"] for p in two["photos"]] == others[:1]


def test_time_window_and_untrusted_times(archive, tmp_path) -> None:
    """Same picture 30 minutes apart by the camera: two moments. Without a camera time: one."""
    folder = tmp_path / "hop-to-dan-pho"
    folder.mkdir()
    for name, when in (("a.jpg", "2024:06:01 08:00:00"), ("b.jpg", "2024:06:01 08:30:00")):
        write_shot(folder, Shot(name, 7, "A", when, Variant()))
    for name, when in (("c.jpg", None), ("d.jpg", None)):
        write_shot(folder, Shot(name, 8, "B", when, Variant(brightness=1.1)))
    archive.ingest(str(folder), "--event-title", "Họp tổ dân phố")
    groups = json.loads(archive.run("similar", "--json").stdout)
    names = _names(archive)
    assert [sorted(names[m] for m in g["members"]) for g in groups] == [["c.jpg", "d.jpg"]]

    archive.run("settings", "set", "similar_window_minutes", "45")
    archive.run("similar", "--regroup")
    groups = json.loads(archive.run("similar", "--json").stdout)
    assert sorted(sorted(names[m] for m in g["members"]) for g in groups) == [
        ["a.jpg", "b.jpg"],
        ["c.jpg", "d.jpg"],
    ]


def test_pick_and_split_refuse_a_photo_in_no_group(copy, event) -> None:
    archive, built = copy, event[1]
    ids = {name: i for i, name in _names(archive).items()}
    alone = str(ids[built.singletons[0]])
    for command in ("pick", "split"):
        result = archive.run("similar", command, alone, expect=2)
        assert f"photo {alone} is in no group" in result.stderr


def test_backfill_fingerprints_an_older_archive_from_its_thumbnails(copy, event) -> None:
    """An archive made before fingerprints existed: its rows have none, its thumbnails do."""
    archive, built = copy, event[1]
    before = {r["id"]: r for r in archive.rows("SELECT id, phash, dhash, sharpness FROM photos")}
    with sqlite3.connect(archive.root / "catalog.db") as db:  # as an older version left it
        db.execute("UPDATE photos SET phash = NULL, dhash = NULL, sharpness = NULL")
        db.execute("UPDATE photos SET group_id = NULL, is_pick = 1")
        db.execute("DELETE FROM photo_groups")
    assert _groups(archive) == []
    done = json.loads(archive.run("similar", "--backfill", "--json").stdout)
    assert (done["fingerprinted"], done["groups"], done["failed"]) == (60, 8, [])
    expected = {frozenset(g): pick for g, pick in zip(built.groups, built.picks, strict=True)}
    assert _by_names(archive) == expected
    after = archive.rows("SELECT id, phash, dhash, sharpness FROM photos")
    for row in after:  # the stored JPEG thumbnails give the same fingerprint, give or take
        was = before[row["id"]]
        assert (int(row["phash"], 16) ^ int(was["phash"], 16)).bit_count() <= 4
        # JPEG's quantisation moves the sharpness of the stored preview (smoothing fine
        # detail, adding block edges) but not its order: the picks came out as built.
        assert row["sharpness"] > 0
    again = json.loads(archive.run("similar", "--backfill", "--json").stdout)
    assert again["fingerprinted"] == 0  # resumable: only photos without one are read


def test_across_finds_a_photo_resent_through_a_chat_app_and_merges_nothing(
    archive, tmp_path
) -> None:
    first, later = tmp_path / "dai-hoi-2023", tmp_path / "tong-ket-2024"
    first.mkdir()
    later.mkdir()
    original = write_shot(first, Shot("dai-hoi.jpg", 42, "A", "2023:03:02 09:00:00", Variant()))
    write_shot(first, Shot("khac.jpg", 43, "A", "2023:03:02 09:30:00", Variant()))
    (later / "zalo-resent.jpg").write_bytes(chat_app(original.read_bytes()))
    write_shot(later, Shot("moi.jpg", 44, "B", "2024:01:05 10:00:00", Variant()))
    archive.ingest(str(first), "--event-title", "Đại hội 2023")
    archive.ingest(str(later), "--event-title", "Tổng kết 2024")
    found = json.loads(archive.run("similar", "--across", "--json").stdout)
    names = _names(archive)
    pairs = [
        {(names[p["photo"]], p["event"]), (names[p["similar"]], p["similar_event"])}
        for p in found["pairs"]
    ]
    assert pairs == [{("dai-hoi.jpg", "dai-hoi-2023"), ("zalo-resent.jpg", "tong-ket-2024")}]
    events = archive.rows("SELECT original_name, event_id FROM photos ORDER BY id")
    assert len({r["event_id"] for r in events}) == 2  # reported, never merged
    text = archive.run("similar", "--across").stdout
    assert "dai-hoi.jpg" in text and "zalo-resent.jpg" in text


def test_plain_pictures_are_never_grouped_by_their_hashes() -> None:
    """A red and a blue card (no gradient anywhere) hash alike; they are not near-duplicates."""
    from PIL import Image

    from archive.similar import Candidate, featureless, groups
    from ingest.fingerprint import fingerprint

    def card(colour: str, index: int) -> Candidate:
        small, large = Image.new("RGB", (320, 240), colour), Image.new("RGB", (1280, 960), colour)
        prints = fingerprint(small, large)
        return Candidate(index, int(prints.phash, 16), int(prints.dhash, 16), None, 1, 0.0)

    cards = [card(colour, i) for i, colour in enumerate(("red", "blue", "white", "black"))]
    assert all(featureless(c.dhash) for c in cards)
    assert groups(cards) == []
