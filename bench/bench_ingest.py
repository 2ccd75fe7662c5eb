"""Benchmark: the whole `archive ingest --jobs 2` against four pipelines over the same photos.

    python bench/bench_ingest.py          # 25 photos: 80% 12 MP, 20% 24 MP
    python bench/bench_ingest.py -n 75 -r 3

Photos with photo-like entropy (noise over gradients, half of them EXIF
orientation 6) are made in a temporary folder. Every line runs on the same
files with two worker processes:

* ``archive ingest --jobs 2``: the installed command, as a subprocess (start-up,
  SHA-256, EXIF, thumbnails, originals and thumbnails written with fsync, catalog
  rows, search index);
* the same command with ``--dry-run``: every file read, hashed, decoded, thumbnailed
  and fingerprinted, its rows written to a catalog in memory, nothing stored: what
  storing the originals, thumbnails and rows durably costs is the difference;
* the plain Pillow loop (open, ``exif_transpose``, ``thumbnail`` 1280, save,
  ``thumbnail`` 320, save): what most code does;
* the libvips reference: read once, SHA-256, orientation from the header,
  ``new_from_buffer(data, "", shrink=s)``, 1280 and 320 px JPEGs (320 from the 1280),
  nothing stored;
* the floor: decoding alone at the preview's DCT scale;
* the libvips reference again, as a whole program (bench/ingest_references.py):
  its interpreter, imports and pool counted, as the ingest's are. The three pools
  above are started and imported before their clock starts; the target is held
  against those, the stricter measure.

Each line gives images/s, CPU ms per image (all processes), and the peak RSS of
its worst worker (VmHWM, Linux only). With ``-r`` the six lines run in turn that
many times and each keeps its fastest round, so load that comes and goes on a
shared machine weighs on all of them alike. The ratios are the targets: ingest at least
1.0x the libvips reference and 2.5x the Pillow loop, at most 80 MB per worker on
24 MP. The start-up lines show what a pool of workers costs before the first
photo under each start method (forkserver and spawn here; Windows has only spawn),
each measured in a fresh process that starts like the `archive` command. Prints
figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for path in (ROOT, ROOT / "bench"):
    if str(path) not in sys.path:  # run from a checkout without `pip install -e .`
        sys.path.insert(0, str(path))

from bench_thumbs import plain_pillow  # noqa: E402
from ingest_references import (  # noqa: E402
    WORKERS,
    decode_floor,
    peak_kib,
    vips_reference,
    vips_worker,
)
from PIL import Image  # noqa: E402

from ingest.workers import START_METHODS  # noqa: E402

SIZES = {"12 MP": (4000, 3000), "24 MP": (6000, 4000)}

# Starts as the installed `archive` script does (its module is imported again by every
# spawned worker), then times a pool from creation until each worker has taken a job.
STARTUP_PROBE = """\
from archive.launch import main

if __name__ == "__main__":
    import json, sys, time
    from ingest import workers
    method, count, hold = sys.argv[1], int(sys.argv[2]), 1.0
    start = time.perf_counter()
    with workers.pool(count, method) as pool:
        waits = [pool.submit(time.sleep, hold) for _ in range(count)]
        for wait in waits:
            wait.result()
        started = len(pool._processes)
    print(json.dumps({"seconds": time.perf_counter() - start - hold, "workers": started}))
"""


def startup(method: str, count: int, folder: Path) -> dict:
    """Seconds from creating a pool of count workers until each has taken a job."""
    probe = folder / "startup_probe.py"
    probe.write_text(STARTUP_PROBE, "utf-8")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    result = subprocess.run(
        [sys.executable, str(probe), method, str(count)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def make_photo(path: Path, size: tuple[int, int], seed: int, orientation: int) -> None:
    """A JPEG with photo-like entropy (noise over gradients), q90 with EXIF."""
    noise = Image.effect_noise(size, 30 + seed % 20)
    ramp = Image.linear_gradient("L").resize(size)
    disc = Image.radial_gradient("L").resize(size)
    photo = Image.merge(
        "RGB", (ramp, Image.blend(disc, noise, 0.35), Image.blend(noise, ramp, 0.5))
    )
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "Benchmark"
    photo.save(path, "JPEG", quality=90, exif=exif.tobytes())


def _descendants(pid: int) -> set[int]:
    found, todo = set(), [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/task/{current}/children") as children:
                kids = [int(k) for k in children.read().split()]
        except OSError:
            continue
        found.update(kids)
        todo.extend(kids)
    return found


def _is_worker(pid: int) -> bool:
    """A pool worker: a leaf of the process tree that is not the resource tracker."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmd:
            line = cmd.read()
        with open(f"/proc/{pid}/task/{pid}/children") as children:
            leaf = not children.read().split()
    except OSError:
        return False
    return leaf and b"resource_tracker" not in line


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of one live process, from /proc (0 where there is none)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def compile_command() -> None:
    """The command's own modules compiled once, as ``pip install`` leaves an installed package.

    Run from a checkout (an editable install) where ``PYTHONDONTWRITEBYTECODE`` is set, the
    command would compile every one of its modules again at each start (about 0.1 s of CPU
    in the command and a third of that in its fork server), which no installed archive
    does. Where the modules are already compiled, or cannot be written, nothing changes.
    """
    import compileall

    import archive
    import ingest

    for package in (archive, ingest):  # a folder it cannot write is reported, not raised
        compileall.compile_dir(Path(package.__file__).parent, quiet=2)


def run_ingest(folder: Path, root: Path, dry_run: bool = False) -> dict:
    """The installed command, whole; a dry run does all its work but stores nothing.

    The archive it made is removed once it is timed, so that ``-r 5`` over 75 photos
    does not keep 2 GB of copies in the temporary folder until the end.
    """
    script = Path(sys.executable).with_name("archive")
    entry = "from archive.launch import main; main()"
    command = [str(script)] if script.exists() else [sys.executable, "-c", entry]
    command += ["--root", str(root), "ingest", "--jobs", str(WORKERS), str(folder)]
    try:
        return run_program(command + (["--dry-run"] if dry_run else []))
    finally:
        shutil.rmtree(root, ignore_errors=True)


def run_reference_program(files: list[Path], folder: Path) -> dict:
    """The libvips reference as a whole program (bench/ingest_references.py), start-up and all."""
    listing = folder / "reference-files.txt"
    listing.write_text("\n".join(str(f) for f in files), "utf-8")
    return run_program([sys.executable, str(ROOT / "bench" / "ingest_references.py"), str(listing)])


def run_program(command: list[str]) -> dict:
    """A program, whole, timed from outside; its workers' peaks read from /proc while it runs.

    /proc is read every 50 ms: often enough to see every worker alive (VmHWM is the
    kernel's own high-water mark), seldom enough that the reading costs the program's
    two CPUs nothing that shows.
    """
    cpu, start = _children_cpu(), time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peaks: dict[int, int] = {}
    used: dict[int, float] = {}  # workers under a fork server are never reaped by us
    while proc.poll() is None:
        for pid in _descendants(proc.pid) | {proc.pid}:
            used[pid] = max(used.get(pid, 0.0), _cpu_seconds(pid))
            if pid != proc.pid and _is_worker(pid):
                peaks[pid] = max(peaks.get(pid, 0), peak_kib(pid))
        time.sleep(0.05)
    seconds = time.perf_counter() - start
    if proc.returncode:
        raise SystemExit(f"{command[0]} failed ({proc.returncode}): {proc.stderr.read()!r}")
    # Workers under a fork server are its children, never reaped by us: their CPU is what
    # /proc last showed (the program's own is in RUSAGE_CHILDREN too, once reaped).
    reaped = _children_cpu() - cpu
    return {
        "seconds": seconds,
        "cpu": max(reaped, sum(used.values())),
        "peak": max(peaks.values(), default=0),
    }


# --- the references, each run over all files in a pool of WORKERS processes ----------------


def pillow_loop(path: str) -> int:
    plain_pillow(Path(path).read_bytes())
    return peak_kib()


def run_pool(work: Callable[[str], int], files: list[Path]) -> dict:
    """One pool, the work mapped over the files; its own start-up is not counted."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(WORKERS, mp_context=context, initializer=vips_worker) as pool:
        list(pool.map(time.sleep, [0.2] * WORKERS))  # every worker started and imported
        cpu, start = _children_cpu(), time.perf_counter()
        peaks = list(pool.map(work, [str(f) for f in files]))
        seconds = time.perf_counter() - start
    # Workers' CPU is theirs once reaped (after the pool closed): it counts then.
    return {"seconds": seconds, "cpu": _children_cpu() - cpu, "peak": max(peaks, default=0)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=25, help="number of photos (20%% of them 24 MP)")
    parser.add_argument("-r", "--rounds", type=int, default=1, help="rounds, the fastest kept")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "photos"
        folder.mkdir()
        for i in range(args.n):
            kind = "24 MP" if i % 5 == 4 else "12 MP"
            name = folder / f"IMG_{i:04d}.jpg"
            make_photo(name, SIZES[kind], seed=i, orientation=6 if i % 2 else 1)
        files = sorted(folder.glob("*.jpg"))
        megabytes = sum(f.stat().st_size for f in files) / 1e6
        # On disk before any round: else the first rounds' fsyncs wait behind the kernel
        # writing back 400 MB of photos just made, which no ingest of a USB stick meets.
        os.sync()
        compile_command()
        results: dict[str, dict] = {}
        for round_ in range(max(1, args.rounds)):
            measured = {
                "ingest": run_ingest(folder, Path(tmp) / f"archive-{round_}"),
                "dry run": run_ingest(folder, Path(tmp) / f"dry-{round_}", dry_run=True),
                "pillow": run_pool(pillow_loop, files),
                "vips": run_pool(vips_reference, files),
                "floor": run_pool(decode_floor, files),
                "vips program": run_reference_program(files, Path(tmp)),
            }
            for key, result in measured.items():
                if key not in results or result["seconds"] < results[key]["seconds"]:
                    results[key] = result
        methods = [m for m in START_METHODS if m in multiprocessing.get_all_start_methods()]
        starts = {method: startup(method, WORKERS, Path(tmp)) for method in methods}

    big = sum(1 for i in range(args.n) if i % 5 == 4)
    print(
        f"{args.n} photos ({args.n - big} of 12 MP, {big} of 24 MP), {megabytes:.0f} MB; "
        f"{WORKERS} worker processes, {os.cpu_count()} CPU(s); best of {max(1, args.rounds)}"
    )
    labels = {
        "ingest": f"archive ingest --jobs {WORKERS}",
        "dry run": "archive ingest --dry-run",
        "pillow": "plain Pillow loop",
        "vips": "libvips shrink-on-load reference",
        "floor": "decode only at the DCT scale",
        "vips program": "libvips reference, whole program",
    }
    rate = {key: args.n / r["seconds"] for key, r in results.items()}
    for key, r in results.items():
        peak = f"{r['peak'] / 1024:5.0f} MB" if r["peak"] else "    n/a"
        print(
            f"  {labels[key]:<34} {rate[key]:6.1f} images/s  "
            f"{r['cpu'] * 1000 / args.n:6.0f} CPU ms/image  peak RSS/worker {peak}"
        )
    print(f"  ingest / libvips reference   {rate['ingest'] / rate['vips']:5.2f}x (target >= 1.0x)")
    print(
        f"  ingest / plain Pillow loop   {rate['ingest'] / rate['pillow']:5.2f}x (target >= 2.5x)"
    )
    print(f"  ingest / decode floor        {rate['ingest'] / rate['floor']:5.2f}x")
    print(
        f"  dry run / libvips reference  {rate['dry run'] / rate['vips']:5.2f}x"
        " (the work without storing originals, thumbnails and rows durably)"
    )
    print(
        f"  ingest / libvips reference, both whole programs (start-up counted in each)"
        f" {rate['ingest'] / rate['vips program']:5.2f}x"
    )
    if results["ingest"]["peak"]:
        print(
            f"  ingest peak RSS per worker   {results['ingest']['peak'] / 1024:5.0f} MB "
            "(target <= 80 MB on 24 MP)"
        )
    for method, start in starts.items():
        print(
            f"  start-up of {start['workers']} workers, {method:<10}      "
            f"{start['seconds'] * 1000:7.0f} ms before the first photo"
        )


if __name__ == "__main__":
    main()
