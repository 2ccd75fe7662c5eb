"""Fixity: is every original still the file we stored, and is every derivative usable?

Originals are the one thing the archive cannot rebuild (DESIGN principle 1), so
each is re-hashed and its size compared with what the catalog recorded at
ingest. Thumbnails can be rebuilt, so a cheap check (exists, reads as a whole
JPEG) is enough to know whether they need it. Files no row names (a crash
between storing a file and committing its row, see principle 2) are reported as
orphans: re-ingest adopts them, so verify never deletes or changes anything.

This module only reads. It hands back plain :class:`Check` records through a
callback and a :class:`VerifyResult`; :class:`FixityRecorder` passes them to
the catalog, the one writer of rows.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from PIL import Image, UnidentifiedImageError

from archive.catalog import Catalog
from archive.clock import now
from archive.db import write_transaction
from archive.sqlitedb import Database
from archive.store import Store
from archive.writer_lock import LockWait

KINDS = ("missing", "size", "hash", "thumbnail", "orphan", "playback")
SCANNED_FOLDERS = ("originals", "thumbs", "playback")
PAGE = 500  # photo rows read per query: memory stays flat however large the archive
JPEG_END = b"\xff\xd9"
BUCKET_CHECKS = 8  # photos of a bucket checked at once


@dataclass(frozen=True)
class Finding:
    kind: str  # one of KINDS
    path: str  # relative to the archive root, as the catalog stores paths
    photo_id: int | None
    detail: str

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "path": self.path,
            "photo_id": self.photo_id,
            "detail": self.detail,
        }


@dataclass
class Check:
    """One row of ``fixity_checks``: a photo checked, or an orphan file (photo_id None)."""

    photo_id: int | None
    path: str
    findings: list[Finding] = field(default_factory=list)
    bytes_hashed: int = 0

    @property
    def ok(self) -> bool:
        return not self.findings

    def finding_text(self) -> str | None:
        """The findings in one line; a thumbnail is named, the row names only the original."""
        if self.ok:
            return None
        parts = []
        for finding in self.findings:
            where = "" if finding.path == self.path else f" ({finding.path})"
            parts.append(f"{finding.kind}: {finding.detail}{where}")
        return "; ".join(parts)


@dataclass
class VerifyResult:
    checked_at: str
    dry_run: bool = False
    photos_in_catalog: int = 0
    photos: int = 0  # checked this run (fewer than in the catalog with --sample / --since)
    ok: int = 0
    failed: int = 0
    orphans: int = 0
    bytes_hashed: int = 0
    seconds: float = 0.0
    findings: list[Finding] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.findings else 0

    def as_json(self) -> dict[str, Any]:
        """The stable --json shape documented in the README."""
        return {
            "checked_at": self.checked_at,
            "dry_run": self.dry_run,
            "photos_in_catalog": self.photos_in_catalog,
            "photos": self.photos,
            "ok": self.ok,
            "failed": self.failed,
            "orphans": self.orphans,
            "bytes_hashed": self.bytes_hashed,
            "seconds": round(self.seconds, 3),
            "findings": [finding.as_json() for finding in self.findings],
        }


@dataclass(frozen=True)
class Scope:
    """Which photos to re-hash; orphans are always looked for in the whole store."""

    sample: int | None = None  # this many photos chosen at random
    since_days: int | None = None  # only photos added in the last DAYS days


def verify(
    store: Store,
    db: Database,
    scope: Scope = Scope(),
    *,
    checked_at: str | None = None,
    dry_run: bool = False,
    on_plan: Callable[[int], None] | None = None,
    progress: Callable[[int], None] | None = None,
    on_check: Callable[[Check], None] | None = None,
    wait: LockWait | None = None,
    lock: bool = True,
) -> VerifyResult:
    """Check the store against the catalog; every result also goes to on_check as it is found.

    Orphans are looked for first, briefly holding the ingest writer lock, so an
    ingest's files whose rows are not committed yet are never reported. The lock
    has no shared mode on every platform, so verify holds it only for the scan
    (an ingest starting then waits that long); a running ingest is waited for
    (wait given) or refused (wait None) before any long hashing starts. The
    re-hashing runs without the lock: ingest never rewrites a stored file.
    A backup is checked with lock=False: nobody ingests into one, and a lock
    file would be a stray file in its payload.
    """
    started = time.monotonic()
    result = VerifyResult(checked_at=checked_at or now(), dry_run=dry_run)
    result.photos_in_catalog = db.execute("SELECT count(*) FROM photos").fetchone()[0]
    locked = store.lock(shared=True, wait=wait, purpose="verify") if lock else nullcontext()
    with locked:
        orphans = find_orphans(store, db)
    ids = _photo_ids(db, scope)
    if on_plan:
        on_plan(len(ids))
    for check in _checked(store, _photo_rows(db, ids)):
        result.photos += 1
        result.bytes_hashed += check.bytes_hashed
        result.ok += check.ok
        result.failed += not check.ok
        result.findings.extend(check.findings)
        if on_check:
            on_check(check)
        if progress:
            progress(1)
    for check in orphans:
        result.orphans += 1
        result.findings.extend(check.findings)
        if on_check:
            on_check(check)
    result.seconds = time.monotonic() - started
    return result


def _checked(store: Store, rows: Iterable[dict[str, Any]]) -> Iterator[Check]:
    """check_photo of each row, in order; on a bucket a few at once, since each photo
    costs round trips there (a folder's disk is read one file at a time, as before)."""
    if not store.remote:
        yield from (check_photo(store, row) for row in rows)
        return
    with ThreadPoolExecutor(max_workers=BUCKET_CHECKS) as pool:
        batch: list[dict[str, Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) == BUCKET_CHECKS * 4:
                yield from pool.map(lambda r: check_photo(store, r), batch)
                batch = []
        yield from pool.map(lambda r: check_photo(store, r), batch)


# -- one photo ---------------------------------------------------------------


def check_photo(store: Store, row: dict[str, Any]) -> Check:
    """The original (size, then SHA-256) and both thumbnails of one catalog row."""
    check = Check(photo_id=row["id"], path=row["original_path"])
    problem = _check_original(store, row, check)
    if problem:
        check.findings.append(Finding(problem[0], check.path, check.photo_id, problem[1]))
    thumbs = [path for path in (row["thumb_path"], row["preview_path"]) if path]
    if len(thumbs) < 2:
        check.findings.append(
            Finding("thumbnail", check.path, check.photo_id, "the catalog names no thumbnail")
        )
    for relpath in thumbs:
        detail = thumbnail_problem(store, relpath)
        if detail:
            check.findings.append(Finding("thumbnail", relpath, check.photo_id, detail))
    if row.get("playback_path"):
        detail = playback_problem(store, row["playback_path"])
        if detail:
            finding = Finding("playback", row["playback_path"], check.photo_id, detail)
            check.findings.append(finding)
    return check


def _check_original(store: Store, row: dict[str, Any], check: Check) -> tuple[str, str] | None:
    """(kind, detail) when the original is not the file ingested; streamed, never held whole.

    Through the store's interface, so an archive on a bucket is re-hashed from the
    bytes the server sends back, not from what it says it holds.
    """
    try:
        size = store.size(row["original_path"])
        if size is None:
            return "missing", "the original is not in the store"
        if row["bytes"] is not None and size != row["bytes"]:
            return "size", f"{size} bytes, the catalog says {row['bytes']}"
        digest = store.sha256(row["original_path"])
        check.bytes_hashed = size
    except ValueError:
        return "missing", "the catalog's path leads outside the archive root"
    except FileNotFoundError:
        return "missing", "the original is not in the store"
    except OSError as error:
        return "missing", f"cannot read the original: {error.strerror or error}"
    if digest != row["sha256"]:
        return "hash", (
            f"SHA-256 is {digest[:12]}…, the catalog says {row['sha256'][:12]}…:"
            " the original is damaged, restore it from a backup copy"
        )
    return None


def thumbnail_problem(store: Store, relpath: str) -> str | None:
    """Why the thumbnail is unusable, or None: a JPEG header that parses and an end marker.

    A thumbnail is small, so it is read whole (one request on a bucket); the check
    catches the failures that happen to files at rest: gone, emptied, cut short.
    """
    try:
        data = store.read(relpath)
        if len(data) < len(JPEG_END):
            return "empty file"
        ends_well = data.endswith(JPEG_END)
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            image.verify()
    except ValueError:
        return "the catalog's path leads outside the archive root"
    except FileNotFoundError:
        return "missing"
    except OSError as error:
        if isinstance(error, UnidentifiedImageError):
            return "not an image Pillow can read"
        return f"cannot read: {error.strerror or error}"
    except Exception as error:  # a damaged header may trip any Pillow error
        return f"does not decode: {error}"
    if kind != "JPEG":
        return f"a {kind} file, not a JPEG"
    if not ends_well:
        return "cut short (no JPEG end marker)"
    return None


def playback_problem(store: Store, relpath: str) -> str | None:
    """Why a clip's browser preview is unusable, or None: there, and an MP4 or WebM header.

    A preview is a derivative (``archive thumbs --videos`` remakes it), so, as for
    thumbnails, its header is checked rather than every frame decoded.
    """
    try:
        with closing(store.open(relpath)) as handle:
            head = handle.read(12)
    except ValueError:
        return "the catalog's path leads outside the archive root"
    except FileNotFoundError:
        return "missing (archive thumbs --videos remakes it)"
    except OSError as error:
        return f"cannot read: {error.strerror or error}"
    if not head:
        return "empty file (archive thumbs --videos remakes it)"
    if head[4:8] != b"ftyp" and head[:4] != b"\x1a\x45\xdf\xa3":
        return "not an MP4 or WebM file (archive thumbs --videos remakes it)"
    return None


# -- orphans -----------------------------------------------------------------


def find_orphans(store: Store, db: Database) -> list[Check]:
    """Files under originals/ and thumbs/ that no photo row names, in path order.

    The folders are walked before the catalog is read, so a file stored and
    committed in between is named by a row and not reported.
    """
    on_disk = sorted(_store_files(store))
    named: set[str] = set()
    for row in db.execute(
        "SELECT original_path, thumb_path, preview_path, playback_path FROM photos"
    ):
        named.update(path for path in row if path)
    orphans = []
    for relpath in on_disk:
        if relpath in named:
            continue
        name = relpath.rsplit("/", 1)[-1]
        if name.startswith(".incoming-"):
            detail = "temporary file left by an interrupted write; the next ingest removes it"
        elif relpath.startswith("originals/"):
            detail = "no photo names this original; ingest its source again to adopt it"
        elif relpath.startswith("playback/"):
            detail = "no clip names this preview; archive thumbs --videos makes it when needed"
        else:
            detail = "no photo names this thumbnail; it is rebuilt by ingest when needed"
        orphans.append(Check(None, relpath, [Finding("orphan", relpath, None, detail)]))
    return orphans


def _store_files(store: Store) -> Iterator[str]:
    """Every stored file under the store folders (a folder walked, a bucket listed)."""
    for folder in SCANNED_FOLDERS:
        for relpath, _size in store.keys(folder + "/"):
            yield relpath


# -- which photos ------------------------------------------------------------


def _photo_ids(db: Database, scope: Scope) -> list[int]:
    """The ids to check, in id order (random order for a sample)."""
    where, params = "1", []
    if scope.since_days is not None:
        cutoff = datetime.now(UTC) - timedelta(days=scope.since_days)
        where, params = "added_at >= ?", [cutoff.isoformat(timespec="seconds")]
    order = "random()" if scope.sample else "id"
    limit = f" LIMIT {int(scope.sample)}" if scope.sample else ""
    sql = f"SELECT id FROM photos WHERE {where} ORDER BY {order}{limit}"
    return sorted(row[0] for row in db.execute(sql, params))


def _photo_rows(db: Database, ids: list[int]) -> Iterator[dict[str, Any]]:
    """The rows of ids, a page at a time: no statement stays open while results are recorded."""
    columns = "id, sha256, bytes, original_path, thumb_path, preview_path, playback_path"
    for start in range(0, len(ids), PAGE):
        page = ids[start : start + PAGE]
        marks = ", ".join("?" for _ in page)
        cursor = db.execute(f"SELECT {columns} FROM photos WHERE id IN ({marks}) ORDER BY id", page)
        names = [c[0] for c in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        yield from rows


# -- recording ---------------------------------------------------------------


class FixityRecorder:
    """Writes each check to ``fixity_checks`` in short transactions, or nothing on a dry run.

    Short transactions keep an ingest able to commit while a long verify runs;
    a dry run writes nothing at all rather than holding one transaction open
    for the whole run only to roll it back.
    """

    def __init__(self, catalog: Catalog, checked_at: str, dry_run: bool) -> None:
        self.catalog, self.checked_at, self.dry_run = catalog, checked_at, dry_run
        self.pending: list[Check] = []

    def __call__(self, check: Check) -> None:
        if self.dry_run:
            return
        self.pending.append(check)
        if len(self.pending) >= PAGE:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        with write_transaction(self.catalog.db):
            for check in self.pending:
                self.catalog.record_fixity(
                    self.checked_at, check.photo_id, check.path, check.ok, check.finding_text()
                )
        self.pending = []
