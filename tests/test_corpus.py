"""Camera files from the wild (../shared/corpus): GPS, camera, dates, and bad files reported."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import ExifTags, Image

from tests.conftest import shared_path


def _decimal(dms, ref) -> float:
    """The decimal degrees of a GPS tag, computed with Pillow, not with our reader."""
    degrees, minutes, seconds = (float(part) for part in dms)
    value = degrees + minutes / 60 + seconds / 3600
    return -value if ref in ("S", "W", b"S", b"W") else value


def _expected_gps(path: Path) -> tuple[float, float]:
    with Image.open(path) as image:
        gps = image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    return (
        _decimal(gps[ExifTags.GPS.GPSLatitude], gps[ExifTags.GPS.GPSLatitudeRef]),
        _decimal(gps[ExifTags.GPS.GPSLongitude], gps[ExifTags.GPS.GPSLongitudeRef]),
    )


@pytest.fixture(scope="module")
def corpus_batch() -> list[Path]:
    jpg = shared_path("corpus", "exif-samples", "jpg")
    return [
        *sorted((jpg / "gps").glob("*.jpg")),
        *sorted(p for p in jpg.glob("*.jpg") if p.name != "corrupted.jpg"),
        *sorted((jpg / "invalid").glob("*.jpg")),
        *sorted((jpg / "tests").glob("*.jp*g")),
        jpg / "corrupted.jpg",
    ]


def test_corpus_ingest(archive, corpus_batch: list[Path], tmp_path: Path) -> None:
    # Besides the corpus's own odd files, one that is surely broken: a JPEG cut in half.
    whole = corpus_batch[0].read_bytes()
    truncated = tmp_path / "cut-short.jpg"
    truncated.write_bytes(whole[: len(whole) // 2])
    corpus_batch = [*corpus_batch, truncated]
    report = archive.ingest(*map(str, corpus_batch), expect=1)
    assert report["files"] == len(corpus_batch)
    photos = {row["source_path"]: row for row in archive.rows("SELECT * FROM photos")}
    sources = {row["path"] for row in archive.rows("SELECT path FROM photo_sources")}
    failed = {p["path"]: p["reason"] for p in report["problems"] if p["level"] == "error"}

    # Every file is archived (under its own path or as a copy of another) or reported by name.
    for path in corpus_batch:
        assert str(path) in sources or str(path) in failed, path
    for path, reason in failed.items():
        assert reason and "\n" not in reason, path
    assert report["failed"] == len(failed)
    assert str(truncated) in failed
    assert len(photos) + report["duplicates"] + len(failed) == len(corpus_batch)

    # GPS to 1e-6 of the tags' decimal value.
    for path in (p for p in corpus_batch if p.parent.name == "gps"):
        lat, lon = _expected_gps(path)
        row = photos[str(path)]
        assert row["gps_lat"] == pytest.approx(lat, abs=1e-6), path.name
        assert row["gps_lon"] == pytest.approx(lon, abs=1e-6), path.name

    # Camera files: make, model and the time the photo was taken.
    cameras = [p for p in corpus_batch if p.parent.name == "jpg" and str(p) in photos]
    assert len(cameras) >= 15
    for path in cameras:
        with Image.open(path) as image:
            exif = image.getexif()
        row = photos[str(path)]
        if exif.get(ExifTags.Base.Make):
            assert row["make"] and row["model"], path.name
        assert row["taken_at"], path.name
        if exif.get_ifd(ExifTags.IFD.Exif).get(ExifTags.Base.DateTimeOriginal):
            assert row["taken_at_source"] == "DateTimeOriginal", path.name
    nikon = photos[str(corpus_batch[0].parent.parent / "Nikon_D70.jpg")]
    assert (nikon["make"], nikon["model"]) == ("NIKON CORPORATION", "NIKON D70")

    # The same batch again adds nothing and reads nothing.
    again = archive.ingest(*map(str, corpus_batch), expect=1)
    assert (again["added"], again["updated"], again["duplicates"]) == (0, 0, 0)
    assert again["failed"] == len(failed)
    assert again["unchanged"] == len(corpus_batch) - len(failed)
    runs = archive.rows("SELECT status, added FROM ingest_runs ORDER BY id")
    assert [r["added"] for r in runs] == [len(photos), 0]
    problems = archive.rows("SELECT DISTINCT path FROM ingest_problems WHERE level = 'error'")
    assert {p["path"] for p in problems} == set(failed)
