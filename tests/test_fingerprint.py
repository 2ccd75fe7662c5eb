"""The ingest's pHash is ImageHash's pHash, bit for bit, without SciPy in the worker."""

from __future__ import annotations

import io
import random

import imagehash
from PIL import Image

from ingest.fingerprint import phash
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
