"""Where metadata sits inside a photo file: JPEG header segments and XMP packets.

exifread's own search reads only a few KB past an earlier segment and so
misses EXIF placed after a large ICC profile; walking the segments ourselves
finds it wherever it is.
"""

from __future__ import annotations

from collections.abc import Iterator

JPEG_START = b"\xff\xd8"
XMP_APP1 = b"http://ns.adobe.com/xap/1.0/\x00"


def jpeg_segments(data: bytes) -> Iterator[tuple[int, bytes]]:
    """(marker, payload) of each header segment; stops at the image data or at garbage."""
    pos, end = 2, len(data)
    while pos + 4 <= end and data[pos] == 0xFF:
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte before a marker
            pos += 1
            continue
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        if marker in (0xDA, 0xD9) or length < 2:  # start of scan, end of image, nonsense
            return
        yield marker, data[pos + 4 : pos + 2 + length]
        pos += 2 + length


def find_xmp(data: bytes) -> bytes | None:
    """The XMP element alone: packets come padded, NUL-terminated, in any container box."""
    for start_tag, end_tag in ((b"<x:xmpmeta", b"</x:xmpmeta>"), (b"<rdf:RDF", b"</rdf:RDF>")):
        start = data.find(start_tag)
        stop = data.find(end_tag, start) if start >= 0 else -1
        if stop > 0:
            return data[start : stop + len(end_tag)]
    return None
