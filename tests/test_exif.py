"""ingest.exif: typed fields, dates, GPS, and garbage that must not raise."""

from __future__ import annotations

import io
import json
import random
from datetime import datetime
from pathlib import Path

import pytest
from images import (
    DATE_TIME,
    DATE_TIME_DIGITIZED,
    DATE_TIME_ORIGINAL,
    EXIF_IFD,
    EXPOSURE_TIME,
    LENS_MODEL,
    OFFSET_TIME,
    OFFSET_TIME_DIGITIZED,
    OFFSET_TIME_ORIGINAL,
    build_exif,
    make_jpeg,
    rational,
    segment,
)
from PIL import Image

from ingest.exif import ExifRecord, read_exif
from ingest.thumbs import ImageError, make_thumbnails
from tests.conftest import missing_tool

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
SAMPLES = CORPUS / "exif-samples"

DESC_TEXT = "Lễ khai giảng năm học mới"
TITLE_TEXT = "Uỷ ban nhân dân phường"
XMP_HEADER = b"http://ns.adobe.com/xap/1.0/\x00"


def corpus(*parts: str) -> Path:
    path = CORPUS.joinpath(*parts)
    if not path.exists():
        missing_tool(f"corpus not found at {path}")
    return path


def assert_storable(record: ExifRecord) -> None:
    """What the catalog will do with the record: JSON, then UTF-8 into SQLite."""
    assert isinstance(record, ExifRecord)
    json.dumps(record.tags, ensure_ascii=False).encode("utf-8")
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in record.tags.items())
    assert all(isinstance(w, str) and "\n" not in w for w in record.warnings)


# --- typed fields -------------------------------------------------------------


def test_typed_fields_from_a_phone_jpeg() -> None:
    data = make_jpeg(
        orientation=6,
        exif={(EXIF_IFD, LENS_MODEL): "Samsung S7 Rear Camera"},
        make="samsung ",
        model="SM-G930F\x00",
    )
    record = read_exif(data)
    assert record.taken_at == "2017-12-22T08:05:12+07:00"
    assert record.taken_at_source == "DateTimeOriginal"
    assert (record.make, record.model, record.lens) == (
        "samsung",
        "SM-G930F",
        "Samsung S7 Rear Camera",
    )
    assert record.iso == 200
    assert record.exposure == "1/125"
    assert record.exposure_time == pytest.approx(0.008)
    assert record.f_number == pytest.approx(1.7)
    assert record.focal_length == pytest.approx(4.2)
    assert record.orientation == 6
    assert record.gps_lat is None and record.embedded_caption is None
    assert record.warnings == ()
    assert record.tags["Image Model"] == "SM-G930F"
    assert record.tags["EXIF DateTimeOriginal"] == "2017:12:22 08:05:12"
    assert "Image ExifOffset" not in record.tags  # IFD pointers are not photo facts
    assert_storable(record)


@pytest.mark.parametrize(
    ("pair", "expected"),
    [
        ((1, 125), "1/125"),
        ((10, 1250), "1/125"),
        ((1, 3), "1/3"),
        ((8, 10), "0.8s"),
        ((2, 1), "2s"),
    ],
)
def test_exposure_written_as_photographers_do(pair: tuple[int, int], expected: str) -> None:
    record = read_exif(make_jpeg(exif={(EXIF_IFD, EXPOSURE_TIME): rational(pair)}))
    assert record.exposure == expected
    assert record.exposure_time == pytest.approx(pair[0] / pair[1])


@pytest.mark.parametrize("fmt", ["PNG", "WEBP", "TIFF", "HEIF"])
def test_other_containers(fmt: str) -> None:
    """exifread reads PNG and TIFF; WebP and pillow-heif's HEIC come through Pillow's block."""
    exif = build_exif(gps=(-22.9519, -43.2105, -7.25), xp_title=TITLE_TEXT).tobytes()
    buf = io.BytesIO()
    Image.new("RGB", (32, 16), "red").save(buf, fmt, exif=exif)
    record = read_exif(buf.getvalue())
    assert record.taken_at == "2017-12-22T08:05:12+07:00"
    assert (record.make, record.iso, record.exposure) == ("Samsung", 200, "1/125")
    assert (record.gps_lat, record.gps_lon) == (-22.9519, -43.2105)
    assert record.embedded_caption == TITLE_TEXT
    assert record.warnings == ()


def test_exif_after_a_large_icc_segment_is_found() -> None:
    """exifread's own JPEG finder looks only 4 KB past an APP2; our segment walk does not."""
    data = make_jpeg()
    icc_app2 = segment(0xE2, b"ICC_PROFILE\x00\x01\x01" + bytes(60000))
    assert read_exif(data[:2] + icc_app2 + data[2:]).taken_at == "2017-12-22T08:05:12+07:00"


# --- dates --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("offset", "expected"),
    [
        ("+07:00", "2017-12-22T08:05:12+07:00"),
        ("-05:30", "2017-12-22T08:05:12-05:30"),
        ("+0700", "2017-12-22T08:05:12+07:00"),
        (None, "2017-12-22T08:05:12"),
    ],
)
def test_taken_at_carries_its_offset(offset: str | None, expected: str) -> None:
    record = read_exif(make_jpeg(offset=offset))
    assert record.taken_at == expected
    assert record.warnings == ()


def test_junk_offset_is_dropped_with_a_warning() -> None:
    record = read_exif(make_jpeg(offset="  :  "))
    assert record.taken_at == "2017-12-22T08:05:12"
    assert any("OffsetTimeOriginal" in w for w in record.warnings)


def test_date_falls_back_digitized_then_datetime() -> None:
    junk_original = {(EXIF_IFD, DATE_TIME_ORIGINAL): "0000:00:00 00:00:00"}
    record = read_exif(
        make_jpeg(
            exif={
                **junk_original,
                (EXIF_IFD, DATE_TIME_DIGITIZED): "2018:01:02 03:04:05",
                (EXIF_IFD, OFFSET_TIME_DIGITIZED): "+08:00",
            }
        )
    )
    assert (record.taken_at, record.taken_at_source) == (
        "2018-01-02T03:04:05+08:00",
        "DateTimeDigitized",
    )
    assert any("DateTimeOriginal" in w and "0000" in w for w in record.warnings)

    record = read_exif(
        make_jpeg(
            exif={
                **junk_original,
                (EXIF_IFD, DATE_TIME_DIGITIZED): "    :  :     :  :  ",
                DATE_TIME: "2019:05:06 07:08:09",
                (EXIF_IFD, OFFSET_TIME): "+09:00",
            }
        )
    )
    assert (record.taken_at, record.taken_at_source) == ("2019-05-06T07:08:09+09:00", "DateTime")


def test_no_date_at_all_is_none_not_a_guess() -> None:
    record = read_exif(make_jpeg(taken=None, offset=None))
    assert (record.taken_at, record.taken_at_source) == (None, None)


# --- GPS ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "position",
    [
        (21.0285, 105.8542, 12.0),  # Hà Nội
        (-33.8568, 151.2153, 5.5),  # south
        (40.6892, -74.0445, 3.0),  # west
        (-22.9519, -43.2105, -7.25),  # south, west, below sea level
    ],
)
def test_gps_signs(position: tuple[float, float, float]) -> None:
    lat, lon, alt = position
    record = read_exif(make_jpeg(gps=position))
    assert record.gps_lat == pytest.approx(lat, abs=1e-6)
    assert record.gps_lon == pytest.approx(lon, abs=1e-6)
    assert record.gps_alt == pytest.approx(alt, abs=1e-3)


def test_gps_without_a_fix_is_no_position() -> None:
    record = read_exif(make_jpeg(gps=(0.0, 0.0, None)))
    assert (record.gps_lat, record.gps_lon) == (None, None)
    assert any("0,0" in w for w in record.warnings)


# --- garbage never raises -----------------------------------------------------


def exif_app1(tiff: bytes) -> bytes:
    return segment(0xE1, b"Exif\x00\x00" + tiff)


GARBAGE = {
    "empty": b"",
    "text": b"not an image at all",
    "bare SOI": b"\xff\xd8\xff",
    "empty EXIF": b"\xff\xd8" + exif_app1(b""),
    "IFD past the end": b"\xff\xd8" + exif_app1(b"II*\x00\xff\xff\xff\x7f"),
    "65535 entries": b"\xff\xd8" + exif_app1(b"MM\x00*\x00\x00\x00\x08\xff\xff" + b"\x01" * 64),
    "huge ASCII count": b"\xff\xd8"
    + exif_app1(b"II*\x00\x08\x00\x00\x00\x01\x00\x0e\x01\x02\x00\xff\xff\xff\x0f"),
    "XML entity": b"\xff\xd8" + segment(0xE1, XMP_HEADER + b"<x:xmpmeta>&bomb;</x:xmpmeta>"),
    "PNG header only": b"\x89PNG\r\n\x1a\n" + b"\x00" * 40,
    "WebP header only": b"RIFF\x00\x00\x00\x00WEBPVP8X" + b"\xff" * 20,
    "HEIF header only": b"\x00\x00\x00\x18ftypheic" + b"\x00" * 40,
}


@pytest.mark.parametrize("data", GARBAGE.values(), ids=GARBAGE.keys())
def test_garbage_never_raises(data: bytes) -> None:
    assert_storable(read_exif(data))


def test_damaged_exif_blocks_never_raise() -> None:
    """Flip bytes inside a real EXIF block, many times, with a fixed seed (reproducible)."""
    original = make_jpeg(
        gps=(21.0285, 105.8542, 12.0), description=DESC_TEXT, xp_title=TITLE_TEXT, orientation=3
    )
    start = original.index(b"Exif\x00\x00") + 6
    end = start + int.from_bytes(original[start - 8 : start - 6], "big") - 8
    rng = random.Random(20171222)
    for _ in range(400):
        data = bytearray(original)
        for _ in range(rng.randint(1, 12)):
            data[rng.randrange(start, end)] = rng.randrange(256)
        assert_storable(read_exif(bytes(data)))


# --- the shared corpus --------------------------------------------------------


def dms_to_decimal(values: tuple, ref: str) -> float:
    degrees = sum(float(v) / 60**i for i, v in enumerate(values))
    return -degrees if ref.strip().upper() in ("S", "W") else degrees


@pytest.mark.parametrize("name", [f"DSCN00{n}.jpg" for n in (10, 12, 21, 25, 27, 29, 38, 40, 42)])
def test_corpus_gps_matches_pillow(name: str) -> None:
    """Expected values computed independently, from Pillow's view of the raw rationals."""
    path = corpus("exif-samples", "jpg", "gps", name)
    with Image.open(path) as im:
        gps = im.getexif().get_ifd(0x8825)
    record = read_exif(path.read_bytes())
    assert record.gps_lat == pytest.approx(dms_to_decimal(gps[2], gps[1]), abs=1e-6)
    assert record.gps_lon == pytest.approx(dms_to_decimal(gps[4], gps[3]), abs=1e-6)
    assert_storable(record)


def test_corpus_gps_folder_is_all_covered() -> None:
    names = sorted(p.name for p in corpus("exif-samples", "jpg", "gps").glob("*.jpg"))
    assert names == [f"DSCN00{n}.jpg" for n in (10, 12, 21, 25, 27, 29, 38, 40, 42)]


def camera_files() -> list[Path]:
    folders = ("jpg", "jpg/exif-org", "jpg/mobile", "jpg/hdr", "heic", "heic/mobile")
    if not SAMPLES.exists():
        return []
    return sorted(
        p
        for f in folders
        for p in (SAMPLES / f).iterdir()
        if p.suffix.lower() in (".jpg", ".heic", ".heif")
    )


@pytest.mark.parametrize("path", camera_files(), ids=lambda p: p.name)
def test_corpus_camera_files(path: Path) -> None:
    """Whatever make/model/date Pillow sees in a camera file, we report too."""
    with Image.open(path) as im:
        pillow = im.getexif()
    sub = pillow.get_ifd(EXIF_IFD)
    record = read_exif(path.read_bytes())
    assert_storable(record)
    for tag, got in ((0x010F, record.make), (0x0110, record.model)):
        expected = str(pillow.get(tag, "")).split("\x00")[0]  # ASCII ends at the first NUL
        assert got == (" ".join(expected.split()) or None)
    original = str(sub.get(DATE_TIME_ORIGINAL, "")).split("\x00")[0].strip()
    try:
        expected_date = datetime.strptime(original, "%Y:%m:%d %H:%M:%S").isoformat()
    except ValueError:
        return  # no usable DateTimeOriginal: the fallbacks are tested above
    assert record.taken_at_source == "DateTimeOriginal"
    assert record.taken_at.startswith(expected_date)
    offset = str(sub.get(OFFSET_TIME_ORIGINAL, "")).split("\x00")[0].strip()
    assert record.taken_at == expected_date + offset


def test_corpus_has_camera_files_with_everything() -> None:
    found = [read_exif(p.read_bytes()) for p in camera_files()]
    if not found:
        missing_tool("corpus not found")
    complete = [r for r in found if r.make and r.model and r.taken_at]
    assert len(complete) >= 30


def damaged_files() -> list[Path]:
    if not SAMPLES.exists():
        return []
    jpg = SAMPLES / "jpg"
    files = [
        *(jpg / "invalid").iterdir(),
        *(jpg / "tests").iterdir(),
        *SAMPLES.rglob("corrupted.jpg"),
    ]
    return sorted(p for p in files if p.suffix.lower() in (".jpg", ".jpeg"))


@pytest.mark.parametrize("path", damaged_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_corpus_damaged_files_give_a_record_or_image_error(path: Path) -> None:
    data = path.read_bytes()
    assert_storable(read_exif(data))
    try:
        thumbs = make_thumbnails(data)
    except ImageError as err:
        assert str(err) and "\n" not in str(err)
    else:
        assert all(Image.open(io.BytesIO(jpeg)).format == "JPEG" for jpeg in thumbs.values())


def test_corpus_damaged_set_is_present() -> None:
    files = damaged_files()
    if not files:
        missing_tool("corpus not found")
    assert any(p.name == "corrupted.jpg" for p in files)
    assert len(files) >= 19
