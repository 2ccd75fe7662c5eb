"""An ``archive serve`` of an installed package, run as a user would: its own script, any folder.

Unlike tests/browser.py's server (this checkout's code, run from the
checkout), this one runs the console script it is given, in the folder it is
given, so the tests see only what the installed package brings.
"""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ArchiveProcess:
    """``SCRIPT --root ROOT serve --port P ARGS`` in ``cwd``, on a free 127.0.0.1 port.

    Each request is made afresh, with no cookie jar: a cookie one page sets
    (Datasette's CSRF token) must not make a later POST look like a form's.
    """

    def __init__(self, script: Path, root: Path, *args: str, cwd: Path, env: dict) -> None:
        self.port = free_port()
        self.command = [str(script), "--root", str(root), "serve", "--port", str(self.port)]
        self.command += list(args)
        self.cwd, self.env = cwd, env
        self.log = root.parent / f"serve-{self.port}.log"
        self.process: subprocess.Popen | None = None

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def get(self, path: str) -> httpx.Response:
        return httpx.get(self.url(path), timeout=30)

    def post(self, path: str) -> httpx.Response:
        return httpx.post(self.url(path), data={}, timeout=30)

    def __enter__(self) -> ArchiveProcess:
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                self.command, cwd=self.cwd, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"archive serve exited: {self.log.read_text()}")
            try:
                httpx.get(self.url("/-/versions.json"), timeout=2)
                return self
            except httpx.TransportError:
                time.sleep(0.1)
        self.__exit__()
        raise RuntimeError(f"archive serve did not answer in 60 s: {self.log.read_text()}")

    def __exit__(self, *exc: object) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
