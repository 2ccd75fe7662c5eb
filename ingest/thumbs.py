"""Decode, orient, colour-manage, resize and encode thumbnails (libvips or Pillow).

The order of the steps is the whole design (see DESIGN.md, "Performance
facts"): a JPEG is decoded at the smallest DCT scale that still covers the
largest thumbnail, resized at once, and only then rotated and colour-converted,
so the expensive steps run on 1280 px and never on 12 MP. The decode is chosen
per file: an 8-bit RGB or grey JPEG (nearly every photo) is decoded and shrunk
by libvips in one streaming pass (:mod:`ingest.thumbs_vips`: faster, and its
memory does not grow with the photo); everything else (HEIC, PNG, TIFF, WebP,
CMYK JPEGs), or any JPEG when libvips is missing, by Pillow's ``draft``.
Each smaller size is made from the previous one. The result carries no EXIF,
GPS, XMP or ICC: thumbnails are published, originals are not.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

import pillow_heif
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from archive.errors import FileFailed
from archive.i18n import N_, _

# Long edge in px (preview, grid thumbnail). The archive root's layout owns them (a
# thumbs/<size>/ folder each); re-exported as make_thumbnails' default.
from archive.store import THUMB_SIZES
from ingest import file_kind, thumbs_vips

pillow_heif.register_heif_opener()

__all__ = [
    "THUMB_SIZES",
    "ImageError",
    "ImageInfo",
    "Photo",
    "make_thumbnails",
    "probe",
    "thumbnails_of_image",
]

# A photo's bytes, or the file holding them: from a file, nothing is read whole.
Photo = bytes | Path

JPEG_QUALITY = 85
# Pillow's own thumbnail() filter, so the benchmark compares pipelines, not filters;
# LANCZOS looks the same at these ratios and costs ~11 ms more per 12 MP photo.
RESAMPLE = Image.Resampling.BICUBIC

# Pillow format -> (format we report, store extension, MIME type)
_FORMATS = {
    "JPEG": ("JPEG", "jpg", "image/jpeg"),
    "MPO": ("JPEG", "jpg", "image/jpeg"),  # phone JPEGs with a depth map or second frame
    "PNG": ("PNG", "png", "image/png"),
    "WEBP": ("WEBP", "webp", "image/webp"),
    "TIFF": ("TIFF", "tif", "image/tiff"),
    "HEIF": ("HEIF", "heic", "image/heic"),
}
_OPEN_FORMATS = ("JPEG", "PNG", "WEBP", "TIFF", "HEIF")  # only these decoders see our input
_ORIENTATION = 0x0112
_WHITE = (255, 255, 255)


class ImageError(FileFailed):
    """A file we cannot make thumbnails from; str() is one line for the run report."""


@dataclass(frozen=True)
class ImageInfo:
    """What the catalog records about an original, read from its header."""

    format: str
    ext: str
    width: int  # as displayed: swapped for EXIF orientations 5-8
    height: int
    mime: str


# The damage a decoder reports: whole sentences, the format and the library's words inside.
TRUNCATED = N_("truncated {format} ({detail})")
CORRUPT = N_("corrupt {format} ({detail})")


def _stream(photo: Photo) -> BinaryIO | Path:
    return io.BytesIO(photo) if isinstance(photo, bytes) else photo


def _open(data: Photo) -> Image.Image:
    """Open (header only) with just our decoders, or say in one line why not."""
    try:
        with warnings.catch_warnings(action="ignore"):  # DecompressionBombWarning, TIFF tags
            im = Image.open(_stream(data), formats=_OPEN_FORMATS)
    except UnidentifiedImageError:
        raise ImageError(_unsupported(data)) from None
    except Image.DecompressionBombError as err:
        raise ImageError(
            _("image too large to decode safely ({detail})").format(detail=_first_line(err))
        ) from None
    except Exception as err:  # plugins raise SyntaxError, struct.error, ValueError...
        detail = _first_line(err)
        if "truncated" in detail.lower():  # a copy cut short before its pixels even begin
            raise ImageError(_("truncated file: it ends inside the image header")) from None
        raise ImageError(_("unreadable image header ({detail})").format(detail=detail)) from None
    if im.format not in _FORMATS:  # cannot happen with formats= above; cheap to be sure
        im.close()
        raise ImageError(_("unsupported image format {format}").format(format=im.format))
    return im


def _unsupported(data: Photo) -> str:
    """Name the format when Pillow knows it (a GIF, a BMP), else say it is not an image."""
    try:
        with warnings.catch_warnings(action="ignore"), Image.open(_stream(data)) as other:
            return _("unsupported image format {format} (JPEG, PNG, WebP, TIFF, HEIC only)").format(
                format=other.format
            )
    except Exception:
        pass
    # Pillow's own words ("cannot identify image file '...'") only repeat the path.
    head = _head(data)
    if not head:
        return _("an empty file (0 bytes), not a photo")
    kind = file_kind.looks_like(head)
    if kind is None:
        return _("not a photo file (not JPEG, PNG, WebP, TIFF or HEIC)")
    return _("not a photo file (not JPEG, PNG, WebP, TIFF or HEIC): it looks like {kind}").format(
        kind=kind
    )


def _head(data: Photo) -> bytes:
    if isinstance(data, bytes):
        return data[: file_kind.HEAD_BYTES]
    try:
        with open(data, "rb") as handle:
            return handle.read(file_kind.HEAD_BYTES)
    except OSError:
        return b"\x00"  # unreadable now: no guess


def _first_line(err: BaseException) -> str:
    return " ".join(str(err).split())[:200] or type(err).__name__


def _orientation(im: Image.Image) -> int:
    """EXIF (or TIFF, or XMP) orientation 1-8; anything else means upright.

    pillow-heif has already applied HEIF rotations and reset this to 1."""
    try:
        with warnings.catch_warnings(action="ignore"):  # "Corrupt EXIF data" and friends
            value = im.getexif().get(_ORIENTATION, 1)
    except Exception:  # a broken EXIF block must not cost the picture
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def probe(data: Photo) -> ImageInfo:
    """Format and displayed size from the header alone, before anything is decoded."""
    with _open(data) as im:
        fmt, ext, mime = _FORMATS[im.format]
        if im.format == "HEIF":  # .heif from Nokia and friends is image/heif, not heic
            mime = im.get_format_mimetype() or mime
        width, height = im.size
        if _orientation(im) >= 5:
            width, height = height, width
    return ImageInfo(format=fmt, ext=ext, width=width, height=height, mime=mime)


def _fit(size: tuple[int, int], long_edge: int) -> tuple[int, int]:
    """The size with the given long edge, never larger than the image itself."""
    width, height = size
    scale = min(1.0, long_edge / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _decode(im: Image.Image, target: tuple[int, int]) -> Image.Image:
    """Load at the smallest JPEG DCT scale (1/2, 1/4, 1/8) still at least ``target``.

    draft() is a no-op for the other formats (pillow-heif may pick an embedded
    thumbnail, but only one at least as large as the target)."""
    im.draft("RGB", target)
    try:
        im.load()
    except (OSError, SyntaxError, EOFError, ValueError) as err:
        text = _first_line(err)
        damage = TRUNCATED if "truncated" in text or "broken data" in text else CORRUPT
        raise ImageError(_(damage).format(format=im.format, detail=text)) from None
    return _to_resizable(im)


def _to_resizable(im: Image.Image) -> Image.Image:
    """A mode Pillow can resample well: 8-bit, palette expanded, alpha kept for flattening."""
    mode = im.mode
    if mode in ("RGB", "L", "RGBA", "LA", "CMYK"):
        return im
    if mode.startswith("I"):  # 16-bit greys (PNG, TIFF): scale to 8 bits, do not clip
        wide = im.convert("I")
        sixteen = mode.startswith("I;16") or (wide.getextrema()[1] or 0) > 255
        return (wide.point(lambda v: v / 257) if sixteen else wide).convert("L")
    has_alpha = "A" in mode or "transparency" in im.info
    return im.convert("RGBA" if has_alpha else "RGB")


def _flatten(im: Image.Image) -> Image.Image:
    """Alpha over white: archive thumbnails are shown on white pages and stored as JPEG."""
    if im.mode not in ("RGBA", "LA"):
        return im
    base = Image.new(im.mode[:-1], im.size, _WHITE if im.mode == "RGBA" else 255)
    base.paste(im, mask=im.getchannel("A"))
    return base


@lru_cache(maxsize=1)
def _srgb() -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


@lru_cache(maxsize=16)
def _transform(icc: bytes, mode: str) -> ImageCms.ImageCmsTransform | None:
    """Cached: a phone writes the same Display P3 profile into every photo.

    None means "treat as sRGB": the profile already is sRGB, or it is broken,
    or it does not fit the pixels (a grey profile on RGB data)."""
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if "srgb" in ImageCms.getProfileDescription(profile).lower().replace(" ", ""):
            return None
        return ImageCms.buildTransform(profile, _srgb(), mode, "RGB")
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return None


def _to_srgb(im: Image.Image, icc: bytes | None) -> Image.Image:
    """sRGB RGB pixels: browsers assume untagged JPEGs are sRGB, so convert, then drop the tag."""
    transform = _transform(icc, im.mode) if icc else None
    if transform is not None:
        try:
            return ImageCms.applyTransform(im, transform)
        except (ImageCms.PyCMSError, ValueError):
            pass
    return im if im.mode == "RGB" else im.convert("RGB")


def _upright(im: Image.Image, orientation: int) -> Image.Image:
    """Rotate the already small image with Pillow's own EXIF transpose."""
    im.info = {}  # nothing of the original's metadata may reach the output
    if orientation != 1:
        im.getexif()[_ORIENTATION] = orientation
        ImageOps.exif_transpose(im, in_place=True)
    return im


def _encode(im: Image.Image) -> bytes:
    """Baseline JPEG with libjpeg's standard Huffman tables, not optimised ones.

    Optimising them (``optimize=True``) takes a second pass that more than doubles the
    encoding (4 ms a photo for both sizes), and on real camera photos it makes a 1280 px
    preview only 1-2 % smaller (2.3 % over the 60 camera JPEGs of the test corpus). It pays
    only on noise-like pictures, which cameras do not make.
    """
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=JPEG_QUALITY)
    return buf.getvalue()


def _with_vips(im: Image.Image) -> bool:
    """libvips takes the 8-bit RGB and grey JPEGs; Pillow keeps the rest (per file)."""
    return thumbs_vips.AVAILABLE and im.format in ("JPEG", "MPO") and im.mode in ("RGB", "L")


def _shrunk_with_vips(data: Photo, im: Image.Image, target: tuple[int, int]) -> Image.Image:
    """The stored pixels at target, decoded by libvips; its errors worded as Pillow's are."""
    try:
        return thumbs_vips.shrink_jpeg(data, im.size, target)
    except thumbs_vips.VipsFailed as err:
        damage = TRUNCATED if err.truncated else CORRUPT
        raise ImageError(_(damage).format(format="JPEG", detail=err)) from None


def _first_size(data: Photo, long_edge: int) -> Image.Image:
    """The largest thumbnail as upright sRGB RGB, decoding as little as possible."""
    with _open(data) as im:  # the header, and the decompression-bomb check, for both paths
        orientation = _orientation(im)
        icc = im.info.get("icc_profile")
        target = _fit(im.size, long_edge)
        if _with_vips(im):
            small = _shrunk_with_vips(data, im, target)
        else:
            with warnings.catch_warnings(action="ignore"):
                decoded = _decode(im, target)
            small = decoded.resize(target, RESAMPLE) if decoded.size != target else decoded.copy()
    small = _upright(small, orientation)
    return _to_srgb(_flatten(small), icc)


def make_thumbnails(
    data: Photo,
    sizes: tuple[int, ...] = THUMB_SIZES,
    keep: Callable[[int, Image.Image], None] | None = None,
) -> dict[int, bytes]:
    """JPEG bytes per requested long edge; each size is made from the next larger one.

    Given a file rather than bytes, a JPEG is decoded from the file, streaming, and only
    the header is ever in memory whole. ``keep(long_edge, image)`` is handed each size's
    picture before it is encoded (the near-duplicate fingerprint is computed from them,
    :mod:`ingest.fingerprint`), so nothing is decoded twice.
    """
    if not sizes:
        return {}
    ordered = sorted(set(sizes), reverse=True)
    try:
        out = _sizes(_first_size(data, ordered[0]), ordered, keep)
    except ImageError:
        raise
    except MemoryError:
        raise ImageError(_("out of memory decoding image")) from None
    except Exception as err:  # a decoder bug on one file must not stop the batch
        raise ImageError(
            _("cannot make thumbnails ({detail})").format(
                detail=f"{type(err).__name__}: {_first_line(err)}"
            )
        ) from None
    return {size: out[size] for size in sizes}


def _sizes(
    current: Image.Image,
    ordered: list[int],
    keep: Callable[[int, Image.Image], None] | None = None,
) -> dict[int, bytes]:
    """Each long edge (largest first) from the one before it, as JPEG; keep sees each."""
    out: dict[int, bytes] = {}
    for long_edge in ordered:
        target = _fit(current.size, long_edge)
        if target != current.size:
            current = current.resize(target, RESAMPLE, reducing_gap=2.0)
        if keep is not None:
            keep(long_edge, current)
        out[long_edge] = _encode(current)
    return out


def thumbnails_of_image(
    im: Image.Image,
    sizes: tuple[int, ...] = THUMB_SIZES,
    keep: Callable[[int, Image.Image], None] | None = None,
) -> dict[int, bytes]:
    """The same thumbnails from a picture already decoded and upright (a clip's poster frame)."""
    ordered = sorted(set(sizes), reverse=True)
    first = im.convert("RGB")
    first.info = {}
    target = _fit(first.size, ordered[0])
    if target != first.size:
        first = first.resize(target, RESAMPLE)
    out = _sizes(first, ordered, keep)
    return {size: out[size] for size in sizes}
