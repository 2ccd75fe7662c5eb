"""Real image files for tests, built with Pillow.

Tests that need "a photo from a Samsung phone with GPS and a Vietnamese
caption" build one here instead of shipping binaries: the bytes are a real
JPEG with a real TIFF/EXIF structure (IFD0, ExifIFD, GPS IFD) written by
Pillow's ``Image.Exif``, so every reader (exifread, Pillow, browsers) sees
what it would see in a camera file.

Usage::

    from images import make_jpeg
    data = make_jpeg(None, gps=(-33.8568, 151.2153, -12.5), description="Lễ khai giảng")
    make_jpeg(tmp_path / "a.jpg", orientation=6)   # also writes the file

(``tests/`` is on ``sys.path`` under pytest's default rootdir import mode.)
"""

from __future__ import annotations

import io
from fractions import Fraction
from pathlib import Path
from typing import Any

from PIL import Image, TiffImagePlugin

IFD0, EXIF_IFD, GPS_IFD = None, 0x8769, 0x8825

# Tag numbers used below, named as in the EXIF 2.32 specification.
IMAGE_DESCRIPTION, MAKE, MODEL, ORIENTATION, DATE_TIME = 0x010E, 0x010F, 0x0110, 0x0112, 0x0132
XP_TITLE, XP_COMMENT = 0x9C9B, 0x9C9C
DATE_TIME_ORIGINAL, DATE_TIME_DIGITIZED = 0x9003, 0x9004
OFFSET_TIME, OFFSET_TIME_ORIGINAL, OFFSET_TIME_DIGITIZED = 0x9010, 0x9011, 0x9012
EXPOSURE_TIME, F_NUMBER, ISO, FOCAL_LENGTH, LENS_MODEL = 0x829A, 0x829D, 0x8827, 0x920A, 0xA434


def rational(value: float | Fraction | tuple[int, int]) -> TiffImagePlugin.IFDRational:
    """An EXIF RATIONAL; a (num, den) tuple keeps the exact pair a camera would write."""
    if isinstance(value, tuple):
        return TiffImagePlugin.IFDRational(*value)
    frac = Fraction(value).limit_denominator(10**6)
    return TiffImagePlugin.IFDRational(frac.numerator, frac.denominator)


def dms(value: float) -> tuple[TiffImagePlugin.IFDRational, ...]:
    """Degrees as the (deg, min, sec) rationals GPS IFDs hold; seconds to 1/10000."""
    value = abs(value)
    deg = int(value)
    minutes = int((value - deg) * 60)
    seconds = round(((value - deg) * 60 - minutes) * 60 * 10000)
    return rational((deg, 1)), rational((minutes, 1)), rational((seconds, 10000))


def xp(text: str) -> bytes:
    """Windows Explorer's XP* encoding: UTF-16LE with a terminating NUL."""
    return text.encode("utf-16-le") + b"\x00\x00"


def build_exif(
    *,
    orientation: int | None = None,
    gps: tuple[float, float, float | None] | None = None,
    taken: str | None = "2017:12:22 08:05:12",
    offset: str | None = "+07:00",
    make: str | None = "Samsung",
    model: str | None = "SM-G930F",
    description: str | bytes | None = None,
    xp_title: str | None = None,
    extra: dict[Any, Any] | None = None,
) -> Image.Exif:
    """The Exif object make_jpeg embeds; exposed for tests that write other formats."""
    exif = Image.Exif()
    values: dict[tuple[int | None, int], Any] = {
        (IFD0, MAKE): make,
        (IFD0, MODEL): model,
        (IFD0, ORIENTATION): orientation,
        (IFD0, DATE_TIME): taken,
        (IFD0, XP_TITLE): xp(xp_title) if xp_title is not None else None,
        # Pillow writes str tags as ASCII ('?' for anything else); bytes go through, so a
        # Vietnamese description is stored as UTF-8, as phones and Windows do in practice.
        (IFD0, IMAGE_DESCRIPTION): (
            description.encode("utf-8") if isinstance(description, str) else description
        ),
        (EXIF_IFD, DATE_TIME_ORIGINAL): taken,
        (EXIF_IFD, DATE_TIME_DIGITIZED): taken,
        (EXIF_IFD, OFFSET_TIME_ORIGINAL): offset,
        (EXIF_IFD, OFFSET_TIME_DIGITIZED): offset,
        (EXIF_IFD, OFFSET_TIME): offset,
        (EXIF_IFD, EXPOSURE_TIME): rational((1, 125)),
        (EXIF_IFD, F_NUMBER): rational((17, 10)),
        (EXIF_IFD, ISO): 200,
        (EXIF_IFD, FOCAL_LENGTH): rational((420, 100)),
    }
    for key, value in (extra or {}).items():
        values[key if isinstance(key, tuple) else (IFD0, key)] = value
    for (ifd, tag), value in values.items():
        if value is None:
            continue
        if ifd is None:
            exif[tag] = value
        else:
            exif.get_ifd(ifd)[tag] = value
    if gps is not None:
        _add_gps(exif, *gps)
    return exif


def _add_gps(exif: Image.Exif, lat: float, lon: float, alt: float | None) -> None:
    gps_ifd = exif.get_ifd(GPS_IFD)
    gps_ifd.update(
        {
            0: b"\x02\x03\x00\x00",
            1: "S" if lat < 0 else "N",
            2: dms(lat),
            3: "W" if lon < 0 else "E",
            4: dms(lon),
        }
    )
    if alt is not None:
        gps_ifd[5] = b"\x01" if alt < 0 else b"\x00"
        gps_ifd[6] = rational(abs(alt))


def make_jpeg(
    path: str | Path | None = None,
    size: tuple[int, int] = (64, 48),
    *,
    exif: dict[Any, Any] | None = None,
    orientation: int | None = None,
    gps: tuple[float, float, float | None] | None = None,
    taken: str | None = "2017:12:22 08:05:12",
    offset: str | None = "+07:00",
    make: str | None = "Samsung",
    model: str | None = "SM-G930F",
    description: str | bytes | None = None,
    xp_title: str | None = None,
    icc: bytes | None = None,
    color: tuple[int, int, int] = (200, 120, 40),
    quality: int = 92,
    app_segments: list[bytes] | None = None,
) -> bytes:
    """A real JPEG with real EXIF; writes it to ``path`` too when one is given.

    Every keyword set to None leaves that tag out. ``exif`` adds or overrides
    tags: ``{tag: value}`` for IFD0, ``{(0x8769, tag): value}`` for the Exif
    IFD. ``gps`` is (lat, lon, alt) in signed decimal degrees/metres, written
    as the N/S, E/W refs and DMS rationals a phone writes. ``app_segments`` are
    complete marker segments (e.g. XMP APP1, IPTC APP13) inserted after SOI.
    """
    tags = build_exif(
        orientation=orientation,
        gps=gps,
        taken=taken,
        offset=offset,
        make=make,
        model=model,
        description=description,
        xp_title=xp_title,
        extra=exif,
    )
    buf = io.BytesIO()
    save: dict[str, Any] = {"quality": quality, "exif": tags.tobytes()}
    if icc is not None:
        save["icc_profile"] = icc
    Image.new("RGB", size, color).save(buf, "JPEG", **save)
    data = buf.getvalue()
    if app_segments:
        data = data[:2] + b"".join(app_segments) + data[2:]
    if path is not None:
        Path(path).write_bytes(data)
    return data


def segment(marker: int, payload: bytes) -> bytes:
    """One JPEG marker segment (length counts itself, not the marker)."""
    return bytes([0xFF, marker]) + (len(payload) + 2).to_bytes(2, "big") + payload


def xmp_segment(description: dict[str, str] | None = None, extra_rdf: str = "") -> bytes:
    """An XMP APP1 whose dc:description holds one rdf:li per language given."""
    items = "".join(
        f'<rdf:li xml:lang="{lang}">{text}</rdf:li>' for lang, text in (description or {}).items()
    )
    desc = f"<dc:description><rdf:Alt>{items}</rdf:Alt></dc:description>" if items else ""
    packet = (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"{desc}{extra_rdf}</rdf:Description></rdf:RDF></x:xmpmeta>"
        '<?xpacket end="w"?>'
    )
    return segment(0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + packet.encode("utf-8"))


def iptc_segment(
    caption: bytes | None,
    *,
    utf8_declared: bool = True,
    datasets: tuple[tuple[int, bytes], ...] = (),
) -> bytes:
    """A Photoshop APP13 carrying an IPTC IIM block with Caption-Abstract (2:120).

    ``datasets`` adds record-2 datasets by number, in order (80 By-line, 110 Credit);
    a number given twice repeats, as several photographers are written.
    """

    def dataset(record: int, number: int, value: bytes) -> bytes:
        return bytes([0x1C, record, number]) + len(value).to_bytes(2, "big") + value

    iim = dataset(1, 90, b"\x1b%G") if utf8_declared else b""
    iim += dataset(2, 0, b"\x00\x04")
    iim += b"".join(dataset(2, number, value) for number, value in datasets)
    iim += dataset(2, 120, caption) if caption is not None else b""
    iim += b"\x00" * (len(iim) % 2)
    resource = b"8BIM" + (0x0404).to_bytes(2, "big") + b"\x00\x00" + len(iim).to_bytes(4, "big")
    return segment(0xED, b"Photoshop 3.0\x00" + resource + iim)
