"""Benchmark: `archive backup` first and incremental, against copying and hashing by hand.

    python bench/bench_backup.py              # 1,000 photos of 200 kB
    python bench/bench_backup.py -n 5000 -k 100

References, measured in the same run on the same files:
- first backup vs ``shutil.copytree`` of the archive root, then one SHA-256 pass
  and an fsync of every copied file (the least a verified, durable copy must do);
- a second backup with nothing new vs one ``os.walk`` + ``stat`` of the backup
  (the least any incremental copy must do to know what is there);
- a backup after 10% new photos vs the same walk plus copying and flushing the
  new files (originals and thumbnails).
Synthetic rows and random bytes stand in for photos: backup copies and hashes
files, it never decodes them.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run from a checkout without `pip install -e .`
    sys.path.insert(0, str(ROOT))

from archive.backup import backup  # noqa: E402
from archive.db import open_catalog  # noqa: E402
from archive.store import Store  # noqa: E402


def add_photos(root: Path, start: int, count: int, size_kb: int) -> list[Path]:
    """Rows and files for photos start..start+count; returns the new originals."""
    store = Store(root)
    store.create()
    db = open_catalog(store.catalog_path)
    new = []
    with db.conn:
        for _ in range(count):
            data = os.urandom(size_kb * 1024)
            sha = hashlib.sha256(data).hexdigest()
            original = store.original_relpath(sha, "jpg")
            thumbs = [store.thumb_relpath(sha, s) for s in (320, 1280)]
            store.put(original, data)
            for thumb, n in zip(thumbs, (8, 60), strict=True):
                store.put(thumb, os.urandom(n * 1024))
            db.execute(
                "INSERT INTO photos (sha256, ext, bytes, original_path, thumb_path, preview_path,"
                " added_at, updated_at) VALUES (?, 'jpg', ?, ?, ?, ?, '2024', '2024')",
                (sha, len(data), original, *thumbs),
            )
            new.append(store.path(original))
    db.conn.close()
    return new


def timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def by_hand(root: Path, target: Path) -> None:
    """Copy, flush each file to disk (as a backup must), and hash every copy."""
    shutil.copytree(root, target)
    for dirpath, _, names in os.walk(target):
        for name in names:
            with open(os.path.join(dirpath, name), "rb+") as handle:
                hashlib.file_digest(handle, "sha256")
                os.fsync(handle.fileno())


def walk(folder: Path) -> int:
    return sum(
        os.stat(os.path.join(d, n)).st_size for d, _, names in os.walk(folder) for n in names
    )


def report(what: str, ours: float, reference: str, ref: float) -> None:
    print(f"{what:<16} {ours:6.2f} s   {reference:<18} {ref:6.2f} s   ({ours / ref:.2f}x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1000, help="photos")
    parser.add_argument("-k", type=int, default=200, help="kB per original")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        root = work / "archive"
        add_photos(root, 0, args.n, args.k)
        mb = walk(root) / 1e6
        print(f"{args.n} photos, {mb:.0f} MB in the archive")
        ref = timed(lambda: by_hand(root, work / "by-hand"))
        ours = timed(lambda: backup(root, work / "usb"))
        report("first backup", ours, "copy+fsync+sha256", ref)
        ref = timed(lambda: walk(work / "usb"))
        ours = timed(lambda: backup(root, work / "usb"))
        report("nothing new", ours, "walk + stat", ref)
        new = add_photos(root, args.n, args.n // 10, args.k)
        target = work / "new-by-hand"
        target.mkdir()

        def walk_and_copy() -> None:
            walk(work / "usb")
            for path in new:  # each new original and its two thumbnails, flushed
                sha = path.stem
                for source in (path, *(root / Store.thumb_relpath(sha, s) for s in (320, 1280))):
                    copy = target / f"{source.parent.parent.name}-{source.name}"
                    shutil.copyfile(source, copy)
                    with open(copy, "rb+") as handle:
                        os.fsync(handle.fileno())

        ref = timed(walk_and_copy)
        ours = timed(lambda: backup(root, work / "usb"))
        report("10% new photos", ours, "walk+copy+fsync new", ref)


if __name__ == "__main__":
    main()
