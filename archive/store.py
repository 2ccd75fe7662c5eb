"""The archive root on disk: the catalog, originals and thumbnails.

Originals are content-addressed (``originals/ab/<sha256>.<ext>``) so the same
photo arriving twice is stored once, and a path never has to change. Every
file is written to a temporary name in the same folder, flushed to disk and
renamed into place, so a crash leaves either the whole file or none of it.
Nothing here ever rewrites or deletes an original.
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from archive import writer_lock
from archive.writer_lock import ArchiveBusy as ArchiveBusy  # raised by lock(); callers catch it
from archive.writer_lock import LockWait

THUMB_SIZES = (1280, 320)
CATALOG_NAME = "catalog.db"


@dataclass(frozen=True)
class Store:
    """An archive root. Paths handed out are relative, so the root can move machines."""

    root: Path

    @property
    def catalog_path(self) -> Path:
        return self.root / CATALOG_NAME

    def create(self) -> None:
        for folder in ("originals", "thumbs", *(f"thumbs/{size}" for size in THUMB_SIZES)):
            (self.root / folder).mkdir(parents=True, exist_ok=True)

    @staticmethod
    def original_relpath(sha256: str, ext: str) -> str:
        return f"originals/{sha256[:2]}/{sha256}.{ext}"

    @staticmethod
    def thumb_relpath(sha256: str, size: int) -> str:
        return f"thumbs/{size}/{sha256[:2]}/{sha256}.jpg"

    def path(self, relpath: str) -> Path:
        """Resolve a catalog path, refusing anything that escapes the root."""
        full = (self.root / relpath).resolve()
        if not full.is_relative_to(self.root.resolve()):
            raise ValueError(f"path outside the archive root: {relpath}")
        return full

    def has(self, relpath: str) -> bool:
        return (self.root / relpath).is_file()

    def read(self, relpath: str) -> bytes:
        return self.path(relpath).read_bytes()

    def put(self, relpath: str, data: bytes) -> bool:
        """Write data at relpath unless a file is already there; True if written.

        Content addressing means an existing file already holds these bytes;
        `verify` is where a damaged one is found, never a silent overwrite.
        """
        target = self.root / relpath
        if target.is_file():
            return False
        self._write(target, data, 0o444 if relpath.startswith("originals/") else 0o644)
        return True

    def replace_derivative(self, relpath: str, data: bytes) -> None:
        """Rewrite a thumbnail in place: derivatives are rebuilt, originals never are."""
        if not relpath.startswith("thumbs/"):
            raise ValueError(f"only thumbnails may be rewritten, not {relpath}")
        self._write(self.path(relpath), data, 0o644)

    @staticmethod
    def _write(target: Path, data: bytes, mode: int) -> None:
        write_atomically(target, data, mode=mode)

    @contextmanager
    def lock(
        self,
        *,
        shared: bool = False,
        wait: LockWait | None = None,
        purpose: str = "ingest",
    ) -> Iterator[None]:
        """The writer lock: one ingest (or other writer of files) at a time.

        wait None: a busy archive is said at once (ArchiveBusy). A LockWait:
        wait for the holder to finish, telling wait about it as it goes.
        shared=True is for a reader that must not see an ingest half-way
        (verify's orphan scan): the lock has no shared mode on every platform,
        so such a reader takes it exclusively and must hold it only briefly;
        a read-only copy, which cannot be locked and where nobody writes, is
        read without it. purpose names the holder in a waiting command's line.
        """
        with writer_lock.hold(self.root, purpose=purpose, wait=wait, required=not shared):
            yield

    def leftovers(self) -> list[Path]:
        """Temporary files a crash left behind (never referenced by any row)."""
        return sorted(self.root.glob("*/**/.incoming-*"))

    def remove_leftovers(self) -> int:
        """Only safe under the writer lock: then no one is still writing them."""
        leftovers = self.leftovers()
        for path in leftovers:
            path.unlink(missing_ok=True)
        return len(leftovers)


TEMP_PREFIX = ".incoming-"


def write_atomically(
    target: Path, data: bytes, *, mode: int | None = None, sync: bool = True
) -> None:
    """Replace target with data whole: a crash leaves the old file or the new, never half.

    The archive's one atomic file writer (originals, thumbnails, bag manifests,
    export bundles). The temporary file sits in the same folder (a rename
    never crosses disks) under :data:`TEMP_PREFIX`, which verify and backup
    know as a crash's leftover. ``mode`` None keeps the mode of the file it
    replaces (a new file gets 0o666 less the umask). ``sync`` makes the bytes
    and the rename durable, for files whose loss would cost more than a rewrite.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    if mode is None and target.is_file():
        mode = stat.S_IMODE(target.stat().st_mode)
    temp = target.with_name(f"{TEMP_PREFIX}{target.name}.{secrets.token_hex(4)}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666 if mode is None else 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if sync:
                handle.flush()
                os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(temp, mode)
        os.replace(temp, target)
    except BaseException:
        with suppress(OSError):
            os.unlink(temp)
        raise
    if sync:
        _fsync_dir(target.parent)


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable, so a power cut cannot undo it."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
