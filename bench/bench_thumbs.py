"""Benchmark: our make_thumbnails against a plain Pillow loop, on 12 MP JPEGs.

    python bench/bench_thumbs.py            # 12 images, best of 3 passes each
    python bench/bench_thumbs.py -n 24 -r 5

The reference is what most code does ("plain Pillow loop"): open,
ImageOps.exif_transpose, thumbnail(1280), save, thumbnail(320), save. Both
variants write JPEG q85 to memory and see the same files (half of them
carry EXIF orientation 6, as portrait phone photos do). Each variant runs in
its own fresh interpreter so its peak RSS is its own; the import baseline is
printed beside it. Each image's time is its best of ``--repeat`` passes, which
keeps other load on a shared machine out of the figures as far as possible.
Prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run from a checkout without `pip install -e .`
    sys.path.insert(0, str(ROOT))

from PIL import Image, ImageOps  # noqa: E402

SIZE = (4000, 3000)  # 12 MP, a common phone sensor
QUALITY = 85


def make_photo(path: Path, seed: int, orientation: int) -> None:
    """A 12 MP JPEG with photo-like entropy (noise over gradients), about 4 MB at q90."""
    noise = Image.effect_noise(SIZE, 30 + seed % 20)
    ramp = Image.linear_gradient("L").resize(SIZE)
    disc = Image.radial_gradient("L").resize(SIZE)
    photo = Image.merge(
        "RGB", (ramp, Image.blend(disc, noise, 0.35), Image.blend(noise, ramp, 0.5))
    )
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "Benchmark"
    photo.save(path, "JPEG", quality=90, exif=exif.tobytes())


def plain_pillow(data: bytes) -> None:
    """The named reference: the obvious Pillow code."""
    im = Image.open(io.BytesIO(data))
    im = ImageOps.exif_transpose(im)
    for size in (1280, 320):
        im.thumbnail((size, size))
        im.save(io.BytesIO(), "JPEG", quality=QUALITY)


def ours(data: bytes) -> None:
    from ingest.thumbs import make_thumbnails

    make_thumbnails(data)


VARIANTS = {"plain Pillow loop": plain_pillow, "ingest.thumbs.make_thumbnails": ours}


def max_rss_mb() -> float:
    """Peak RSS of this process so far.

    Linux carries ru_maxrss across fork+exec (the child starts with its parent's
    peak), so prefer VmHWM, which belongs to this process image alone."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    try:
        import resource  # POSIX only: the benchmarks also run on Windows, without this figure
    except ImportError:
        return float("nan")
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
    return kb / 1024 if sys.platform != "darwin" else kb / 1024 / 1024


def run_variant(name: str, folder: Path, repeat: int) -> dict:
    """Child process: time one variant over every file; read each file before timing."""
    function = VARIANTS[name]
    import ingest.thumbs  # noqa: F401  (import cost stays out of the timings and the RSS delta)

    files = sorted(folder.glob("*.jpg"))
    baseline = max_rss_mb()
    best = [float("inf")] * len(files)
    for _ in range(repeat):
        for i, path in enumerate(files):
            data = path.read_bytes()
            start = time.perf_counter()
            function(data)
            best[i] = min(best[i], (time.perf_counter() - start) * 1000)
    return {"times_ms": best, "baseline_mb": baseline, "peak_mb": max_rss_mb()}


def measure(name: str, folder: Path, repeat: int) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", name, "--dir", str(folder), "-r", str(repeat)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout)


def report(results: dict[str, dict], count: int, repeat: int) -> None:
    print(f"\n{count} JPEGs of {SIZE[0]}x{SIZE[1]}; thumbnails 1280 + 320, JPEG q{QUALITY}")
    print(f"per-image time = best of {repeat} passes\n")
    print(f"{'variant':32} {'mean ms':>8} {'median':>8} {'min':>7} {'peak RSS':>9} {'(base)':>8}")
    for name, r in results.items():
        t = r["times_ms"]
        print(
            f"{name:32} {statistics.mean(t):8.1f} {statistics.median(t):8.1f} {min(t):7.1f}"
            f" {r['peak_mb']:7.0f}MB {r['baseline_mb']:6.0f}MB"
        )
    ref, new = (statistics.median(results[n]["times_ms"]) for n in VARIANTS)
    print(f"\nspeed-up (median, plain / ours): {ref / new:.2f}x")
    ref_mem, new_mem = (results[n]["peak_mb"] - results[n]["baseline_mb"] for n in VARIANTS)
    print(f"peak memory above baseline: plain {ref_mem:.0f} MB, ours {new_mem:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--count", type=int, default=12, help="number of 12 MP JPEGs")
    parser.add_argument("-r", "--repeat", type=int, default=3, help="passes; best one counts")
    parser.add_argument("--child", choices=list(VARIANTS), help=argparse.SUPPRESS)
    parser.add_argument("--dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_variant(args.child, args.dir, args.repeat)))
        return
    with tempfile.TemporaryDirectory(prefix="bench-thumbs-") as tmp:
        folder = Path(tmp)
        print(f"making {args.count} JPEGs of {SIZE[0]}x{SIZE[1]} in {folder} ...", flush=True)
        for i in range(args.count):
            make_photo(folder / f"photo-{i:03}.jpg", i, 6 if i % 2 else 1)
        results = {name: measure(name, folder, args.repeat) for name in VARIANTS}
    report(results, args.count, args.repeat)


if __name__ == "__main__":
    main()
