"""Fuzz the readers of a photo's own metadata: EXIF, XMP and IPTC, in mutated real files.

Seeds are real files: JPEGs made by tests/images.py with EXIF, GPS, XP*, XMP and IPTC
segments, TIFF/PNG/WebP written by Pillow, and the camera files of ../shared/corpus (their
headers, up to the image data, which no metadata reader should touch). Hypothesis mutates
their bytes, truncates them and splices chunks of one into another.

The contract under test (ingest/exif.py): read_exif never raises; damage becomes warnings,
one line each; the record is typed and its tag table is JSON-safe. No example may hang or
allocate without bound (tests/fuzzing.py).
"""

from __future__ import annotations

import io
import json
import math
import unicodedata
from functools import cache

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from PIL import Image

from ingest.embedded_caption import read_embedded_caption
from ingest.exif import ExifRecord, read_exif
from ingest.segments import find_xmp, jpeg_segments
from tests.conftest import SHARED
from tests.fuzzing import bounded, mutated, one_line
from tests.images import build_exif, iptc_segment, make_jpeg, segment, xmp_segment, xp
from tests.test_vietnamese_ingest import cp1258_as_windows_writes

pytestmark = pytest.mark.fuzz

CAPTION = "Đảng ủy phường 6 học tập Chỉ thị 05-CT/TW"
_HEADER_CAP = 256 * 1024


def _header(data: bytes) -> bytes:
    """A JPEG up to its first scan, plus a little scan data and the end marker."""
    pos = 2
    while pos + 4 <= len(data) and data[pos] == 0xFF and data[pos + 1] != 0xDA:
        pos += 2 + int.from_bytes(data[pos + 2 : pos + 4], "big")
    return data[: min(pos + 64, _HEADER_CAP)] + b"\xff\xd9"


@cache
def _made_seeds() -> tuple[bytes, ...]:
    """Files carrying every metadata block the readers look for."""
    xmp = xmp_segment({"x-default": CAPTION, "vi": "Chi bộ Công an phường"})
    iptc = iptc_segment(CAPTION.encode("utf-8"))
    jpegs = [
        make_jpeg(gps=(10.7769, 106.7009, 12.5), description=CAPTION, xp_title="Tiêu đề"),
        make_jpeg(orientation=6, app_segments=[xmp, iptc]),
        make_jpeg(
            make="Canon",
            model="Canon EOS 40D",
            description="Canon EOS 40D",
            exif={0x9C9C: xp("Ghi chú " * 600)},  # an XPComment too long for exifread's list
            app_segments=[
                iptc_segment(cp1258_as_windows_writes("Lễ chào cờ"), utf8_declared=False)
            ],
        ),
        make_jpeg(taken="0000:00:00 00:00:00", offset="+25:99", icc=b"\x00" * 3000),
        make_jpeg(app_segments=[segment(0xE1, b"Exif\x00\x00II*\x00\x08\x00\x00\x00")]),
    ]
    others = []
    exif = build_exif(gps=(-33.8568, 151.2153, None), description=CAPTION).tobytes()
    for fmt in ("TIFF", "PNG", "WEBP"):
        buf = io.BytesIO()
        Image.new("RGB", (8, 6), (200, 120, 40)).save(buf, fmt, exif=exif)
        others.append(buf.getvalue())
    return tuple([_header(j) for j in jpegs] + others)


@cache
def _corpus_seeds() -> tuple[bytes, ...]:
    folder = SHARED / "corpus" / "exif-samples" / "jpg"
    if not folder.is_dir():  # a clone without ../shared fuzzes the made files alone
        return ()
    files = sorted(p for p in folder.rglob("*") if p.suffix.lower() in {".jpg", ".jpeg"})
    return tuple(_header(p.read_bytes()) for p in files)


def _seeds() -> list[bytes]:
    return [*_made_seeds(), *_corpus_seeds()]


# Deferred, so that collecting the default run (which deselects these) builds no seeds.
MUTATED = st.deferred(lambda: mutated(_seeds()))
SEED = st.deferred(lambda: st.sampled_from(_seeds()))
MADE_SEED = st.deferred(lambda: st.sampled_from(_made_seeds()))


def _check_record(record: ExifRecord) -> None:
    """What the catalog and the JSON export rely on, whatever the bytes were."""
    assert isinstance(record, ExifRecord)
    json.dumps(record.tags, ensure_ascii=False)
    for key, value in record.tags.items():
        assert isinstance(key, str) and isinstance(value, str) and value
        value.encode("utf-8")  # no lone surrogates: SQLite and JSON take it
    for warning in record.warnings:
        one_line(warning, limit=400)
    for name in ("exposure_time", "f_number", "focal_length", "gps_lat", "gps_lon", "gps_alt"):
        number = getattr(record, name)
        assert number is None or (isinstance(number, float) and math.isfinite(number)), name
    assert record.gps_lat is None or -90 <= record.gps_lat <= 90
    assert record.gps_lon is None or -180 <= record.gps_lon <= 180
    assert record.orientation in (None, *range(1, 9))
    assert record.iso is None or 0 < record.iso < 65535
    if record.embedded_caption is not None:
        assert record.embedded_caption_source is not None
        assert unicodedata.is_normalized("NFC", record.embedded_caption)
        record.embedded_caption.encode("utf-8")
    if record.taken_at is not None:
        assert record.taken_at[:4].isdigit() and record.taken_at_source is not None


@given(MUTATED)
@example(b"\xff\xd8" + segment(0xE1, b"Exif\x00\x00MM\x00*\xff\xff\xff\xff"))
@example(b"\xff\xd8\xff\xe1\x00\x00")
@example(b"II*\x00" + b"\xff" * 12)
@example(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 40)
def test_read_exif_never_raises(data: bytes) -> None:
    _check_record(bounded(lambda: read_exif(data)))


@given(SEED, st.integers(0, 2**31))
def test_read_exif_survives_every_truncation(seed: bytes, where: int) -> None:
    """A file cut short anywhere (an interrupted copy from a phone)."""
    data = seed[: where % (len(seed) + 1)]
    _check_record(bounded(lambda: read_exif(data)))


@given(st.binary(max_size=4096) | MUTATED)
def test_segment_walk_ends_and_stays_inside_the_file(data: bytes) -> None:
    segments = bounded(lambda: list(jpeg_segments(data)))
    assert sum(len(payload) + 4 for _, payload in segments) <= len(data)
    xmp = bounded(lambda: find_xmp(data))
    assert xmp is None or xmp in data


_XML_PIECES = st.sampled_from(
    [
        "<x:xmpmeta xmlns:x='adobe:ns:meta/'>",
        "</x:xmpmeta>",
        "<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>",
        "</rdf:RDF>",
        "<rdf:Description xmlns:dc='http://purl.org/dc/elements/1.1/' dc:description='Mô tả'>",
        "<rdf:Description rdf:about=''>",
        "</rdf:Description>",
        "<dc:description>",
        "</dc:description>",
        "<rdf:Alt>",
        "</rdf:Alt>",
        "<rdf:li xml:lang='x-default'>",
        "<rdf:li xml:lang='vi'>",
        "<rdf:li>",
        "</rdf:li>",
        "<![CDATA[ảnh]]>",
        "&amp;",
        "&#x1EA1;",
        "&#0;",
        "&undefined;",
        "<?xpacket begin='\ufeff'?>",
        "<!DOCTYPE x [<!ENTITY a 'aaaaaaaaaa'>]>",
        "<!-- ghi chú -->",
        "<a:b xmlns:a='urn:x'/>",
        "<unbound:tag>",
        CAPTION,
        "IMG_0001",
        " ",
        "\x00",
    ]
)


@given(st.lists(_XML_PIECES | st.text(max_size=8), max_size=40), MADE_SEED)
@example(
    ["<x:xmpmeta xmlns:x='adobe:ns:meta/'>", "<" * 10000, "</x:xmpmeta>"],
    b"\xff\xd8\xff\xd9",
)
def test_xmp_of_any_shape_gives_a_caption_or_a_note(pieces: list[str], jpeg: bytes) -> None:
    """XMP is XML from any editor; whatever it holds, the caption reader answers."""
    packet = "".join(pieces).encode("utf-8", "surrogatepass")
    data = jpeg[:2] + segment(0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + packet[:65000]) + jpeg[2:]
    caption, source, notes = bounded(
        lambda: read_embedded_caption(data, {}, None, find_xmp(packet))
    )
    assert (caption is None) == (source is None)
    for note in notes:
        one_line(note, limit=400)
    _check_record(bounded(lambda: read_exif(data)))


@given(st.binary(max_size=2000), st.booleans())
def test_any_iptc_block_gives_a_caption_or_a_note(block: bytes, declared: bool) -> None:
    """An APP13 of any content: Photoshop resources, IIM datasets, or neither."""
    payloads = [
        b"Photoshop 3.0\x00" + block,
        iptc_segment(block, utf8_declared=declared)[4:],
        b"Photoshop 3.0\x008BIM\x04\x04\x00\x00" + len(block).to_bytes(4, "big") + block,
    ]
    for payload in payloads:
        data = make_jpeg(app_segments=[segment(0xED, payload[:65000])])
        _check_record(bounded(lambda data=data: read_exif(data)))
