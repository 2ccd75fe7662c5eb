"""The pipelines bench_ingest.py holds the ingest against, one photo at a time.

Each takes a file's path and returns the peak RSS of the process it ran in
(VmHWM in KiB, 0 where /proc has none). Run as a program, this module is the
libvips reference as a whole program would run it:

    python bench/ingest_references.py FILE_LIST

reads the paths (one a line), starts a pool of two workers the platform's default
way (a fork on Linux: the cheapest start there is), maps the reference over them
and exits, so a timer outside it sees its start-up and its end as it sees the
ingest's.
"""

from __future__ import annotations

import hashlib
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

QUALITY = 85
WORKERS = 2


def peak_kib(pid: int | str = "self") -> int:
    """VmHWM of a process in KiB (0 where /proc has none: not Linux, or gone)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def vips_shrink(width: int, height: int, long_edge: int) -> int:
    """The largest JPEG DCT scale (1, 2, 4, 8) whose result still has long_edge pixels."""
    shrink = 1
    while shrink < 8 and max(width, height) // (shrink * 2) >= long_edge:
        shrink *= 2
    return shrink


def vips_reference(path: str) -> int:
    """Read once, hash, header, shrink-on-load, rotate, 1280 and 320 JPEGs; the peak RSS."""
    import pyvips

    data = Path(path).read_bytes()
    hashlib.sha256(data).hexdigest()
    header = pyvips.Image.new_from_buffer(data, "")
    shrink = vips_shrink(header.width, header.height, 1280)
    image = pyvips.Image.new_from_buffer(data, "", shrink=shrink, access="sequential")
    image = image.resize(1280 / max(image.width, image.height))
    image = image.copy_memory().autorot()  # rotated small, by the tag read on load
    image.jpegsave_buffer(Q=QUALITY, keep="none")
    image.resize(320 / max(image.width, image.height)).jpegsave_buffer(Q=QUALITY, keep="none")
    return peak_kib()


def decode_floor(path: str) -> int:
    """Decoding alone, at the DCT scale of the 1280 px preview."""
    import pyvips

    data = Path(path).read_bytes()
    header = pyvips.Image.new_from_buffer(data, "")
    shrink = vips_shrink(header.width, header.height, 1280)
    pyvips.Image.new_from_buffer(data, "", shrink=shrink, access="sequential").avg()
    return peak_kib()


def vips_worker() -> None:
    """Pool initializer: libvips imported, its operation cache off (every file is seen once)."""
    import pyvips

    pyvips.cache_set_max(0)  # as ingest.thumbs_vips


def main(file_list: str) -> None:
    files = Path(file_list).read_text("utf-8").splitlines()
    with ProcessPoolExecutor(WORKERS, initializer=vips_worker) as pool:
        list(pool.map(vips_reference, files))


if __name__ == "__main__":
    main(sys.argv[1])
