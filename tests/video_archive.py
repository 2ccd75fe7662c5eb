"""An archive with photos and clips for the web and export tests of issue 11.

One event, three photos and two clips between them in time:

- ``chao-co.mp4``: H.264/AAC in MP4, 6 s, with a place (GPS) in its row. It
  plays in browsers as it is, so it has no playback file: players get the
  original through the media route.
- ``hat.mov``: HEVC in QuickTime, which Chromium does not play, with a
  playback file (H.264 MP4, the preview the ingest makes) beside it.
- ``toan-canh.mp4``: a few megabytes of noise (H.264, no sound), too big for a
  player to fetch at once: a seek to its middle must be a new Range request.

The photos are ingested through the real command line. The clips are real
(PyAV, tests/clips.py) and their files are stored as the ingest stores them,
but their rows are written through the catalog writer with the agreed
columns (contracts.md), so these tests do not wait on the video ingest; the
poster is a real frame of the clip made into the same 320/1280 JPEGs.
"""

from __future__ import annotations

import hashlib
import io
import os
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import av
from PIL import Image

from archive.records import PhotoFacts, PhotoMeta, SourceFile
from archive.store import Store
from ingest.thumbs import make_thumbnails
from tests.clips import HANOI, make_clip
from tests.conftest import Archive
from tests.images import make_jpeg

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
CLIP_SECONDS = 6.0
CLIP_SIZE = (640, 360)


@dataclass
class VideoArchive:
    root: Path
    ids: dict[str, int] = field(default_factory=dict)  # original file name -> id
    event_id: int = 0

    @property
    def catalog(self) -> Path:
        return self.root / "catalog.db"

    def id(self, name: str) -> int:
        return self.ids[name]


def build(root: Path, work: Path) -> VideoArchive:
    """The photos through `archive ingest`, then the two clips through the writer."""
    folder = work / "le-chao-co"
    folder.mkdir(parents=True)
    (folder / "event.yml").write_text(EVENT_YML, encoding="utf-8")
    lines = ["file,caption"]
    for n, (name, (time, caption)) in enumerate(PHOTOS.items()):
        make_jpeg(
            folder / name, size=(640, 480), color=(60 * n, 120, 200), taken=f"2024:09:05 {time}"
        )
        lines.append(f'{name},"{caption}"')
    (folder / "captions.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    archive = Archive(root)
    report = archive.ingest(str(folder))
    assert report["failed"] == 0, report["problems"]
    built = VideoArchive(root)
    built.event_id = archive.rows("SELECT id FROM events WHERE slug = ?", (EVENT_SLUG,))[0]["id"]
    clips = work / "clips"
    clips.mkdir()
    flag = make_clip(clips / "chao-co.mp4", seconds=CLIP_SECONDS, size=CLIP_SIZE, audio=True).path
    singing = make_clip(clips / "hat.mov", seconds=3, size=(480, 270), codec="libx265").path
    preview = make_clip(clips / "hat-preview.mp4", seconds=3, size=(480, 270)).path
    _add_clip(
        archive,
        built,
        flag,
        taken="2024-09-05T08:30:00+07:00",
        caption="Nghi thức chào cờ",
        gps=HANOI,
        mime="video/mp4",
    )
    _add_clip(
        archive,
        built,
        singing,
        taken="2024-09-05T08:31:00+07:00",
        caption="Học sinh hát Quốc ca",
        mime="video/quicktime",
        playback=preview,
    )
    _add_clip(
        archive,
        built,
        make_busy_clip(clips / "toan-canh.mp4"),
        taken="2024-09-05T08:33:00+07:00",
        caption="Toàn cảnh buổi lễ",
        mime="video/mp4",
    )
    for row in archive.rows("SELECT id, original_name FROM photos"):
        built.ids[row["original_name"]] = row["id"]
    return built


def _add_clip(
    archive: Archive,
    built: VideoArchive,
    path: Path,
    *,
    taken: str,
    caption: str,
    mime: str,
    gps: tuple[float, float, float] | None = None,
    playback: Path | None = None,
) -> None:
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    ext = path.suffix.lstrip(".")
    store = Store(archive.root)
    original = store.original_relpath(sha, ext)
    store.put_file(original, path)
    probe = _probe(path)
    thumbs = make_thumbnails(probe.pop("poster"))
    thumb, preview = store.thumb_relpath(sha, 320), store.thumb_relpath(sha, 1280)
    store.put(thumb, thumbs[320])
    store.put(preview, thumbs[1280])
    played: dict[str, object] = {}
    if playback is not None:
        key = store.playback_relpath(sha, "mp4")
        store.put_file(key, playback)
        seen = _probe(playback)
        played = {
            "playback_path": key,
            "playback_mime": "video/mp4",
            "playback_width": seen["width"],
            "playback_height": seen["height"],
        }
    lat, lon, alt = gps or (None, None, None)
    facts = PhotoFacts(
        sha256=sha,
        ext=ext,
        format="MP4" if ext == "mp4" else "QuickTime",
        mime=mime,
        bytes=len(data),
        original_path=original,
        thumb_path=thumb,
        preview_path=preview,
        media_type="video",
        taken_at=taken,
        taken_at_source="creation_time",
        gps_lat=lat,
        gps_lon=lon,
        gps_alt=alt,
        **probe,
        **played,
    )
    catalog = archive.catalog()
    run = catalog.start_run("test: clips through the writer", None)
    stat = os.stat(path)
    source = SourceFile(str(path), stat.st_size, stat.st_mtime_ns)
    photo_id = catalog.add_photo(facts, source, run)
    meta = PhotoMeta(caption=caption, caption_source="sheet", event="event")
    catalog.apply_meta(photo_id, [(meta, True)], {"event": built.event_id})


def make_busy_clip(path: Path, seconds: int = 4, size: tuple[int, int] = (640, 360)) -> Path:
    """H.264 noise at 10 frames a second: megabytes in a few seconds, nothing to compress."""
    width, height = size
    with av.open(str(path), "w") as out:
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


def _probe(path: Path) -> dict[str, object]:
    """What the container says, and a frame from a third of the way in as the poster."""
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        audio = container.streams.audio[0] if container.streams.audio else None
        seconds = float(container.duration / av.time_base)
        frames = container.decode(video=0)
        frame = next(f for f in frames if f.time is not None and f.time >= seconds / 3)
        buffer = io.BytesIO()
        frame.to_image().save(buffer, "JPEG", quality=90)
        return {
            "width": video.codec_context.width,
            "height": video.codec_context.height,
            "duration": seconds,
            "frame_rate": float(video.average_rate),
            "video_codec": video.codec_context.name,
            "audio_codec": audio.codec_context.name if audio else None,
            "bitrate": container.bit_rate,
            "poster": buffer.getvalue(),
        }
