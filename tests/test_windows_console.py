"""Reports redirected on Windows: its ANSI code pages cannot hold Vietnamese, UTF-8 can."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.images import make_jpeg

ARCHIVE = [sys.executable, "-c", "from archive.cli import main; main()"]


@pytest.mark.parametrize("encoding", ["cp1258", "cp1252"])
def test_a_redirected_report_is_utf8_not_a_crash(tmp_path: Path, encoding: str) -> None:
    """As `archive ingest > report.txt` on Vietnamese (cp1258) or English (cp1252) Windows."""
    folder = tmp_path / "Hội nghị tổng kết"
    folder.mkdir()
    make_jpeg(folder / "Ảnh đại biểu.jpg")
    (folder / "event.yml").write_text("title: Hội nghị tổng kết năm\n", "utf-8")
    (folder / "ghi chú.docx").write_bytes(b"PK\x03\x04")  # skipped, and named in the report
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    root = ["--root", str(tmp_path / "kho")]
    text = subprocess.run([*ARCHIVE, *root, "ingest", str(folder)], env=env, capture_output=True)
    assert text.returncode == 0, text.stderr.decode("utf-8", "replace")
    assert "ghi chú.docx" in text.stdout.decode("utf-8")
    again = [*ARCHIVE, *root, "ingest", "--json", str(folder)]
    report = json.loads(subprocess.run(again, env=env, capture_output=True, check=True).stdout)
    assert report["unchanged"] == 1 and report["skipped_files"] == [str(folder / "ghi chú.docx")]
    missing = [*ARCHIVE, *root, "ingest", str(tmp_path / "Không có")]
    error = subprocess.run(missing, env=env, capture_output=True)
    assert error.returncode == 2
    assert (
        error.stderr.decode("utf-8").strip()
        == f"Error: no such file or folder: {tmp_path}/Không có"
    )
