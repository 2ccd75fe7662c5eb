"""Which files are clips: by their name, or by their first bytes whatever their name.

Kept apart from :mod:`ingest.video_probe` so that walking folders
(:mod:`ingest.sources`) needs no FFmpeg.
"""

from __future__ import annotations

from pathlib import Path

VIDEO_SUFFIXES = frozenset({".mp4", ".m4v", ".mov", ".3gp", ".3g2", ".avi", ".mkv", ".webm"})
_MP4_BRANDS = (b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V ")
_VIDEO_BRANDS = (*_MP4_BRANDS, b"qt  ", b"3gp4", b"3gp5", b"3gp6", b"3g2a", b"MSNV", b"XAVC")


def looks_like_video(head: bytes) -> bool:
    """Whether a file's first bytes are those of a video container (a clip misnamed)."""
    if head[4:8] == b"ftyp":
        return head[8:12] in _VIDEO_BRANDS
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return True
    return head[:4] == b"\x1a\x45\xdf\xa3"  # EBML: Matroska and WebM


def is_clip(path: Path) -> bool:
    """A clip by its name, or by its first bytes whatever it is named."""
    if path.suffix.casefold() in VIDEO_SUFFIXES:
        return True
    try:
        with open(path, "rb") as handle:
            return looks_like_video(handle.read(12))
    except OSError:
        return False
