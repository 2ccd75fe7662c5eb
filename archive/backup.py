"""`archive backup`: a consistent, incremental copy of an archive root into a BagIt bag.

Consistency without stopping an ingest: the catalog is copied first, in one
read transaction by SQLite's online backup API, and only the files that this
snapshot's rows name are required. An ingest stores a file before it commits
the row that names it (DESIGN principle 2), so every file the snapshot names
is already in the store; a photo stored after the snapshot simply waits for
the next backup. The snapshot takes its place as ``data/catalog.db`` only
after the files it names are copied and flushed, so a backup interrupted at
any point never holds a row that names a file it lacks.

Incremental: an original already in the backup with its catalog size is not
read again (its SHA-256 was checked when it was copied, and originals never
change); a thumbnail is copied again only when its size or modification time
differs (``archive thumbs`` remakes them). The manifest is written from the
hashes already known, so a second run reads only what is new.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from archive.bagdir import (
    PAYLOAD,
    TEMP_PREFIX,
    CopyError,
    copy_chunks_verified,
    copy_verified,
    create_bag,
    fsync_dir,
    inside,
    is_our_backup,
    read_manifest,
    save_tags,
    scan_payload,
    sha256_of,
    write_manifest,
)
from archive.catalog.settings import forget_store
from archive.errors import ArchiveError
from archive.storage import AnyStore, open_store
from archive.store import CATALOG_NAME

MTIME_SLACK_NS = 2_000_000_000


class BackupRefused(ArchiveError):
    """DEST cannot take a backup (a usage error: nothing was written)."""


@dataclass
class Counts:
    """Originals or thumbnails: copied this run (and their bytes), already there, failed."""

    copied: int = 0
    bytes: int = 0
    already_there: int = 0
    failed: int = 0

    def as_json(self) -> dict[str, int]:
        return {
            "copied": self.copied,
            "bytes": self.bytes,
            "already_there": self.already_there,
            "failed": self.failed,
        }


@dataclass(frozen=True)
class Failure:
    path: str  # relative to the archive root
    reason: str

    def as_json(self) -> dict[str, str]:
        return {"path": self.path, "reason": self.reason}


@dataclass
class BackupReport:
    dest: str
    dry_run: bool = False
    created: bool = False  # DEST was not a backup before this run
    photos: int = 0  # rows in the backed-up catalog
    originals: Counts = field(default_factory=Counts)
    thumbnails: Counts = field(default_factory=Counts)
    catalog_bytes: int = 0
    payload_files: int = 0
    payload_bytes: int = 0
    failures: list[Failure] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def exit_code(self) -> int:
        return 1 if self.failures else 0

    def as_json(self) -> dict[str, Any]:
        """The stable --json shape documented in the README."""
        return {
            "dest": self.dest,
            "dry_run": self.dry_run,
            "created": self.created,
            "photos": self.photos,
            "originals": self.originals.as_json(),
            "thumbnails": self.thumbnails.as_json(),
            "catalog_bytes": self.catalog_bytes,
            "payload_files": self.payload_files,
            "payload_bytes": self.payload_bytes,
            "failures": [failure.as_json() for failure in self.failures],
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True)
class Wanted:
    """A file the snapshot names: an original (hash and size known) or a thumbnail."""

    relpath: str
    sha256: str | None = None
    size: int | None = None

    @property
    def original(self) -> bool:
        return self.sha256 is not None


@dataclass
class _Plan:
    copy: list[Wanted] = field(default_factory=list)
    hashes: dict[str, str] = field(default_factory=dict)  # present in DEST, hash known
    sizes: dict[str, int] = field(default_factory=dict)


def check_destination(root: Path, dest: Path) -> bool:
    """Refuse a DEST that is not a place for a backup; True if it already is one of ours."""
    if dest.resolve().is_relative_to(root.resolve()):
        raise BackupRefused(f"{dest}: inside the archive root {root}; back up to another disk")
    if root.resolve().is_relative_to(dest.resolve()):
        raise BackupRefused(f"{dest}: holds the archive root {root}; back up to another folder")
    if not dest.exists():
        return False
    if not dest.is_dir():
        raise BackupRefused(f"{dest}: not a folder")
    if is_our_backup(dest):
        return True
    if any(dest.iterdir()):
        raise BackupRefused(
            f"{dest}: not empty and not an archive backup (no bagit.txt with data/catalog.db);"
            " name an empty folder or an earlier backup"
        )
    return False


def backup(
    root: Path,
    dest: Path,
    *,
    dry_run: bool = False,
    on_plan: Callable[[int], None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> BackupReport:
    """Bring DEST up to date with root; every file that fails is reported, the rest goes on."""
    started = time.monotonic()
    store = open_store(root)  # the folder's files, or the bucket's: copied alike
    if not store.catalog_path.is_file():
        raise BackupRefused(f"{root}: no archive here (catalog.db not found)")
    ours = check_destination(root, dest)
    report = BackupReport(dest=str(dest), dry_run=dry_run, created=not ours)
    payload = dest / PAYLOAD
    if dry_run:
        snapshot = sqlite3.connect(":memory:")
        take_snapshot(store.catalog_path, snapshot)
        wanted = wanted_files(snapshot)
        snapshot.close()
        plan = _decide(store, payload, wanted, report, hash_unknown=False)
        report.photos = sum(item.original for item in wanted)
        _count_planned(store, plan, report)
        report.seconds = time.monotonic() - started
        return report
    if not ours:
        create_bag(dest, _bag_info(0, "0.0"))
    _remove_leftovers(dest)
    fd, tmp_name = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}catalog-", suffix=".db", dir=payload)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        snapshot = sqlite3.connect(tmp)
        try:
            take_snapshot(store.catalog_path, snapshot)
            if store.remote:  # the copy holds the files itself: it is a local archive
                forget_store(snapshot)
            wanted = wanted_files(snapshot)
        finally:
            snapshot.close()
        report.photos = sum(item.original for item in wanted)
        plan = _decide(store, payload, wanted, report, hash_unknown=True)
        if on_plan:
            on_plan(len(plan.copy))
        _copy(store, payload, plan, report, progress)
        report.catalog_bytes = tmp.stat().st_size
        plan.hashes[CATALOG_NAME], plan.sizes[CATALOG_NAME] = sha256_of(tmp), report.catalog_bytes
        os.replace(tmp, payload / CATALOG_NAME)  # only now: every file it names is in place
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(payload)
    report.payload_files, report.payload_bytes = len(plan.hashes), sum(plan.sizes.values())
    write_manifest(dest, plan.hashes)
    save_tags(dest, _bag_info(report.photos, f"{report.payload_bytes}.{report.payload_files}"))
    report.seconds = time.monotonic() - started
    return report


def take_snapshot(catalog: Path, target: sqlite3.Connection) -> None:
    """The catalog as of one moment, by the online backup API, in one step (one read).

    The copy is switched to a rollback journal: a backup may sit on read-only
    media, where a WAL database cannot be opened without its -shm file.
    """
    source = sqlite3.connect(f"{catalog.resolve().as_uri()}?mode=ro", uri=True)
    try:
        source.backup(target)  # pages=-1: the whole database in one step, one snapshot
    finally:
        source.close()
    target.execute("PRAGMA journal_mode=DELETE")
    target.commit()


def wanted_files(snapshot: sqlite3.Connection) -> list[Wanted]:
    """Every file the snapshot's rows name: each original, its thumbnails, a clip's preview."""
    wanted: list[Wanted] = []
    rows = snapshot.execute(
        "SELECT sha256, bytes, original_path, thumb_path, preview_path, playback_path"
        " FROM photos ORDER BY id"
    )
    for sha256, size, original, *derived in rows:
        wanted.append(Wanted(original, sha256, size))
        wanted.extend(Wanted(path) for path in derived if path)
    return wanted


def _decide(
    store: AnyStore, payload: Path, wanted: list[Wanted], report: BackupReport, hash_unknown: bool
) -> _Plan:
    """What DEST lacks (to copy) and what it holds (with hashes, for the manifest)."""
    on_dest = dict(scan_payload(payload)) if payload.is_dir() else {}
    manifest = read_manifest(payload.parent)
    plan = _Plan()
    # A bucket is listed once (sizes of every thumbnail) rather than asked per file.
    listed = dict(store.keys("thumbs/")) if store.remote else {}
    for item in wanted:
        counts = report.originals if item.original else report.thumbnails
        there = on_dest.pop(item.relpath, None)
        if item.original:
            if there and (item.size is None or there[0] == item.size):
                counts.already_there += 1
                plan.hashes[item.relpath], plan.sizes[item.relpath] = item.sha256, there[0]
            else:
                plan.copy.append(item)
            continue
        source = _source_stat(store, item.relpath, listed)
        if there and (source is None or _same_file(source, there)):
            counts.already_there += 1
            _keep(payload, item.relpath, there[0], manifest, plan, hash_unknown)
        elif source is None:
            counts.failed += 1
            report.failures.append(
                Failure(item.relpath, "not in the archive (archive thumbs remakes it)")
            )
        else:
            plan.copy.append(item)
    for relpath, (size, _) in on_dest.items():  # from earlier backups: kept, and listed
        _keep(payload, relpath, size, manifest, plan, hash_unknown)
    return plan


def _source_stat(store: AnyStore, relpath: str, listed: dict[str, int]) -> tuple[int, int] | None:
    """(size, mtime_ns) of a thumbnail in the archive, None if absent; a bucket's has no
    usable mtime (the upload's), so its thumbnails are compared by size alone (-1)."""
    if store.remote:
        size = listed.get(relpath)
        return None if size is None else (size, -1)
    try:
        found = os.stat(inside(store.root, relpath))
    except (OSError, ValueError):
        return None
    return found.st_size, found.st_mtime_ns


def _same_file(source: tuple[int, int], there: tuple[int, int]) -> bool:
    """Same size and modification time, to the 2 s a FAT-formatted USB disk keeps."""
    if source[1] < 0:
        return source[0] == there[0]
    return source[0] == there[0] and abs(source[1] - there[1]) < MTIME_SLACK_NS


def _keep(
    payload: Path, relpath: str, size: int, manifest: dict, plan: _Plan, hash_unknown: bool
) -> None:
    digest = manifest.get(relpath)
    if digest is None and hash_unknown:
        digest = sha256_of(payload / relpath)  # an interrupted run copied it but listed nothing
    if digest is not None:
        plan.hashes[relpath], plan.sizes[relpath] = digest, size


def _copy(
    store: AnyStore,
    payload: Path,
    plan: _Plan,
    report: BackupReport,
    progress: Callable[[int], None] | None,
) -> None:
    """Copy each planned file, verified; a failure is reported and the rest goes on."""
    folders: set[Path] = set()
    for item in plan.copy:
        counts = report.originals if item.original else report.thumbnails
        try:
            target, mode = inside(payload, item.relpath), 0o444 if item.original else 0o644
            if store.remote:
                digest, size = copy_chunks_verified(
                    store.stream(item.relpath), target, expected=item.sha256, mode=mode
                )
            else:
                source = inside(store.root, item.relpath)
                digest, size = copy_verified(source, target, expected=item.sha256, mode=mode)
        except ValueError:
            reason = "the catalog's path leads outside the archive root"
        except FileNotFoundError:
            reason = "not in the archive" + (
                "" if item.original else " (archive thumbs remakes it)"
            )
        except CopyError as error:
            reason = str(error)
        except OSError as error:
            reason = f"cannot copy: {error.strerror or error}"
        else:
            counts.copied += 1
            counts.bytes += size
            plan.hashes[item.relpath], plan.sizes[item.relpath] = digest, size
            folders.add(target.parent)
            reason = None
        if reason:
            counts.failed += 1
            report.failures.append(Failure(item.relpath, reason))
        if progress:
            progress(1)
    for folder in folders:  # the renames durable before the catalog that names them arrives
        fsync_dir(folder)


def _count_planned(store: AnyStore, plan: _Plan, report: BackupReport) -> None:
    """A dry run's counts: what would be copied, and how many bytes."""
    for item in plan.copy:
        counts = report.originals if item.original else report.thumbnails
        counts.copied += 1
        if item.size is not None:
            counts.bytes += item.size
        else:
            with suppress(OSError, ValueError):  # a missing one is reported by the real run
                counts.bytes += store.size(item.relpath) or 0


def _remove_leftovers(dest: Path) -> None:
    """Temporary files of an interrupted backup: never named by a manifest, safe to drop."""
    for path in [*dest.glob(f"{TEMP_PREFIX}*"), *(dest / PAYLOAD).rglob(f"{TEMP_PREFIX}*")]:
        if path.is_file():
            path.unlink(missing_ok=True)


def _bag_info(photos: int, oxum: str) -> dict[str, str]:
    now = datetime.now(UTC)
    return {
        "Bagging-Date": now.date().isoformat(),
        "Bag-Software-Agent": f"ward-photo-archive {version('ward-photo-archive')} archive backup",
        "External-Description": (
            "A backup of a ward photo archive. data/ is an archive root:"
            " archive --root data verify; archive restore . NEW-FOLDER"
        ),
        "Archive-Photos": str(photos),
        "Archive-Snapshot-Time": now.isoformat(timespec="seconds"),
        "Payload-Oxum": oxum,
    }
