"""Clips in the IIIF manifest and the offline bundle (issue 11, acceptance 3).

The manifest of tests/video_archive.py's event must be valid Presentation 3
by iiif-prezi3, with a Canvas that has a ``duration`` and a ``Video`` body per
clip, and Mirador must show that Canvas; the bundle's page must play its
clips from ``file://`` in Chromium, from files copied byte for byte.
"""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests import video_archive
from tests.browser import launch_chromium, open_page, screenshot
from tests.conftest import Archive
from tests.test_iiif import VIEWER, mirador_js, serve, validate  # noqa: F401 (a fixture)
from tests.web_archive import get

BASE = "https://phuong6.example/video/le-chao-co/"
_VIDEO = "document.querySelector('video')"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> video_archive.VideoArchive:
    work = tmp_path_factory.mktemp("video-bundle")
    return video_archive.build(work / "archive", work / "sources")


@pytest.fixture
def chromium() -> Any:
    with launch_chromium() as browser:
        yield browser


def run(built: video_archive.VideoArchive, *args: str) -> str:
    return Archive(built.root).run(*args).stdout


def export(built: video_archive.VideoArchive, *args: str) -> dict:
    return json.loads(run(built, "export", "--event", video_archive.EVENT_SLUG, *args))


def test_the_manifest_paints_each_clip_with_a_video_and_validates(built) -> None:
    manifest = export(built, "--format", "iiif", "--base-url", BASE)
    validate(manifest)
    records = {p["sha256"]: p for p in export(built, "--base-url", BASE)["photos"]}
    kinds = []
    for canvas in manifest["items"]:
        photo = records[canvas["id"].rsplit("/", 1)[1]]
        [annotation] = canvas["items"][0]["items"]
        body = annotation["body"]
        kinds.append(body["type"])
        if photo["type"] == "photo":
            assert "duration" not in canvas and body["format"] == "image/jpeg"
            continue
        assert canvas["duration"] == pytest.approx(photo["duration"])
        assert (canvas["width"], canvas["height"]) == (photo["width"], photo["height"])
        assert body == {
            "id": BASE + photo["playback"]["path"],
            "type": "Video",
            "format": "video/mp4",
            "width": photo["playback"]["width"],
            "height": photo["playback"]["height"],
            "duration": photo["duration"],
        }
        assert canvas["thumbnail"][0]["id"] == BASE + photo["thumbnail"]["path"]
    assert kinds == ["Image", "Video"] * 3


def test_a_broken_video_canvas_is_refused_by_the_validator(built) -> None:
    manifest = export(built, "--format", "iiif", "--base-url", BASE)
    clip = manifest["items"][1]
    clip["duration"] = "0:06"
    with pytest.raises(Exception, match="validation error"):
        validate(manifest)


def test_a_public_manifest_paints_a_clip_without_a_transcode_as_its_poster(built) -> None:
    manifest = export(built, "--format", "iiif", "--base-url", BASE, "--public")
    validate(manifest)
    bodies = [canvas["items"][0]["items"][0]["body"] for canvas in manifest["items"]]
    assert [b["type"] for b in bodies] == ["Image", "Video", "Image", "Video", "Image", "Image"]
    assert not any("originals/" in b["id"] for b in bodies)


def test_mirador_shows_the_clips_canvas(built, chromium, mirador_js, tmp_path) -> None:  # noqa: F811
    site = tmp_path / "site"
    site.mkdir()
    shutil.copy(mirador_js, site / "mirador.min.js")
    clip = built.id("hat.mov")
    with serve(site) as origin:
        base = origin + "le-chao-co/"
        run(built, "export", "--event", video_archive.EVENT_SLUG,
            "--bundle", str(site / "le-chao-co"), "--base-url", base)  # fmt: skip
        manifest_url = base + "manifest.json"
        manifest = json.loads((site / "le-chao-co" / "manifest.json").read_text("utf-8"))
        validate(manifest)
        sha = Archive(built.root).rows("SELECT sha256 FROM photos WHERE id = ?", (clip,))[0]
        canvas_id = f"{base}canvas/{sha['sha256']}"
        video_url = manifest["items"][3]["items"][0]["items"][0]["body"]["id"]
        viewer = VIEWER.replace(
            'view: "gallery" }',
            f'view: "single", canvasId: {json.dumps(canvas_id)} }}',
        )
        assert viewer != VIEWER
        (site / "viewer.html").write_text(viewer % json.dumps(manifest_url), "utf-8")
        with open_page(chromium) as (page, seen):
            page.goto(origin + "viewer.html", wait_until="load")
            page.wait_for_function(
                """url => Array.from(document.querySelectorAll('video')).some(v =>
                    (v.currentSrc || v.src || (v.querySelector('source') || {}).src) === url
                    && v.readyState >= 2)""",
                arg=video_url,
                timeout=30_000,
            )
            state = page.evaluate(
                """url => {
                    const s = window.mirador.store.getState();
                    const m = s.manifests[url];
                    const w = Object.values(s.windows)[0];
                    return {error: m.error || null, canvases: m.json.items.length,
                            canvas: w.canvasId};
                }""",
                manifest_url,
            )
            screenshot(page, "mirador-video-canvas")
        assert state == {"error": None, "canvases": 6, "canvas": canvas_id}
        assert not seen.errors, seen.errors


def test_the_bundle_plays_its_clips_from_file(built, chromium, tmp_path) -> None:
    folder = tmp_path / "le-chao-co"
    run(built, "export", "--event", video_archive.EVENT_SLUG, "--bundle", str(folder))
    document = json.loads((folder / "gallery.json").read_text("utf-8"))
    for photo in document["photos"]:
        if photo["playback"]:
            copied = (folder / photo["playback"]["path"]).read_bytes()
            assert copied == (built.root / photo["playback"]["path"]).read_bytes()
    listed = (folder / ".bundle-files").read_text("utf-8").splitlines()
    assert sum(1 for line in listed if line.endswith((".mp4", ".mov"))) == 3
    with open_page(chromium) as (page, seen):
        page.goto(folder.joinpath("index.html").as_uri())
        videos = page.locator("video")
        assert videos.count() == 3
        for video in videos.all():
            video.scroll_into_view_if_needed()
            handle = video.element_handle()
            page.wait_for_function("v => v.readyState >= 2", arg=handle, timeout=15_000)
            page.evaluate("v => { v.muted = true; return v.play(); }", handle)
            page.wait_for_function("v => v.currentTime > 0.3", arg=handle, timeout=15_000)
        assert page.url.startswith("file://")
        text = page.locator("body").inner_text()
        screenshot(page, "bundle-video")
        # A media player drops reads it no longer needs (a failed load of the clip it has just
        # played); anything else failing to load would be a broken link.
        assert seen.errors == [] and [u for u in seen.failed if not u.endswith(".mp4")] == []
    assert "3 ảnh, 3 video" in text
    assert "Video · 0:06" in text and "Video · 0:03" in text


def test_a_public_bundle_holds_no_original(built, chromium, tmp_path) -> None:
    folder = tmp_path / "cong-khai"
    run(built, "export", "--event", video_archive.EVENT_SLUG, "--bundle", str(folder), "--public")
    assert not (folder / "originals").exists()
    # toan-canh.mp4 has no transcode (its original plays as it is): its poster only.
    assert len(list((folder / "playback").rglob("*.mp4"))) == 2
    with open_page(chromium) as (page, seen):
        page.goto(folder.joinpath("index.html").as_uri())
        assert page.locator("video").count() == 2
        page.wait_for_function(f"{_VIDEO}.readyState >= 2", timeout=15_000)
        assert page.locator("body").inner_text().count("chỉ có ảnh đại diện trong bộ này") == 1
        assert seen.errors == []


def test_a_public_bundles_clips_carry_no_container_metadata(built, tmp_path) -> None:
    """The phone's place and time stay in the archive: the copied transcodes hold neither."""
    import av

    folder = tmp_path / "cong-khai"
    run(built, "export", "--event", video_archive.EVENT_SLUG, "--bundle", str(folder), "--public")
    clips = sorted((folder / "playback").rglob("*.mp4"))
    assert len(clips) == 2
    for clip in clips:
        with av.open(str(clip)) as container:
            tags = [dict(container.metadata), *(dict(s.metadata) for s in container.streams)]
        keys = {key.casefold() for found in tags for key in found}
        assert not any("location" in k or "creation" in k or "apple" in k for k in keys), tags
        assert b"ISO6709" not in clip.read_bytes() and b"+21.0285" not in clip.read_bytes()
    for poster in (folder / "thumbs").rglob("*.jpg"):
        assert b"Exif" not in poster.read_bytes()[:4096]


def test_the_zip_download_carries_the_clips(built) -> None:
    from archive.web.config import build_datasette, load_metadata
    from tests.web_archive import METADATA

    ds = build_datasette(built.catalog, load_metadata(METADATA))
    response = get(ds, f"/-/galleries/{video_archive.EVENT_SLUG}.zip")
    assert response.status_code == 200, response.text[:300]
    with zipfile.ZipFile(io.BytesIO(response.content)) as bundle:
        names = bundle.namelist()
        clips = [n for n in names if n.endswith((".mp4", ".mov"))]
        assert len(clips) == 3
        for name in clips:
            relpath = name.split("/", 1)[1]
            assert bundle.read(name) == (Path(built.root) / relpath).read_bytes()
            assert bundle.getinfo(name).compress_type == zipfile.ZIP_STORED
