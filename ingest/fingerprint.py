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
  channel (the channel closest to luminance), on every sixteenth row: 60 rows of
  1,280 px estimate the same variance, and the whole fingerprint must cost under
  3 % of a photo's ingest (about 45 ms of CPU for 12 MP). Every preview of a group
  has the same long edge, so the values compare across phones.

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

from PIL import Image

__all__ = ["Fingerprint", "fingerprint", "from_thumbnails"]

ROW_STEP = 16  # the Laplacian on every sixteenth row of the preview


@dataclass(frozen=True)
class Fingerprint:
    """What :class:`archive.records.PhotoFacts` carries: two 16-hex-digit hashes, a sharpness."""

    phash: str
    dhash: str
    sharpness: float


def fingerprint(small: Image.Image, preview: Image.Image) -> Fingerprint:
    """The fingerprint of a picture from its grid thumbnail and its preview (upright sRGB)."""
    import imagehash  # here, not at the top: numpy and scipy stay out of every CLI start

    grey = small.convert("L").reduce(4) if min(small.size) >= 128 else small.convert("L")
    return Fingerprint(
        phash=str(imagehash.phash(grey)),
        dhash=str(imagehash.dhash(grey)),
        sharpness=round(laplacian_variance(preview), 3),
    )


def laplacian_variance(im: Image.Image) -> float:
    """Variance of the 4-neighbour Laplacian: high where edges are crisp, low when blurred."""
    import numpy as np

    grey = np.asarray(im.getchannel(1) if im.mode == "RGB" else im.convert("L"))
    if grey.shape[0] < 3 or grey.shape[1] < 3:
        return 0.0
    rows = np.arange(1, grey.shape[0] - 1, ROW_STEP)
    centre = grey[rows].astype(np.int16)
    vertical = grey[rows - 1, 1:-1].astype(np.int16) + grey[rows + 1, 1:-1]
    lap = vertical + (centre[:, :-2] + centre[:, 2:]) - 4 * centre[:, 1:-1]
    return float(lap.var())


def from_thumbnails(small_jpeg: bytes, preview_jpeg: bytes) -> Fingerprint:
    """The fingerprint of stored thumbnails (a backfill, or a photo whose thumbnails exist)."""
    with Image.open(io.BytesIO(small_jpeg)) as small, Image.open(io.BytesIO(preview_jpeg)) as big:
        return fingerprint(small.convert("RGB"), big.convert("RGB"))
