"""An archive with photos and clips for the web and export tests of issue 11.

One event folder, ingested through the real command line: three photos and
three real clips (PyAV, tests/clips.py) between them in time, with their
captions in the folder's captions.csv, matched by file name like photos:

- ``chao-co.mp4``: H.264/AAC, 6 s, filmed in Hà Nội (GPS in the container):
  the ingest makes it a preview (a transcode without the phone's metadata).
- ``hat.mov``: HEVC in QuickTime, which Chromium does not play: a preview too.
- ``toan-canh.mp4``: a few megabytes of noise (H.264, no sound, no place). It
  plays in browsers as it is, so it has no preview and players get the
  original; too big for a player to fetch at once, a seek to its middle must
  be a new Range request.

The clips' times are written as an iPhone writes them (QuickTime
``creationdate`` with its zone), so they sort among the photos whatever zone
the machine running the tests is in.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import av
from PIL import Image

from tests.clips import HANOI_ISO6709, make_clip
from tests.conftest import Archive
from tests.images import build_exif
from tests.scenes import draw_scene, jpeg

EVENT_SLUG = "le-chao-co-thang-9-2024"
EVENT_YML = f"""\
title: Lễ chào cờ tháng 9 năm 2024
slug: {EVENT_SLUG}
date: 2024-09-05
location: Sân Ủy ban nhân dân phường
"""
PHOTOS = {  # file: (time of day, caption)
    "a.jpg": ("08:29:00", "Đại biểu tập trung trước giờ chào cờ"),
    "b.jpg": ("08:30:30", "Đồng chí Chủ tịch phát biểu"),
    "c.jpg": ("08:32:00", "Học sinh tặng hoa đại biểu"),
}
CLIP_CAPTIONS = {
    "chao-co.mp4": "Nghi thức chào cờ",
    "hat.mov": "Học sinh hát Quốc ca",
    "toan-canh.mp4": "Toàn cảnh buổi lễ",
}
CLIP_SECONDS = 6.0
CLIP_SIZE = (640, 360)
UNIT = "Chi đoàn phường"


@dataclass
class VideoArchive:
    root: Path
    ids: dict[str, int] = field(default_factory=dict)  # original file name -> id
    event_id: int = 0
    report: dict = field(default_factory=dict)

    @property
    def catalog(self) -> Path:
        return self.root / "catalog.db"

    def id(self, name: str) -> int:
        return self.ids[name]


def when(time: str) -> dict[str, str]:
    """QuickTime tags of a clip filmed at this time of the event's day, in Vietnam's zone."""
    return {"com.apple.quicktime.creationdate": f"2024-09-05T{time}+0700"}


def build(root: Path, work: Path) -> VideoArchive:
    """The event folder (photos, clips, captions.csv) through `archive ingest`."""
    folder = work / "le-chao-co"
    folder.mkdir(parents=True)
    (folder / "event.yml").write_text(EVENT_YML, encoding="utf-8")
    lines = ["file,caption,units"]
    for n, (name, (time, caption)) in enumerate(PHOTOS.items()):
        # Three moments, not flat colours: near-duplicate grouping ignores colour, and
        # would make one group of them (and of clips of one picture), one card.
        exif = build_exif(taken=f"2024:09:05 {time}", make="Samsung", model="SM-G930F")
        (folder / name).write_bytes(jpeg(draw_scene(300 + n, size=(640, 480)), 92, exif.tobytes()))
        lines.append(f'{name},"{caption}",')
    placed = {**when("08:30:00"), "com.apple.quicktime.location.ISO6709": HANOI_ISO6709}
    make_clip(
        folder / "chao-co.mp4",
        seconds=CLIP_SECONDS,
        size=CLIP_SIZE,
        audio=True,
        metadata=placed,
        apple=True,
    )
    make_clip(
        folder / "hat.mov",
        seconds=3,
        size=(480, 270),
        codec="libx265",
        metadata=when("08:31:00"),
        scene=7,
        apple=True,
    )
    make_busy_clip(folder / "toan-canh.mp4", metadata=when("08:33:00"))
    for name, caption in CLIP_CAPTIONS.items():
        lines.append(f'{name},"{caption}","{UNIT}"')
    (folder / "captions.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    archive = Archive(root)
    report = archive.ingest(str(folder))
    assert report["failed"] == 0, report["problems"]
    built = VideoArchive(root, report=report)
    built.event_id = archive.rows("SELECT id FROM events WHERE slug = ?", (EVENT_SLUG,))[0]["id"]
    for row in archive.rows("SELECT id, original_name FROM photos"):
        built.ids[row["original_name"]] = row["id"]
    assert len(built.ids) == 6
    return built


def make_busy_clip(
    path: Path,
    seconds: int = 8,
    size: tuple[int, int] = (640, 360),
    metadata: dict[str, str] | None = None,
) -> Path:
    """H.264 noise at 10 frames a second: megabytes in a few seconds, nothing to compress."""
    width, height = size
    with av.open(str(path), "w", options={"movflags": "use_metadata_tags"}) as out:
        for key, value in (metadata or {}).items():
            out.metadata[key] = value
        video = out.add_stream("libx264", rate=10)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.options = {"preset": "ultrafast"}
        for index in range(seconds * 10):
            picture = Image.frombytes("RGB", size, os.urandom(width * height * 3))
            frame = av.VideoFrame.from_image(picture)
            frame.pts, frame.time_base = index, Fraction(1, 10)
            out.mux(video.encode(frame))
        out.mux(video.encode(None))
    return path
