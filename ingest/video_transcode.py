"""A clip's browser preview: at most 720p, in a codec every browser plays, no metadata.

H.264 video and AAC sound in an MP4 when the bundled FFmpeg can encode them
(the ``av`` wheel has libx264), else VP9 and Opus in a WebM. The picture is
turned upright (the display matrix applied to the pixels, none written), so
every player shows it the same way; no container tag of the original (GPS,
the phone's model) is copied. Frames stream through one at a time, so memory
does not grow with the clip, and the work has a budget in frames and in this
computer's time, so a clip that lies about its length cannot run forever.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
from av.filter import Graph

from archive.i18n import _
from ingest.video_probe import VideoError

MAX_LONG, MAX_SHORT = 1280, 720  # 720p, either way up
CHUNK_SECONDS = 0.5  # how often progress is told
PLAYABLE = {
    "video/mp4": ({"h264"}, {None, "aac", "mp3"}),
    "video/webm": ({"vp8", "vp9", "av1"}, {None, "opus", "vorbis"}),
}


@dataclass(frozen=True)
class Encoders:
    """What this FFmpeg can write for browsers, chosen once."""

    container: str  # "mp4" or "webm"
    mime: str
    video: str
    audio: str


def _can_encode(name: str) -> bool:
    try:
        av.codec.Codec(name, "w")
    except (av.error.FFmpegError, ValueError):
        return False
    return True


def encoders() -> Encoders:
    """H.264/AAC MP4 when the bundled FFmpeg has the encoders, else VP9/Opus WebM."""
    if _can_encode("libx264") and _can_encode("aac"):
        return Encoders("mp4", "video/mp4", "libx264", "aac")
    if _can_encode("libvpx-vp9") and _can_encode("libopus"):
        return Encoders("webm", "video/webm", "libvpx-vp9", "libopus")
    raise VideoError(_("this FFmpeg has no encoder for a browser preview (H.264 or VP9)"))


def fits(width: int, height: int) -> bool:
    return max(width, height) <= MAX_LONG and min(width, height) <= MAX_SHORT


def plays_as_is(mime: str, video: str | None, audio: str | None, w: int, h: int) -> bool:
    """Whether browsers play the original itself at a preview's size (no transcode needed)."""
    codecs = PLAYABLE.get(mime)
    return bool(codecs and video in codecs[0] and audio in codecs[1] and fits(w, h))


def preview_size(width: int, height: int) -> tuple[int, int]:
    """The displayed size fitted into 720p, both sides even (as H.264 and VP9 want)."""
    long_, short = (width, height) if width >= height else (height, width)
    scale = min(1.0, MAX_LONG / long_, MAX_SHORT / short)
    w, h = max(2, round(width * scale / 2) * 2), max(2, round(height * scale / 2) * 2)
    return w, h


def transcode(
    source: Path,
    target: Path,
    *,
    duration: float | None,
    progress: Callable[[float], None] | None = None,
    seconds_per_second: float = 30.0,
) -> tuple[str, int, int]:
    """Write the preview of source at target; its MIME type and size, or VideoError.

    The budget is ``seconds_per_second`` of this computer's time per second
    of clip (at least a minute), and 1.5 times the frames the stated length
    and rate call for: past either the clip is refused, not waited for.
    """
    chosen = encoders()
    rotation = _rotation(source)
    with av.open(str(source), timeout=60.0) as container:
        if not container.streams.video:
            raise VideoError(_("no video stream in the file"))
        vin = container.streams.video[0]
        vin.codec_context.thread_type = "AUTO"
        ain = container.streams.audio[0] if container.streams.audio else None
        length = duration or (container.duration or 0) / av.time_base or 1.0
        rate = float(vin.average_rate or vin.guessed_rate or 30)
        budget = _Budget(max(60.0, seconds_per_second * length), int(1.5 * length * rate) + 250)
        options = {"movflags": "+faststart"} if chosen.container == "mp4" else {}
        with av.open(str(target), "w", format=chosen.container, options=options) as out:
            video = _Video(out, vin, chosen, rate, rotation)
            audio = _Audio(out, ain, chosen) if ain is not None else None
            told = 0.0
            streams = [s for s in (vin, ain) if s is not None]
            for packet in container.demux(streams):
                if packet.stream is vin:
                    for frame in packet.decode():
                        budget.spend()
                        video.push(frame)
                        if progress and frame.time and frame.time - told >= CHUNK_SECONDS:
                            told = frame.time
                            progress(min(1.0, frame.time / length))
                elif audio is not None:
                    for frame in packet.decode():
                        audio.push(frame)
            video.flush()
            if audio is not None:
                audio.flush()
            if not video.frames:
                raise VideoError(_("no decodable video frame"))
    if progress:
        progress(1.0)
    return chosen.mime, video.width, video.height


def _rotation(source: Path) -> int:
    """The display matrix's turn, from the first frame (the encoder's size depends on it)."""
    with av.open(str(source)) as container:
        for frame in container.decode(video=0):
            return frame.rotation % 360 // 90 * 90
    raise VideoError(_("no decodable video frame"))


class _Budget:
    def __init__(self, seconds: float, frames: int) -> None:
        self.deadline, self.frames = time.monotonic() + seconds, frames

    def spend(self) -> None:
        self.frames -= 1
        if self.frames < 0:
            raise VideoError(_("more frames than the clip's stated length: refused"))
        if time.monotonic() > self.deadline:
            raise VideoError(_("the preview took longer than its time budget: refused"))


class _Video:
    """Decoded frames -> upright, scaled, yuv420p -> encoder -> muxer."""

    def __init__(
        self,
        out: av.container.OutputContainer,
        vin: av.video.stream.VideoStream,
        chosen: Encoders,
        rate: float,
        rotation: int,
    ) -> None:
        self.out, self.vin, self.graph, self.rotation = out, vin, None, rotation
        self.stream = out.add_stream(chosen.video, rate=Fraction(rate).limit_denominator(1001))
        self.stream.pix_fmt = "yuv420p"
        stored = (vin.codec_context.width, vin.codec_context.height)
        shown = stored[::-1] if rotation in (90, 270) else stored
        self.width, self.height = preview_size(*shown)
        self.stream.width, self.stream.height = self.width, self.height
        if chosen.video == "libx264":
            self.stream.options = {"preset": "veryfast", "crf": "24", "profile": "high"}
        else:
            self.stream.options = {"crf": "34", "b": "0", "deadline": "realtime", "cpu-used": "8"}
        self.stream.codec_context.time_base = vin.time_base
        self.frames = 0

    def _build(self) -> None:
        rotation = self.rotation
        graph = Graph()
        chain = [graph.add_buffer(template=self.vin, time_base=self.vin.time_base)]
        turn = {90: [("transpose", "cclock")], 270: [("transpose", "clock")]}
        turn[180] = [("hflip", ""), ("vflip", "")]
        for name, args in turn.get(rotation, []):
            chain.append(graph.add(name, args))
        chain.append(graph.add("scale", f"{self.width}:{self.height}"))
        chain.append(graph.add("format", "yuv420p"))
        chain.append(graph.add("buffersink"))
        for left, right in zip(chain, chain[1:], strict=False):
            left.link_to(right)
        graph.configure()
        self.graph = graph

    def push(self, frame: av.VideoFrame) -> None:
        if self.graph is None:
            self._build()
        self.graph.push(frame)
        self._drain()

    def _drain(self) -> None:
        while True:
            try:
                done = self.graph.pull()
            except (av.error.BlockingIOError, av.error.EOFError):
                return
            done.pict_type = av.video.frame.PictureType.NONE
            self.frames += 1
            self.out.mux(self.stream.encode(done))

    def flush(self) -> None:
        if self.graph is not None:
            self.graph.push(None)
            self._drain()
            self.out.mux(self.stream.encode(None))


class _Audio:
    """Decoded sound -> the preview's codec (PyAV resamples to what the encoder takes)."""

    def __init__(
        self, out: av.container.OutputContainer, ain: av.audio.stream.AudioStream, chosen: Encoders
    ) -> None:
        rate = 48000 if chosen.audio == "libopus" else (ain.codec_context.sample_rate or 48000)
        self.out = out
        self.stream = out.add_stream(chosen.audio, rate=rate)
        channels = ain.codec_context.channels or 2
        self.stream.layout = "mono" if channels == 1 else "stereo"
        self.stream.bit_rate = 128_000
        self.resampler = av.AudioResampler(
            format=self.stream.format.name if self.stream.format else "fltp",
            layout=self.stream.layout,
            rate=rate,
        )

    def push(self, frame: av.AudioFrame) -> None:
        frame.pts = None
        for part in self.resampler.resample(frame):
            self.out.mux(self.stream.encode(part))

    def flush(self) -> None:
        for part in self.resampler.resample(None):
            self.out.mux(self.stream.encode(part))
        self.out.mux(self.stream.encode(None))


def copy_without_tags(source: Path, target: Path, *, seconds: float = 600.0) -> None:
    """The original's streams, packet for packet, in a new MP4 that carries none of its tags.

    For a clip browsers already play but that holds a place (GPS) or other
    container tags: nothing is decoded or re-encoded, so it costs a copy; the
    display matrix travels with the stream's parameters, as players expect it.
    """
    deadline = time.monotonic() + seconds
    with av.open(str(source), timeout=60.0) as container:
        kept = [s for s in container.streams if s.type in ("video", "audio")]
        with av.open(str(target), "w", format="mp4", options={"movflags": "+faststart"}) as out:
            copies = {s.index: out.add_stream_from_template(s) for s in kept}
            for packet in container.demux(kept):
                if packet.dts is None:
                    continue  # the demuxer's end-of-stream marker
                packet.stream = copies[packet.stream.index]
                out.mux(packet)
                if time.monotonic() > deadline:
                    raise VideoError(_("the preview took longer than its time budget: refused"))
