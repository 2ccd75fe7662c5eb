"""Benchmark: seconds of ingest per minute of 1080p clip, against PyAV decoding it alone.

    python bench/bench_video.py              # a 20 s 1080p30 H.264/AAC clip, best of 2
    python bench/bench_video.py -s 60 -r 3

The clip is made first (tests/clips.py: H.264 and AAC in MP4, a display
matrix of a quarter turn and a GPS tag, as a phone films it, so ingest has to
make a preview and cannot keep the original as it is; sensor-like grain, so
its bitrate and decoding cost are a phone's rather than a cartoon's). Then, on the same
file and in the same run:

- reference: FFmpeg (through PyAV) decoding every frame of the clip and
  nothing else (threads on, frames dropped): what any reading of the clip
  costs at the least;
- ingest --no-video-previews: hash, probe, poster frame, thumbnails, stored
  original, catalog row;
- ingest: the same plus the 720p H.264/AAC browser preview.

Each ingest is the real command line (``archive ingest --jobs 1``) into a
fresh archive, in its own process, timed from outside. Each figure is the
best of ``--repeat`` runs, which keeps other load on a shared machine out of
it as far as possible. Prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run from a checkout without `pip install -e .`
    sys.path.insert(0, str(ROOT))

import av  # noqa: E402

from tests.clips import located, make_clip  # noqa: E402


def decode_alone(path: Path) -> tuple[float, int]:
    """Seconds to decode every video frame with PyAV, and how many there were."""
    started = time.perf_counter()
    frames = 0
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.codec_context.thread_type = "AUTO"
        for _ in container.decode(stream):
            frames += 1
    return time.perf_counter() - started, frames


def ingest(path: Path, work: Path, *extra: str) -> float:
    """Seconds for `archive ingest` of the one clip into a new archive (its own process)."""
    root = Path(tempfile.mkdtemp(dir=work, prefix="archive-"))
    script = Path(sys.executable).with_name("archive")  # the installed command
    command = [str(script), "--root", str(root), "ingest"]
    started = time.perf_counter()
    subprocess.run([*command, "--jobs", "1", *extra, str(path)], check=True, capture_output=True)
    return time.perf_counter() - started


def best(repeat: int, run: object) -> float:
    return min(run() for _ in range(repeat))  # type: ignore[operator]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-s", "--seconds", type=float, default=20.0, help="clip length")
    parser.add_argument("-r", "--repeat", type=int, default=2, help="runs per figure (best kept)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-video-") as folder:
        work = Path(folder)
        clip = work / "VID_1080p.mp4"
        print(f"making a {args.seconds:g} s 1080p30 H.264/AAC clip ...", flush=True)
        made = make_clip(
            clip,
            seconds=args.seconds,
            size=(1920, 1080),
            rate=30,
            rotation=90,
            audio=True,
            metadata=located(),
            grain=0.07,  # about 8 Mbit/s: a phone's 1080p is 8-17
        )
        megabytes = clip.stat().st_size / 1e6
        rate = megabytes * 8 / made.seconds
        shown = f"{made.width}x{made.height} shown"
        print(f"clip: {made.seconds:g} s, {shown}, {megabytes:.1f} MB ({rate:.1f} Mbit/s)")
        per_minute = 60.0 / made.seconds
        decode = best(args.repeat, lambda: decode_alone(clip)[0])
        facts = best(args.repeat, lambda: ingest(clip, work, "--no-video-previews"))
        whole = best(args.repeat, lambda: ingest(clip, work))
        rows = (
            ("PyAV decoding every frame alone (reference)", decode),
            ("ingest --no-video-previews (poster, facts, original)", facts),
            ("ingest with the 720p preview", whole),
        )
        print(f"\nseconds per minute of 1080p clip (best of {args.repeat}):")
        for label, seconds in rows:
            ratio = seconds / decode if decode else float("nan")
            print(f"  {label:<54} {seconds * per_minute:7.1f} s/min  ({ratio:4.1f}x decode)")


if __name__ == "__main__":
    main()
