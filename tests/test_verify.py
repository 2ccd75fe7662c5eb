"""`archive verify` on a real archive: the bundled example ingested through the command line."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import stat
from pathlib import Path

import pytest

from archive.db import open_catalog
from archive.store import Store
from archive.verify import verify
from tests.conftest import EXAMPLE_EVENT, Archive
from tests.lock_holder import held

NOT_THE_STORE = {"catalog.db", "catalog.db-wal", "catalog.db-shm", ".writer.lock"}


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example ingested once per module; each test works on its own copy."""
    root = tmp_path_factory.mktemp("template") / "archive"
    report = Archive(root).ingest(str(EXAMPLE_EVENT))
    assert report["added"] == 5
    # Everything into catalog.db itself: the copies below leave the WAL files out, which a
    # connection closing at garbage collection may delete while they are being copied.
    with sqlite3.connect(root / "catalog.db") as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return root


@pytest.fixture
def archive(ingested: Path, tmp_path: Path) -> Archive:
    root = tmp_path / "archive"
    shutil.copytree(ingested, root, ignore=shutil.ignore_patterns("*-wal", "*-shm"))
    return Archive(root)


def run_verify(archive: Archive, *args: str, expect: int) -> dict:
    return json.loads(archive.run("verify", "--json", *args, expect=expect).stdout)


def photo(archive: Archive, index: int = 0) -> dict:
    return archive.rows("SELECT * FROM photos ORDER BY id")[index]


def checks(archive: Archive) -> list[dict]:
    return archive.rows("SELECT * FROM fixity_checks ORDER BY id")


def tree_digest(root: Path) -> dict[str, tuple[int, str]]:
    """Every file of the store with its mode and SHA-256 (the catalog changes by design)."""
    files = {}
    for dirpath, _, names in os.walk(root):
        for name in names:
            path = Path(dirpath, name)
            relpath = path.relative_to(root).as_posix()
            if relpath not in NOT_THE_STORE:
                mode = stat.S_IMODE(path.stat().st_mode)
                files[relpath] = (mode, hashlib.sha256(path.read_bytes()).hexdigest())
    return files


def test_all_good(archive: Archive) -> None:
    result = run_verify(archive, expect=0)
    assert (result["photos"], result["ok"], result["failed"], result["orphans"]) == (5, 5, 0, 0)
    assert result["findings"] == [] and result["bytes_hashed"] > 0
    rows = checks(archive)
    assert len(rows) == 5 and all(row["ok"] == 1 and row["finding"] is None for row in rows)
    assert {row["photo_id"] for row in rows} == {
        p["id"] for p in archive.rows("SELECT id FROM photos")
    }
    assert {row["checked_at"] for row in rows} == {result["checked_at"]}
    assert "5 ok" in archive.run("verify", expect=0).stdout


def test_a_flipped_byte_is_a_hash_finding(archive: Archive) -> None:
    damaged = photo(archive, 2)
    original = archive.root / damaged["original_path"]
    assert original.stat().st_mode & 0o222 == 0  # stored read-only
    original.chmod(0o644)
    data = bytearray(original.read_bytes())
    data[len(data) // 2] ^= 0x01
    original.write_bytes(bytes(data))
    result = run_verify(archive, expect=1)
    assert result["failed"] == 1 and result["ok"] == 4
    [finding] = result["findings"]
    assert (finding["kind"], finding["photo_id"], finding["path"]) == (
        "hash",
        damaged["id"],
        damaged["original_path"],
    )
    [bad] = [row for row in checks(archive) if not row["ok"]]
    assert bad["photo_id"] == damaged["id"] and bad["finding"].startswith("hash: ")
    text = archive.run("verify", expect=1).stdout
    assert f"HASH: {original} (photo {damaged['id']}): " in text


def test_size_and_missing_originals(archive: Archive) -> None:
    cut, gone = photo(archive, 0), photo(archive, 1)
    original = archive.root / cut["original_path"]
    original.chmod(0o644)
    original.write_bytes(original.read_bytes()[:-10])
    (archive.root / gone["original_path"]).unlink()
    kinds = {(f["kind"], f["photo_id"]) for f in run_verify(archive, expect=1)["findings"]}
    assert kinds == {("size", cut["id"]), ("missing", gone["id"])}


def test_a_deleted_thumbnail(archive: Archive) -> None:
    target = photo(archive, 3)
    (archive.root / target["thumb_path"]).unlink()
    [finding] = run_verify(archive, expect=1)["findings"]
    assert (finding["kind"], finding["photo_id"], finding["path"]) == (
        "thumbnail",
        target["id"],
        target["thumb_path"],
    )
    [bad] = [row for row in checks(archive) if not row["ok"]]
    assert bad["path"] == target["original_path"] and target["thumb_path"] in bad["finding"]


def test_a_truncated_preview(archive: Archive) -> None:
    target = photo(archive, 4)
    preview = archive.root / target["preview_path"]
    preview.write_bytes(preview.read_bytes()[:2000])
    [finding] = run_verify(archive, expect=1)["findings"]
    assert (finding["kind"], finding["path"]) == ("thumbnail", target["preview_path"])
    assert "cut short" in finding["detail"]


def test_orphans_are_reported_never_removed(archive: Archive) -> None:
    folder = archive.root / "originals" / "ab"
    folder.mkdir(exist_ok=True)
    orphan = folder / ("ab" + "0" * 62 + ".jpg")
    orphan.write_bytes(b"\xff\xd8 left by a crash")
    leftover = archive.root / "thumbs" / "320" / ".incoming-x1y2"
    leftover.write_bytes(b"half")
    result = run_verify(archive, expect=1)
    assert result["ok"] == 5 and result["orphans"] == 2
    found = {(f["kind"], f["path"], f["photo_id"]) for f in result["findings"]}
    assert found == {
        ("orphan", orphan.relative_to(archive.root).as_posix(), None),
        ("orphan", leftover.relative_to(archive.root).as_posix(), None),
    }
    rows = [row for row in checks(archive) if row["photo_id"] is None]
    assert len(rows) == 2 and all(row["ok"] == 0 and "orphan" in row["finding"] for row in rows)
    assert orphan.is_file() and leftover.is_file()


def test_dry_run_records_nothing(archive: Archive) -> None:
    (archive.root / photo(archive)["preview_path"]).unlink()
    result = run_verify(archive, "--dry-run", expect=1)
    assert result["dry_run"] is True and result["failed"] == 1
    assert checks(archive) == []


def test_the_store_is_untouched(archive: Archive) -> None:
    """Damage, an orphan and a leftover: verify reads them all and changes none of them."""
    damaged = archive.root / photo(archive)["original_path"]
    damaged.chmod(0o644)
    damaged.write_bytes(b"x" + damaged.read_bytes()[1:])
    damaged.chmod(0o444)
    (archive.root / "originals" / "ab").mkdir(exist_ok=True)
    (archive.root / "originals" / "ab" / "stray.jpg").write_bytes(b"stray")
    (archive.root / "originals" / "ab" / ".incoming-zz").write_bytes(b"partial")
    before = tree_digest(archive.root)
    run_verify(archive, expect=1)
    archive.run("verify", "--dry-run", expect=1)
    assert tree_digest(archive.root) == before


def test_sample_and_progress(archive: Archive) -> None:
    assert run_verify(archive, "--sample", "2", expect=0)["photos"] == 2
    assert len(checks(archive)) == 2
    assert run_verify(archive, "--since", "1", expect=0)["photos"] == 5
    steps: list[int] = []
    planned: list[int] = []
    db = open_catalog(archive.root / "catalog.db")
    result = verify(Store(archive.root), db, on_plan=planned.append, progress=steps.append)
    assert planned == [5] and sum(steps) == 5 and result.exit_code == 0


def test_usage_errors_exit_2(archive: Archive, tmp_path: Path) -> None:
    missing = Archive(tmp_path / "not-an-archive")
    result = missing.run("verify", expect=2)
    assert "no archive here" in result.output
    assert not missing.root.exists()  # a typo in --root creates nothing
    archive.run("verify", "--sample", "0", expect=2)


def test_refuses_with_no_wait_while_an_ingest_is_writing(archive: Archive) -> None:
    with held(archive.root) as holder:
        result = archive.run("verify", "--no-wait", expect=2)
    assert "an ingest is writing" in result.output
    assert f"(process {holder.pid})" in result.output
    assert checks(archive) == []
