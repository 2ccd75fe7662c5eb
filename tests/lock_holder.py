"""Real processes around the archive's writer lock, for the tests that need one holding it.

``held(root)`` starts a child process that takes ``Store.lock()`` exactly as an
ingest does, and keeps it until the block ends: the portable way to hold the
lock (no platform's locking call in the tests). ``Lines`` reads a process's
output as it comes, so a test can wait for a line without ever blocking forever.
"""

from __future__ import annotations

import queue
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

CLI = [sys.executable, "-c", "from archive.cli import main; main()"]

HOLD = """
import sys
from pathlib import Path
from archive.store import Store
root = Path(sys.argv[1])
root.mkdir(parents=True, exist_ok=True)
with Store(root).lock():
    print("held", flush=True)
    sys.stdin.readline()
"""


class Lines:
    """The lines of a stream, read by a thread; `until` waits for one holding a text."""

    def __init__(self, stream: IO[str]) -> None:
        self.seen: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self._queue.put(line)
        self._queue.put(None)

    def until(self, text: str, seconds: float = 60) -> str:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                line = self._queue.get(timeout=max(deadline - time.monotonic(), 0.01))
            except queue.Empty:
                break
            if line is None:
                break
            self.seen.append(line)
            if text in line:
                return line
        raise AssertionError(f"no line with {text!r}; got {self.seen!r}")

    def rest(self) -> str:
        """Everything after what was read so far, once the stream has ended."""
        self._thread.join(timeout=60)
        while True:
            try:
                line = self._queue.get_nowait()
            except queue.Empty:
                break
            if line is not None:
                self.seen.append(line)
        return "".join(self.seen)


@contextmanager
def held(root: Path) -> Iterator[subprocess.Popen]:
    """A child process holding the writer lock of root until the block ends."""
    child = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(root)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        assert Lines(child.stdout).until("held") == "held\n"
        yield child
    finally:
        if child.stdin:
            child.stdin.close()
        child.wait(timeout=30)
