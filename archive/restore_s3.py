"""`archive restore s3://BUCKET/PREFIX ROOT`: a bucket backup back as a working archive.

The backup's ``catalog.db`` object is read first and proved whole (its bytes against
the SHA-256 kept with it, then SQLite's integrity check); a damaged one is refused and
nothing is written. The files then go where the new archive keeps them: into ROOT (a
folder archive, the default), or with ``--store s3://…`` into a bucket, by the same
checked copies as the backup (server-side on one endpoint). ROOT is assembled in a
folder beside it and renamed at the end, so it is the whole archive or absent.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from archive.backup import Wanted, wanted_files
from archive.backup_s3 import CopyMismatch, copy_object_checked, overlaps
from archive.bagdir import fsync_dir
from archive.catalog import Catalog
from archive.db import open_catalog, write_transaction
from archive.i18n import _
from archive.restore import RestoreRefused, RestoreReport, _catalog_problems
from archive.storage import AnyStore
from archive.store import CATALOG_NAME, Store, file_chunks, sha256_of
from archive.store_s3 import SHA_KEY, S3Store


def restore_from_bucket(
    backup: S3Store,
    root: Path,
    *,
    store_url: str | None = None,
    store_endpoint: str | None = None,
    dry_run: bool = False,
    on_plan: Callable[[int], None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> RestoreReport:
    """Check the backup's catalog, then copy what it names to the new archive's store."""
    from archive.storage import parse_store_url

    started = time.monotonic()
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise RestoreRefused(f"{root}: not empty; restore into a new or empty folder")
    found = backup.head(CATALOG_NAME)
    if found is None:
        raise RestoreRefused(
            _("{source}: not a backup (no catalog.db object)").format(source=backup.url)
        )
    report = RestoreReport(source=backup.describe(), root=str(root), dry_run=dry_run)
    root = root.absolute()
    root.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{root.name}.restoring-", dir=root.parent))
    try:
        catalog = work / CATALOG_NAME
        data = backup.read(CATALOG_NAME)
        if hashlib.sha256(data).hexdigest() != found.get("Metadata", {}).get(SHA_KEY):
            report.problems = [
                _("{location}: its bytes do not have the SHA-256 kept with it").format(
                    location=backup.location(CATALOG_NAME)
                )
            ]
        else:
            catalog.write_bytes(data)
            report.problems = _catalog_problems(catalog)
        if report.problems:
            return report
        db = sqlite3.connect(catalog)
        try:
            wanted = wanted_files(db)
        finally:
            db.close()
        listed = dict(backup.keys(""))
        report.photos = sum(item.original for item in wanted)
        report.files = len(wanted)
        report.bytes = sum(listed.get(item.relpath, 0) for item in wanted)
        report.warnings = [
            f"{item.relpath}: named by the catalog, not in the backup"
            for item in wanted
            if item.relpath not in listed
        ]
        if dry_run:
            return report
        target = parse_store_url(work, store_url or "local", store_endpoint)
        if isinstance(target, S3Store) and overlaps(backup, target):
            raise RestoreRefused(
                _("{store}: overlaps the backup {source}; name another prefix").format(
                    store=target.url, source=backup.url
                )
            )
        if target.remote:
            _name_store(catalog, store_url, store_endpoint)
        present = [item for item in wanted if item.relpath in listed]
        if on_plan:
            on_plan(len(present))
        for item in present:
            try:
                _restore_one(backup, target, item)
            except (OSError, ValueError) as error:
                reason = getattr(error, "strerror", None) or str(error)
                raise RestoreRefused(f"{item.relpath}: {reason}; nothing was restored") from error
            if progress:
                progress(1)
        if not target.remote:
            Store(work).create()  # the folders an empty archive has
        fsync_dir(work)
        if root.exists():
            root.rmdir()
        work.rename(root)
        fsync_dir(root.parent)
        report.restored = True
        return report
    finally:
        report.seconds = time.monotonic() - started
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)


def _restore_one(backup: S3Store, target: AnyStore, item: Wanted) -> None:
    """One file from the backup into the target store, checked before it is kept."""
    if isinstance(target, S3Store):
        copy_object_checked(backup, target, item)
        return
    expected = item.sha256 or backup.stored_sha256(item.relpath)
    with backup.local_copy(item.relpath) as copy:
        got = sha256_of(file_chunks(copy))
        if expected is not None and got != expected:
            raise CopyMismatch(
                _("{location}: read with SHA-256 {got}, expected {want}").format(
                    location=backup.location(item.relpath),
                    got=got[:12],
                    want=expected[:12],
                )
            )
        target.path(item.relpath).parent.mkdir(parents=True, exist_ok=True)
        target.put_file(item.relpath, copy)


def _name_store(catalog: Path, url: str | None, endpoint: str | None) -> None:
    """The restored catalog names the bucket its files were copied to (no credentials)."""
    db = open_catalog(catalog)
    try:
        with write_transaction(db):
            Catalog(db).set_store(url, endpoint)
    finally:
        db.close()
