"""A real headless Chromium for tests: Debian's ``chromium`` driven by Playwright.

Playwright's own browser download does not work where the tests run, so the
browser is the system's (``chromium`` on PATH, or ``$CHROMIUM``). Where either
it or the ``playwright`` package is missing (a user's clone), the tests that
use it skip with the reason; CI (``.ci/run``) installs both.

Usage, one browser and one server per module::

    @pytest.fixture(scope="module")
    def chromium():
        with launch_chromium() as browser:
            yield browser

    @pytest.fixture(scope="module")
    def site(archive_root):
        with ArchiveServer(archive_root) as server:
            yield server          # server.url("/catalog/photos")

    def test_x(chromium, site):
        with open_page(chromium) as (page, seen):
            page.goto(site.url("/"))
            assert not seen.dialogs
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.conftest import import_or_missing, missing_tool

# Quiet, sandbox-free, offline: what a container without a display or network allows.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PROJECT = Path(__file__).resolve().parents[1]
SCREENSHOTS = PROJECT / "test-output" / "screenshots"


def chromium_executable() -> str | None:
    """The system Chromium: $CHROMIUM, else ``chromium`` or ``chromium-browser`` on PATH."""
    configured = os.environ.get("CHROMIUM")
    if configured:
        return configured if Path(configured).exists() else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


@contextmanager
def launch_chromium() -> Iterator[Any]:
    """A headless Chromium (a Playwright ``Browser``), or a skip saying what is missing."""
    sync_api = import_or_missing("playwright.sync_api")
    executable = chromium_executable()
    if executable is None:
        missing_tool("no chromium: apt-get install chromium, or set $CHROMIUM to its path")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class PageWatch:
    """What happened on a page that a test must see: dialogs (alert), errors, failed loads."""

    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


@contextmanager
def open_page(browser: Any, **context_options: Any) -> Iterator[tuple[Any, PageWatch]]:
    """A page in a fresh context (own cookies), watched for dialogs and script errors.

    A dialog is recorded and dismissed, so an injected ``alert()`` fails the
    test instead of hanging it.
    """
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="vi-VN", **context_options
    )
    page = context.new_page()
    seen = PageWatch()

    def on_dialog(dialog: Any) -> None:
        seen.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda error: seen.errors.append(str(error)))
    page.on("requestfailed", lambda request: seen.failed.append(request.url))
    try:
        yield page, seen
    finally:
        context.close()


def screenshot(page: Any, name: str, folder: Path = SCREENSHOTS) -> Path:
    """Save a full-page PNG under test-output/screenshots/ (gitignored); returns its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ArchiveServer:
    """``archive serve`` on an archive, in a subprocess on a free 127.0.0.1 port.

    Extra arguments go to ``serve`` (``--reviewers``, ``--password-hash-env``);
    ``env`` adds environment variables (the password hash).
    """

    def __init__(self, root: Path, *args: str, env: dict[str, str] | None = None) -> None:
        self.root, self.args = root, args
        self.env = {**os.environ, **(env or {})}
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.log = root.parent / f"serve-{self.port}.log"

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self) -> ArchiveServer:
        command = [sys.executable, "-c", "from archive.cli import main; main()"]
        command += ["--root", str(self.root), "serve", "--port", str(self.port), *self.args]
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, env=self.env, cwd=PROJECT
            )
        self._wait_until_up()
        return self

    def _wait_until_up(self, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"archive serve exited: {self.log.read_text()}")
            try:
                with urllib.request.urlopen(self.url("/-/versions.json"), timeout=2):
                    return
            except urllib.error.HTTPError:
                return  # it answers (a locked archive answers 403): it is up
            except OSError:
                time.sleep(0.1)
        self.__exit__()
        raise RuntimeError(f"archive serve did not answer in {seconds}s: {self.log.read_text()}")

    def __exit__(self, *exc: object) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
