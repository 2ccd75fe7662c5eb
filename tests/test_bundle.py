"""The offline bundle: relative paths only, opens from file:// with the network off, public
bundles carry no GPS or EXIF, and Datasette hands out the same folder as a ZIP."""

from __future__ import annotations

import asyncio
import io
import json
import shutil
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from datasette.app import Datasette
from PIL import Image

import archive.export
from archive.bundle import strip_metadata
from tests.browser import launch_chromium, open_page, screenshot
from tests.conftest import EXAMPLES
from tests.images import iptc_segment, make_jpeg, xmp_segment
from tests.test_galleries import BY_TIME, EVENT


@pytest.fixture
def chromium():
    """One browser per test (tests/browser.py): Playwright's sync API keeps an event loop
    running while a browser is open, and this module's Datasette tests need asyncio.run."""
    with launch_chromium() as browser:
        yield browser


@pytest.fixture
def example(archive):
    archive.ingest(str(EXAMPLES))
    return archive


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.links += [value for name, value in attrs if name in ("src", "href") and value]


def text_files(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): p.read_text("utf-8")
        for p in folder.rglob("*")
        if p.suffix in (".html", ".json")
    }


def test_bundle_is_self_contained_with_relative_paths(example, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(archive.export, "now", lambda: "2024-03-08T01:02:03+00:00")
    bundle = tmp_path / "usb" / "hoc-tap"
    example.run("export", "--event", EVENT, "--bundle", str(bundle))
    assert sorted(p.name for p in bundle.iterdir()) == [
        "gallery.json",
        "index.html",
        "manifest.json",
        "thumbs",
    ]
    # The bundle's JSON is the export, byte for byte, and every path in it resolves inside.
    assert (bundle / "gallery.json").read_bytes() == example.run(
        "export", "--event", EVENT
    ).stdout_bytes
    document = json.loads((bundle / "gallery.json").read_text("utf-8"))
    for photo in document["photos"]:
        for kind in ("thumbnail", "preview"):
            copied = bundle / photo[kind]["path"]
            assert copied.read_bytes() == (example.root / photo[kind]["path"]).read_bytes()
    assert len(list(bundle.rglob("*.jpg"))) == 10  # no originals
    parser = Links()
    parser.feed((bundle / "index.html").read_text("utf-8"))
    assert parser.links
    for link in parser.links:
        assert not link.startswith(("/", "file:", "http:", "https:")), link
        assert (bundle / link).is_file(), link
    for name, text in text_files(bundle).items():
        assert str(example.root) not in text and str(tmp_path) not in text, name
    manifest = json.loads((bundle / "manifest.json").read_text("utf-8"))
    assert manifest["items"][0]["items"][0]["items"][0]["body"]["id"].startswith("thumbs/1280/")


def test_bundle_opens_offline_from_a_usb_stick(example, chromium, tmp_path) -> None:
    bundle = tmp_path / "build" / "hoc-tap"
    example.run("export", "--event", EVENT, "--bundle", str(bundle))
    # Carried away on a stick: the archive is gone, only the folder remains.
    usb = tmp_path / "usb" / "Bộ ảnh học tập"
    shutil.copytree(bundle, usb)
    shutil.rmtree(example.root)
    shutil.rmtree(bundle)

    with open_page(chromium, offline=True) as (page, seen):
        requested: list[str] = []
        page.on("request", lambda request: requested.append(request.url))
        page.goto((usb / "index.html").as_uri(), wait_until="load")
        images = page.evaluate(
            """() => Array.from(document.images).map(img => ({
                src: img.getAttribute('src'), alt: img.alt,
                loaded: img.complete && img.naturalWidth > 0,
                shown: img.getBoundingClientRect().width > 0}))"""
        )
        assert len(images) == 5
        assert all(image["loaded"] and image["shown"] for image in images), images
        assert [image["alt"] for image in images] == BY_TIME
        assert page.locator("figcaption .caption").all_inner_texts() == BY_TIME
        assert "Chi bộ Công an phường" in page.locator("main").inner_text()
        title = "Tổ chức học tập trực tuyến Chỉ thị 05-CT/TW năm 2018"
        assert page.locator("h1").inner_text() == title
        screenshot(page, "bundle-index")
    assert requested and all(url.startswith("file://") for url in requested), requested
    assert not (seen.errors or seen.failed or seen.dialogs), seen


def assert_no_metadata(data: bytes, name: str) -> None:
    for marker in (b"Exif\x00\x00", b"http://ns.adobe.com/xap", b"Photoshop 3.0"):
        assert marker not in data, (name, marker)
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        assert not image.getexif(), name
        assert "exif" not in image.info and "xmp" not in image.info, name


def test_public_bundle_has_no_gps_exif_or_private_photos(example, tmp_path) -> None:
    rows = example.rows("SELECT id, caption, sha256, preview_path FROM photos ORDER BY id")
    pupils = next(r for r in rows if r["caption"] == BY_TIME[4])
    example.run("photos", "private", str(pupils["id"]))
    # A derivative that (against the rules) kept the camera's metadata must not leak it.
    leaky = example.root / rows[0]["preview_path"]
    leaky.write_bytes(
        make_jpeg(
            size=(320, 240),
            gps=(10.78121, 106.68645, 9.0),
            app_segments=[xmp_segment({"x-default": "Lễ"}), iptc_segment("Lễ".encode())],
        )
    )
    bundle = tmp_path / "public"
    example.run("export", "--event", EVENT, "--bundle", str(bundle), "--public")
    document = json.loads((bundle / "gallery.json").read_text("utf-8"))
    assert [p["caption"] for p in document["photos"]] == BY_TIME[:4]
    jpegs = list(bundle.rglob("*.jpg"))
    assert len(jpegs) == 8
    for path in jpegs:
        assert pupils["sha256"] not in path.name
        assert_no_metadata(path.read_bytes(), path.name)
    for name, text in text_files(bundle).items():
        assert pupils["sha256"] not in text and BY_TIME[4] not in text, name
        for forbidden in ('"gps"', '"exif"', "GPS", "10.78", "106.68", "SM-J710F", "/examples/"):
            assert forbidden not in text, (name, forbidden)


def test_strip_metadata_keeps_the_picture() -> None:
    original = make_jpeg(size=(64, 48), gps=(10.5, 106.5, None), app_segments=[xmp_segment()])
    stripped = strip_metadata(original)
    assert_no_metadata(stripped, "stripped")
    with Image.open(io.BytesIO(original)) as a, Image.open(io.BytesIO(stripped)) as b:
        assert a.tobytes() == b.tobytes()
    assert strip_metadata(b"not a jpeg") == b"not a jpeg"


def test_bundle_replaces_an_earlier_bundle_but_nothing_else(example, tmp_path) -> None:
    example.run("gallery", "create", "g", "--title", "G", "--event", EVENT)
    bundle = tmp_path / "g"
    example.run("export", "g", "--bundle", str(bundle))
    example.run("gallery", "remove", "g", "1", "2")
    example.run("export", "g", "--bundle", str(bundle))
    assert len(list(bundle.rglob("*.jpg"))) == 6  # the removed photos' files went with them
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no leftovers
    other = tmp_path / "documents"
    other.mkdir()
    (other / "report.docx").write_bytes(b"keep me")
    refused = example.run("export", "g", "--bundle", str(other), expect=2)
    assert "not empty" in refused.output
    assert [p.name for p in other.iterdir()] == ["report.docx"]


def test_missing_derivative_is_reported_with_exit_1(example, tmp_path) -> None:
    thumb = example.rows("SELECT thumb_path FROM photos ORDER BY id LIMIT 1")[0]["thumb_path"]
    (example.root / thumb).unlink()
    result = example.run("export", "--event", EVENT, "--bundle", str(tmp_path / "b"), expect=1)
    assert f"missing from the store (run archive verify): {thumb}" in result.output
    assert len(list((tmp_path / "b").rglob("*.jpg"))) == 9


def test_datasette_download_bundle_is_the_folder_as_a_zip(example, monkeypatch) -> None:
    monkeypatch.setattr(archive.export, "now", lambda: "2024-03-08T01:02:03+00:00")

    async def get(path: str):
        return await Datasette([str(example.root / "catalog.db")]).client.get(path)

    response = asyncio.run(get(f"/-/galleries/{EVENT}.zip"))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert f'filename="{EVENT}.zip"' in response.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(response.content)) as bundle:
        names = bundle.namelist()
        assert all(name.startswith(f"{EVENT}/") for name in names)
        assert {f"{EVENT}/index.html", f"{EVENT}/manifest.json"} <= set(names)
        assert len([n for n in names if n.endswith(".jpg")]) == 10
        cli = example.run("export", "--event", EVENT).stdout_bytes
        assert bundle.read(f"{EVENT}/gallery.json") == cli
    example.run("photos", "private", "5")
    response = asyncio.run(get(f"/-/galleries/{EVENT}.zip?public=1"))
    with zipfile.ZipFile(io.BytesIO(response.content)) as bundle:
        assert len([n for n in bundle.namelist() if n.endswith(".jpg")]) == 8
        for name in bundle.namelist():
            if name.endswith(".jpg"):
                assert_no_metadata(bundle.read(name), name)
