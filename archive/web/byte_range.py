"""HTTP ``Range: bytes=…`` requests (RFC 9110 §14) turned into one span of a file.

A video player seeks by asking for the bytes it needs, so the media route must
answer a range with 206 and exactly those bytes. Only what players send is
honoured: one range (``a-b``, ``a-`` or ``-n``). A header this module cannot
read, or several ranges, is ignored and the whole file is sent with 200, which
the RFC allows; a range that starts past the end is *unsatisfiable* (416).
Kept apart from the route so any store (a folder, a bucket) answers alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ONE_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Span:
    """The bytes to send: ``length`` bytes from ``start`` of a file of ``size`` bytes."""

    start: int
    length: int
    size: int

    @property
    def end(self) -> int:
        """The last byte's offset (inclusive), as Content-Range writes it."""
        return self.start + self.length - 1

    @property
    def content_range(self) -> str:
        return f"bytes {self.start}-{self.end}/{self.size}"


class Unsatisfiable(ValueError):
    """The range names no byte of the file: answer 416 with ``bytes */size``."""

    def __init__(self, size: int) -> None:
        super().__init__(f"no byte of {size} in the requested range")
        self.content_range = f"bytes */{size}"


def requested_span(header: str | None, size: int) -> Span | None:
    """The span a Range header asks of a file of ``size`` bytes; None means the whole file.

    Raises Unsatisfiable when the header is well formed but no byte of the
    file lies in it (a start at or past the end, a suffix of 0 bytes).
    """
    if not header:
        return None
    match = _ONE_RANGE.match(header)
    if match is None:
        return None  # several ranges, another unit, or garbage: send it all
    first, last = match.group(1), match.group(2)
    if not first and not last:
        return None
    if not first:  # "-n": the last n bytes
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise Unsatisfiable(size)
        start = max(size - suffix, 0)
        return Span(start, size - start, size)
    start = int(first)
    if last and int(last) < start:
        return None  # "5-2" is invalid syntax, which the RFC says to ignore
    if start >= size:
        raise Unsatisfiable(size)
    end = min(int(last), size - 1) if last else size - 1
    return Span(start, end - start + 1, size)
