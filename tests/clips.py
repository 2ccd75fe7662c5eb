"""Real short video clips for the tests, made with PyAV (FFmpeg's libraries, from PyPI).

No clip is committed: each test makes the few seconds it needs, the way a
phone would have written them (H.264 in MP4, a display matrix instead of
rotated pixels, the time and place in the container's metadata), plus the
damaged ones a ward's folder may hold (a copy cut short, an empty file, a
voice memo named ``.mp4``).

What the ``av`` wheel used here can encode (``av.codec.Codec(name, "w")``,
PyAV 18.1 with FFmpeg 8.1): video ``libx264`` (also as ``h264``), ``libx265``
(``hevc``), ``libvpx-vp9``, ``libvpx``, ``libsvtav1``, ``mpeg4``, ``mjpeg``;
audio ``aac``, ``libopus``, ``libmp3lame``, ``pcm_s16le``. Not there:
``libopenh264``, ``libaom-av1``, ``libvorbis``. So a phone's H.264 and
H.265 clips can both be made here, and the archive's browser preview can be
H.264/AAC MP4; the VP9/Opus WebM fallback is there too.

The picture is a gradient with a bright square moving across it, so each
frame differs (an encoder has something to encode, a poster has something to
show) and its orientation can be told from its pixels: the square starts at
the top-left of the picture as stored, and the top band is red.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
from PIL import Image, ImageDraw

# The place and time the fixtures write, read back by the tests.
HANOI_ISO6709 = "+21.0285+105.8542+012.000/"
HANOI = (21.0285, 105.8542, 12.0)
CREATION_TIME = "2024-09-05T01:30:00.000000Z"  # 08:30 in Hà Nội (UTC+7)
APPLE_CREATIONDATE = "2024-09-05T08:30:00+0700"


@dataclass(frozen=True)
class Clip:
    """What a fixture clip was made with, for the test to compare against."""

    path: Path
    width: int  # as a player shows it (the display matrix applied)
    height: int
    seconds: float
    rate: int
    rotation: int = 0  # counter-clockwise degrees in the display matrix

    @property
    def stored(self) -> tuple[int, int]:
        """Width and height of the pixels in the file: swapped for a quarter turn."""
        if self.rotation % 180:
            return self.height, self.width
        return self.width, self.height


def picture(
    width: int, height: int, index: int, frames: int, background: Image.Image | None = None
) -> Image.Image:
    """One RGB frame: grey gradient, red top band, a white square moving left to right.

    ``background`` replaces the gradient: a clip of another scene, which the
    near-duplicate grouping must not take for the same moment as the others.
    """
    if background is None:
        ramp = Image.linear_gradient("L").resize((width, height))
        im = Image.merge("RGB", (ramp, ramp, ramp)).point(lambda v: 40 + v * 160 // 255)
    else:
        im = background.copy()
    draw = ImageDraw.Draw(im)
    draw.rectangle((0, 0, width, max(2, height // 8)), fill=(220, 30, 30))
    side = max(4, min(width, height) // 6)
    left = (width - side) * index // max(1, frames - 1)
    top = height // 8 + 2
    draw.rectangle((left, top, left + side, top + side), fill=(255, 255, 255))
    return im


def make_clip(
    path: Path,
    *,
    seconds: float = 2.0,
    size: tuple[int, int] = (320, 240),
    rate: int = 25,
    codec: str = "libx264",
    rotation: int = 0,
    audio: bool = False,
    black_seconds: float = 0.0,
    metadata: dict[str, str] | None = None,
    apple: bool = False,
    grain: float = 0.0,
    scene: int | None = None,
) -> Clip:
    """Write a clip at path; the container follows the suffix (.mp4, .mov, .mkv, .webm).

    ``size`` is the picture as seen. ``rotation`` goes into the display matrix
    as a phone writes it: the pixels are stored turned the other way (as the
    sensor gave them), so only a reader that applies the matrix sees the red
    band at the top. ``black_seconds`` opens the clip with black
    frames, as a clip that starts with the lens covered. ``metadata`` becomes
    container tags (``creation_time``, ``location``, ...); ``apple`` writes
    them as QuickTime ``mdta`` keys, the way an iPhone names them. ``grain``
    (0-1) mixes in sensor noise, for a clip as costly to decode as a phone's
    (the benchmark's); the tests leave it out. ``scene`` draws the frames over
    tests/scenes.py's scene of that seed instead of the grey gradient.
    """
    width, height = size
    frames = max(1, round(seconds * rate))
    stored = (height, width) if rotation % 180 else (width, height)
    sideways = {
        90: Image.Transpose.ROTATE_270,
        180: Image.Transpose.ROTATE_180,
        270: Image.Transpose.ROTATE_90,
    }.get(rotation % 360)
    options = {"movflags": "use_metadata_tags"} if apple else {}
    with av.open(str(path), "w", options=options) as out:
        for key, value in (metadata or {}).items():
            out.metadata[key] = value
        video = out.add_stream(codec, rate=rate)
        video.width, video.height = stored
        video.pix_fmt = "yuv420p"
        if codec in ("libx264", "libx265"):
            video.options = {"preset": "ultrafast"}
        if codec == "libx265":
            video.options = {"preset": "ultrafast", "x265-params": "log-level=error"}
        if rotation:
            video.set_display_rotation(rotation)
        sound = _audio_stream(out, path.suffix) if audio else None
        black = round(black_seconds * rate)
        noise = [
            Image.effect_noise((width, height), 60).convert("RGB") for _ in range(4 if grain else 0)
        ]
        background = None
        if scene is not None:
            from tests.scenes import draw_scene

            background = draw_scene(scene, size=(width, height))
        samples = 0
        for index in range(frames):
            if index < black:
                rgb = Image.new("RGB", stored)
            else:
                rgb = picture(width, height, index, frames, background)
                if grain:
                    rgb = Image.blend(rgb, noise[index % len(noise)], grain)
                if sideways is not None:
                    rgb = rgb.transpose(sideways)
            frame = av.VideoFrame.from_image(rgb)
            frame.pts = index
            frame.time_base = Fraction(1, rate)
            out.mux(video.encode(frame))
            if sound is not None:
                until = round((index + 1) / rate * sound.rate)
                while samples < until:
                    out.mux(sound.encode(_tone(sound, samples)))
                    samples += sound.frame_size or 1024
        out.mux(video.encode(None))
        if sound is not None:
            out.mux(sound.encode(None))
    return Clip(path, width, height, frames / rate, rate, rotation)


def _audio_stream(out: av.container.OutputContainer, suffix: str) -> av.AudioStream:
    codec = "libopus" if suffix == ".webm" else "aac"
    stream = out.add_stream(codec, rate=48000)
    stream.layout = "mono"
    return stream


def _tone(stream: av.AudioStream, start: int) -> av.AudioFrame:
    """A 440 Hz tone, one encoder frame of it (32-bit float, planar, mono)."""
    count = stream.frame_size or 1024
    wave = [0.2 * math.sin(2 * math.pi * 440 * (start + i) / stream.rate) for i in range(count)]
    frame = av.AudioFrame(format="fltp", layout="mono", samples=count)
    frame.planes[0].update(struct.pack(f"<{count}f", *wave))
    frame.sample_rate = stream.rate
    frame.pts = start
    frame.time_base = Fraction(1, stream.rate)
    return frame


def make_audio_only(path: Path, seconds: float = 1.0) -> Path:
    """A voice memo in an MP4 container: sound, no picture."""
    with av.open(str(path), "w") as out:
        sound = _audio_stream(out, path.suffix)
        samples = 0
        while samples < seconds * sound.rate:
            out.mux(sound.encode(_tone(sound, samples)))
            samples += sound.frame_size or 1024
        out.mux(sound.encode(None))
    return path


def make_truncated(path: Path, *, keep: float = 0.5, **clip: object) -> Path:
    """A clip cut short, as a copy interrupted half-way leaves it (the index is lost)."""
    make_clip(path, **clip)  # type: ignore[arg-type]
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path


def make_lying_duration(path: Path, claims: float = 3600.0, **clip: object) -> Path:
    """A Matroska clip whose header claims ``claims`` seconds; its frames last 2.

    The Segment's Duration element (EBML id 0x4489, an 8-byte float in
    milliseconds) is rewritten in place, as a broken muxer leaves it.
    """
    make_clip(path.with_suffix(".mkv"), **{"seconds": 2.0, **clip})  # type: ignore[arg-type]
    data = bytearray(path.with_suffix(".mkv").read_bytes())
    at = data.find(b"\x44\x89\x88")
    assert at > 0, "no 8-byte Duration element"
    data[at + 3 : at + 11] = struct.pack(">d", claims * 1000)
    path.with_suffix(".mkv").unlink()
    path.write_bytes(bytes(data))
    return path


def make_undecodable(path: Path) -> Path:
    """A whole MP4 whose index is sound but whose frames are zeros: nothing decodes."""
    make_clip(path, seconds=1.0)
    data = bytearray(path.read_bytes())
    at = data.find(b"mdat")
    size = int.from_bytes(data[at - 4 : at], "big")
    data[at + 4 : at - 4 + size] = bytes(size - 8)
    path.write_bytes(bytes(data))
    return path


def make_empty(path: Path) -> Path:
    """A 0-byte file with a video's name (a failed download)."""
    path.write_bytes(b"")
    return path


def located(iso6709: str = HANOI_ISO6709, creation: str = CREATION_TIME) -> dict[str, str]:
    """Container tags of a clip filmed in Hà Nội at a known time, as Android writes them."""
    return {"creation_time": creation, "location": iso6709}


def apple_located() -> dict[str, str]:
    """The same, as an iPhone writes them (QuickTime mdta keys, the zone in the date)."""
    return {
        "creation_time": CREATION_TIME,
        "com.apple.quicktime.location.ISO6709": HANOI_ISO6709,
        "com.apple.quicktime.creationdate": APPLE_CREATIONDATE,
        "com.apple.quicktime.make": "Apple",
        "com.apple.quicktime.model": "iPhone 13",
    }
