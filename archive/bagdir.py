"""A backup on disk: a BagIt bag (RFC 8493) whose payload is an archive root.

::

    DEST/
      bagit.txt                  BagIt-Version: 1.0
      bag-info.txt               when, what, Payload-Oxum
      manifest-sha256.txt        <sha256>  data/<path>, one line per payload file
      tagmanifest-sha256.txt     the tag files' own hashes
      data/                      an archive root, as `archive --root DEST/data` opens it
        catalog.db
        originals/ab/<sha256>.<ext>
        thumbs/<size>/ab/<sha256>.jpg

The bag is what lets anyone check a backup without this program
(``sha256sum -c manifest-sha256.txt``, ``bagit.py --validate``), and ``data/``
being an ordinary archive root is what lets every command run on it as it is.
Copies into a bag or out of one go through :func:`copy_verified`: a temporary
name beside the target, the hash checked, flushed, renamed.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath

import bagit

from archive import durable
from archive.errors import FileFailed

PAYLOAD = "data"
MANIFEST = "manifest-sha256.txt"
BAGIT_TXT = "bagit.txt"
PAYLOAD_NAMES = {"catalog.db", "originals", "thumbs", "playback"}  # playback: clips' previews
TEMP_PREFIX = ".incoming-"
CHUNK = 1 << 20

# The library logs every mismatch as a warning; we report them ourselves, once, in one line each.
logging.getLogger("bagit").setLevel(logging.ERROR)


class CopyError(FileFailed):
    """One file could not be copied or did not verify; the batch goes on."""


def bag_root(path: Path) -> Path | None:
    """The bag that path is, or is the payload folder of; None when it is neither."""
    if (path / BAGIT_TXT).is_file() and (path / PAYLOAD).is_dir():
        return path
    if path.name == PAYLOAD and (path.parent / BAGIT_TXT).is_file():
        return path.parent
    return None


def is_our_backup(dest: Path) -> bool:
    """A bag whose payload holds nothing but an archive root (and our temporary files).

    Judged by structure, not by a tag, so a backup interrupted before its first
    bag-info.txt was complete is still recognised and can be finished.
    """
    payload = dest / PAYLOAD
    if not (dest / BAGIT_TXT).is_file() or not payload.is_dir():
        return False
    return all(
        child.name in PAYLOAD_NAMES or child.name.startswith(TEMP_PREFIX)
        for child in payload.iterdir()
    )


def create_bag(dest: Path, info: dict[str, str]) -> None:
    """An empty bag, made by the bagit library, then declared BagIt 1.0 as RFC 8493 names it."""
    dest.mkdir(parents=True, exist_ok=True)
    bagit.make_bag(str(dest), dict(info), checksums=["sha256"])
    write_atomically(dest / BAGIT_TXT, b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n")


def read_manifest(bag: Path) -> dict[str, str]:
    """Payload path (relative to data/, POSIX) -> SHA-256, from the bag's manifest."""
    known: dict[str, str] = {}
    try:
        text = (bag / MANIFEST).read_text("utf-8")
    except OSError:
        return known
    prefix = PAYLOAD + "/"
    for line in text.splitlines():
        digest, _, path = line.partition("  ")
        if path.startswith(prefix) and len(digest) == 64:
            known[path[len(prefix) :]] = digest.lower()
    return known


def write_manifest(bag: Path, hashes: dict[str, str]) -> None:
    """The payload manifest from checksums already known, in the library's own line format.

    The bagit library can only write a payload manifest by hashing every file
    again (``Bag.save(manifests=True)``); an incremental backup knows each hash
    already (from the catalog, or from the copy that verified it), so it writes
    the lines, and leaves bag-info.txt and the tag manifest to the library.
    """
    lines = [f"{hashes[path]}  {PAYLOAD}/{path}\n" for path in sorted(hashes)]
    write_atomically(bag / MANIFEST, "".join(lines).encode("utf-8"))


def save_tags(bag: Path, info: dict[str, str]) -> None:
    """bag-info.txt, then tagmanifest-sha256.txt over the tag files, as the library writes them.

    Written here rather than by ``bagit.Bag(...).save()``: that re-reads and
    path-checks the whole payload manifest twice (about a minute at 100,000
    photos) only to rewrite two small files. The format is the library's own
    (sorted ``Key: value`` lines; ``<sha256> <file>`` lines), and every test
    validates the result with the library.
    """
    lines = [f"{key}: {_one_line(value)}\n" for key, value in sorted(info.items())]
    write_atomically(bag / "bag-info.txt", "".join(lines).encode("utf-8"))
    tags = sorted(
        child.name
        for child in bag.iterdir()
        if child.is_file() and not child.name.startswith(("tagmanifest-", TEMP_PREFIX))
    )
    manifest = "".join(f"{sha256_of(bag / name)} {name}\n" for name in tags)
    write_atomically(bag / "tagmanifest-sha256.txt", manifest.encode("utf-8"))


def _one_line(value: str) -> str:
    return " ".join(str(value).splitlines())


def validate(bag: Path) -> list[str]:
    """Every problem the bagit validator finds (re-hashing the payload), one line each."""
    try:
        bagit.Bag(str(bag)).validate(processes=1)
    except bagit.BagValidationError as error:
        details = [str(detail) for detail in error.details or []]
        return details or [str(error.message)]
    except bagit.BagError as error:
        return [str(error)]
    return []


def copy_verified(
    source: Path, target: Path, *, expected: str | None = None, mode: int = 0o644
) -> tuple[str, int]:
    """Copy source to target atomically and return (sha256, size) of what was written.

    The bytes are hashed as they are read (and compared with ``expected``,
    the catalog's or the manifest's hash), then read back from the new file
    before it takes the target's name, so a damaged source or a failing disk
    never replaces a good copy. The source's modification time is kept: it is
    how the next run tells an unchanged thumbnail without reading it.
    """
    with open(source, "rb") as src:
        stat = os.fstat(src.fileno())
        return copy_chunks_verified(
            iter(lambda: src.read(CHUNK), b""),
            target,
            expected=expected,
            mode=mode,
            times=(stat.st_atime_ns, stat.st_mtime_ns),
        )


def copy_chunks_verified(
    chunks: Iterable[bytes],
    target: Path,
    *,
    expected: str | None = None,
    mode: int = 0o644,
    times: tuple[int, int] | None = None,
) -> tuple[str, int]:
    """As :func:`copy_verified`, from bytes arriving in chunks (a bucket's object)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=target.parent)
    try:
        digest, size = hashlib.sha256(), 0
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                digest.update(chunk)
                out.write(chunk)
                size += len(chunk)
            out.flush()
            os.fsync(out.fileno())
        read = digest.hexdigest()
        if expected and read != expected:
            raise CopyError(
                f"SHA-256 of the source is {read[:12]}…, expected {expected[:12]}…:"
                " the source file is damaged"
            )
        with open(tmp, "rb") as back:
            if hashlib.file_digest(back, "sha256").hexdigest() != read:
                raise CopyError("the copy reads back different from the source (failing disk?)")
        os.chmod(tmp, mode)
        if times is not None:
            os.utime(tmp, ns=times)
        if target.exists():  # a damaged copy being repaired; Windows will not replace read-only
            os.chmod(target, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return read, size


def write_atomically(target: Path, data: bytes) -> None:
    """A small file (a manifest, a tag file) written whole or not at all."""
    durable.write_atomically(target, data, mode=0o600)


def fsync_dir(folder: Path) -> None:
    """Make renames in a bag's folder durable, as far as its file system allows."""
    durable.fsync_dir(folder, best_effort=True)


def sha256_of(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def inside(root: Path, relpath: str) -> Path:
    """root/relpath, refusing a catalog path that could lead out of it.

    Checked by its form (relative, no ``..``) rather than by resolving it, as
    Store.path does: resolving costs a stat per path component, and a backup
    asks this for every file of the archive.
    """
    parts = PurePosixPath(relpath).parts
    if not parts or relpath.startswith(("/", "\\")) or ".." in parts or ":" in relpath:
        raise ValueError(f"path outside the archive root: {relpath}")
    return root.joinpath(*parts)


def scan_payload(payload: Path) -> Iterator[tuple[str, tuple[int, int]]]:
    """(relpath, (size, mtime_ns)) of every file under data/originals, thumbs and playback."""
    for folder in ("originals", "thumbs", "playback"):
        top = payload / folder
        if top.is_dir():
            yield from _walk_files(top, folder)


def _walk_files(folder: Path, relative: str) -> Iterator[tuple[str, tuple[int, int]]]:
    with os.scandir(folder) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            name = f"{relative}/{entry.name}"
            if entry.is_dir(follow_symlinks=False):
                yield from _walk_files(Path(entry.path), name)
            elif entry.is_file(follow_symlinks=False) and not entry.name.startswith(TEMP_PREFIX):
                stat = entry.stat()
                yield name, (stat.st_size, stat.st_mtime_ns)
