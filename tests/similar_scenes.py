"""A generated event for the near-duplicate tests (issue 12): 60 photos, 3 phones, 8 groups.

Three staff photograph an award ceremony: each of the 8 moments is shot by
several of them within seconds (real JPEGs with their phone's EXIF), as the
same scene re-framed a little: resized, cropped up to 5 %, brightened or
darkened up to 10 %, re-encoded at another quality, one of them shaken
(blurred). The 28 other photos are scenes of their own. Every scene is drawn
from ``random.Random(seed)``: large shapes (what a perceptual hash sees) and a
fine texture (what a sharpness measure sees), so two scenes are far apart and
two shots of one scene are close.

Each group's first member is its expected pick: the largest and the sharpest.

Usage::

    scene = write_event(tmp_path / "sources" / "le-trao-giai")
    scene.groups      # [["S001.jpg", "I002.jpg", ...], ...], the pick first
    scene.singletons  # ["O040.jpg", ...]
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from PIL import Image, ImageDraw, ImageEnhance, ImageFilter

from tests.images import build_exif

SLUG = "le-trao-giai-hoi-thi-van-nghe-2024"
EVENT_YML = f"""\
title: Lễ trao giải Hội thi văn nghệ phường năm 2024
slug: {SLUG}
date: 2024-09-02
location: Hội trường Ủy ban nhân dân phường
description: Ba cán bộ cùng chụp lễ trao giải; nhiều khoảnh khắc được chụp liền nhau.
"""
# (make, model, file-name prefix) of the three phones.
PHONES = [("Samsung", "SM-A525F", "S"), ("Apple", "iPhone 12", "I"), ("OPPO", "CPH2219", "O")]
GROUP_SIZES = (6, 5, 5, 4, 4, 3, 3, 2)  # 32 photos in 8 groups
SINGLETONS = 28
SIZE = (1200, 900)
START = datetime(2024, 9, 2, 8, 0, 0)


@dataclass
class Scene:
    """What was written: the event folder and the groups as built (file names, pick first)."""

    folder: Path
    groups: list[list[str]] = field(default_factory=list)
    singletons: list[str] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return [name for group in self.groups for name in group] + self.singletons


def draw_scene(rng: random.Random, size: tuple[int, int] = SIZE) -> Image.Image:
    """One scene: a tinted background, large shapes, and a fine texture over them."""
    width, height = size
    base = tuple(rng.randrange(40, 216) for _ in range(3))
    image = Image.new("RGB", size, base)
    draw = ImageDraw.Draw(image)
    for _ in range(14):
        x0, y0 = rng.randrange(-width // 4, width), rng.randrange(-height // 4, height)
        w, h = rng.randrange(width // 8, width // 2), rng.randrange(height // 8, height // 2)
        colour = tuple(rng.randrange(0, 256) for _ in range(3))
        shape = draw.ellipse if rng.random() < 0.5 else draw.rectangle
        shape((x0, y0, x0 + w, y0 + h), fill=colour)
    for _ in range(1500):  # fine detail: what blur takes away first
        x, y = rng.randrange(width), rng.randrange(height)
        shade = rng.randrange(0, 256)
        draw.line((x, y, x + rng.randrange(3, 12), y + rng.randrange(-3, 4)), fill=(shade,) * 3)
    return image


def variant(scene: Image.Image, rng: random.Random, blur: bool) -> tuple[Image.Image, int]:
    """Another phone's shot of the scene: smaller, re-framed, re-lit; and its JPEG quality."""
    width, height = scene.size
    crop = rng.uniform(0.0, 0.05)
    dx, dy = int(width * crop * rng.random()), int(height * crop * rng.random())
    shot = scene.crop((dx, dy, dx + int(width * (1 - crop)), dy + int(height * (1 - crop))))
    scale = rng.uniform(0.55, 0.9)
    shot = shot.resize((int(width * scale), int(height * scale)), Image.Resampling.LANCZOS)
    shot = ImageEnhance.Brightness(shot).enhance(rng.uniform(0.9, 1.1))
    if blur:
        shot = shot.filter(ImageFilter.GaussianBlur(2.0))
    return shot, rng.randrange(60, 90)


def save(image: Image.Image, path: Path, phone: int, taken: datetime, quality: int) -> None:
    make, model, _ = PHONES[phone]
    exif = build_exif(taken=taken.strftime("%Y:%m:%d %H:%M:%S"), make=make, model=model)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality, exif=exif.tobytes())
    path.write_bytes(buffer.getvalue())


def write_event(folder: Path, seed: int = 12) -> Scene:
    """The event folder (event.yml and 60 JPEGs) and the groups it holds."""
    rng = random.Random(seed)
    folder.mkdir(parents=True)
    (folder / "event.yml").write_text(EVENT_YML, encoding="utf-8")
    scene = Scene(folder)
    number = 0

    def name_for(phone: int) -> str:
        nonlocal number
        number += 1
        return f"{PHONES[phone][2]}{number:03d}.jpg"

    moment = START
    for g, members in enumerate(GROUP_SIZES):
        picture = draw_scene(rng)
        names = []
        for m in range(members):
            phone = (g + m) % len(PHONES)
            taken = moment + timedelta(seconds=3 * m)
            if m == 0:
                shot, quality = picture, 92  # the pick: full size, sharp
            else:
                shot, quality = variant(picture, rng, blur=m == members - 1)
            name = name_for(phone)
            save(shot, folder / name, phone, taken, quality)
            names.append(name)
        scene.groups.append(names)
        moment += timedelta(minutes=4)
    for s in range(SINGLETONS):
        phone = s % len(PHONES)
        name = name_for(phone)
        save(draw_scene(rng), folder / name, phone, START + timedelta(seconds=61 * s + 30), 90)
        scene.singletons.append(name)
    return scene
