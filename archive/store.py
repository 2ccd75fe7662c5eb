"""The archive root on disk: the catalog, originals and thumbnails.

Originals are content-addressed (``originals/ab/<sha256>.<ext>``) so the same
photo arriving twice is stored once, and a path never has to change. Every
file is written to a temporary name in the same folder, flushed to disk and
renamed into place, so a crash leaves either the whole file or none of it.
Nothing here ever rewrites or deletes an original.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from archive import writer_lock
from archive.durable import (
    TEMP_PREFIX,
    copy_atomically,
    fsync_all,
    fsync_dir,
    fsync_path,
    stage_bytes,
    stage_copy,
    write_atomically,
)
from archive.writer_lock import ArchiveBusy as ArchiveBusy  # raised by lock(); callers catch it
from archive.writer_lock import LockWait

THUMB_SIZES = (1280, 320)
CATALOG_NAME = "catalog.db"
KEY_PREFIXES = ("originals/", "thumbs/", "playback/")  # what a store holds; the rest is local
CHUNK = 1024 * 1024  # bytes read at a time when streaming: a clip is never read whole


def sha256_of(chunks: Iterable[bytes]) -> str:
    """The SHA-256 of bytes that arrive in chunks (a stored file read back, in flat memory)."""
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
    return digest.hexdigest()


def file_chunks(path: Path) -> Iterator[bytes]:
    """A file's bytes, :data:`CHUNK` at a time: any size of file in flat memory."""
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            yield chunk


class StoreError(OSError):
    """A store that cannot do what was asked (a bucket not answering, a key not local).

    An OSError, so every ``except OSError`` that reports a file's failure and goes on
    with the batch reports a bucket's failure the same way; strerror is the reason.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.strerror = reason


class NotStored(StoreError, FileNotFoundError):
    """Nothing is stored under that key (a bucket's 404): a FileNotFoundError, as on disk."""


@dataclass(frozen=True)
class Staged:
    """A file written under a temporary name (``temp``), not yet synced nor at ``relpath``."""

    relpath: str
    temp: str


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

    @staticmethod
    def playback_relpath(sha256: str, ext: str) -> str:
        """A clip's browser-playable transcode (``mp4`` or ``webm``), keyed by its original."""
        return f"playback/{sha256[:2]}/{sha256}.{ext}"

    def path(self, relpath: str) -> Path:
        """Resolve a catalog path, refusing anything that escapes the root."""
        full = (self.root / relpath).resolve()
        if not full.is_relative_to(self.root.resolve()):
            raise ValueError(f"path outside the archive root: {relpath}")
        return full

    def has(self, relpath: str) -> bool:
        return (self.root / relpath).is_file()

    def put(self, relpath: str, data: bytes) -> bool:
        """Write data at relpath unless a file is already there; True if written.

        Content addressing means an existing file already holds these bytes;
        `verify` is where a damaged one is found, never a silent overwrite.
        """
        staged = self.stage(relpath, data)
        if staged is not None:
            self.sync_staged([staged])
        return staged is not None

    def put_file(self, relpath: str, source: Path) -> bool:
        """:meth:`put` for a file on disk, copied in chunks: never the whole file in memory."""
        staged = self.stage_file(relpath, source)
        if staged is not None:
            self.sync_staged([staged])
        return staged is not None

    # -- staged writes: put() in two halves, so many files share their fsyncs -------------
    #
    # A worker stages (writes under a temporary name, no fsync); the single writer later
    # syncs a whole batch with sync_staged() and only then commits the rows that name
    # the files. A name outside TEMP_PREFIX therefore always holds durable bytes, and a
    # crash before sync_staged() leaves only temporaries, which remove_leftovers() clears.

    def stage(self, relpath: str, data: bytes) -> Staged | None:
        """Write data under a temporary name beside relpath; None if relpath already exists."""
        return self._staged(relpath, lambda target: stage_bytes(target, data))

    def stage_file(self, relpath: str, source: Path) -> Staged | None:
        """:meth:`stage` for a file on disk, copied in chunks."""
        return self._staged(relpath, lambda target: stage_copy(target, source))

    def _staged(self, relpath: str, write: Callable[[Path], Path]) -> Staged | None:
        target = self.root / relpath
        if target.is_file():
            return None
        return Staged(relpath, str(write(target).relative_to(self.root)))

    def sync_staged(self, staged: Iterable[Staged]) -> None:
        """Make staged files durable and put them in place: fsync each, rename, fsync folders.

        Each folder is synced once however many files landed in it. A file whose name is
        already taken (the same content staged twice in one batch) is dropped. The fsyncs
        run side by side: the file system commits them together (one journal commit for
        many), some twenty times faster than one after another.
        """
        staged = list(staged)
        fsync_all([self.root / item.temp for item in staged], fsync_path)
        folders: set[Path] = set()
        for item in staged:
            temp, target = self.root / item.temp, self.root / item.relpath
            if target.is_file():
                temp.unlink(missing_ok=True)
                continue
            os.chmod(temp, _mode(item.relpath))
            os.replace(temp, target)
            folders.add(target.parent)
        fsync_all(sorted(folders), fsync_dir)

    @contextmanager
    def local_copy(self, relpath: str) -> Iterator[Path]:
        """The stored file as a local path, for readers that need one (PyAV): itself here."""
        yield self.path(relpath)

    def replace_derivative(self, relpath: str, data: bytes) -> None:
        """Rewrite a thumbnail in place: derivatives are rebuilt, originals never are."""
        if not relpath.startswith("thumbs/"):
            raise ValueError(f"only thumbnails may be rewritten, not {relpath}")
        self._write(self.path(relpath), data, 0o644)

    def replace_derivative_file(self, relpath: str, source: Path) -> None:
        """:meth:`replace_derivative` from a file, streamed: a clip's remade preview."""
        if not relpath.startswith(("thumbs/", "playback/")):
            raise ValueError(f"only derivatives may be rewritten, not {relpath}")
        copy_atomically(self.path(relpath), Path(source), mode=0o644)

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

    # The reading interface, the same on a bucket (archive.store_s3): whoever needs bytes
    # goes through these, never through path(), so an archive on a bucket works alike.

    remote = False  # a local folder: path() works, files can be handed to a web server

    def describe(self) -> str:
        """Where the files are, for messages."""
        return str(self.root)

    def location(self, relpath: str) -> str:
        """One stored file, as a person finds it (a path here, s3://… on a bucket)."""
        return str(self.root / relpath)

    def open(self, relpath: str) -> BinaryIO:
        """The stored bytes as a file to read in chunks (close it)."""
        return self.path(relpath).open("rb")

    def read(self, relpath: str) -> bytes:
        return self.path(relpath).read_bytes()

    def size(self, relpath: str) -> int | None:
        """The stored size in bytes, or None when nothing is stored there."""
        try:
            found = self.path(relpath).stat()
        except FileNotFoundError:
            return None
        return found.st_size if stat.S_ISREG(found.st_mode) else None

    def stream(self, relpath: str, offset: int = 0, length: int | None = None) -> Iterator[bytes]:
        """length bytes from offset (None: to the end), in chunks: what a Range asks for."""
        with self.open(relpath) as handle:
            handle.seek(offset)
            left = length
            while left is None or left > 0:
                chunk = handle.read(CHUNK if left is None else min(CHUNK, left))
                if not chunk:
                    return
                if left is not None:
                    left -= len(chunk)
                yield chunk

    def sha256(self, relpath: str) -> str:
        """The SHA-256 of the stored bytes, read in chunks (what verify checks)."""
        return sha256_of(self.stream(relpath))

    def keys(self, prefix: str) -> Iterator[tuple[str, int]]:
        """(relpath, size) of every stored file under prefix, in path order.

        Crash leftovers (:data:`TEMP_PREFIX` names) are listed too: verify reports
        them, copies skip them.
        """
        top = self.root / prefix
        for dirpath, dirs, files in os.walk(top):
            dirs.sort()
            relative = os.path.relpath(dirpath, self.root).replace(os.sep, "/")
            for name in sorted(files):
                with suppress(OSError):
                    yield f"{relative}/{name}", os.stat(os.path.join(dirpath, name)).st_size

    def leftovers(self) -> list[Path]:
        """Temporary files a crash left behind (never referenced by any row).

        Found by listing folders (os.walk), not by glob: every ingest looks, and a
        glob over a large store costs more than the rest of a re-run.
        """
        found = []
        for folder in sorted(p for p in self.root.iterdir() if p.is_dir()):
            for current, _dirs, files in os.walk(folder):
                found.extend(Path(current, n) for n in files if n.startswith(TEMP_PREFIX))
        return sorted(found)

    def remove_leftovers(self) -> int:
        """Only safe under the writer lock: then no one is still writing them."""
        leftovers = self.leftovers()
        for path in leftovers:
            path.unlink(missing_ok=True)
        return len(leftovers)


def _mode(relpath: str) -> int:
    """Originals are read-only on disk: nothing in the archive rewrites one."""
    return 0o444 if relpath.startswith("originals/") else 0o644
