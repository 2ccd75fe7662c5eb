"""Benchmark: an unchanged re-run of `archive ingest` against the first ingest of the same folder.

    python bench/bench_rescan.py            # 10,000 small photos
    python bench/bench_rescan.py -n 2000

An unchanged file must be recognised by path, size and mtime without being
read (DESIGN.md, "Idempotent ingest"), so a re-run costs the walk and one
catalog look-up per file. Both runs are the installed command, whole, as a
subprocess (start-up included). The target: the re-run takes at most 2% of the
first run's time. Prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

TARGET = 0.02


def make_photos(folder: Path, count: int) -> None:
    """Small distinct JPEGs (each its own hash), 100 to a subfolder as cameras write them."""
    rng = random.Random(7)
    for i in range(count):
        sub = folder / f"{i // 100:03d}"
        sub.mkdir(exist_ok=True)
        im = Image.new("RGB", (64, 48), (rng.randrange(256), rng.randrange(256), i % 256))
        im.putpixel((i % 64, (i // 64) % 48), (i % 251, i % 241, i % 239))
        im.save(sub / f"IMG_{i:05d}.jpg", "JPEG", quality=90)


def run(folder: Path, root: Path) -> tuple[float, dict]:
    script = Path(sys.executable).with_name("archive")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "archive.cli"]
    command += ["--root", str(root), "ingest", "--jobs", "2", "--json", str(folder)]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"archive ingest failed ({done.returncode}): {done.stderr[-500:]}")
    return seconds, json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=10_000, help="number of photos")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "photos"
        folder.mkdir()
        make_photos(folder, args.n)
        first, report = run(folder, Path(tmp) / "archive")
        again, second = run(folder, Path(tmp) / "archive")
    print(f"{args.n} small photos, archive ingest --jobs 2 (the whole command)")
    print(f"  first ingest            {first:8.2f} s   added {report.get('added')}")
    print(f"  re-run, nothing changed {again:8.2f} s   unchanged {second.get('unchanged')}")
    print(f"  re-run / first          {again / first:8.2%}   (target <= {TARGET:.0%})")


if __name__ == "__main__":
    main()
