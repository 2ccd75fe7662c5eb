"""How worker processes start: forkserver where there is one, spawn where not (Windows)."""

from __future__ import annotations

import multiprocessing
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from ingest import workers
from tests.images import build_exif
from tests.test_crash import snapshot


def test_the_best_available_method_is_chosen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(workers.START_METHOD_ENV, raising=False)
    available = multiprocessing.get_all_start_methods()
    expected = "forkserver" if "forkserver" in available else "spawn"
    assert workers.start_method() == expected


def test_only_what_the_platform_offers_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """As on Windows: no forkserver on offer means spawn, whatever the platform's name."""
    monkeypatch.delenv(workers.START_METHOD_ENV, raising=False)
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    assert workers.start_method() == "spawn"
    monkeypatch.setenv(workers.START_METHOD_ENV, "forkserver")
    with pytest.raises(ValueError, match="ARCHIVE_START_METHOD=forkserver: not usable here"):
        workers.start_method()


@pytest.mark.parametrize("value", ["fork", "thread", "Spawn"])
def test_the_override_refuses_unsafe_or_unknown_methods(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv(workers.START_METHOD_ENV, value)
    with pytest.raises(ValueError, match=f"{workers.START_METHOD_ENV}={value}: not usable"):
        workers.start_method()


def test_spawned_workers_build_the_same_archive(tmp_path: Path) -> None:
    """Everything a worker gets pickles and its module imports cleanly in a fresh interpreter."""
    folder = tmp_path / "su-kien"
    folder.mkdir()
    (folder / "event.yml").write_text("title: Ngày hội đại đoàn kết\ndate: 2023-11-18\n", "utf-8")
    rows = ["Tên tệp,Chú thích"]
    for i in range(6):
        exif = build_exif(taken=f"2023:11:18 09:{i:02d}:00", orientation=6 if i == 2 else 1)
        Image.effect_noise((640, 480), 30 + i).convert("RGB").save(
            folder / f"IMG_{i:04d}.JPG", quality=85, exif=exif.tobytes()
        )
        rows.append(f"IMG_{i:04d}.JPG,Ảnh {i}")
    (folder / "captions.csv").write_text("\n".join(rows) + "\n", "utf-8")
    # The pooled runs go through a script like the one pip installs: each worker imports it
    # again as its main module, and it enters through archive.launch, which starts the
    # fork server before the command is loaded.
    script = tmp_path / "archive-script.py"
    script.write_text(
        "import sys\nfrom archive.launch import main\n"
        "if __name__ == '__main__':\n    sys.exit(main())\n",
        "utf-8",
    )
    roots = {}
    for method in ("spawn", *(["forkserver"] if "forkserver" in _methods() else [])):
        roots[method] = tmp_path / method
        command = [sys.executable, str(script)]
        command += ["--root", str(roots[method]), "ingest", "--jobs", "2", str(folder)]
        env = {**os.environ, workers.START_METHOD_ENV: method}
        result = subprocess.run(command, env=env, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
    one = tmp_path / "one"
    command = [sys.executable, "-c", "from archive.cli import main; main()"]
    subprocess.run([*command, "--root", str(one), "ingest", "--jobs", "1", str(folder)], check=True)
    for root in roots.values():
        assert snapshot(root) == snapshot(one)
    assert len(snapshot(one)["photos"]) == 6


def _methods() -> list[str]:
    return multiprocessing.get_all_start_methods()


def test_the_ingest_itself_imports_no_decoder(tmp_path: Path) -> None:
    """With a pool, the writer's process never loads Pillow, libvips, PyAV or the EXIF reader.

    Those are the workers' (the fork server preloads them): the command's own start-up
    stays short, and photos are archived all the same.
    """
    for name, colour in (("a.jpg", (90, 120, 30)), ("b.jpg", (30, 60, 200))):
        Image.new("RGB", (64, 48), colour).save(tmp_path / name, "JPEG")
    probe = (
        "import sys\n"
        "from archive.cli import cli\n"
        "try:\n"
        f"    cli.main(['--root', {str(tmp_path / 'root')!r}, 'ingest', '--jobs', '2',"
        f" {str(tmp_path)!r}], standalone_mode=False)\n"
        "finally:\n"
        "    heavy = ('ingest.work', 'PIL.Image', 'pyvips', 'av', 'exifread', 'scipy')\n"
        "    print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, check=True
    )
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout + done.stderr
    assert re.search(r"^\s*added\s+2$", done.stdout, re.MULTILINE), done.stdout
