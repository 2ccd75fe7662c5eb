"""A photo's perceptual fingerprint and sharpness, from the thumbnails already in memory.

The fingerprint is a function of the thumbnail image, not of the original: the
ingest computes it from the 320 px and 1280 px pictures it has just made (one
decode of the original, shared with the thumbnails), a clip from its poster
thumbnails in the same way, and ``archive similar --backfill`` from the stored
thumbnails of an older archive, so all three give the same values for the same
picture (the stored thumbnails are JPEG, which moves a hash by a bit or two at
most, far inside the grouping threshold of :mod:`archive.similar`).

- ``phash``: ImageHash's pHash (the low frequencies of a 32×32 DCT, 64 bits) of
  the 320 px thumbnail in grey, box-reduced by 4 first: the hash resamples to 32×32
  anyway, and reducing first spares its Lanczos filter a tenfold-wide kernel (within
  3 bits of the unreduced image's hashes, in a third of the time).
- ``dhash``: ImageHash's dHash (the signs of neighbouring differences on 9×8,
  64 bits) of the same: another view of the picture; two unrelated photos that
  pHash happens to place close rarely agree in dHash too (bench/bench_similar.py
  measures what it adds to pHash, and what wHash would).
- ``sharpness``: the variance of the Laplacian of the 1280 px preview's green
  channel (the channel closest to luminance), on every 32nd row: 29 rows of 1,280
  px estimate the same variance, and the whole fingerprint must cost under 3 % of
  a photo's ingest (about 45 ms of CPU for 12 MP; every 4th row cost 3 % alone).
  Every preview of a group has the same long edge, so the values compare across
  phones.

A backfill reads the stored JPEG previews, whose quantisation smooths the finest
detail and adds block edges: there the sharpness differs from the ingest's on the
same picture (a fifth to a half lower on the generated scenes, a blurred frame
still far below a crisp one; both hashes stay within 4 bits). Groups made wholly
by one or the other compare like with like; ``archive similar pick`` settles a
mixed one.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from PIL import Image

__all__ = ["Fingerprint", "fingerprint", "from_thumbnails"]

ROW_STEP = 32  # the Laplacian on every 32nd row of the preview


@dataclass(frozen=True)
class Fingerprint:
    """What :class:`archive.records.PhotoFacts` carries: two 16-hex-digit hashes, a sharpness."""

    phash: str
    dhash: str
    sharpness: float


def fingerprint(small: Image.Image, preview: Image.Image) -> Fingerprint:
    """The fingerprint of a picture from its grid thumbnail and its preview (upright sRGB)."""
    import imagehash  # here, not at the top: numpy stays out of every CLI start

    grey = small.convert("L").reduce(4) if min(small.size) >= 128 else small.convert("L")
    return Fingerprint(
        phash=hex_of(phash(grey)),
        dhash=hex_of(imagehash.dhash(grey)),
        sharpness=round(laplacian_variance(preview), 3),
    )


def hex_of(found: Any) -> str:
    """An ImageHash's 64 bits as ``str(found)`` spells them, in a microsecond.

    ImageHash's own ``str`` joins the bits one by one in Python (35 µs a hash, a tenth
    of the whole fingerprint); packing them big-endian gives the same 16 hex digits.
    """
    import numpy as np

    return np.packbits(found.hash.ravel()).tobytes().hex()


PHASH_SIDE, PHASH_BITS = 32, 8  # ImageHash's phash: a 32x32 picture, its 8x8 lowest frequencies


def phash(grey: Image.Image) -> Any:
    """ImageHash's pHash, the same bits, without SciPy: the DCT as two small matrix products.

    ``imagehash.phash`` imports ``scipy.fftpack`` for its DCT, which costs every ingest
    worker about 26 MB (the issue caps a worker at 80 MB); only the 8x8 lowest frequencies
    of a 32x32 picture are used, which two 8x32 products give exactly (the unnormalised
    DCT-II that SciPy computes). Same resize, same median rule, same ImageHash value;
    tests/test_fingerprint.py holds it equal to ImageHash's on real pictures.
    """
    import imagehash
    import numpy as np

    small = grey.convert("L").resize((PHASH_SIDE, PHASH_SIDE), Image.Resampling.LANCZOS)
    pixels = np.asarray(small, dtype=np.float64)
    basis = _dct_basis()
    low = basis @ pixels @ basis.T
    ordered = np.sort(low, axis=None)  # np.median's value, without its general machinery
    middle = ordered.size // 2
    return imagehash.ImageHash(low > (ordered[middle - 1] + ordered[middle]) / 2)


@lru_cache(maxsize=1)
def _dct_basis() -> Any:
    """Rows k < 8 of the unnormalised DCT-II of length 32: 2 cos(pi k (2n + 1) / 64)."""
    import numpy as np

    k = np.arange(PHASH_BITS)[:, None]
    n = np.arange(PHASH_SIDE)[None, :]
    return 2.0 * np.cos(np.pi * k * (2 * n + 1) / (2 * PHASH_SIDE))


def laplacian_variance(im: Image.Image) -> float:
    """Variance of the 4-neighbour Laplacian: high where edges are crisp, low when blurred.

    On every ``ROW_STEP``-th row (with the rows above and below it), picked out by three
    nearest-neighbour resizes of the picture: only those rows are ever copied out of it,
    which costs a third of converting the whole preview for numpy.
    """
    import numpy as np

    width, height = im.size
    step = ROW_STEP if height >= 4 * ROW_STEP else 1
    middle = max(1, step // 2)  # the first centre row; the last box ends inside the picture
    rows = (height - middle - 1) // step
    if rows < 1 or width < 3:
        return 0.0
    up, centre, down = (
        np.asarray(
            im.resize(
                (width, rows), Image.Resampling.NEAREST, box=(0, top, width, top + step * rows)
            ).getchannel(0 if im.mode == "L" else 1)
        ).astype(np.int16)
        for top in (middle - 1, middle, middle + 1)
    )
    lap = (up[:, 1:-1] + down[:, 1:-1]) + (centre[:, :-2] + centre[:, 2:]) - 4 * centre[:, 1:-1]
    # The variance from two exact integer sums: numpy's var() converts to float first.
    values = lap.ravel().astype(np.int64)
    count, total = values.size, int(values.sum())
    return (int(values @ values) - total * total / count) / count


def from_thumbnails(small_jpeg: bytes, preview_jpeg: bytes) -> Fingerprint:
    """The fingerprint of stored thumbnails (a backfill, or a photo whose thumbnails exist)."""
    with Image.open(io.BytesIO(small_jpeg)) as small, Image.open(io.BytesIO(preview_jpeg)) as big:
        return fingerprint(small.convert("RGB"), big.convert("RGB"))
