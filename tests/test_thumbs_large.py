"""Large photos: 24 MP and a 100 MP panorama come out right, and a worker's memory stays flat."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from ingest import thumbs_vips
from ingest.thumbs import ImageError, make_thumbnails, probe
from ingest.work import Job, process

ROOT = Path(__file__).resolve().parents[1]

# Generous: a worker's peak rose by about 8 MB (24 MP) and 12 MB (100 MP) over its
# imports, streaming the file; decoding a 100 MP photo whole would take 300 MB.
DECODE_BUDGET = 32 * 2**20
PANORAMA_MARGIN = 8 * 2**20


def big_jpeg(path: Path, size: tuple[int, int], orientation: int = 1) -> Path:
    """Left half red, right half blue, with noise, so rotation shows and the file is real."""
    tile = Image.effect_noise((size[0] // 8, size[1] // 8), 40)
    noise = tile.resize(size, Image.Resampling.NEAREST)
    half = Image.new("L", size, 0)
    half.paste(255, (0, 0, size[0] // 2, size[1]))
    red = Image.blend(half, noise, 0.2)
    blue = Image.blend(Image.eval(half, lambda v: 255 - v), noise, 0.2)
    exif = Image.Exif()
    exif[0x0112] = orientation
    Image.merge("RGB", (red, Image.blend(Image.new("L", size, 0), noise, 0.2), blue)).save(
        path, "JPEG", quality=85, exif=exif.tobytes()
    )
    return path


@pytest.fixture(scope="module")
def photos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("large")
    return {
        "24mp": big_jpeg(folder / "24mp.jpg", (6000, 4000), orientation=6),
        "100mp": big_jpeg(folder / "100mp.jpg", (12500, 8000), orientation=3),
    }


def colour_at(im: Image.Image, xy: tuple[int, int]) -> str:
    r, _, b = im.getpixel(xy)
    assert abs(r - b) > 100, (r, b)
    return "red" if r > b else "blue"


def test_libvips_is_the_jpeg_path_here() -> None:
    assert thumbs_vips.AVAILABLE, "pyvips-binary should bundle libvips on this platform"


def test_24_mp_portrait_thumbnails(photos: dict[str, Path]) -> None:
    data = photos["24mp"].read_bytes()
    assert (probe(data).width, probe(data).height) == (4000, 6000)
    thumbs = {k: Image.open(io.BytesIO(v)).convert("RGB") for k, v in make_thumbnails(data).items()}
    assert thumbs[1280].size == (853, 1280)
    assert thumbs[320].size == (213, 320)
    for thumb in thumbs.values():  # orientation 6: the left (red) half ends on top
        assert colour_at(thumb, (thumb.width // 2, thumb.height // 8)) == "red"
        assert colour_at(thumb, (thumb.width // 2, thumb.height * 7 // 8)) == "blue"


def test_100_mp_panorama_thumbnails(photos: dict[str, Path]) -> None:
    thumbs = make_thumbnails(photos["100mp"].read_bytes())
    preview = Image.open(io.BytesIO(thumbs[1280])).convert("RGB")
    assert preview.size == (1280, 819)
    assert Image.open(io.BytesIO(thumbs[320])).size == (320, 205)
    # Orientation 3 (upside down): red, on the left in the file, is shown on the right.
    assert colour_at(preview, (160, 400)) == "blue"
    assert colour_at(preview, (1120, 400)) == "red"


WORKER = """\
import json, sys
from ingest.work import Job, process
from archive.store import Store
from pathlib import Path
def kib(field):
    with open("/proc/self/status") as status:
        return int(next(l for l in status if l.startswith(field)).split()[1])
Store(Path(sys.argv[2])).create()
process(Job(sys.argv[1], "warm.jpg", sys.argv[2], dry_run=True))  # imports, lazily loaded parts
with open("/proc/self/clear_refs", "w") as refs:
    refs.write("5")
before = kib("VmRSS")
outcome = process(Job(sys.argv[1], Path(sys.argv[1]).name, sys.argv[2]))
Store(Path(sys.argv[2])).sync_staged(outcome.staged)  # as the writer does before it commits
print(json.dumps({"error": outcome.error, "growth": (kib("VmHWM") - before) * 1024,
                  "preview": outcome.facts and outcome.facts.preview_path}))
"""


def worker_growth(photo: Path, root: Path) -> int:
    """A real worker process ingests the photo; how far its peak RSS rose doing it."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", WORKER, str(photo), str(root)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    measured = json.loads(result.stdout)
    assert measured["error"] is None
    assert (root / measured["preview"]).is_file()
    return measured["growth"]


@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="Linux /proc only")
def test_worker_memory_is_flat(photos: dict[str, Path], tmp_path: Path) -> None:
    """Neither photo is ever whole in a worker's memory, and the panorama costs no more."""
    small = worker_growth(photos["24mp"], tmp_path / "24mp")
    large = worker_growth(photos["100mp"], tmp_path / "100mp")
    assert small < DECODE_BUDGET, f"{small / 2**20:.0f} MiB for 24 MP"
    assert large < DECODE_BUDGET, f"{large / 2**20:.0f} MiB for 100 MP"
    # Four times the pixels: the same strips of the reduced image, a little wider.
    assert large - small < PANORAMA_MARGIN, f"{small / 2**20:.0f} -> {large / 2**20:.0f} MiB"


def test_decompression_bomb_is_refused(tmp_path: Path) -> None:
    """A small file whose header claims 40,000 x 40,000 px is refused before any decode.

    Given as bytes and as the file itself (how a worker hands it over), and through a
    worker's whole job: an error for that file, nothing staged in the store."""
    buf = io.BytesIO()
    Image.new("RGB", (64, 64), (10, 20, 30)).save(buf, "JPEG")
    data = bytearray(buf.getvalue())
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = (40000).to_bytes(2, "big") * 2  # height, width
    bomb = tmp_path / "bomb.jpg"
    bomb.write_bytes(bytes(data))
    for call in (probe, make_thumbnails):
        for given in (bytes(data), bomb):
            with pytest.raises(ImageError, match="^image too large to decode safely"):
                call(given)
    outcome = process(Job(str(bomb), str(bomb), str(tmp_path / "root")))
    assert outcome.error and outcome.error.startswith("image too large to decode safely")
    assert outcome.facts is None and outcome.staged == ()
    assert not list((tmp_path / "root").rglob("*.*"))
