"""Other commands take their turn while an ingest writes; a second ingest is refused clearly."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from tests.test_crash import ingest_command, make_event

CLI = [sys.executable, "-c", "from archive.cli import main; main()"]


def test_commands_wait_their_turn_during_an_ingest(tmp_path: Path) -> None:
    folder, root = tmp_path / "hoi-nghi", tmp_path / "archive"
    make_event(folder)
    subprocess.run([*CLI, "--root", str(root), "init"], check=True, capture_output=True)
    ingest = subprocess.Popen(
        ingest_command(root, folder), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    while not list((root / "originals").rglob("*.jpg")):
        assert ingest.poll() is None, ingest.communicate()
        time.sleep(0.01)
    results = []
    for i in range(4):
        results.append(
            subprocess.run(
                [*CLI, "--root", str(root), "units", "add", f"Tổ dân phố {10 + i}"],
                capture_output=True,
                text=True,
            )
        )
    second = subprocess.run(ingest_command(root, folder), capture_output=True, text=True)
    # A dry run writes nothing: it may look at the folder while the real ingest runs.
    preview = subprocess.run(
        [*ingest_command(root, folder), "--dry-run"], capture_output=True, text=True
    )
    out, err = ingest.communicate(timeout=120)
    assert ingest.returncode == 0, out + err
    assert ingest_was_running(second)
    assert preview.returncode == 0, preview.stderr
    for result in results:
        assert result.returncode == 0, result.stderr
    listing = subprocess.run(
        [*CLI, "--root", str(root), "units"], capture_output=True, text=True, check=True
    ).stdout
    assert all(f"Tổ dân phố {10 + i}" in listing for i in range(4))


def ingest_was_running(second: subprocess.CompletedProcess) -> bool:
    """The second ingest says what is wrong in one line and exits 2 (or ran after the first)."""
    if second.returncode == 0:
        return True
    return second.returncode == 2 and "an ingest is writing" in second.stderr
