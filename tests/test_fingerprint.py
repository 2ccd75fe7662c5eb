"""The ingest's hashes are ImageHash's, bit for bit and spelled alike, without SciPy."""

from __future__ import annotations

import io
import random

import imagehash
import numpy as np
from PIL import Image

from ingest.fingerprint import fingerprint, hex_of, laplacian_variance, phash
from tests.conftest import shared_path
from tests.scenes import jpeg, random_variant, render


def _pictures() -> list[Image.Image]:
    rng = random.Random(12)
    scenes = [render(seed, random_variant(rng)) for seed in range(30)]
    recoded = [Image.open(io.BytesIO(jpeg(im, quality=70))) for im in scenes[:10]]
    return [im.convert("L").reduce(4) for im in scenes + recoded]


def test_phash_equals_imagehash_on_generated_scenes() -> None:
    pictures = _pictures()
    assert [str(phash(im)) for im in pictures] == [str(imagehash.phash(im)) for im in pictures]
    assert len({str(phash(im)) for im in pictures}) > 25  # the scenes differ, so do hashes


def test_phash_equals_imagehash_on_camera_photos() -> None:
    photos = sorted(shared_path("corpus", "exif-samples", "jpg").rglob("*.jpg"))[:40]
    checked = 0
    for path in photos:
        try:
            with Image.open(path) as im:
                im.draft("RGB", (320, 320))
                grey = im.convert("L")
        except (OSError, SyntaxError):
            continue  # the corpus holds damaged files on purpose
        assert str(phash(grey)) == str(imagehash.phash(grey)), path.name
        checked += 1
    assert checked >= 5


def test_the_stored_hex_is_imagehashs_own_spelling() -> None:
    pictures = _pictures()
    for im in pictures:
        for found in (imagehash.phash(im), imagehash.dhash(im), imagehash.average_hash(im)):
            assert hex_of(found) == str(found)
    small, preview = pictures[0].convert("RGB"), pictures[1].convert("RGB").resize((1280, 960))
    prints = fingerprint(small, preview)
    grey = small.convert("L").reduce(4)
    assert (prints.phash, prints.dhash) == (str(imagehash.phash(grey)), str(imagehash.dhash(grey)))


def test_sharpness_is_the_variance_numpy_gives_on_the_sampled_rows() -> None:
    preview = render(3, random_variant(random.Random(3))).convert("RGB").resize((1280, 960))
    green = np.asarray(preview.getchannel(1)).astype(np.int64)
    rows = 32 + 32 * np.arange(29)  # the centre of each 32-row band, as NEAREST samples it
    lap = (
        green[rows - 1, 1:-1] + green[rows + 1, 1:-1] + green[rows, :-2] + green[rows, 2:]
    ) - 4 * green[rows, 1:-1]
    assert lap.var() > 10  # a rendered scene has edges
    assert abs(laplacian_variance(preview) - float(lap.var())) < 1e-9 * float(lap.var())
