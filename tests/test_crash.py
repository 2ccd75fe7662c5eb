"""A killed ingest, run again, ends exactly where an uninterrupted one does."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

from PIL import Image

from tests.images import build_exif

PHOTOS = 40
VOLATILE = {
    "id",
    "run_id",
    "added_at",
    "updated_at",
    "created_at",
    "photo_id",
    "event_id",
    "unit_id",
    "tag_id",
    "organizer_unit_id",
    "first_run_id",
    "last_run_id",
}


def make_event(folder: Path) -> None:
    folder.mkdir()
    (folder / "event.yml").write_text(
        "title: Hội nghị tổng kết công tác năm\ndate: 2023-12-28\nunits: [Đảng ủy phường 6]\n",
        "utf-8",
    )
    rows = ["file,caption,units"]
    for i in range(PHOTOS):
        # Noise makes the JPEGs as costly to decode as real photos.
        image = Image.effect_noise((1600, 1200), 40 + i).convert("RGB")
        exif = build_exif(taken=f"2023:12:28 08:{i:02d}:00", orientation=6 if i % 5 == 0 else 1)
        image.save(folder / f"IMG_{i:04d}.jpg", quality=90, exif=exif.tobytes())
        rows.append(f"IMG_{i:04d}.jpg,Ảnh số {i} của hội nghị,Tổ dân phố {i % 4 + 1}")
    (folder / "captions.csv").write_text("\n".join(rows) + "\n", "utf-8")


def ingest_command(root: Path, folder: Path) -> list[str]:
    return [
        sys.executable,
        "-c",
        "from archive.cli import main; main()",
        "--root",
        str(root),
        "ingest",
        "--jobs",
        "2",
        str(folder),
    ]


def snapshot(root: Path) -> dict:
    """Everything that must be equal: rows (less ids and clocks) and every stored file."""
    db = sqlite3.connect(root / "catalog.db")
    db.row_factory = sqlite3.Row
    state: dict = {}
    for table in ("photos", "events", "units", "tags", "event_units"):
        rows = [
            {k: r[k] for k in r.keys() if k not in VOLATILE}  # noqa: SIM118 (Row iterates values)
            for r in db.execute(f"SELECT * FROM {table}")
        ]
        state[table] = sorted(rows, key=repr)
    state["photo_units"] = sorted(
        tuple(r)
        for r in db.execute(
            "SELECT p.sha256, u.slug FROM photo_units pu JOIN photos p ON p.id = pu.photo_id"
            " JOIN units u ON u.id = pu.unit_id"
        )
    )
    state["sources"] = sorted(
        tuple(r)
        for r in db.execute(
            "SELECT s.path, p.sha256 FROM photo_sources s JOIN photos p ON p.id = s.photo_id"
        )
    )
    state["search"] = db.execute("SELECT count(*) FROM photos_fts").fetchone()[0]
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()
    state["files"] = sorted(
        (str(p.relative_to(root)), hashlib.sha256(p.read_bytes()).hexdigest())
        for folder in ("originals", "thumbs")
        for p in (root / folder).rglob("*")
        if p.is_file()
    )
    return state


def test_killed_ingest_resumes_to_the_same_archive(tmp_path: Path) -> None:
    folder = tmp_path / "hoi-nghi"
    make_event(folder)
    reference, crashed = tmp_path / "reference", tmp_path / "crashed"
    subprocess.run(ingest_command(reference, folder), check=True, capture_output=True)

    marker = f"ARCHIVE_TEST_RUN={uuid.uuid4()}"
    process = subprocess.Popen(
        ingest_command(crashed, folder),
        env={**os.environ, "ARCHIVE_TEST_RUN": marker.split("=", 1)[1]},
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while len(list((crashed / "originals").rglob("*.jpg"))) < 8:
        assert process.poll() is None, "the ingest finished before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.01)
    # Only the main process, mid-batch: its workers must not keep the archive locked.
    os.kill(process.pid, signal.SIGKILL)
    # Nothing of the killed ingest lives on, even while its parent has not reaped it yet
    # (a zombie still answers kill(pid, 0)): its workers notice and stop.
    deadline = time.monotonic() + 10
    while processes_with(marker):
        assert time.monotonic() < deadline, f"left running: {processes_with(marker)}"
        time.sleep(0.2)
    process.wait()
    db = sqlite3.connect(crashed / "catalog.db")
    rows_at_kill = db.execute("SELECT count(*) FROM photos").fetchone()[0]
    db.close()
    assert rows_at_kill < PHOTOS

    result = subprocess.run(ingest_command(crashed, folder), capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert snapshot(crashed) == snapshot(reference)
    assert not list(crashed.rglob(".incoming-*"))
    db = sqlite3.connect(crashed / "catalog.db")
    statuses = [r[0] for r in db.execute("SELECT status FROM ingest_runs ORDER BY id")]
    assert statuses == ["interrupted", "ok"]


def processes_with(marker: str) -> list[int]:
    """Processes whose environment carries marker (as root, every /proc entry is readable)."""
    found: list[int] = []
    if not Path("/proc").is_dir():  # not Linux: nothing to look at
        return found
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "environ").read_bytes().split(b"\0"):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found
