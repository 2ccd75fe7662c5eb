"""Read a photo file once, in chunks: its SHA-256, and the bytes its metadata lives in.

A worker never holds a whole JPEG: the hash is fed chunk by chunk, and only
the header (every segment before the compressed image data, where EXIF, XMP,
IPTC and the ICC profile sit) is kept for the metadata readers. The pixels
are decoded later from the file itself, streaming, so a 100 MP panorama costs
a worker what a 12 MP photo costs. Other formats (HEIC, PNG, TIFF, WebP) keep
their metadata wherever the container puts it, so they are kept whole; they
are the rare case, and Pillow decodes them whole anyway.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from ingest.segments import JPEG_START

CHUNK = 1 << 20
HEADER_LIMIT = 16 << 20  # a JPEG whose segments run on past this is read for what is there


@dataclass(frozen=True)
class Read:
    sha256: str
    size: int
    head: bytes  # the JPEG header, or the whole file for other formats


def read_photo(path: Path) -> Read:
    """Hash the file while reading it, keeping what :func:`ingest.exif.read_exif` needs."""
    digest = hashlib.sha256()
    kept: list[bytes] = []
    kept_size, keeping, size = 0, True, 0
    with open(path, "rb", buffering=0) as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            if keeping:
                kept.append(chunk)
                kept_size += len(chunk)
                head = b"".join(kept) if len(kept) > 1 else chunk
                if head.startswith(JPEG_START) and (
                    kept_size >= HEADER_LIMIT or header_end(head) is not None
                ):
                    keeping, kept = False, [head]
    return Read(digest.hexdigest(), size, b"".join(kept))


def header_end(data: bytes) -> int | None:
    """Where a JPEG's header ends (past its start-of-scan segment), None if not in data."""
    pos, end = 2, len(data)
    while pos + 4 <= end and data[pos] == 0xFF:
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte before a marker
            pos += 1
            continue
        if marker == 0xD9:  # end of image before any scan: the file is all header
            return pos + 2
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        if marker == 0xDA:
            return pos + 2 + length if pos + 2 + length <= end else None
        if length < 2:  # nonsense: what readers make of it, they make of what is here
            return pos
        pos += 2 + length
    return pos if pos + 4 <= end else None


def unchanged_since(path: Path, size: int, mtime_ns: int) -> bool:
    """The file still has the size and mtime it had before it was hashed.

    The original is copied into the store by name after it was hashed; a file
    rewritten in between would be stored under another content's hash.
    """
    now = os.stat(path)
    return (now.st_size, now.st_mtime_ns) == (size, mtime_ns)
