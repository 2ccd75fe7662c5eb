"""The command line as staff meet it: help, exit statuses, the archive root."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from archive.cli import cli
from tests.images import make_jpeg


def test_help_explains_the_ingest(archive) -> None:
    text = archive.run("ingest", "--help").stdout
    for words in ("event.yml", "captions.csv", "Một số", "--dry-run", "Exit status"):
        assert words in text


def test_root_from_the_environment(tmp_path: Path) -> None:
    root = tmp_path / "from-env"
    result = CliRunner(env={"ARCHIVE_ROOT": str(root)}).invoke(cli, ["init"])
    assert result.exit_code == 0, result.output
    assert (root / "catalog.db").is_file() and (root / "originals").is_dir()


def test_usage_errors_exit_2(archive, tmp_path: Path) -> None:
    photo = tmp_path / "a.jpg"
    make_jpeg(photo)
    result = archive.run("ingest", str(photo), "--event", "khong-co", expect=2)
    assert "no event with slug 'khong-co'" in result.output
    result = archive.run(
        "ingest", str(photo), "--event-title", "Họp", "--date", "31/02/2024", expect=2
    )
    assert "is not a date" in result.output
    archive.run("ingest", str(photo), "--manifest", str(tmp_path / "missing.csv"), expect=2)


def test_existing_event_by_slug(archive, tmp_path: Path) -> None:
    first, second = tmp_path / "a.jpg", tmp_path / "b.jpg"
    make_jpeg(first)
    make_jpeg(second, color=(0, 0, 0))
    archive.ingest(str(first), "--event-title", "Họp Chi bộ Công an phường", "--date", "2024-03-08")
    archive.ingest(str(second), "--event", "hop-chi-bo-cong-an-phuong")
    [event] = json.loads(archive.run("events", "--json").stdout)
    assert (event["slug"], event["photos"], event["date"]) == (
        "hop-chi-bo-cong-an-phuong",
        2,
        "2024-03-08",
    )


def test_installed_command_exit_status(tmp_path: Path) -> None:
    """The real entry point: one-line errors, status 1 when a file failed, 0 otherwise."""
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0 not really")
    command = [
        sys.executable,
        "-c",
        "from archive.cli import main; main()",
        "--root",
        str(tmp_path / "root"),
    ]
    result = subprocess.run([*command, "ingest", str(bad)], capture_output=True, text=True)
    assert result.returncode == 1
    assert f"ERROR: {bad}:" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    result = subprocess.run([*command, "events", "nope"], capture_output=True, text=True)
    assert result.returncode == 2 and "no event with slug 'nope'" in result.stderr


def test_manifest_given_on_the_command_line(archive, tmp_path: Path) -> None:
    photos = tmp_path / "usb"
    photos.mkdir()
    make_jpeg(photos / "DSC_0001.jpg")
    make_jpeg(photos / "DSC_0002.jpg", color=(5, 5, 5))
    sheet = tmp_path / "chu-thich.csv"
    sheet.write_text(
        "tệp;chú thích;đơn vị\nDSC_0001;Hội Cựu chiến binh phường;Hội Cựu chiến binh\n", "utf-8"
    )
    event = tmp_path / "su-kien.yml"
    event.write_text("tiêu đề: Gặp mặt truyền thống 22/12\nngày: 22/12/2023\n", "utf-8")
    report = archive.ingest(str(photos), "--manifest", str(sheet), "--manifest", str(event))
    assert report["added"] == 2
    rows = archive.rows(
        "SELECT p.caption, p.units, e.title, e.date FROM photos p"
        " JOIN events e ON e.id = p.event_id ORDER BY p.original_name"
    )
    assert rows[0] == {
        "caption": "Hội Cựu chiến binh phường",
        "units": '["Hội Cựu chiến binh"]',
        "title": "Gặp mặt truyền thống 22/12",
        "date": "2023-12-22",
    }
    assert rows[1]["caption"] is None and rows[1]["title"] == "Gặp mặt truyền thống 22/12"


def test_the_archive_folder_itself_is_never_ingested(tmp_path: Path) -> None:
    make_jpeg(tmp_path / "a.jpg")
    runner = CliRunner()
    args = ["--root", str(tmp_path / "archive-data"), "ingest", "--json", "--jobs", "1"]
    first = runner.invoke(cli, [*args, str(tmp_path)])
    second = runner.invoke(cli, [*args, str(tmp_path)])
    assert json.loads(first.stdout)["added"] == 1
    assert json.loads(second.stdout)["files"] == 1  # not the stored original or thumbnails


def test_reading_commands_never_create_an_archive(tmp_path: Path) -> None:
    root = tmp_path / "typo"
    for args in (
        ["events"],
        ["units"],
        ["gallery", "list"],
        ["export", "--event", "x"],
        ["thumbs"],
        ["settings"],
    ):
        result = CliRunner().invoke(cli, ["--root", str(root), *args])
        assert result.exit_code in (0, 2), (args, result.output)
        assert result.exit_code == 0 or "no archive here" in result.output, args
    assert not root.exists()


def test_serve_on_a_busy_port_is_one_line(archive) -> None:
    import socket

    archive.run("init")
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        result = archive.run("serve", "--port", str(port), expect=2)
    assert f"cannot listen on 127.0.0.1:{port}" in result.output
