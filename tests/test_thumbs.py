"""ingest.thumbs: upright, sRGB, metadata-free JPEG thumbnails, and clean failures."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import exifread
import pytest
from images import build_exif, iptc_segment, make_jpeg, xmp_segment
from PIL import Image, ImageChops, ImageCms, ImageFile, ImageStat

from ingest.thumbs import THUMB_SIZES, ImageError, ImageInfo, make_thumbnails, probe
from tests.conftest import missing_tool

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
ORIENTATION = CORPUS / "orientation-examples"

# Mean absolute difference (0-255, averaged over R, G, B) below which two thumbnails
# show the same picture the same way up. Measured on orientation-examples: correctly
# oriented thumbnails differ from the reference by at most 3.1 (the sample files were
# rotated and re-encoded, so JPEG loss and DCT-scaled decoding of differently aligned
# blocks remain); any wrong orientation of the same files differs by 42 or more.
SAME_PICTURE = 8.0


def decode(jpeg: bytes) -> Image.Image:
    im = Image.open(io.BytesIO(jpeg))
    assert im.format == "JPEG"
    return im.convert("RGB")


def mad(a: Image.Image, b: Image.Image) -> float:
    assert a.size == b.size, (a.size, b.size)
    return sum(ImageStat.Stat(ImageChops.difference(a, b)).mean) / 3


def thumbs_of(data: bytes) -> dict[int, Image.Image]:
    return {size: decode(jpeg) for size, jpeg in make_thumbnails(data).items()}


def noisy_jpeg(size: tuple[int, int] = (1600, 1200), **kwargs) -> bytes:
    """A JPEG with real entropy (a flat colour would compress to almost nothing)."""
    picture = Image.merge(
        "RGB",
        [
            Image.effect_noise(size, 60),
            Image.linear_gradient("L").resize(size),
            Image.new("L", size, 90),
        ],
    )
    buf = io.BytesIO()
    picture.save(buf, "JPEG", quality=90, **kwargs)
    return buf.getvalue()


# --- orientation --------------------------------------------------------------


def orientation_files() -> list[Path]:
    return sorted(ORIENTATION.glob("*_[0-8].jpg")) if ORIENTATION.exists() else []


@pytest.fixture(scope="module")
def upright() -> dict[str, dict[int, Image.Image]]:
    """Thumbnails of the _1 files, whose stored pixels are the upright picture."""
    if not ORIENTATION.exists():
        missing_tool(f"corpus not found at {ORIENTATION}")
    return {
        kind: thumbs_of((ORIENTATION / f"{kind}_1.jpg").read_bytes())
        for kind in ("Landscape", "Portrait")
    }


@pytest.mark.parametrize("path", orientation_files(), ids=lambda p: p.stem)
def test_every_orientation_comes_out_upright(path: Path, upright: dict) -> None:
    kind = path.stem.split("_")[0]
    reference = upright[kind]
    thumbs = thumbs_of(path.read_bytes())
    assert set(thumbs) == set(THUMB_SIZES)
    for size, thumb in thumbs.items():
        assert max(thumb.size) == size
        assert (thumb.width > thumb.height) == (kind == "Landscape")
        assert mad(thumb, reference[size]) < SAME_PICTURE, f"{path.name} at {size}px"
        # The comparison can tell orientations apart: upside down is far outside it.
        assert mad(thumb, reference[size].rotate(180)) > 4 * SAME_PICTURE


def test_the_orientation_set_is_complete() -> None:
    names = {p.stem for p in orientation_files()}
    if not names:
        missing_tool("corpus not found")
    assert names == {f"{kind}_{n}" for kind in ("Landscape", "Portrait") for n in range(9)}


def two_colour(size: tuple[int, int] = (400, 200)) -> Image.Image:
    """Left half red, right half blue: where each colour lands shows the rotation."""
    im = Image.new("RGB", size, (0, 0, 255))
    im.paste((255, 0, 0), (0, 0, size[0] // 2, size[1]))
    return im


def test_probe_reports_displayed_size() -> None:
    data = make_jpeg(size=(400, 200), orientation=6)
    assert probe(data) == ImageInfo("JPEG", "jpg", 200, 400, "image/jpeg")
    assert probe(make_jpeg(size=(400, 200), orientation=3)) == ImageInfo(
        "JPEG", "jpg", 400, 200, "image/jpeg"
    )


# --- formats ------------------------------------------------------------------


def encoded(im: Image.Image, fmt: str, **kwargs) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **kwargs)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("PNG", ImageInfo("PNG", "png", 400, 200, "image/png")),
        ("WEBP", ImageInfo("WEBP", "webp", 400, 200, "image/webp")),
        ("TIFF", ImageInfo("TIFF", "tif", 400, 200, "image/tiff")),
        ("HEIF", ImageInfo("HEIF", "heic", 400, 200, "image/heic")),
    ],
)
def test_other_formats(fmt: str, expected: ImageInfo) -> None:
    data = encoded(two_colour(), fmt, **({"quality": 95} if fmt in ("WEBP", "HEIF") else {}))
    assert probe(data) == expected
    thumb = thumbs_of(data)[320]
    assert thumb.size == (320, 160)
    assert_colour(thumb.getpixel((40, 80)), (255, 0, 0))
    assert_colour(thumb.getpixel((280, 80)), (0, 0, 255))


def assert_colour(got: tuple, want: tuple, tolerance: int = 24) -> None:
    assert all(abs(g - w) <= tolerance for g, w in zip(got, want, strict=True)), (got, want)


def test_heic_round_trip_is_rotated_once() -> None:
    """pillow-heif applies the rotation itself and resets EXIF orientation to 1."""
    exif = build_exif(orientation=6, gps=(21.0285, 105.8542, 12.0)).tobytes()
    heic = encoded(two_colour(), "HEIF", quality=95, exif=exif)
    jpeg = encoded(two_colour(), "JPEG", quality=95, exif=exif)
    assert probe(heic) == ImageInfo("HEIF", "heic", 200, 400, "image/heic")
    heic_thumbs, jpeg_thumbs = thumbs_of(heic), thumbs_of(jpeg)
    thumb = heic_thumbs[320]
    assert thumb.size == (160, 320)
    assert_colour(thumb.getpixel((80, 40)), (255, 0, 0))  # orientation 6: left goes on top
    assert_colour(thumb.getpixel((80, 280)), (0, 0, 255))
    assert mad(heic_thumbs[320], jpeg_thumbs[320]) < SAME_PICTURE
    assert b"Exif" not in make_thumbnails(heic)[320]


def test_png_alpha_is_flattened_on_white() -> None:
    im = Image.new("RGBA", (400, 200), (0, 0, 255, 255))
    im.paste((255, 0, 0, 0), (0, 0, 200, 200))  # transparent left half (red underneath)
    thumb = thumbs_of(encoded(im, "PNG"))[320]
    assert thumb.mode == "RGB"
    assert_colour(thumb.getpixel((40, 80)), (255, 255, 255), tolerance=4)
    assert_colour(thumb.getpixel((280, 80)), (0, 0, 255))


def test_palette_png_with_transparency_and_16_bit_grey() -> None:
    palette = Image.new("P", (100, 100), 0)
    palette.putpalette([0, 0, 0, 0, 200, 0])
    palette.paste(1, (50, 0, 100, 100))
    thumb = thumbs_of(encoded(palette, "PNG", transparency=0))[320]
    assert_colour(thumb.getpixel((10, 50)), (255, 255, 255), tolerance=4)
    assert_colour(thumb.getpixel((90, 50)), (0, 200, 0))
    grey16 = Image.new("I;16", (100, 100), 32768)  # half scale, not "clip to white"
    assert_colour(thumbs_of(encoded(grey16, "PNG"))[320].getpixel((50, 50)), (128, 128, 128), 3)


def test_cmyk_jpeg_becomes_rgb() -> None:
    cmyk = Image.new("CMYK", (100, 100), (0, 255, 255, 0))  # red ink
    thumb = thumbs_of(encoded(cmyk, "JPEG", quality=95))[320]
    assert thumb.mode == "RGB"
    assert_colour(thumb.getpixel((50, 50)), (255, 0, 0))


# --- sizes --------------------------------------------------------------------


def test_large_photo_sizes() -> None:
    data = noisy_jpeg((4000, 3000))
    thumbs = make_thumbnails(data)
    assert list(thumbs) == [1280, 320]
    assert decode(thumbs[1280]).size == (1280, 960)
    assert decode(thumbs[320]).size == (320, 240)
    assert make_thumbnails(data, (320,)).keys() == {320}


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ((100, 60), {1280: (100, 60), 320: (100, 60)}),
        ((400, 300), {1280: (400, 300), 320: (320, 240)}),
    ],
)
def test_small_images_are_not_upscaled(size: tuple[int, int], expected: dict) -> None:
    thumbs = thumbs_of(make_jpeg(size=size))
    assert {k: v.size for k, v in thumbs.items()} == expected


# --- metadata and colour ------------------------------------------------------


def test_output_carries_no_metadata() -> None:
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = make_jpeg(
        size=(1600, 1200),
        gps=(21.0285, 105.8542, 12.0),
        description="Lễ khai giảng",
        xp_title="Uỷ ban",
        icc=srgb,
        app_segments=[xmp_segment({"x-default": "Đại hội"}), iptc_segment("Hội nghị".encode())],
    )
    for jpeg in make_thumbnails(data).values():
        im = Image.open(io.BytesIO(jpeg))
        assert not im.getexif()
        assert not {"exif", "icc_profile", "xmp", "photoshop"} & set(im.info)
        assert exifread.process_file(io.BytesIO(jpeg), details=False) == {}
        for marker in (b"Exif\x00", b"ICC_PROFILE", b"http://ns.adobe.com/xap", b"Photoshop 3.0"):
            assert marker not in jpeg


def swapped_primaries_profile() -> bytes:
    """A valid RGB profile whose red and green primaries are swapped (not sRGB).

    Built from LittleCMS's sRGB by exchanging the rXYZ and gXYZ tag offsets and
    renaming it, so a pure red pixel means sRGB green: the output colour shows
    beyond doubt whether the profile was applied."""
    icc = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    count = struct.unpack(">I", icc[128:132])[0]
    entries = {bytes(icc[132 + 12 * i : 136 + 12 * i]): 132 + 12 * i for i in range(count)}
    red, green = entries[b"rXYZ"] + 4, entries[b"gXYZ"] + 4
    icc[red : red + 8], icc[green : green + 8] = icc[green : green + 8], icc[red : red + 8]
    return bytes(icc).replace("sRGB".encode("utf-16-be"), "Test".encode("utf-16-be"))


def test_icc_profile_is_converted_to_srgb_and_dropped() -> None:
    data = make_jpeg(size=(200, 100), color=(255, 0, 0), icc=swapped_primaries_profile())
    for jpeg in make_thumbnails(data).values():
        assert_colour(decode(jpeg).getpixel((50, 50)), (0, 255, 0), tolerance=40)
        assert "icc_profile" not in Image.open(io.BytesIO(jpeg)).info


def test_real_display_p3_profile_moves_towards_srgb_rendering() -> None:
    heic = CORPUS / "exif-samples" / "heic" / "IMG_5195.HEIC"
    if not heic.exists():
        missing_tool("corpus not found")
    with Image.open(heic) as im:
        p3 = im.info["icc_profile"]
    colour = (60, 170, 90)
    expected = ImageCms.profileToProfile(
        Image.new("RGB", (1, 1), colour),
        ImageCms.ImageCmsProfile(io.BytesIO(p3)),
        ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")),
    ).getpixel((0, 0))
    got = decode(
        make_thumbnails(make_jpeg(size=(64, 64), color=colour, icc=p3, quality=100))[320]
    ).getpixel((32, 32))
    assert sum(abs(g - e) for g, e in zip(got, expected, strict=True)) <= 9
    assert sum(abs(g - c) for g, c in zip(got, colour, strict=True)) > 20  # it did move


def test_mismatched_or_broken_profile_is_ignored() -> None:
    lab = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB")).tobytes()
    for icc in (lab, b"definitely not an ICC profile"):
        thumb = thumbs_of(make_jpeg(size=(64, 64), color=(200, 120, 40), icc=icc))[320]
        assert_colour(thumb.getpixel((32, 32)), (200, 120, 40), tolerance=6)


# --- failures -----------------------------------------------------------------


def test_truncated_jpeg_raises_image_error() -> None:
    data = noisy_jpeg()
    with pytest.raises(ImageError, match=r"^truncated JPEG") as caught:
        make_thumbnails(data[: len(data) * 2 // 3])
    assert "Vips" not in str(caught.value)  # the reason, not the name of libvips' loader
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "an empty file (0 bytes), not a photo"),
        (
            b"%PDF-1.7 not a photo",
            "not a photo file (not JPEG, PNG, WebP, TIFF or HEIC): it looks like a PDF document",
        ),
        (
            "Biên bản họp Chi bộ Công an phường\r\n".encode(),
            "not a photo file (not JPEG, PNG, WebP, TIFF or HEIC): it looks like a text file",
        ),
        (b"\x00\x01\x02\xff\xfe", "not a photo file (not JPEG, PNG, WebP, TIFF or HEIC)"),
        (encoded(Image.new("RGB", (8, 8)), "GIF"), "unsupported image format GIF"),
        (encoded(Image.new("RGB", (8, 8)), "BMP"), "unsupported image format BMP"),
    ],
)
def test_unreadable_input_raises_image_error(data: bytes, reason: str) -> None:
    for call in (probe, make_thumbnails):
        with pytest.raises(ImageError) as caught:
            call(data)
        assert str(caught.value).startswith(reason)
        assert "\n" not in str(caught.value)


def test_header_cut_short_raises_image_error() -> None:
    data = make_jpeg(size=(64, 64))
    with pytest.raises(ImageError):
        make_thumbnails(data[:200])


def test_a_copy_cut_inside_its_exif_is_called_truncated(tmp_path: Path) -> None:
    """A camera file cut short before its pixels: the clerk is told it is cut, not corrupt."""
    exif = Image.Exif()
    exif[0x010F] = "Benchmark"
    exif[0x010E] = "x" * 20_000  # a long description: the header is most of the file
    whole = encoded(Image.new("RGB", (16, 16)), "JPEG", exif=exif.tobytes())
    cut = tmp_path / "IMG_0001.jpg"
    cut.write_bytes(whole[:8_000])
    for call in (probe, make_thumbnails):
        with pytest.raises(ImageError, match=r"^truncated file: it ends inside the image header$"):
            call(cut)
