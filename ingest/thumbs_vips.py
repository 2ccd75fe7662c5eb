"""Decode and shrink a JPEG with libvips, in one streaming pass.

This is the one expensive step of a thumbnail, and the only one libvips does:
the JPEG is decoded at the DCT scale (1/2, 1/4, 1/8) that still covers the
target (``shrink=`` on load, chosen here: ``pyvips.Image.thumbnail`` keeps a
factor of 2 for its own last step and would decode a 12 MP photo at full size
for 1280 px), and resized to the exact target while it is decoded, with
sequential access, so the full-size picture never exists in memory. A 100 MP
panorama costs what a 12 MP photo costs: a few strips of the reduced image.

Everything after that (rotation, colour, flattening, encoding, the smaller
sizes) runs on the small picture in :mod:`ingest.thumbs`, the same code for
every format, so a libvips thumbnail and a Pillow one follow the same rules.

libvips comes from the ``pyvips-binary`` wheel (no system library). Where it
cannot be imported, :data:`AVAILABLE` is False and every file takes the Pillow
path; the thumbnails are the same size and orientation, only slower.
"""

from __future__ import annotations

import os
from pathlib import Path

from PIL import Image

from archive.i18n import _

try:  # the wheel bundles libvips; a platform without a wheel falls back to Pillow
    os.environ.setdefault("VIPS_WARNING", "0")  # its warnings are ours to word
    import pyvips

    # One thread per worker: the ingest already runs one worker per CPU, and more
    # threads than cores would only trade places on them.
    pyvips.concurrency_set(int(os.environ.get("VIPS_CONCURRENCY", "1")))
    pyvips.cache_set_max(0)  # every file is seen once: a cache would only hold memory
    AVAILABLE = True
except (ImportError, OSError):  # OSError: the wheel's library does not load here
    pyvips = None
    AVAILABLE = False

__all__ = ["AVAILABLE", "VipsFailed", "shrink_jpeg"]

_MODES = {1: "L", 3: "RGB"}


class VipsFailed(Exception):
    """libvips could not decode the file; str() is its first line, and truncated says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        text = message.lower()
        self.truncated = "premature end" in text or "truncat" in text or "out of data" in text


def dct_shrink(size: tuple[int, int], target: tuple[int, int]) -> int:
    """The largest JPEG scale-down (1, 2, 4, 8) whose result still covers target."""
    shrink = 1
    while shrink < 8 and all(s // (shrink * 2) >= t for s, t in zip(size, target, strict=True)):
        shrink *= 2
    return shrink


def shrink_jpeg(data: bytes | Path, size: tuple[int, int], target: tuple[int, int]) -> Image.Image:
    """The JPEG's stored pixels (not yet rotated) at exactly target, as a Pillow image.

    size is the stored size from the header (already read, and already checked
    against the decompression-bomb limit, by the caller). Only 8-bit grey and
    RGB JPEGs come here; CMYK and the rest stay with Pillow.
    """
    assert pyvips is not None
    shrink = dct_shrink(size, target)
    try:
        # From a Source, not new_from_buffer: that copies the whole file first (another
        # 60 MB for a 100 MP panorama); a Source reads the caller's bytes in place, or
        # the file by its descriptor (never parsing "[options]" out of its name).
        if isinstance(data, bytes):
            source = pyvips.Source.new_from_memory(data)
        else:
            source = pyvips.Source.new_from_file(os.fspath(data))
        image = pyvips.Image.new_from_source(
            source, "", shrink=shrink, access="sequential", fail_on="truncated"
        )
        if image.bands not in _MODES or image.format != "uchar":
            raise VipsFailed(
                _("unexpected {bands}-band {format} JPEG").format(
                    bands=image.bands, format=image.format
                )
            )
        if (image.width, image.height) != target:
            # Exact scales per axis, so the size is ours (Python's rounding), not libvips'.
            # Cubic, as Pillow's path: the same look whichever decoded the file.
            image = image.resize(
                target[0] / image.width, vscale=target[1] / image.height, kernel="cubic"
            )
        pixels = image.write_to_memory()
        width, height, bands = image.width, image.height, image.bands
    except pyvips.Error as err:
        raise VipsFailed(_first_line(err)) from None
    if (width, height) != target:  # cannot happen with exact scales; cheap to be sure
        raise VipsFailed(
            _("libvips made {made}, not {wanted}").format(
                made=f"{width}x{height}", wanted=f"{target[0]}x{target[1]}"
            )
        )
    # Pillow reads the bytes libvips gave in place, rather than copying another 3.7 MB
    # for a 1280 px preview: a read-only image, which the later steps (rotation, colour,
    # resize, fingerprint, encoding) only read or replace with a new one.
    mode = _MODES[bands]
    return Image.frombuffer(mode, (width, height), pixels, "raw", mode, 0, 1)


def _first_line(err: Exception) -> str:
    """libvips' first line of complaint, without the name of its loader ("VipsJpeg: ")."""
    detail = getattr(err, "detail", "") or str(err)
    lines = [line.strip() for line in str(detail).splitlines() if line.strip()]
    first = lines[0] if lines else type(err).__name__
    loader, colon, said = first.partition(": ")
    if colon and loader.startswith("Vips") and " " not in loader and said:
        first = said
    return first[:200]
