"""Shared fixtures: real archives in tmp_path, the bundled example, the shared corpus."""

from __future__ import annotations

import importlib
import json
import os
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner, Result

from archive import i18n
from archive.catalog import Catalog
from archive.cli import cli
from archive.db import open_catalog

PROJECT = Path(__file__).resolve().parents[1]
EXAMPLES = PROJECT / "examples"
EXAMPLE_EVENT = EXAMPLES / "hoc-tap-chi-thi-05-ct-tw-nam-2018"
SHARED = PROJECT.parent / "shared"
# The suite is written against the English sentences; tests of the Vietnamese set their own.
os.environ["ARCHIVE_LANG"] = "en"


@pytest.fixture(autouse=True)
def _language_restored():
    """Each test ends in the language it began in.

    A command run in this process speaks the archive's stored language from then on
    (``archive settings set language vi``); without this, the tests after it would read
    Vietnamese sentences where they expect English, depending on which ran first.
    """
    before = i18n.language()
    yield
    if i18n.language() != before:
        i18n.activate(before)


def missing_tool(reason: str) -> None:
    """Skip where a user's clone lacks a tool; fail in CI, which installs everything.

    A green CI must mean the browser, IIIF and corpus tests really ran.
    """
    if os.environ.get("CI"):
        pytest.fail(f"CI must have this: {reason}")
    pytest.skip(reason)


def import_or_missing(name: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except ImportError:
        missing_tool(f"{name} is not installed")
        raise


def shared_path(*parts: str) -> Path:
    """A file of ../shared beside the checkout; the test skips where a clone has none."""
    path = SHARED.joinpath(*parts).resolve()
    if not path.exists():
        missing_tool(f"../shared/{'/'.join(parts)} is not beside this checkout")
    return path


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "archive"


class Archive:
    """An archive root driven through the real command line."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.runner = CliRunner()

    def run(self, *args: str, expect: int | None = 0) -> Result:
        result = self.runner.invoke(cli, ["--root", str(self.root), *args], catch_exceptions=False)
        if expect is not None:
            assert result.exit_code == expect, result.output
        return result

    def ingest(self, *args: str, expect: int | None = 0) -> dict:
        result = self.run("ingest", "--json", "--jobs", "1", *args, expect=expect)
        return json.loads(result.stdout)

    def catalog(self) -> Catalog:
        return Catalog(open_catalog(self.root / "catalog.db"))

    def rows(self, sql: str, params: tuple = ()) -> list[dict]:
        return self.catalog()._all(sql, params)


@pytest.fixture
def processed(monkeypatch) -> list[str]:
    """The files whose bytes the pipeline read (with --jobs 1 the work runs in-process)."""
    import ingest.pipeline

    seen: list[str] = []
    real = ingest.pipeline.process

    def spy(job):
        seen.append(Path(job.path).name)
        return real(job)

    monkeypatch.setattr(ingest.pipeline, "process", spy)
    return seen


@pytest.fixture
def archive(root: Path) -> Archive:
    return Archive(root)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    """The reviewers' archive of tests/web_archive.py, built once per module that asks."""
    from tests import web_archive

    work = tmp_path_factory.mktemp("review")
    return web_archive.build(work / "archive", work / "sources")


@pytest.fixture(scope="module")
def ds(built):
    """A Datasette over `built`, as `archive serve` configures it."""
    from tests.web_archive import datasette

    return datasette(built)
