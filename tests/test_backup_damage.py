"""Damage is caught wherever it is: in a backup (three independent checks) or in the source.

Also what `archive backup` and `archive restore` refuse, and what their dry
runs leave behind (nothing).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import bagit
import pytest

from archive.store import Store
from tests.conftest import EXAMPLE_EVENT, Archive
from tests.images import make_jpeg
from tests.test_backup import CLI


@pytest.fixture
def source(archive: Archive) -> Archive:
    report = archive.ingest(str(EXAMPLE_EVENT))
    assert report["failed"] == 0
    return archive


def backup(archive: Archive, dest: Path, *args: str, expect: int = 0) -> dict:
    return json.loads(archive.run("backup", str(dest), "--json", *args, expect=expect).stdout)


def flip_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    os.chmod(path, 0o644)
    path.write_bytes(bytes(data))


def first_original(root: Path) -> Path:
    return sorted((root / "originals").rglob("*.jpg"))[0]


def sha256sum(dest: Path) -> subprocess.CompletedProcess:
    if shutil.which("sha256sum") is None:
        pytest.skip("sha256sum (coreutils) is not installed")
    return subprocess.run(
        ["sha256sum", "--check", "manifest-sha256.txt"], cwd=dest, capture_output=True, text=True
    )


def bagit_cli(dest: Path) -> subprocess.CompletedProcess:
    """The validator's own command line, as someone without this program would run it."""
    script = Path(sys.executable).with_name("bagit.py")
    return subprocess.run(
        [sys.executable, str(script), "--validate", str(dest)], capture_output=True, text=True
    )


def test_a_flipped_byte_in_a_backup_is_caught_by_every_check(source: Archive, tmp_path) -> None:
    dest = tmp_path / "usb"
    backup(source, dest)
    assert bagit_cli(dest).returncode == 0
    damaged = first_original(dest / "data")
    relpath = damaged.relative_to(dest).as_posix()
    flip_a_byte(damaged)

    with pytest.raises(bagit.BagValidationError) as caught:
        bagit.Bag(str(dest)).validate()
    assert [detail.path for detail in caught.value.details] == [relpath]
    cli = bagit_cli(dest)
    assert cli.returncode != 0 and relpath in cli.stderr + cli.stdout
    checked = sha256sum(dest)
    assert checked.returncode == 1
    assert f"{relpath}: FAILED" in checked.stdout and checked.stdout.count(": OK") == 15
    verified = Archive(dest / "data").run("verify", "--json", expect=1)
    findings = json.loads(verified.stdout)["findings"]
    assert [(f["kind"], f["path"]) for f in findings] == [("hash", relpath.removeprefix("data/"))]
    # verify checked the bag where it is: no lock file, no row recorded, the catalog unchanged
    assert sha256sum(dest).stdout.count(": OK") == 15

    restored = tmp_path / "restored"
    refused = source.run("restore", str(dest), str(restored), expect=1)
    assert relpath in refused.stdout and "nothing was restored" in refused.stdout
    assert not restored.exists() and not list(tmp_path.glob(".restored*"))

    # Repair: the bad copy removed, the next backup copies just that one again.
    damaged.unlink()
    again = backup(source, dest)
    assert again["originals"]["copied"] == 1 and again["originals"]["already_there"] == 4
    bagit.Bag(str(dest)).validate()
    source.run("restore", str(dest), str(restored))
    assert Archive(restored).run("verify", "--json").exit_code == 0


def test_a_damaged_catalog_is_refused_by_restore(source: Archive, tmp_path: Path) -> None:
    dest = tmp_path / "usb"
    backup(source, dest)
    catalog = dest / "data" / "catalog.db"
    data = bytearray(catalog.read_bytes())
    data[4096 + 10 : 4096 + 200] = b"\x00" * 190  # a page of the catalog overwritten
    catalog.write_bytes(bytes(data))
    # Rebuilt manifests would hide the damage from the bag; integrity_check still sees it.
    bag = bagit.Bag(str(dest))
    bag.save(manifests=True)
    bag.validate()
    result = source.run("restore", str(dest), str(tmp_path / "r"), "--json", expect=1)
    report = json.loads(result.stdout)
    assert report["restored"] is False and report["problems"]
    assert all(problem.startswith("data/catalog.db") for problem in report["problems"])
    assert not (tmp_path / "r").exists()


def test_restore_refuses_a_root_that_is_not_empty(source: Archive, tmp_path: Path) -> None:
    dest, root = tmp_path / "usb", tmp_path / "taken"
    backup(source, dest)
    root.mkdir()
    (root / "notes.txt").write_text("đừng xóa", "utf-8")
    result = source.run("restore", str(dest), str(root), expect=2)
    assert "not empty" in result.output
    assert sorted(p.name for p in root.iterdir()) == ["notes.txt"]
    empty = tmp_path / "empty"
    empty.mkdir()
    source.run("restore", str(dest), str(empty))
    assert (empty / "catalog.db").is_file()
    not_a_backup = source.run("restore", str(tmp_path / "taken"), str(tmp_path / "x"), expect=2)
    assert "not a backup" in not_a_backup.output


def test_a_damaged_source_original_is_named_and_the_rest_backed_up(
    source: Archive, tmp_path: Path
) -> None:
    broken = first_original(source.root)
    flip_a_byte(broken)
    dest = tmp_path / "usb"
    report = backup(source, dest, expect=1)
    relpath = broken.relative_to(source.root).as_posix()
    assert [failure["path"] for failure in report["failures"]] == [relpath]
    assert "damaged" in report["failures"][0]["reason"]
    assert report["originals"]["copied"] == 4 and report["thumbnails"]["copied"] == 10
    assert not (dest / "data" / relpath).exists()  # never a bad copy in the backup
    bagit.Bag(str(dest)).validate()  # what is there is whole
    text = source.run("backup", str(dest), expect=1).output
    assert f"FAILED: {relpath}: SHA-256 of the source is" in text


def test_dry_runs_write_nothing(source: Archive, tmp_path: Path) -> None:
    dest = tmp_path / "usb"
    planned = backup(source, dest, "--dry-run")
    assert not dest.exists()
    assert planned["dry_run"] is True and planned["photos"] == 5
    assert planned["originals"]["copied"] == 5 and planned["thumbnails"]["copied"] == 10
    done = backup(source, dest)
    assert done["originals"] == planned["originals"]
    assert done["thumbnails"] == planned["thumbnails"]
    restore = json.loads(
        source.run("restore", str(dest), str(tmp_path / "r"), "--dry-run", "--json").stdout
    )
    assert restore["restored"] is False and restore["files"] == 16 and restore["photos"] == 5
    assert not (tmp_path / "r").exists()


def test_backup_refuses_a_place_that_is_not_for_a_backup(source: Archive, tmp_path: Path) -> None:
    inside = source.run("backup", str(source.root / "backup"), expect=2)
    assert "inside the archive root" in inside.output
    assert not (source.root / "backup").exists()
    foreign = tmp_path / "documents"
    foreign.mkdir()
    (foreign / "bao-cao.docx").write_bytes(b"PK")
    refused = source.run("backup", str(foreign), expect=2)
    assert "not empty and not an archive backup" in refused.output
    assert sorted(p.name for p in foreign.iterdir()) == ["bao-cao.docx"]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert backup(source, empty)["created"] is True
    bagit.Bag(str(empty)).validate()
    # A backup is an archive root too: backing it up into itself is refused.
    itself = Archive(empty / "data").run("backup", str(empty), expect=2)
    assert "holds the archive root" in itself.output


def test_a_remade_thumbnail_is_copied_again(source: Archive, tmp_path: Path) -> None:
    dest = tmp_path / "usb"
    backup(source, dest)
    row = source.rows("SELECT thumb_path FROM photos ORDER BY id LIMIT 1")[0]
    remade = make_jpeg(None, size=(32, 24), color=(200, 10, 10))
    Store(source.root).replace_derivative(row["thumb_path"], remade)  # as archive thumbs does
    report = backup(source, dest)
    assert report["thumbnails"]["copied"] == 1 and report["thumbnails"]["already_there"] == 9
    assert report["originals"]["copied"] == 0
    assert (dest / "data" / row["thumb_path"]).read_bytes() == remade
    bagit.Bag(str(dest)).validate()


def test_verify_runs_on_a_backup_on_read_only_media(source: Archive, tmp_path: Path) -> None:
    """A real read-only mount (a bind mount remounted ro), where Linux and root allow one."""
    dest, media = tmp_path / "usb", tmp_path / "media"
    backup(source, dest)
    media.mkdir()
    if shutil.which("mount") is None or os.name != "posix" or os.geteuid() != 0:
        pytest.skip("a read-only mount needs root on Linux")
    bound = subprocess.run(["mount", "--bind", str(dest), str(media)], capture_output=True)
    if bound.returncode != 0:
        pytest.skip(f"mount --bind is not allowed here: {bound.stderr.decode().strip()}")
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(media)], check=True)
        with pytest.raises(OSError):
            (media / "probe").write_text("x")
        for root in (media, media / "data"):  # processes of their own: nothing stays open
            result = subprocess.run(
                [*CLI, "--root", str(root), "verify", "--json"], capture_output=True, text=True
            )
            assert result.returncode == 0, result.stderr
            assert json.loads(result.stdout)["photos"] == 5
        restored = subprocess.run(
            [*CLI, "restore", str(media), str(tmp_path / "r")], capture_output=True, text=True
        )
        assert restored.returncode == 0, restored.stderr
    finally:
        subprocess.run(["umount", str(media)], check=True)
