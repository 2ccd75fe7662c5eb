"""Other commands take their turn while an ingest writes; a second ingest waits for it."""

from __future__ import annotations

import json
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
    # Any file under originals, staged (.incoming-…) or in place: the first photo is being
    # stored, 39 to go (files are put in place a batch at a time, so wait for none of that).
    while not any(p.is_file() for p in (root / "originals").rglob("*")):
        assert ingest.poll() is None, ingest.communicate()
        time.sleep(0.01)
    # Started while the first is mid-way: it must wait.
    second = subprocess.Popen(
        [*ingest_command(root, folder), "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    results = []
    for i in range(4):
        results.append(
            subprocess.run(
                [*CLI, "--root", str(root), "units", "add", f"Tổ dân phố {10 + i}"],
                capture_output=True,
                text=True,
            )
        )
    # A dry run writes nothing: it may look at the folder while the real ingest runs.
    preview = subprocess.run(
        [*ingest_command(root, folder), "--dry-run"], capture_output=True, text=True
    )
    out, err = ingest.communicate(timeout=120)
    assert ingest.returncode == 0, out + err
    second_out, second_err = second.communicate(timeout=120)
    assert second.returncode == 0, second_out + second_err
    assert waited_for(ingest.pid, second_err), second_err
    assert json.loads(second_out)["added"] == 0  # the same photos, all in by then
    assert preview.returncode == 0, preview.stderr
    for result in results:
        assert result.returncode == 0, result.stderr
    listing = subprocess.run(
        [*CLI, "--root", str(root), "units"], capture_output=True, text=True, check=True
    ).stdout
    assert all(f"Tổ dân phố {10 + i}" in listing for i in range(4))


def waited_for(pid: int, stderr: str) -> bool:
    """The second ingest said, in one line, that it waited for the first, naming its process."""
    lines = [line for line in stderr.splitlines() if line.startswith("Waiting for the ingest")]
    return len(lines) == 1 and f"(process {pid}) to finish" in lines[0]
