"""The package as a user gets it: a wheel, installed (not editable) in a fresh venv.

Its ``archive`` runs from an empty folder, far from the checkout, so it can
only use what the wheel carries: the metadata (Vietnamese titles, facets,
canned queries), templates, static files and the example. Then files that
would configure a Datasette (metadata.yml/.json, templates/, plugins/,
static/, settings.json, an installed-looking plugin) are planted in the
working folder, the archive root and an ingested event folder, and every page
must stay as it was, in both modes: the server takes configuration from the
package, or from ``--metadata``, and from nowhere else.

``.ci/run`` builds and installs the wheel once and names its ``archive`` in
``$ARCHIVE_INSTALLED`` (and the wheel in ``$ARCHIVE_WHEEL``); without them
the session builds its own in a temporary folder.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import PROJECT, missing_tool
from tests.images import make_jpeg
from tests.installed import ArchiveProcess, free_port

BIN = "Scripts" if os.name == "nt" else "bin"  # where a venv keeps its scripts
EXAMPLE_SLUG = "to-chuc-hoc-tap-truc-tuyen-chi-thi-05-ct-tw-nam-2018"
SITE_TITLE = "Kho ảnh tư liệu phường"
MARK = "PLANTED"
PLANTED_QUERY = "xoa_don_vi"
PLANTED_METADATA = {
    "title": f"{MARK} title",
    "description_html": f"<script>{MARK.lower()}()</script>",
    "extra_js_urls": [f"https://{MARK.lower()}.invalid/x.js"],
    "databases": {
        "catalog": {
            "title": f"{MARK} catalog",
            "queries": {PLANTED_QUERY: {"sql": "delete from photo_units", "write": True}},
        }
    },
}
PLANTED_PLUGIN = f'''
from datasette import hookimpl

@hookimpl
def extra_body_script():
    return "{MARK} plugin"
'''
# Every page a visitor can see, and the JSON twins that carry the metadata.
PAGES = [
    "/",
    "/catalog",
    "/catalog/photos",
    "/catalog/events",
    "/catalog/anh_chua_co_chu_thich",
    "/-/timeline",
    "/-/search?q=hoc+tap",
    f"/-/events/{EXAMPLE_SLUG}",
    "/-/metadata.json",
    "/-/plugins.json",
    "/catalog.json",
]


@dataclass
class Installed:
    archive: Path  # the console script of the installed package
    wheel: Path | None

    @property
    def venv(self) -> Path:
        return self.archive.parent.parent  # <venv>/bin/archive


def _run(command: list[str], cwd: Path) -> None:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=clean_env())
    if result.returncode:
        lines = (result.stderr or result.stdout).strip().splitlines() or ["no output"]
        missing_tool(f"cannot build and install the wheel: {' '.join(command)}: {lines[-1]}")


def _build_and_install(work: Path) -> Installed:
    """A wheel of this checkout (copied, so no stale build/ gets in), in a fresh venv."""
    source = work / "source"
    ignore = shutil.ignore_patterns(
        ".git",
        ".venv*",
        "build",
        "dist",
        "*.egg-info",
        "__pycache__",
        ".*_cache",
        "test-output",
        "archive-data",
        "demo-archive",
    )
    shutil.copytree(PROJECT, source, ignore=ignore)
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(work), "."], source)
    wheel = next(work.glob("*.whl"))
    venv = work / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], work)
    _run([str(venv / BIN / "pip"), "install", "-q", str(wheel), "pipx"], work)
    return Installed(venv / BIN / "archive", wheel)


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    named = os.environ.get("ARCHIVE_INSTALLED")
    if not named:
        return _build_and_install(tmp_path_factory.mktemp("installed"))
    script = Path(named)
    if not script.is_file():
        pytest.fail(f"$ARCHIVE_INSTALLED names {named}, which is no file")
    wheel = os.environ.get("ARCHIVE_WHEEL")
    return Installed(script, Path(wheel) if wheel else None)


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without anything that would point Python or the archive elsewhere."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTHON")}
    for key in ("ARCHIVE_ROOT", "VIRTUAL_ENV", "DATASETTE_SECRET"):
        env.pop(key, None)
    return {**env, **extra}


def run_archive(
    script: Path, cwd: Path, *args: str, expect: int = 0
) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [str(script), *args], cwd=cwd, capture_output=True, text=True, env=clean_env()
    )
    assert result.returncode == expect, result.stdout + result.stderr
    return result


def count(catalog: Path, table: str) -> int:
    with sqlite3.connect(catalog) as db:
        return db.execute(f"select count(*) from {table}").fetchone()[0]


@pytest.fixture(scope="module")
def demo(installed: Installed, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(empty working folder, archive root) after the installed ``archive demo --no-serve``."""
    work = tmp_path_factory.mktemp("work")
    root = tmp_path_factory.mktemp("root") / "archive"
    run_archive(installed.archive, work, "--root", str(root), "demo", "--no-serve")
    return work, root


def test_the_installed_package_is_not_the_checkout(installed: Installed, tmp_path: Path) -> None:
    python = installed.venv / BIN / "python"
    code = "import archive, archive.shipped as s; print(archive.__file__); print(s.metadata_path())"
    result = subprocess.run(
        [str(python), "-c", code], cwd=tmp_path, capture_output=True, text=True, env=clean_env()
    )
    package, metadata = result.stdout.split()
    assert Path(package).resolve().is_relative_to(installed.venv.resolve())
    assert Path(metadata).parts[-3:] == ("archive", "_shipped", "metadata.yml")
    assert Path(metadata).read_bytes() == (PROJECT / "metadata.yml").read_bytes()


def test_the_installed_package_speaks_vietnamese(installed: Installed, tmp_path: Path) -> None:
    """The wheel carries the compiled catalog (archive.mo), not just the checkout's .po."""
    env = {**clean_env(), "ARCHIVE_LANG": "vi"}
    result = subprocess.run(
        [str(installed.archive), "--help"], cwd=tmp_path, capture_output=True, text=True, env=env
    )
    assert result.returncode == 0 and result.stdout.startswith("Cách dùng: archive")
    assert "Tùy chọn:" in result.stdout and "Hiện trợ giúp này rồi thoát." in result.stdout
    python = installed.venv / BIN / "python"
    code = "import archive.i18n as i; print(sorted(p.name for p in i.LOCALE_DIR.rglob('*.mo')))"
    found = subprocess.run(
        [str(python), "-c", code], cwd=tmp_path, capture_output=True, text=True, env=env
    )
    assert found.stdout.strip() == "['archive.mo']"


def test_demo_ingests_the_example_shipped_in_the_package(
    installed: Installed, demo: tuple[Path, Path]
) -> None:
    work, root = demo
    assert list(work.iterdir()) == []  # nothing was written where it ran
    with sqlite3.connect(root / "catalog.db") as db:
        sources = [row[0] for row in db.execute("select source_path from photos")]
        slugs = [row[0] for row in db.execute("select slug from events")]
    assert len(sources) == 5
    assert slugs == [EXAMPLE_SLUG]
    inside = (installed.venv.resolve() / "lib").as_posix()
    assert all(Path(source).resolve().as_posix().startswith(inside) for source in sources)


def test_bundle_export_renders_the_shipped_page_template(
    installed: Installed, demo: tuple[Path, Path], tmp_path: Path
) -> None:
    """index.html comes from a template in the package: the wheel must carry it."""
    work, root = demo
    bundle = tmp_path / "usb"
    run_archive(installed.archive, work, "--root", str(root), "export", "--event",
                EXAMPLE_SLUG, "--bundle", str(bundle))  # fmt: skip
    page = (bundle / "index.html").read_text("utf-8")
    assert page.count("<figure") == 5 and "Chi bộ Công an phường" in page
    assert "<script" not in page and list(work.iterdir()) == []


def test_serve_from_an_empty_folder_has_the_shipped_metadata(
    installed: Installed, demo: tuple[Path, Path]
) -> None:
    work, root = demo
    with ArchiveProcess(installed.archive, root, cwd=work, env=clean_env()) as server:
        home = server.get("/")
        database = server.get("/catalog")
        photos = server.get("/catalog/photos.json?_size=1")
        canned = server.get("/catalog/anh_chua_co_chu_thich")
        css = server.get("/-/archive-static/archive.css")
        timeline = server.get("/-/timeline")
    assert home.status_code == 200 and SITE_TITLE in home.text
    assert "Danh mục ảnh" in database.text and "Ảnh chưa ghi đơn vị" in database.text
    assert {"event_id", "units", "year", "camera", "tags"} <= set(photos.json()["facet_results"])
    assert canned.status_code == 200 and "Ảnh chưa có chú thích" in canned.text
    assert css.status_code == 200 and "text/css" in css.headers["content-type"]
    assert timeline.status_code == 200 and "Dòng thời gian" in timeline.text


def plant(folder: Path) -> None:
    """Everything a Datasette could be configured by, dropped in one folder."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "metadata.yml").write_text(json.dumps(PLANTED_METADATA), encoding="utf-8")
    (folder / "metadata.json").write_text(json.dumps(PLANTED_METADATA), encoding="utf-8")
    (folder / "settings.json").write_text(
        json.dumps({"default_allow_sql": True, "allow_download": True}), encoding="utf-8"
    )
    for name, text in {
        "templates/index.html": f"{MARK} template",
        "templates/base.html": f"{MARK} template",
        "static/app.js": f"{MARK} static",
        "plugins/planted.py": PLANTED_PLUGIN,
    }.items():
        (folder / name).parent.mkdir(exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    # A plugin that Python would find if this folder were on sys.path.
    (folder / "planted_plugin.py").write_text(PLANTED_PLUGIN, encoding="utf-8")
    info = folder / "planted_plugin-1.0.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: planted-plugin\nVersion: 1.0\n", "utf-8"
    )
    (info / "entry_points.txt").write_text("[datasette]\nplanted = planted_plugin\n", "utf-8")


@pytest.fixture(scope="module")
def planted(installed: Installed, demo: tuple[Path, Path], tmp_path_factory) -> tuple[Path, Path]:
    """The demo archive with an ingested event folder, and the plants in all three places."""
    work, root = demo
    event = tmp_path_factory.mktemp("sources") / "hop-chi-bo"
    plant(event)
    (event / "event.yml").write_text(
        "title: Họp Chi bộ Khu phố 2\ndate: 2024-03-08\nunits: [Chi bộ Khu phố 2]\n", "utf-8"
    )
    make_jpeg(event / "a.jpg", size=(320, 240), taken="2024:03:08 09:00:00")
    run_archive(installed.archive, work, "--root", str(root), "ingest", str(event))
    plant(work)
    plant(root)
    return work, root


@pytest.mark.parametrize("mode", [[], ["--reviewers"]], ids=["default", "reviewers"])
def test_planted_files_change_nothing(
    installed: Installed, planted: tuple[Path, Path], mode: list[str]
) -> None:
    work, root = planted
    catalog = root / "catalog.db"
    links = count(catalog, "photo_units")
    assert links > 0
    with ArchiveProcess(installed.archive, root, *mode, cwd=work, env=clean_env()) as server:
        pages = {path: server.get(path) for path in PAGES}
        query_page = server.get(f"/catalog/{PLANTED_QUERY}")
        # No cookies: Datasette's CSRF check lets such a POST reach the query.
        posts = [
            server.post(f"/catalog/{PLANTED_QUERY}"),
            server.post(f"/catalog/{PLANTED_QUERY}.json"),
        ]
        static = server.get("/static/app.js")
        download = server.get("/catalog.db")
        sql = server.get("/catalog.json?sql=select+1")
    for path, response in pages.items():
        assert response.status_code == 200, path
        assert MARK not in response.text and MARK.lower() not in response.text, path
    assert SITE_TITLE in pages["/"].text
    assert pages["/-/metadata.json"].json()["title"] == SITE_TITLE
    plugins = {plugin["name"] for plugin in pages["/-/plugins.json"].json()}
    assert "ward-photo-archive" in plugins and "planted-plugin" not in plugins
    assert query_page.status_code == 404
    # Datasette 0.65 answers a POST to anything but a canned query with a 500 (an assert).
    assert all(post.status_code >= 400 for post in posts), posts
    assert static.status_code == 404
    if mode:  # a planted settings.json would have turned these back on
        assert download.status_code == 403 and sql.status_code in (400, 403)
    assert count(catalog, "photo_units") == links


def test_the_same_file_given_with_metadata_is_obeyed(
    installed: Installed, planted: tuple[Path, Path]
) -> None:
    """The positive control: the plant is valid metadata that serve takes when told to."""
    work, root = planted
    catalog = root / "catalog.db"
    links = count(catalog, "photo_units")
    args = ("--metadata", str(work / "metadata.yml"))
    with ArchiveProcess(installed.archive, root, *args, cwd=work, env=clean_env()) as server:
        home = server.get("/")
        query_page = server.get(f"/catalog/{PLANTED_QUERY}")
        post = server.post(f"/catalog/{PLANTED_QUERY}")
    assert f"{MARK} title" in home.text and SITE_TITLE not in home.text
    assert query_page.status_code == 403 and post.status_code == 403  # a login is needed
    assert count(catalog, "photo_units") == links
    refused = run_archive(
        installed.archive,
        work,
        *("--root", str(root), "serve", "--reviewers", *args, "--port", str(free_port())),
        expect=2,
    )
    assert refused.stderr.strip().splitlines() == [
        f"Error: {work / 'metadata.yml'}: canned query '{PLANTED_QUERY}' of 'catalog' writes"
        " (write: true); --reviewers serves no query that writes"
    ]


def test_pipx_install_runs_the_demo_from_anywhere(installed: Installed, tmp_path: Path) -> None:
    pipx = installed.archive.with_name("pipx")
    if not pipx.is_file() or installed.wheel is None:
        missing_tool(f"pipx and the wheel beside {installed.archive} (.ci/run installs them)")
    home, bin_dir, work = tmp_path / "pipx", tmp_path / "bin", tmp_path / "work"
    work.mkdir()
    env = clean_env(PIPX_HOME=str(home), PIPX_BIN_DIR=str(bin_dir), PIPX_MAN_DIR=str(tmp_path))
    result = subprocess.run(
        [str(pipx), "install", str(installed.wheel)], capture_output=True, text=True, env=env
    )
    assert result.returncode == 0, result.stdout + result.stderr
    root = tmp_path / "archive"
    run_archive(bin_dir / "archive", work, "--root", str(root), "demo", "--no-serve")
    assert count(root / "catalog.db", "photos") == 5
    with sqlite3.connect(root / "catalog.db") as db:
        source = db.execute("select source_path from photos limit 1").fetchone()[0]
    assert Path(source).resolve().is_relative_to(home.resolve())
