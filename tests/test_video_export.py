"""Clips in the JSON export and galleries (issue 11, acceptance 3, first part).

The export of tests/video_archive.py's event must validate against the shipped
schema, list the clips among the photos by the time they were taken, and say
what each clip plays from; a public export must name no file that carries the
phone's container metadata (an original) and no GPS.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from archive.export import schema
from tests import video_archive
from tests.conftest import Archive

IN_TIME_ORDER = ["a.jpg", "chao-co.mp4", "b.jpg", "hat.mov", "c.jpg", "toan-canh.mp4"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> video_archive.VideoArchive:
    work = tmp_path_factory.mktemp("video-export")
    return video_archive.build(work / "archive", work / "sources")


def validate(document: dict) -> None:
    validator = jsonschema.Draft202012Validator(
        schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    validator.validate(document)


def export(built: video_archive.VideoArchive, *args: str) -> dict:
    return json.loads(Archive(built.root).run("export", *args).stdout)


def by_name(document: dict) -> dict[str, dict]:
    return {photo["original"]["name"]: photo for photo in document["photos"]}


def test_the_export_lists_clips_in_time_order_and_validates(built) -> None:
    document = export(built, "--event", video_archive.EVENT_SLUG)
    validate(document)
    assert [p["original"]["name"] for p in document["photos"]] == IN_TIME_ORDER
    assert [p["type"] for p in document["photos"]] == ["photo", "video"] * 3
    photos = by_name(document)
    assert photos["a.jpg"]["duration"] is None and photos["a.jpg"]["playback"] is None
    flag = photos["chao-co.mp4"]
    assert flag["duration"] == pytest.approx(video_archive.CLIP_SECONDS, abs=0.1)
    assert flag["gps"]["lat"] == pytest.approx(21.0285)  # a full export keeps what it knows
    assert [u["name"] for u in flag["units"]] == [video_archive.UNIT]
    assert flag["caption"] == "Nghi thức chào cờ"  # captions.csv matched it by its name
    row = _row(built, flag["id"])
    assert flag["playback"] == {
        "path": row["playback_path"],
        "format": "video/mp4",
        "width": 640,
        "height": 360,
        "source": "transcode",
    }
    singing = photos["hat.mov"]
    assert singing["original"]["mime"] == "video/quicktime"
    assert singing["playback"]["source"] == "transcode"
    assert singing["playback"]["path"].startswith("playback/")
    assert (singing["playback"]["format"], singing["playback"]["width"]) == ("video/mp4", 480)
    # It plays as it is: the export names the original, byte for byte the stored file.
    wide = photos["toan-canh.mp4"]
    assert wide["playback"] == {
        "path": _row(built, wide["id"])["original_path"],
        "format": "video/mp4",
        "width": 640,
        "height": 360,
        "source": "original",
    }
    for clip in (flag, singing, wide):
        assert (built.root / clip["playback"]["path"]).is_file()
        assert (built.root / clip["preview"]["path"]).is_file()  # the poster


def test_a_public_export_names_no_original_and_no_gps(built) -> None:
    document = export(built, "--event", video_archive.EVENT_SLUG, "--public")
    validate(document)
    photos = by_name(document)
    assert [p["type"] for p in document["photos"]] == ["photo", "video"] * 3
    assert photos["toan-canh.mp4"]["playback"] is None  # only its original plays: not exported
    assert photos["hat.mov"]["playback"]["source"] == "transcode"
    assert photos["chao-co.mp4"]["playback"]["source"] == "transcode"
    text = json.dumps(document)
    assert "originals/" not in text and '"gps"' not in text and "21.0285" not in text


def test_the_schema_refuses_a_clip_that_plays_from_elsewhere(built) -> None:
    document = export(built, "--event", video_archive.EVENT_SLUG)
    clip = by_name(document)["hat.mov"]
    for broken in ({"path": "/etc/passwd"}, {"format": "video/quicktime"}, {"source": "copy"}):
        saved = dict(clip["playback"])
        clip["playback"].update(broken)
        with pytest.raises(jsonschema.ValidationError):
            validate(document)
        clip["playback"] = saved
    clip["type"] = "film"
    with pytest.raises(jsonschema.ValidationError):
        validate(document)


def test_a_gallery_made_by_selection_holds_the_clips(built) -> None:
    archive = Archive(built.root)
    archive.run("gallery", "create", "le-chao-co", "--title", "Lễ chào cờ",
                "--event", video_archive.EVENT_SLUG)  # fmt: skip
    shown = archive.run("gallery", "show", "le-chao-co").stdout
    assert "Học sinh hát Quốc ca" in shown and "Nghi thức chào cờ" in shown
    document = export(built, "le-chao-co")
    validate(document)
    assert [p["original"]["name"] for p in document["photos"]] == IN_TIME_ORDER
    archive.run("gallery", "create", "chi-video", "--title", "Video")
    archive.run("gallery", "add", "chi-video", str(built.id("hat.mov")), str(built.id("a.jpg")))
    document = export(built, "chi-video")
    validate(document)
    assert [p["type"] for p in document["photos"]] == ["video", "photo"]


def _row(built: video_archive.VideoArchive, photo_id: int) -> dict:
    return Archive(Path(built.root)).rows("SELECT * FROM photos WHERE id = ?", (photo_id,))[0]
