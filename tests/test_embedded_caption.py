"""ingest.embedded_caption, through read_exif: which field wins, and how its text is read.

The captions are read from whole files, as ingest reads them, so the locating of the
XMP packet and the EXIF block in ingest.exif is exercised too.
"""

from __future__ import annotations

import unicodedata

import pytest
from images import XP_COMMENT, iptc_segment, make_jpeg, segment, xmp_segment, xp

from ingest.exif import read_exif

XMP_TEXT = "Đại hội Chi bộ khu phố 3"
IPTC_TEXT = "Hội nghị học tập Chỉ thị 05"
DESC_TEXT = "Lễ khai giảng năm học mới"
TITLE_TEXT = "Uỷ ban nhân dân phường"
XMP_HEADER = b"http://ns.adobe.com/xap/1.0/\x00"


def captioned(sources: set[str]) -> bytes:
    segments = []
    if "xmp" in sources:
        segments.append(xmp_segment({"x-default": XMP_TEXT}))
    if "iptc" in sources:
        segments.append(iptc_segment(IPTC_TEXT.encode("utf-8")))
    return make_jpeg(
        description=DESC_TEXT if "desc" in sources else None,
        xp_title=TITLE_TEXT if "title" in sources else None,
        app_segments=segments,
    )


@pytest.mark.parametrize(
    ("sources", "text", "source"),
    [
        ({"xmp", "iptc", "desc", "title"}, XMP_TEXT, "xmp:dc:description"),
        ({"iptc", "desc", "title"}, IPTC_TEXT, "iptc:Caption-Abstract"),
        ({"desc", "title"}, DESC_TEXT, "exif:ImageDescription"),
        ({"title"}, TITLE_TEXT, "exif:XPTitle"),
    ],
)
def test_caption_precedence(sources: set[str], text: str, source: str) -> None:
    record = read_exif(captioned(sources))
    assert (record.embedded_caption, record.embedded_caption_source) == (text, source)
    assert record.warnings == ()


def test_caption_is_nfc_and_trimmed() -> None:
    nfd = unicodedata.normalize("NFD", f"  {XMP_TEXT}\n ")
    record = read_exif(make_jpeg(app_segments=[xmp_segment({"x-default": nfd})]))
    assert record.embedded_caption == XMP_TEXT
    assert unicodedata.is_normalized("NFC", record.embedded_caption)


def test_xmp_language_choice() -> None:
    both = xmp_segment({"en": "Party cell congress", "vi": XMP_TEXT})
    assert read_exif(make_jpeg(app_segments=[both])).embedded_caption == XMP_TEXT
    default = xmp_segment({"vi": XMP_TEXT, "x-default": "Mặc định"})
    assert read_exif(make_jpeg(app_segments=[default])).embedded_caption == "Mặc định"


@pytest.mark.parametrize("placeholder", ["OLYMPUS DIGITAL CAMERA", "SONY DSC", "   ", "SM-G930F"])
def test_camera_placeholders_are_not_captions(placeholder: str) -> None:
    record = read_exif(make_jpeg(description=placeholder, xp_title=TITLE_TEXT))
    assert (record.embedded_caption, record.embedded_caption_source) == (TITLE_TEXT, "exif:XPTitle")


def test_xp_comment_longer_than_exifread_keeps() -> None:
    """exifread returns no values for BYTE arrays of 1000+ bytes; we read them ourselves."""
    long_text = ("Hội nghị tổng kết công tác năm của Uỷ ban nhân dân phường. " * 12).strip()
    record = read_exif(make_jpeg(exif={XP_COMMENT: xp(long_text)}))
    assert len(xp(long_text)) > 1000
    assert record.embedded_caption == long_text
    assert record.embedded_caption_source == "exif:XPComment"
    assert record.tags["Image XPComment"].startswith("Hội nghị")


def test_legacy_codepage_captions() -> None:
    """Windows-1258 (Vietnamese Windows) bytes: decoded, then composed to NFC."""
    # Windows-1258 has ô, â precomposed and the tones as combining marks (0xF2 dot below...).
    cp1258 = "Ho\u0323p tô\u0309 dân phô\u0301".encode("cp1258")
    record = read_exif(make_jpeg(description=cp1258))
    assert record.embedded_caption == "Họp tổ dân phố"
    record = read_exif(make_jpeg(app_segments=[iptc_segment(cp1258, utf8_declared=False)]))
    assert record.embedded_caption == "Họp tổ dân phố"
    assert any("IPTC" in w for w in record.warnings)


def test_broken_xmp_falls_through_to_the_next_source() -> None:
    broken = segment(0xE1, XMP_HEADER + b"<x:xmpmeta><rdf:RDF></x:xmpmeta>")
    record = read_exif(make_jpeg(description=DESC_TEXT, app_segments=[broken]))
    assert record.embedded_caption_source == "exif:ImageDescription"
    assert any(w.startswith("xmp:dc:description unreadable") for w in record.warnings)
