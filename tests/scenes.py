"""Photographed "scenes" and their near-duplicates, built with Pillow, for the similar-photo tests.

A scene is what a photographer points at: a background gradient, a dozen shapes of its
own colours and places, and sensor noise, all drawn from its seed, so two scenes differ
the way two moments of a ceremony do and the same scene can be drawn again a moment
later (a burst frame: every shape moved a few pixels, one a little more). Its variants
are what phones and chat apps do to one picture: another size, a crop of a few percent,
brighter or darker, another JPEG quality.

Used by tests/test_similar.py and bench/bench_similar.py (which puts tests/ on its path).
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageEnhance, ImageFilter

BASE = (1600, 1200)


@dataclass(frozen=True)
class Variant:
    """How one photo of a scene differs from the scene as drawn."""

    size: tuple[int, int] = BASE  # the picture's size before any crop
    crop: tuple[float, float, float, float] = (0, 0, 0, 0)  # fraction off left, top, right, bottom
    brightness: float = 1.0
    quality: int = 90
    motion: int = 0  # a burst frame: the seed of how far its shapes moved (0 = none)
    blur: float = 0.0  # a shaken or out-of-focus frame: Gaussian radius at BASE size


def draw_scene(seed: int, motion: int = 0, size: tuple[int, int] = BASE) -> Image.Image:
    """The scene of ``seed`` at ``size``; ``motion`` moves its shapes as a burst frame would."""
    rng = random.Random(seed)
    width, height = size
    top = tuple(rng.randrange(256) for _ in range(3))
    bottom = tuple(rng.randrange(256) for _ in range(3))
    gradient = Image.linear_gradient("L").resize(size).rotate(rng.choice((0, 90, 180, 270)))
    gradient = gradient.resize(size)
    im = Image.composite(Image.new("RGB", size, top), Image.new("RGB", size, bottom), gradient)
    draw = ImageDraw.Draw(im)
    moved = random.Random(seed * 7919 + motion) if motion else None
    for index in range(rng.randrange(8, 16)):
        kind = rng.choice(("ellipse", "rectangle", "polygon"))
        colour = tuple(rng.randrange(256) for _ in range(3))
        cx, cy = rng.uniform(0, 1) * width, rng.uniform(0, 1) * height
        rx, ry = rng.uniform(0.04, 0.25) * width, rng.uniform(0.04, 0.25) * height
        if moved is not None:  # every shape a few pixels, the first (the person) more
            reach = 0.03 if index == 0 else 0.006
            cx += moved.uniform(-reach, reach) * width
            cy += moved.uniform(-reach, reach) * height
        box = (cx - rx, cy - ry, cx + rx, cy + ry)
        if kind == "ellipse":
            draw.ellipse(box, fill=colour)
        elif kind == "rectangle":
            draw.rectangle(box, fill=colour)
        else:
            points = [
                (cx + rng.uniform(-rx, rx), cy + rng.uniform(-ry, ry))
                for _ in range(rng.randrange(3, 7))
            ]
            draw.polygon(points, fill=colour)
    noise = Image.effect_noise(size, 24).convert("RGB")
    return Image.blend(im, noise, 0.06)


def render(seed: int, variant: Variant = Variant()) -> Image.Image:
    """One photo of the scene as the variant says, as the camera would have stored it."""
    im = draw_scene(seed, variant.motion, variant.size)
    if variant.blur:
        im = im.filter(ImageFilter.GaussianBlur(variant.blur * variant.size[0] / BASE[0]))
    if any(variant.crop):
        w, h = im.size
        left, top, right, bottom = variant.crop
        im = im.crop((round(left * w), round(top * h), round(w - right * w), round(h - bottom * h)))
    if variant.brightness != 1.0:
        im = ImageEnhance.Brightness(im).enhance(variant.brightness)
    return im


def jpeg(im: Image.Image, quality: int = 90, exif: bytes | None = None) -> bytes:
    """The picture as JPEG bytes, with an EXIF block when one is given."""
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=quality, **({"exif": exif} if exif else {}))
    return buf.getvalue()


def chat_app(data: bytes) -> bytes:
    """What Zalo or Messenger sends on: the long edge at most 1280 px, JPEG quality 70."""
    with Image.open(io.BytesIO(data)) as im:
        im = im.convert("RGB")
        im.thumbnail((1280, 1280), Image.Resampling.BICUBIC)
        return jpeg(im, 70)


def random_variant(rng: random.Random, burst: bool = False) -> Variant:
    """A variant within the benchmark's ranges: quality 60-95, 50-100 %, crop ≤ 8 %, ±15 %."""
    scale = rng.uniform(0.5, 1.0)
    crop_total = rng.uniform(0, 0.08)
    left = rng.uniform(0, crop_total)
    top = rng.uniform(0, crop_total)
    return Variant(
        size=(round(BASE[0] * scale), round(BASE[1] * scale)),
        crop=(left, top, crop_total - left, crop_total - top),
        brightness=rng.uniform(0.85, 1.15),
        quality=rng.randrange(60, 96),
        motion=rng.randrange(1, 10_000) if burst else 0,
    )
