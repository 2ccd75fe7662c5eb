"""The IIIF manifest: valid Presentation 3.0 by an independent validator, and shown by Mirador."""

from __future__ import annotations

import copy
import functools
import http.server
import json
import shutil
import subprocess
import tarfile
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.browser import launch_chromium, open_page, screenshot
from tests.conftest import EXAMPLES, PROJECT, import_or_missing, missing_tool
from tests.test_galleries import BY_TIME, EVENT

BASE = "https://phuong6.example/anh/hoc-tap/"
MIRADOR = "mirador@4.0.0"  # its npm tarball ships a self-contained UMD build
MIRADOR_CACHE = PROJECT / "test-output" / "cache" / MIRADOR.replace("@", "-")


@pytest.fixture
def chromium():
    """One browser per test (tests/browser.py), closed before the next test's asyncio."""
    with launch_chromium() as browser:
        yield browser


@pytest.fixture
def example(archive):
    archive.ingest(str(EXAMPLES))
    archive.run("settings", "set", "rights", "http://rightsstatements.org/vocab/InC/1.0/")
    archive.run("settings", "set", "required_statement", "Ảnh: Ủy ban nhân dân phường 6")
    return archive


@contextmanager
def strict_models() -> Iterator[type]:
    """iiif-prezi3's Manifest with its authoring conveniences off, so it only validates.

    Out of the box it fills in ids, wraps plain strings as language maps and
    adds empty ``items``; a validator must see the manifest as written.
    """
    prezi3 = import_or_missing("iiif_prezi3")

    def subclasses(cls: type) -> Iterator[type]:
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    saved = {c: c.__dict__["_defaulters"] for c in set(subclasses(prezi3.Base))
             if "_defaulters" in c.__dict__}  # fmt: skip
    for cls in saved:
        cls._defaulters = []
    try:
        yield prezi3.Manifest
    finally:
        for cls, defaulters in saved.items():
            cls._defaulters = defaulters


def validate(manifest: dict) -> None:
    with strict_models() as model:
        model.model_validate(manifest, strict=True)


def test_manifest_is_valid_presentation_3(example) -> None:
    manifest = json.loads(example.run("export", "--event", EVENT, "--format", "iiif",
                                      "--base-url", BASE).stdout)  # fmt: skip
    validate(manifest)
    assert manifest["@context"] == "http://iiif.io/api/presentation/3/context.json"
    assert manifest["id"] == BASE + "manifest.json"
    assert manifest["label"] == {"vi": ["Tổ chức học tập trực tuyến Chỉ thị 05-CT/TW năm 2018"]}
    assert manifest["summary"]["vi"][0].startswith("Thực hiện Thông báo số 83-TB/BTGQU")
    assert manifest["navDate"] == "2017-12-22T00:00:00+07:00"
    assert manifest["rights"] == "http://rightsstatements.org/vocab/InC/1.0/"
    assert manifest["requiredStatement"] == {
        "label": {"vi": ["Ghi công"]},
        "value": {"vi": ["Ảnh: Ủy ban nhân dân phường 6"]},
    }
    pairs = {pair["label"]["vi"][0]: pair["value"] for pair in manifest["metadata"]}
    assert "Chi bộ Công an phường" in pairs["Đơn vị"]["vi"]
    assert pairs["Từ khóa"] == {"vi": ["Chỉ thị 05-CT/TW", "Học tập chính trị"]}
    canvases = manifest["items"]
    assert [c["label"] for c in canvases] == [{"vi": [caption]} for caption in BY_TIME]
    photos = json.loads(example.run("export", "--event", EVENT).stdout)["photos"]
    for canvas, photo in zip(canvases, photos, strict=True):
        assert (canvas["width"], canvas["height"]) == (1600, 1200)
        [page] = canvas["items"]
        [annotation] = page["items"]
        assert annotation["motivation"] == "painting" and annotation["target"] == canvas["id"]
        body = annotation["body"]
        assert body["id"] == BASE + photo["preview"]["path"]
        assert (body["type"], body["format"], body["width"], body["height"]) == (
            "Image", "image/jpeg", 1280, 960,
        )  # fmt: skip
        [thumb] = canvas["thumbnail"]
        assert (thumb["id"], thumb["width"], thumb["height"]) == (
            BASE + photo["thumbnail"]["path"], 320, 240,
        )  # fmt: skip
        units = [u["name"] for u in photo["units"]]
        assert {"label": {"vi": ["Đơn vị"]}, "value": {"vi": units}} in canvas["metadata"]
    assert len({c["id"] for c in canvases}) == 5


def test_validator_is_not_a_rubber_stamp(example) -> None:
    manifest = json.loads(example.run("export", "--event", EVENT, "--format", "iiif",
                                      "--base-url", BASE).stdout)  # fmt: skip
    broken = [copy.deepcopy(manifest) for _ in range(4)]
    broken[0]["label"] = "Tổ chức học tập"  # not a language map
    broken[1]["items"][0]["id"] = "canvas/1"  # not an HTTP(S) URI
    broken[2]["navDate"] = "2017-12-22"  # no time zone
    del broken[3]["items"]
    for doc in broken:
        with pytest.raises(Exception, match="validation error"):
            validate(doc)


def test_manifest_needs_a_base_url_and_respects_public(example) -> None:
    refused = example.run("export", "--event", EVENT, "--format", "iiif", expect=2)
    assert "--base-url" in refused.output
    example.run("settings", "set", "base_url", BASE.rstrip("/"))
    example.run("photos", "private", "5")
    manifest = json.loads(example.run("export", "--event", EVENT, "--format", "iiif",
                                      "--public").stdout)  # fmt: skip
    validate(manifest)
    assert manifest["id"] == BASE + "manifest.json"
    assert [c["label"]["vi"][0] for c in manifest["items"]] == BY_TIME[:4]


def test_an_empty_gallery_is_no_manifest(example) -> None:
    """Presentation 3 requires at least one Canvas: an empty gallery is refused, not exported."""
    example.run("gallery", "create", "trong", "--title", "Bộ ảnh trống")
    refused = example.run("export", "trong", "--format", "iiif", "--base-url", BASE, expect=2)
    assert refused.output.count("\n") == 1, refused.output
    assert "gallery trong has no photos: nothing to export as IIIF" in refused.output
    example.run("gallery", "create", "rieng", "--title", "Riêng tư", "--unit",
                "Chi bộ Công an phường")  # fmt: skip
    example.run("photos", "private", "2")
    refused = example.run("export", "rieng", "--format", "iiif", "--base-url", BASE, "--public",
                          expect=2)  # fmt: skip
    assert "gallery rieng has no public photos: nothing to export as IIIF" in refused.output
    validate(json.loads(example.run("export", "rieng", "--format", "iiif",
                                    "--base-url", BASE).stdout))  # fmt: skip


@pytest.fixture
def mirador_js() -> Path:
    """Mirador's UMD build from the npm registry, fetched once into test-output/cache."""
    target = MIRADOR_CACHE / "mirador.min.js"
    if target.is_file():
        return target
    npm = shutil.which("npm")
    if npm is None:
        missing_tool("npm is not installed: cannot fetch Mirador")
    with tempfile.TemporaryDirectory() as tmp:
        result = subprocess.run(
            [npm, "pack", MIRADOR, "--silent", "--pack-destination", tmp],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        tarballs = list(Path(tmp).glob("mirador-*.tgz"))
        if result.returncode or not tarballs:
            missing_tool(f"npm pack {MIRADOR} failed: {result.stderr.strip()[:200]}")
        with tarfile.open(tarballs[0]) as tar:
            member = tar.extractfile("package/dist/mirador.min.js")
            assert member is not None
            data = member.read()
    MIRADOR_CACHE.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    partial.write_bytes(data)
    partial.replace(target)
    return target


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


VIEWER = """<!doctype html>
<html><head><meta charset="utf-8"><title>Mirador</title></head>
<body style="margin:0"><div id="viewer" style="position:absolute;inset:0"></div>
<script src="mirador.min.js"></script>
<script>
window.mirador = Mirador.viewer({
  id: "viewer",
  windows: [{ manifestId: %s, view: "gallery" }],
  workspaceControlPanel: { enabled: false },
});
</script></body></html>
"""


def test_mirador_shows_the_five_canvases(example, chromium, mirador_js, tmp_path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    shutil.copy(mirador_js, site / "mirador.min.js")
    with serve(site) as origin:
        base = origin + "hoc-tap/"
        example.run("export", "--event", EVENT, "--bundle", str(site / "hoc-tap"),
                    "--base-url", base)  # fmt: skip
        manifest_url = base + "manifest.json"
        (site / "viewer.html").write_text(VIEWER % json.dumps(manifest_url), "utf-8")
        manifest = json.loads((site / "hoc-tap" / "manifest.json").read_text("utf-8"))
        validate(manifest)
        thumbs = [canvas["thumbnail"][0]["id"] for canvas in manifest["items"]]

        with open_page(chromium) as (page, seen):
            outside: list[str] = []

            def only_local(route) -> None:  # the viewer must need nothing but our server
                if route.request.url.startswith(origin):
                    route.continue_()
                else:
                    outside.append(route.request.url)
                    route.abort()

            page.route("**/*", only_local)
            page.goto(origin + "viewer.html", wait_until="load")
            page.wait_for_function(
                """thumbs => {
                    const shown = Array.from(document.images).filter(img =>
                        thumbs.includes(img.currentSrc || img.src) && img.complete
                        && img.naturalWidth > 0 && img.getBoundingClientRect().width > 0);
                    return new Set(shown.map(img => img.currentSrc || img.src)).size
                        === thumbs.length;
                }""",
                arg=thumbs,
                timeout=30_000,
            )
            state = page.evaluate(
                """url => {
                    const m = window.mirador.store.getState().manifests[url];
                    return {error: m.error || null, canvases: m.json.items.length,
                            label: m.json.label.vi[0]};
                }""",
                manifest_url,
            )
            assert state == {"error": None, "canvases": 5, "label": manifest["label"]["vi"][0]}
            assert manifest["label"]["vi"][0] in page.locator("body").inner_text()
            screenshot(page, "mirador-gallery")
    assert not (seen.errors or seen.failed or seen.dialogs), seen
    assert not outside, outside
