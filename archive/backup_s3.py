"""`archive backup s3://BUCKET/PREFIX`: an archive's objects and its catalog in another bucket.

Why it is laid out as it is: the backup prefix holds the archive's own keys
(``originals/ab/<sha256>.<ext>``, ``thumbs/…``, ``playback/…``) and, beside them, one
object ``catalog.db``: a snapshot of the catalog taken by SQLite's online backup API,
naming no bucket (the restore says where the files go). A bucket has no folder to
rename, so the order gives the consistency a local backup gets from its rename: every
object the snapshot names is copied and checked first, the snapshot is uploaded last.
An interrupted backup therefore leaves the previous ``catalog.db`` with all it names.

How each object is copied and checked:

- Same endpoint (one S3 server): ``CopyObject`` on the server, no byte through this
  machine; the copy's ETag, size and ``sha256`` metadata are compared with the source's.
- Another endpoint, or a folder archive: streamed to a temporary file while hashed,
  the SHA-256 compared with the catalog's (an original) or the object's metadata, then
  uploaded with Content-MD5 (the receiving server checks it) and that SHA-256 as metadata.

Incremental: the backup prefix is listed once; an object there with the source's size
is not copied again (originals are content-addressed and never change).
"""

from __future__ import annotations

import hashlib
import sqlite3
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from archive.backup import (
    BackupRefused,
    BackupReport,
    Failure,
    Wanted,
    take_snapshot,
    wanted_files,
)
from archive.catalog.settings import forget_store
from archive.i18n import _
from archive.storage import AnyStore, open_store
from archive.store import CATALOG_NAME
from archive.store_s3 import SHA_KEY, S3Store

PARALLEL = 8  # copies at once: a bucket's round trips, not its bandwidth, are the wait


class CopyMismatch(OSError):
    """A copy whose bytes or checks differ from the source's: reported, never kept silently."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.strerror = reason


def same_server(source: AnyStore, target: S3Store) -> bool:
    """Whether CopyObject can do the copy: both on the same S3 endpoint."""
    return source.remote and getattr(source, "endpoint", None) == target.endpoint


def overlaps(one: AnyStore, other: S3Store) -> bool:
    """Whether two places share objects: one bucket of one server, one prefix inside the other."""
    if not isinstance(one, S3Store) or one.bucket != other.bucket or not same_server(one, other):
        return False
    mine, theirs = one.prefix.strip("/"), other.prefix.strip("/")
    return (
        not mine
        or not theirs
        or f"{mine}/".startswith(f"{theirs}/")
        or f"{theirs}/".startswith(f"{mine}/")
    )


def check_bucket_destination(source: AnyStore, target: S3Store) -> bool:
    """Refuse a backup into the archive's own objects; True if target is a backup already."""
    if overlaps(source, target):
        raise BackupRefused(
            _("{dest}: overlaps the archive's own objects in {store}").format(
                dest=target.url, store=source.url
            )
        )
    if target.head(CATALOG_NAME) is not None:
        return True
    if next(iter(target.keys("")), None) is not None:
        raise BackupRefused(
            _(
                "{dest}: holds objects but no catalog.db; name an empty prefix or an earlier backup"
            ).format(dest=target.url)
        )
    return False


def copy_object_checked(source: AnyStore, target: S3Store, item: Wanted) -> int:
    """Copy one file into target, checked as the module says; returns its size."""
    if same_server(source, target):
        return _server_copy(source, target, item.relpath, item.sha256)
    return _streamed_copy(source, target, item.relpath, item.sha256)


def _server_copy(source: S3Store, target: S3Store, relpath: str, expected: str | None) -> int:
    found = source.head(relpath)
    if found is None:
        raise FileNotFoundError(relpath)
    stored = found.get("Metadata", {}).get(SHA_KEY)
    if expected is not None and stored != expected:
        raise CopyMismatch(
            _("{location}: its SHA-256 metadata is not the catalog's; run archive verify").format(
                location=source.location(relpath)
            )
        )
    answer = target._call(
        lambda c: c.copy_object(
            Bucket=target.bucket,
            Key=target.key(relpath),
            CopySource={"Bucket": source.bucket, "Key": source.key(relpath)},
            MetadataDirective="COPY",
        ),
        relpath,
    )
    copied = target.head(relpath) or {}
    etag = _etag(found)  # radosgw quotes it in a HEAD, not in a CopyObjectResult
    same = (
        _etag(answer.get("CopyObjectResult", {})) == etag == _etag(copied)
        and copied.get("ContentLength") == found.get("ContentLength")
        and copied.get("Metadata", {}).get(SHA_KEY) == stored
    )
    if not same:
        raise CopyMismatch(
            _("{location}: the copy's ETag, size or SHA-256 differ from the source's").format(
                location=target.location(relpath)
            )
        )
    return int(found["ContentLength"])


def _etag(answer: dict) -> str | None:
    found = answer.get("ETag")
    return None if found is None else found.strip('"')


def _streamed_copy(source: AnyStore, target: S3Store, relpath: str, expected: str | None) -> int:
    """Through a temporary file, hashed on the way; uploaded with Content-MD5."""
    if expected is None and source.remote:
        expected = source.stored_sha256(relpath)
    with tempfile.TemporaryDirectory(prefix="archive-backup-") as folder:
        copy = Path(folder) / Path(relpath).name
        digest, size = hashlib.sha256(), 0
        with copy.open("wb") as handle:
            for chunk in source.stream(relpath):
                digest.update(chunk)
                size += len(chunk)
                handle.write(chunk)
        if expected is not None and digest.hexdigest() != expected:
            raise CopyMismatch(
                _("{location}: read with SHA-256 {got}, expected {want}").format(
                    location=source.location(relpath),
                    got=digest.hexdigest()[:12],
                    want=expected[:12],
                )
            )
        target.replace_object_file(relpath, copy, digest.hexdigest())
    return size


def backup_to_bucket(
    root: Path,
    target: S3Store,
    *,
    dry_run: bool = False,
    on_plan: Callable[[int], None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> BackupReport:
    """Bring the backup at target up to date with the archive at root; failures named."""
    started = time.monotonic()
    source = open_store(root)
    if not source.catalog_path.is_file():
        raise BackupRefused(f"{root}: no archive here (catalog.db not found)")
    ours = check_bucket_destination(source, target)
    report = BackupReport(dest=target.describe(), dry_run=dry_run, created=not ours)
    with tempfile.TemporaryDirectory(prefix="archive-backup-") as folder:
        snapshot_path = Path(folder) / CATALOG_NAME
        snapshot = sqlite3.connect(snapshot_path)
        try:
            take_snapshot(source.catalog_path, snapshot)
            forget_store(snapshot)
            wanted = wanted_files(snapshot)
        finally:
            snapshot.close()
        report.photos = sum(item.original for item in wanted)
        there = dict(target.keys("")) if ours else {}
        plan = _decide(source, wanted, there, report)
        if on_plan:
            on_plan(len(plan))
        if dry_run:
            for item in plan:
                counts = report.originals if item.original else report.thumbnails
                counts.copied += 1
                counts.bytes += item.size or 0
        else:
            _copy(source, target, plan, report, progress)
            if not report.failures:  # a catalog naming an object the backup lacks: never
                data = snapshot_path.read_bytes()
                target.replace_object(CATALOG_NAME, data, hashlib.sha256(data).hexdigest())
                report.catalog_bytes = len(data)
    listed = dict(target.keys("")) if not dry_run else {}
    report.payload_files, report.payload_bytes = len(listed), sum(listed.values())
    report.seconds = time.monotonic() - started
    return report


def _decide(
    source: AnyStore, wanted: list[Wanted], there: dict[str, int], report: BackupReport
) -> list[Wanted]:
    """What the backup lacks: each file absent, or there with another size than the source's."""
    plan = []
    for item in wanted:
        counts = report.originals if item.original else report.thumbnails
        size = there.get(item.relpath)
        if size is not None and (item.size is None or size == item.size):
            counts.already_there += 1
        else:
            plan.append(item)
    return plan


def _copy(
    source: AnyStore,
    target: S3Store,
    plan: list[Wanted],
    report: BackupReport,
    progress: Callable[[int], None] | None,
) -> None:
    def one(item: Wanted) -> tuple[Wanted, int | str]:
        try:
            return item, copy_object_checked(source, target, item)
        except FileNotFoundError:
            return item, _("not in the archive") + (
                "" if item.original else _(" (archive thumbs remakes it)")
            )
        except (OSError, ValueError) as error:
            return item, getattr(error, "strerror", None) or str(error)

    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        for item, done in pool.map(one, plan):
            counts = report.originals if item.original else report.thumbnails
            if isinstance(done, str):
                counts.failed += 1
                report.failures.append(Failure(item.relpath, done))
            else:
                counts.copied += 1
                counts.bytes += done
            if progress:
                progress(1)
