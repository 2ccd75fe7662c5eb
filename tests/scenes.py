"""Photographed "scenes" and their near-duplicates, built with Pillow, for the similar-photo tests.

A scene is what a photographer points at: a background gradient, a dozen shapes of its
own colours and places, and sensor noise, all drawn from its seed, so two scenes differ
the way two moments of a ceremony do and the same scene can be drawn again a moment
later (a burst frame: every shape moved a few pixels, one a little more). Its variants
are what phones and chat apps do to one picture: another size, a crop of a few percent,
brighter or darker, another JPEG quality.

Used by tests/test_similar.py and bench/bench_similar.py.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from pathlib import Path

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


# Three phones of one ward office: another size each, another clock (seconds off).
PHONES = {
    "A": ("samsung", "SM-S918B", (1600, 1200), 0),
    "B": ("Apple", "iPhone 13", (1280, 960), 40),
    "C": ("Xiaomi", "Redmi Note 12", (1024, 768), -75),
}
GROUP_SIZES = (3, 4, 5, 6, 4, 3, 5, 2)  # 32 photos in 8 groups, with 28 singletons: 60


@dataclass
class Shot:
    """One photo of the generated event: its file name, scene, phone and picture."""

    name: str
    scene: int
    phone: str
    when: str | None  # EXIF "YYYY:MM:DD HH:MM:SS" as the phone's clock said; None: no date
    variant: Variant


@dataclass
class BuiltEvent:
    """The 60 photos as built: which files make each group, and which one is its pick."""

    shots: list[Shot]
    groups: list[list[str]]  # file names of each group's members
    picks: list[str]  # file name of each group's pick (same order)

    @property
    def singletons(self) -> list[str]:
        grouped = {name for group in self.groups for name in group}
        return [shot.name for shot in self.shots if shot.name not in grouped]


def _clock(minute: float, phone: str) -> str:
    seconds = round(minute * 60) + PHONES[phone][3] + 9 * 3600
    return f"2024:05:19 {seconds // 3600:02}:{seconds // 60 % 60:02}:{seconds % 60:02}"


def group_shots(group: int, size: int) -> list[Shot]:
    """A group: one sharp frame of phone A (its pick), the others blurred bursts or other phones.

    The pick is not always the first frame, so "pick = first" cannot pass for "as built".
    """
    scene, start = 100 + group, group * 15.0  # groups 15 minutes apart: outside the window
    pick_at = group % size
    shots = []
    for index in range(size):
        if index == pick_at:
            phone, variant = "A", Variant(size=PHONES["A"][2], quality=92)
        else:
            phone = "ABC"[(index + group) % 3]
            variant = Variant(
                size=PHONES[phone][2],
                crop=(0.02 * (index % 3), 0.01 * (index % 2), 0.01, 0.02 * (index % 2)),
                brightness=(0.9, 1.0, 1.1)[index % 3],
                quality=(70, 85, 95)[index % 3],
                motion=index if index % 2 else 0,
                blur=2.5 if phone == "A" else 0.0,  # phone A's other frames are shaken
            )
        name = f"g{group}-{index:02}-{phone}.jpg"
        shots.append(Shot(name, scene, phone, _clock(start + index * 0.1, phone), variant))
    return shots


def singleton_shot(index: int) -> Shot:
    phone = "ABC"[index % 3]
    variant = Variant(size=PHONES[phone][2], quality=88)
    when = _clock(index * 4.2 + 2.0, phone)
    return Shot(f"s{index:02}-{phone}.jpg", 500 + index, phone, when, variant)


def write_shot(folder: Path, shot: Shot) -> Path:
    """The photo as its phone stores it: JPEG with the phone's EXIF Make, Model and time."""
    from tests.images import build_exif

    make, model, _size, _offset = PHONES[shot.phone]
    exif = build_exif(taken=shot.when, make=make, model=model).tobytes()
    path = folder / shot.name
    path.write_bytes(jpeg(render(shot.scene, shot.variant), shot.variant.quality, exif))
    return path


def build_event(folder: Path) -> BuiltEvent:
    """The acceptance event: 60 photos from 3 phones, 8 groups of near-duplicates, 28 others."""
    folder.mkdir(parents=True, exist_ok=True)
    groups = [group_shots(g, size) for g, size in enumerate(GROUP_SIZES)]
    shots = [shot for group in groups for shot in group]
    shots += [singleton_shot(i) for i in range(60 - len(shots))]
    for shot in shots:
        write_shot(folder, shot)
    return BuiltEvent(
        shots=shots,
        groups=[[s.name for s in group] for group in groups],
        picks=[
            next(s.name for s in group if s.phone == "A" and not s.variant.blur) for group in groups
        ],
    )
