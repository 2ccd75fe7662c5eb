"""Open a clip with PyAV and read what the catalog records, plus a poster frame.

Everything here is bounded: the container is opened with FFmpeg's probe
limits, the poster search decodes at most :data:`POSTER_FRAMES` frames, at
most :data:`POSTER_SECONDS` of the clip and :data:`WALL_SECONDS` of this
computer's time, and the end of the clip is found by one seek, not by
decoding it all. A damaged clip raises :class:`VideoError` with a reason a
clerk can act on (cut short, empty, sound only, no picture), never a hang.

The size recorded is the size shown: phones store portrait clips sideways
with a display matrix saying how to turn them, so a quarter turn swaps width
and height, and the poster is turned upright the same way.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import av
from PIL import Image, ImageStat

from archive.errors import FileFailed
from archive.i18n import _, number
from ingest.video_kinds import VIDEO_SUFFIXES as VIDEO_SUFFIXES
from ingest.video_kinds import is_clip as is_clip
from ingest.video_meta import ClipMeta, read_meta

POSTER_SECONDS = 5.0  # look this far into the clip for a frame that is not black
POSTER_FRAMES = 150
WALL_SECONDS = 20.0  # the most this computer spends looking for the poster
NEAR_BLACK = 40.0  # mean luma (0-255) under which a frame is a covered lens, a fade
LIE_SECONDS = 2.0  # a container's duration may differ from its last frame by this much
PROBE_OPTIONS = {"probesize": str(32 << 20), "analyzeduration": str(10_000_000)}

# Container, as (format we report, store extension, MIME type), by FFmpeg's name or brand.
_QUICKTIME = ("QuickTime", "mov", "video/quicktime")
_MP4 = ("MP4", "mp4", "video/mp4")
_3GP = ("3GP", "3gp", "video/3gpp")
_FORMATS = {
    "avi": ("AVI", "avi", "video/x-msvideo"),
    "matroska": ("Matroska", "mkv", "video/x-matroska"),
    "webm": ("WebM", "webm", "video/webm"),
}


class VideoError(FileFailed):
    """A clip we cannot archive; str() is one line for the run report."""


@dataclass
class ClipInfo:
    """What the catalog records about a clip, and its poster (upright RGB)."""

    format: str
    ext: str
    mime: str
    width: int  # as displayed: the display matrix applied
    height: int
    rotation: int  # counter-clockwise quarter turns, in degrees (0, 90, 180, 270)
    duration: float | None
    frame_rate: float | None
    video_codec: str
    audio_codec: str | None
    bitrate: int | None
    pix_fmt: str | None
    meta: ClipMeta
    poster: Image.Image
    tags: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def probe_clip(path: Path) -> ClipInfo:
    """Read a clip's facts and its poster; VideoError says why a clip cannot be archived."""
    size = os.path.getsize(path)
    if size == 0:
        raise VideoError(_("empty file (0 bytes)"))
    try:
        container = av.open(str(path), options=PROBE_OPTIONS, timeout=WALL_SECONDS)
    except av.error.FFmpegError as error:
        raise VideoError(_damage(path, size) or _unreadable(error)) from None
    with container:
        return _read(path, container)


def _read(path: Path, container: av.container.InputContainer) -> ClipInfo:
    if not container.streams.video:
        if container.streams.audio:
            codec = container.streams.audio[0].codec_context.name
            raise VideoError(_("no picture: sound only ({codec})").format(codec=codec))
        raise VideoError(_("no video stream in the file"))
    stream = container.streams.video[0]
    stream.codec_context.thread_type = "AUTO"
    audio = container.streams.audio[0].codec_context.name if container.streams.audio else None
    tags = {**dict(stream.metadata), **dict(container.metadata)}
    fmt, ext, mime = _container_kind(path, container)
    frame, rotation = _poster_frame(container, stream)
    poster = _upright(frame.to_image(), rotation)
    declared = container.duration / av.time_base if container.duration else None
    info = ClipInfo(
        format=fmt,
        ext=ext,
        mime=mime,
        width=poster.width,
        height=poster.height,
        rotation=rotation,
        duration=declared,
        frame_rate=_rate(stream),
        video_codec=stream.codec_context.name,
        audio_codec=audio,
        bitrate=container.bit_rate or None,
        pix_fmt=stream.codec_context.pix_fmt,
        meta=read_meta(tags),
        poster=poster,
        tags={key: str(value) for key, value in sorted(tags.items())},
    )
    info.warnings.extend(info.meta.notes)
    _check_duration(container, stream, info)
    return info


def _container_kind(path: Path, container: av.container.InputContainer) -> tuple[str, str, str]:
    name = container.format.name
    if name.startswith("mov"):
        brand = container.metadata.get("major_brand", "").encode()[:4].ljust(4)
        if brand == b"qt  ":
            return _QUICKTIME
        if brand.startswith(b"3g"):
            return _3GP
        return _MP4
    if name.startswith("matroska"):
        return _FORMATS["webm" if path.suffix.casefold() == ".webm" else "matroska"]
    if name in _FORMATS:
        return _FORMATS[name]
    raise VideoError(_("unsupported video container {format}").format(format=name))


def _rate(stream: av.video.stream.VideoStream) -> float | None:
    rate = stream.average_rate or stream.guessed_rate
    return round(float(rate), 3) if rate else None


def _luma(frame: av.VideoFrame) -> float:
    """Mean brightness of a frame, measured on a 32 px copy (cheap at any size)."""
    small = frame.reformat(width=32, height=32, format="gray")
    return ImageStat.Stat(small.to_image()).mean[0]


def _poster_frame(
    container: av.container.InputContainer, stream: av.video.stream.VideoStream
) -> tuple[av.VideoFrame, int]:
    """The first frame that is not near black, within the budget; else the brightest seen."""
    started = time.monotonic()
    best: tuple[float, av.VideoFrame] | None = None
    decoded = 0
    try:
        for frame in container.decode(stream):
            decoded += 1
            brightness = _luma(frame)
            if best is None or brightness > best[0]:
                best = (brightness, frame)
            if brightness >= NEAR_BLACK:
                break
            past = frame.time is not None and frame.time - (_start(stream) or 0) > POSTER_SECONDS
            if past or decoded >= POSTER_FRAMES or time.monotonic() - started > WALL_SECONDS:
                break
    except av.error.FFmpegError as error:
        if best is None:
            detail = getattr(error, "strerror", None) or str(error)
            raise VideoError(
                _("no decodable video frame ({detail})").format(detail=detail)
            ) from None
    if best is None:
        raise VideoError(_("no decodable video frame"))
    return best[1], best[1].rotation % 360 // 90 * 90


def _start(stream: av.video.stream.VideoStream) -> float | None:
    if stream.start_time is None or stream.time_base is None:
        return None
    return float(stream.start_time * stream.time_base)


def _upright(im: Image.Image, rotation: int) -> Image.Image:
    """Turn the stored picture as the display matrix says (counter-clockwise degrees)."""
    turns = {
        90: Image.Transpose.ROTATE_90,
        180: Image.Transpose.ROTATE_180,
        270: Image.Transpose.ROTATE_270,
    }
    return im.transpose(turns[rotation]) if rotation in turns else im


def _check_duration(
    container: av.container.InputContainer, stream: av.video.stream.VideoStream, info: ClipInfo
) -> None:
    """Believe the last frame's time, not the header, when the two disagree (a lying header)."""
    end = _last_time(container, stream, info.duration)
    if end is None:
        return
    if info.duration is None or abs(info.duration - end) > max(LIE_SECONDS, 0.1 * end):
        if info.duration is not None:
            info.warnings.append(
                _("the container says {said} s but its frames end at {end} s").format(
                    said=number(info.duration, 1), end=number(end, 1)
                )
            )
        info.duration = round(end, 3)


def _last_time(
    container: av.container.InputContainer, stream: av.video.stream.VideoStream, said: float | None
) -> float | None:
    """When the clip's last packet ends: a seek towards the end, then packets up to it.

    Some containers (Matroska) give nothing after a seek past their real end,
    so a header that claims too much is answered by seeking at half of it,
    a quarter, and so on until packets come. Packets are read, not decoded,
    and for at most :data:`WALL_SECONDS`.
    """
    if stream.time_base is None:
        return None
    start = _start(stream) or 0.0
    targets = [2**61] + [int(said * 0.5**k / stream.time_base) for k in range(16) if said]
    started = time.monotonic()
    for target in targets:
        try:
            container.seek(target, backward=True, any_frame=True, stream=stream)
        except av.error.FFmpegError:
            continue
        end = None
        try:
            for packet in container.demux(stream):
                if packet.pts is not None:
                    stop = float((packet.pts + (packet.duration or 0)) * stream.time_base)
                    end = stop if end is None else max(end, stop)
                if time.monotonic() - started > WALL_SECONDS:
                    break
        except av.error.FFmpegError:
            pass
        if end is not None:
            return max(0.0, end - start)
    return None


def _unreadable(error: Exception) -> str:
    detail = getattr(error, "strerror", None) or str(error)
    return _("not a readable video ({detail})").format(detail=detail)


def _damage(path: Path, size: int) -> str | None:
    """Why an MP4/QuickTime file will not open, from its box headers: cut short, no index."""
    boxes: list[bytes] = []
    with open(path, "rb") as handle:
        if handle.read(12)[4:8] != b"ftyp":
            return None
        offset = 0
        while offset < size:
            handle.seek(offset)
            header = handle.read(16)
            if len(header) < 8:
                break
            length, kind = int.from_bytes(header[:4], "big"), header[4:8]
            if length == 1 and len(header) == 16:
                length = int.from_bytes(header[8:16], "big")
            elif length == 0:
                length = size - offset
            if length < 8:
                break
            boxes.append(kind)
            if offset + length > size:
                return _(
                    "cut short: {box} box needs {need} bytes, the file ends after {have}"
                ).format(box=kind.decode("latin-1"), need=length, have=size - offset)
            offset += length
    if b"moov" not in boxes:
        return _("cut short or damaged: no index (moov box) in the file")
    return None
