"""`archive restore`: a backup made by `archive backup` back as a working archive.

Nothing is written until the backup has proved whole: the bag's manifest
(every payload file there, each with its SHA-256, nothing unlisted) and the
catalog's own ``PRAGMA integrity_check``. The copy then goes into a
temporary folder beside ROOT, each file checked against the manifest as it
is copied, and that folder is renamed to ROOT at the end: ROOT is either the
whole archive or absent, never half a restore.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archive.bagdir import (
    PAYLOAD,
    CopyError,
    bag_root,
    copy_verified,
    fsync_dir,
    read_manifest,
    validate,
)
from archive.errors import ArchiveError
from archive.store import CATALOG_NAME, Store


class RestoreRefused(ArchiveError):
    """SRC is not a backup, or ROOT is taken: a usage error, nothing was written."""


@dataclass
class RestoreReport:
    source: str
    root: str
    dry_run: bool = False
    files: int = 0
    bytes: int = 0
    photos: int = 0
    problems: list[str] = field(default_factory=list)  # the backup is damaged: nothing restored
    warnings: list[str] = field(default_factory=list)  # restored, but rows name absent files
    restored: bool = False
    seconds: float = 0.0

    @property
    def exit_code(self) -> int:
        return 1 if self.problems or self.warnings else 0

    def as_json(self) -> dict[str, Any]:
        """The stable --json shape documented in the README."""
        return {
            "source": self.source,
            "root": self.root,
            "dry_run": self.dry_run,
            "restored": self.restored,
            "photos": self.photos,
            "files": self.files,
            "bytes": self.bytes,
            "problems": self.problems,
            "warnings": self.warnings,
            "seconds": round(self.seconds, 3),
        }


def restore(
    source: Path,
    root: Path,
    *,
    dry_run: bool = False,
    on_plan: Callable[[int], None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> RestoreReport:
    """Validate the backup at source, then copy its archive root to root (absent or empty)."""
    started = time.monotonic()
    bag = bag_root(source)
    if bag is None:
        raise RestoreRefused(f"{source}: not a backup (no bagit.txt beside a data/ folder)")
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise RestoreRefused(f"{root}: not empty; restore into a new or empty folder")
    if root.resolve().is_relative_to(bag.resolve()):
        raise RestoreRefused(f"{root}: inside the backup {bag}")
    report = RestoreReport(source=str(bag), root=str(root), dry_run=dry_run)
    report.problems = validate(bag)
    catalog = bag / PAYLOAD / CATALOG_NAME
    if not report.problems:
        report.problems = _catalog_problems(catalog)
    if report.problems:
        report.seconds = time.monotonic() - started
        return report
    hashes = read_manifest(bag)
    report.files = len(hashes)
    report.bytes = sum((bag / PAYLOAD / relpath).stat().st_size for relpath in hashes)
    report.photos, report.warnings = _rows_without_files(catalog, set(hashes))
    if dry_run:
        report.seconds = time.monotonic() - started
        return report
    if on_plan:
        on_plan(len(hashes))
    _copy_into_place(bag / PAYLOAD, root, hashes, progress)
    report.restored = True
    report.seconds = time.monotonic() - started
    return report


def _catalog_problems(catalog: Path) -> list[str]:
    """What SQLite's own check finds in the backed-up catalog (read-only, nothing created)."""
    try:
        db = sqlite3.connect(f"{catalog.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
        try:
            lines = [row[0] for row in db.execute("PRAGMA integrity_check")]
        finally:
            db.close()
    except sqlite3.DatabaseError as error:
        return [f"data/{CATALOG_NAME}: not a usable SQLite database: {error}"]
    if lines == ["ok"]:
        return []
    return [f"data/{CATALOG_NAME}: integrity_check: {line}" for line in lines]


def _rows_without_files(catalog: Path, present: set[str]) -> tuple[int, list[str]]:
    """The photo count, and each file a row names that the backup does not hold.

    A backup that reported a failed copy (exit 1) can lack a file: the rest is
    worth restoring all the same, so this warns instead of refusing.
    """
    db = sqlite3.connect(f"{catalog.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        rows = db.execute(
            "SELECT id, original_path, thumb_path, preview_path, playback_path FROM photos"
        )
        warnings, photos = [], 0
        for photo_id, *paths in rows:
            photos += 1
            for path in paths:
                if path and path not in present:
                    warnings.append(f"{path} (photo {photo_id}): named by the catalog, not in it")
    finally:
        db.close()
    return photos, warnings


def _copy_into_place(
    payload: Path, root: Path, hashes: dict[str, str], progress: Callable[[int], None] | None
) -> None:
    """Copy every listed file into a folder beside root, then rename that folder to root."""
    root = root.absolute()
    root.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{root.name}.restoring-", dir=root.parent))
    try:
        folders: set[Path] = {work}
        for relpath, digest in sorted(hashes.items()):
            target = work / relpath
            try:
                copy_verified(
                    payload / relpath,
                    target,
                    expected=digest,
                    mode=0o444 if relpath.startswith("originals/") else 0o644,
                )
            except CopyError as error:
                reason = f"{payload / relpath}: {error}; nothing was restored"
                raise RestoreRefused(reason) from error
            folders.add(target.parent)
            if progress:
                progress(1)
        Store(work).create()  # the folders an empty archive has, even with no photo in it
        for folder in folders:
            fsync_dir(folder)
        if root.exists():
            root.rmdir()  # empty, checked before; a folder cannot be renamed over on Windows
        work.rename(root)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    fsync_dir(root.parent)
