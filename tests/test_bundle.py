"""The offline bundle: relative paths only, opens from file:// with the network off, public
bundles carry no GPS or EXIF, and Datasette hands out the same folder as a ZIP."""

from __future__ import annotations

import asyncio
import io
import json
import os
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
from tests.conftest import EXAMPLE_EVENT, EXAMPLES, Archive
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
        ".bundle-files",
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


def bundle_files(folder: Path) -> list[str]:
    """Every file under folder, as relative POSIX paths."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_bundle_replaces_an_earlier_bundle_but_nothing_else(example, tmp_path) -> None:
    example.run("gallery", "create", "g", "--title", "G", "--event", EVENT)
    bundle = tmp_path / "g"
    example.run("export", "g", "--bundle", str(bundle))
    first = bundle_files(bundle)
    listed = (bundle / ".bundle-files").read_text("utf-8").splitlines()
    assert sorted(listed) == [name for name in first if name != ".bundle-files"]
    example.run("gallery", "remove", "g", "1", "2")
    example.run("export", "g", "--bundle", str(bundle))
    assert len(list(bundle.rglob("*.jpg"))) == 6  # the removed photos' files went with them
    leftovers = [p for p in bundle.rglob("*") if p.name.startswith(".")]
    assert leftovers == [bundle / ".bundle-files"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    assert not [p for p in (bundle / "thumbs").rglob("*") if p.is_dir() and not any(p.iterdir())]


def test_bundle_never_deletes_files_it_did_not_write(example, tmp_path) -> None:
    """A USB stick holds other documents: a bundle goes beside them and leaves them be."""
    example.run("gallery", "create", "g", "--title", "G", "--event", EVENT)
    usb = tmp_path / "usb"
    (usb / "tai-lieu").mkdir(parents=True)
    (usb / "Báo cáo năm 2024.docx").write_bytes(b"x\n")
    (usb / "tai-lieu" / "Biên bản.pdf").write_bytes(b"%PDF-1.4")
    (usb / "thumbs").mkdir()
    (usb / "thumbs" / "ghi chú.txt").write_text("ảnh của tôi", "utf-8")  # in a folder it uses
    theirs = bundle_files(usb)
    example.run("export", "g", "--bundle", str(usb))
    assert set(theirs) < set(bundle_files(usb))
    example.run("gallery", "remove", "g", "1", "2")
    example.run("export", "g", "--bundle", str(usb))  # replaces its own files only
    example.run("export", "g", "--bundle", str(usb), "--public")
    assert (usb / "Báo cáo năm 2024.docx").read_bytes() == b"x\n"
    assert (usb / "tai-lieu" / "Biên bản.pdf").read_bytes() == b"%PDF-1.4"
    assert (usb / "thumbs" / "ghi chú.txt").read_text("utf-8") == "ảnh của tôi"
    assert len(list(usb.rglob("*.jpg"))) == 6
    listed = (usb / ".bundle-files").read_text("utf-8").splitlines()
    assert sorted([*theirs, *listed, ".bundle-files"]) == bundle_files(usb)
    assert json.loads((usb / "gallery.json").read_text("utf-8"))["gallery"]["public"] is True


def test_bundle_refuses_to_overwrite_files_it_did_not_write(example, tmp_path) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    (usb / "index.html").write_text("<h1>Trang của phường</h1>", "utf-8")
    (usb / "gallery.json").write_text("{}", "utf-8")
    (usb / "ghi-chu.txt").write_text("giữ lại", "utf-8")
    before = {name: (usb / name).read_bytes() for name in bundle_files(usb)}
    refused = example.run("export", "--event", EVENT, "--bundle", str(usb), expect=2)
    assert refused.output.count("\n") == 1, refused.output
    assert str(usb) in refused.output and "index.html" in refused.output
    assert "did not write" in refused.output
    assert {name: (usb / name).read_bytes() for name in bundle_files(usb)} == before
    # A bundle made before .bundle-files existed had nothing else in its folder: replaced.
    old = tmp_path / "old"
    example.run("export", "--event", EVENT, "--bundle", str(old))
    (old / ".bundle-files").unlink()
    example.run("photos", "private", "1")
    example.run("export", "--event", EVENT, "--bundle", str(old), "--public")
    assert len(list(old.rglob("*.jpg"))) == 8 and (old / ".bundle-files").is_file()
    (old / ".bundle-files").unlink()
    (old / "ghi-chu.txt").write_text("giữ lại", "utf-8")  # not only a bundle any more
    refused = example.run("export", "--event", EVENT, "--bundle", str(old), expect=2)
    assert "did not write" in refused.output and (old / "ghi-chu.txt").is_file()


def test_bundle_write_is_safe_against_a_crash(example, tmp_path, monkeypatch) -> None:
    """Interrupted half way, the earlier bundle's files are all still there, none half written,
    and the next export cleans up whatever the interrupted one had written."""
    bundle = tmp_path / "usb"
    example.run("export", "--event", EVENT, "--bundle", str(bundle), "--public")
    before = {name: (bundle / name).read_bytes() for name in bundle_files(bundle)}
    real_replace, calls = os.replace, []

    def crash(src, dst) -> None:
        calls.append(dst)
        if len(calls) == 4:
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", crash)
    example.run("photos", "private", "1")
    failed = example.run("export", "--event", EVENT, "--bundle", str(bundle), "--public",
                         expect=2)  # fmt: skip
    assert "No space left on device" in failed.output and str(bundle) in failed.output
    monkeypatch.setattr(os, "replace", real_replace)
    after = {name: (bundle / name).read_bytes() for name in bundle_files(bundle)}
    for name, data in before.items():
        if name != ".bundle-files":
            assert after[name] == data, name  # untouched or rewritten whole (same bytes)
    assert not [p for p in bundle.rglob("*") if ".incoming" in p.name]
    example.run("export", "--event", EVENT, "--bundle", str(bundle), "--public")
    assert len(list(bundle.rglob("*.jpg"))) == 8


def test_bundle_inside_the_archive_is_refused(example, tmp_path) -> None:
    """DIR inside the archive, the archive inside DIR where the bundle writes, and -o onto a
    file of the bundle are refused before anything is written."""
    store = sorted(p.relative_to(example.root) for p in example.root.rglob("*"))
    for target in (example.root, example.root / "thumbs", example.root / "ban-sao"):
        refused = example.run("export", "--event", EVENT, "--bundle", str(target), expect=2)
        assert refused.output.count("\n") == 1 and "inside the archive" in refused.output
        assert str(target) in refused.output
    link = tmp_path / "link"
    link.symlink_to(example.root, target_is_directory=True)
    refused = example.run("export", "--event", EVENT, "--bundle", str(link / "b"), expect=2)
    assert "inside the archive" in refused.output
    assert sorted(p.relative_to(example.root) for p in example.root.rglob("*")) == store
    # An archive folder named like a folder of the bundle, inside DIR: the bundle would write
    # into it.
    inner = Archive(tmp_path / "usb" / "thumbs")
    inner.ingest(str(EXAMPLE_EVENT))
    refused = inner.run("export", "--event", EVENT, "--bundle", str(tmp_path / "usb"), expect=2)
    assert "would write into the archive folder" in refused.output
    assert not (tmp_path / "usb" / "index.html").exists()
    # -o onto one of the bundle's own files would be overwritten by it.
    usb = tmp_path / "usb2"
    refused = example.run("export", "--event", EVENT, "--bundle", str(usb), "-o",
                          str(usb / "gallery.json"), expect=2)  # fmt: skip
    assert "is one of the files --bundle" in refused.output and not usb.exists()


def test_empty_gallery_bundle_is_refused_and_its_zip_has_no_manifest(example, tmp_path) -> None:
    example.run("gallery", "create", "trong", "--title", "Bộ ảnh trống")
    refused = example.run("export", "trong", "--bundle", str(tmp_path / "b"), expect=2)
    assert "gallery trong has no photos: nothing to export as a bundle" in refused.output
    assert not (tmp_path / "b").exists()

    async def get(path: str):
        return await Datasette([str(example.root / "catalog.db")]).client.get(path)

    response = asyncio.run(get("/-/galleries/trong.zip"))
    with zipfile.ZipFile(io.BytesIO(response.content)) as bundle:
        names = set(bundle.namelist())
    assert {"trong/index.html", "trong/gallery.json"} <= names
    assert "trong/manifest.json" not in names  # a Manifest with no Canvas is not IIIF


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
