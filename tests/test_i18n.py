"""The command line in the clerks' language: Vietnamese through gettext, English kept as source.

Every main command is run through the real CLI (CliRunner with its
environment, and a real process) in both languages; the Vietnamese output
must hold Vietnamese and no English sentence left over. The catalog itself is
checked against the code: a new sentence without its Vietnamese fails here.
"""

from __future__ import annotations

import json
import os
import re
import string
import subprocess
import sys
import unicodedata
from pathlib import Path

import click
import pytest
from babel.messages.pofile import read_po
from click.testing import CliRunner
from PIL import Image

from archive.cli import cli
from tests.catalog_sources import PO, msgids
from tests.images import make_jpeg

# English words that must not be left in Vietnamese output (paths, options, metavars aside).
ENGLISH = [
    "Usage",
    "Options",
    "Commands",
    "Show",
    "message",
    "exit",
    "Error",
    "added",
    "failed",
    "warnings",
    "skipped",
    "unchanged",
    "duplicates",
    "would",
    "photo",
    "photos",
    "file",
    "files",
    "folder",
    "the",
    "and",
    "with",
    "into",
    "not",
    "from",
    "Try",
    "Missing",
    "argument",
    "such",
    "option",
    "Checked",
    "Ingest",
    "Nothing",
    "written",
    "dry",
    "run",
    "Created",
    "Merged",
]


def command_paths(command: click.Command, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command and subcommand of the tree, so a new one is checked without a list.

    Through click's own look-ups (list_commands, get_command): the archive's group loads
    its commands on first use, so its ``commands`` holds only those loaded so far.
    """
    found = [path]
    if isinstance(command, click.Group):
        ctx = click.Context(command)
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None:
                found += command_paths(sub, (*path, name))
    return found


COMMANDS = [" ".join(path) for path in command_paths(cli) if path]
assert len(COMMANDS) > 20, COMMANDS  # the lazy tree was walked, not only what is loaded


def run(args: list[str], lang: str | None, **env: str | None):
    environment = {"ARCHIVE_LANG": lang, **env}
    return CliRunner().invoke(cli, args, env=environment)


def leftover_english(text: str, *paths: Path) -> list[str]:
    """The English words of ENGLISH in text, once paths, --options and METAVARS are taken out."""
    for path in paths:
        text = text.replace(str(path), " ")
    found = []
    for line in text.splitlines():
        if re.match(r"\s*(LỖI|CẢNH BÁO|SẼ LỖI|SẼ CẢNH BÁO): ", line):
            line = line.split(": ", 2)[1]  # the level and the path; the reason is the library's
        line = re.sub(r"^  [a-z]+  +|\barchive [a-z]+", " ", line)  # command names
        line = re.sub(r"--?[\w-]+|\b[A-Z_]{2,}\b|\S+/\S*|\S+\.(jpg|yml|json|csv|txt)\b", " ", line)
        found += [w for w in re.findall(r"[A-Za-z]+", line) if w in ENGLISH]
    return found


@pytest.fixture
def batch(tmp_path: Path) -> Path:
    """Two good photos, one with a damaged date (a warning), one cut short, one not a photo."""
    folder = tmp_path / "usb"
    folder.mkdir()
    make_jpeg(folder / "a.jpg", (120, 90))
    make_jpeg(folder / "b.jpg", (90, 120), taken="2017:13:45 99:99:99")
    whole = (folder / "a.jpg").read_bytes()
    (folder / "c.jpg").write_bytes(whole[: len(whole) // 2])
    (folder / "ghi-chu.docx").write_bytes(b"PK\x03\x04 not a photo")
    return folder


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_in_vietnamese_and_english(command: str | None) -> None:
    args = [*command.split(), "--help"] if command else ["--help"]
    vi = run(args, "vi")
    en = run(args, "en")
    assert vi.exit_code == en.exit_code == 0
    assert vi.output.startswith("Cách dùng:") and "Tùy chọn:" in vi.output
    assert "Hiện trợ giúp này rồi thoát." in vi.output
    assert leftover_english(vi.output.replace("Cách dùng: cli ", "Cách dùng: archive ")) == [], (
        vi.output
    )
    assert "[required" not in vi.output and "required]" not in vi.output  # click's, by a variable
    assert unicodedata.is_normalized("NFC", vi.output)
    assert en.output.startswith("Usage:") and "Show this message and exit." in en.output
    for output, heading in ((vi.output, "Lệnh:"), (en.output, "Commands:")):
        listed = output.partition(f"\n{heading}\n")[2].splitlines()
        cut = [line for line in listed if line.rstrip().endswith("...")]
        assert cut == [], cut  # each command's line whole, not cut off by click at 80 columns
    # An argument the Vietnamese usage line names otherwise (PHOTO → ẢNH) is named so
    # in the text too, not by its English name.
    en_usage, vi_usage = en.output.splitlines()[0].split(), vi.output.splitlines()[0].split()
    pairs = zip(en_usage[1:], vi_usage[2:], strict=True)  # "Usage:" is one word, "Cách dùng:" two
    renamed = {e.strip("[].") for e, v in pairs if e != v and e.strip("[].").isupper()}
    for name in renamed - {"OPTIONS"}:
        assert not re.search(rf"\b{name}\b", vi.output), (name, vi.output)


def test_group_help_lists_commands_in_vietnamese() -> None:
    out = run(["--help"], "vi").output
    assert "Lệnh:" in out and "Đưa ảnh và video" in out and "Sao lưu kho" in out


def test_usage_errors_in_vietnamese(tmp_path: Path) -> None:
    unknown = run(["ingest", "--no-such-thing", str(tmp_path)], "vi")
    missing = run(["ingest"], "vi")
    assert unknown.exit_code == missing.exit_code == 2
    assert "Lỗi: Không có tùy chọn '--no-such-thing'." in unknown.output
    assert "Gõ 'cli ingest --help' để xem trợ giúp." in unknown.output
    assert "Lỗi: Thiếu tham số 'ĐƯỜNG_DẪN...'." in missing.output
    assert "Cách dùng: cli ingest [TÙY_CHỌN] ĐƯỜNG_DẪN..." in missing.output
    for result in (unknown, missing):
        assert leftover_english(result.output, tmp_path) == [], result.output
    english = run(["ingest"], "en")
    assert english.exit_code == 2 and "Error: Missing argument 'PATHS...'." in english.output
    assert "Usage: cli ingest [OPTIONS] PATHS..." in english.output


def test_missing_path_in_vietnamese(tmp_path: Path) -> None:
    root, gone = tmp_path / "kho", tmp_path / "khong-co"
    vi = run(["--root", str(root), "ingest", str(gone)], "vi")
    en = run(["--root", str(root), "ingest", str(gone)], "en")
    assert vi.exit_code == en.exit_code == 2
    assert vi.output.strip() == f"Lỗi: không có tệp hay thư mục: {gone}"
    assert en.output.strip() == f"Error: no such file or folder: {gone}"


def test_ingest_report_in_both_languages(tmp_path: Path, batch: Path) -> None:
    vi = run(["--root", str(tmp_path / "vi"), "ingest", "--jobs", "1", str(batch)], "vi")
    en = run(["--root", str(tmp_path / "en"), "ingest", "--jobs", "1", str(batch)], "en")
    assert vi.exit_code == en.exit_code == 1  # the cut-short JPEG failed
    for word in ("đã thêm", "lỗi", "cảnh báo", "bỏ qua", "Bỏ qua (không phải ảnh): ghi-chu.docx"):
        assert word in vi.output, vi.output
    assert re.search(r"đã thêm\s+2\b", vi.output) and re.search(r"lỗi\s+1\b", vi.output)
    assert f"LỖI: {batch / 'c.jpg'}:" in vi.output
    assert f"CẢNH BÁO: {batch / 'b.jpg'}:" in vi.output
    assert leftover_english(vi.output, batch) == [], vi.output
    assert re.search(r"added\s+2\b", en.output) and f"ERROR: {batch / 'c.jpg'}:" in en.output


def test_numbers_are_written_as_each_language_writes_them(tmp_path: Path, batch: Path) -> None:
    """Vietnamese puts a comma before the decimals and a dot between thousands (1.234,5)."""
    from archive import i18n

    for lang, seconds, megabytes in (
        ("vi", r"\d+,\d giây", r"\d+,\d MB"),
        ("en", r"\d+\.\d s", r"\d+\.\d MB"),
    ):
        root = tmp_path / lang
        ingested = run(["--root", str(root), "ingest", "--jobs", "1", str(batch)], lang)
        assert re.search(seconds, ingested.output.splitlines()[0]), ingested.output
        verified = run(["--root", str(root), "verify"], lang)
        assert verified.exit_code == 0, verified.output
        first = verified.output.splitlines()[0]
        assert re.search(seconds, first) and re.search(megabytes, first), first
    before = i18n.language()
    try:
        i18n.activate("vi")
        assert (i18n.number(1234567.25, 1), i18n.number(1234567)) == ("1.234.567,2", "1.234.567")
        i18n.activate("en")
        assert (i18n.number(1234567.25, 1), i18n.number(0.05, 1)) == ("1,234,567.2", "0.1")
    finally:
        i18n.activate(before)


def test_json_is_the_same_in_every_language(tmp_path: Path, batch: Path) -> None:
    reports = []
    for lang in ("vi", "en"):
        args = ["--root", str(tmp_path / lang), "ingest", "--json", "--jobs", "1", str(batch)]
        result = run(args, lang)
        assert result.exit_code == 1
        report = json.loads(result.stdout)
        reports.append({k: v for k, v in report.items() if k not in ("seconds", "run_id")})
    assert reports[0] == reports[1]


def test_dry_run_report_is_conditional(tmp_path: Path, batch: Path) -> None:
    args = ["--root", str(tmp_path / "kho"), "ingest", "--dry-run", "--jobs", "1", str(batch)]
    vi, en = run(args, "vi"), run(args, "en")
    assert re.search(r"sẽ thêm\s+2\b", vi.stdout) and "SẼ LỖI:" in vi.stdout
    assert re.search(r"would add\s+2\b", en.stdout) and "WOULD FAIL:" in en.stdout
    assert not re.search(r"\badded\b", en.stdout)


def test_the_language_follows_the_system_locale_then_the_archive(tmp_path: Path) -> None:
    root = tmp_path / "kho"
    by_locale = run(["--help"], None, LC_ALL=None, LC_MESSAGES=None, LANG="vi_VN.UTF-8")
    assert by_locale.output.startswith("Cách dùng:")
    made = run(["--root", str(root), "init"], None, LC_ALL=None, LANG="vi_VN.UTF-8")
    assert made.exit_code == 0 and made.output.startswith("Kho đã sẵn sàng")
    # Another machine, a neutral locale: the archive made by a Vietnamese clerk stays Vietnamese.
    neutral = {"LC_ALL": None, "LC_MESSAGES": None, "LANG": "C.UTF-8"}
    assert run(["--root", str(root), "--help"], None, **neutral).output.startswith("Cách dùng:")
    assert run(["--help"], None, **neutral, ARCHIVE_ROOT=str(root)).output.startswith("Cách")
    assert run(["--root", str(root), "--help"], "en", **neutral).output.startswith("Usage:")
    english = {"LC_ALL": "en_GB.UTF-8"}
    assert run(["--root", str(root), "--help"], None, **english).output.startswith("Usage:")
    assert run(["--root", str(root), "settings", "set", "language", "en"], None).exit_code == 0
    assert run(["--root", str(root), "--help"], None, **neutral).output.startswith("Usage:")


def test_an_unreadable_archive_never_stops_a_command_for_its_language(tmp_path: Path) -> None:
    root = tmp_path / "kho"
    root.mkdir()
    (root / "catalog.db").write_bytes(b"not a database at all" * 100)
    result = run(["--root", str(root), "--help"], None, LC_ALL=None, LANG="C.UTF-8")
    assert result.exit_code == 0 and result.output.startswith("Usage:")
    assert not (tmp_path / "absent").exists()
    run(["--root", str(tmp_path / "absent"), "--help"], None, LANG="C.UTF-8")
    assert not (tmp_path / "absent").exists()  # reading the setting creates nothing


def test_a_real_process_speaks_vietnamese(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("archive")
    env = {**os.environ, "ARCHIVE_LANG": "vi"}
    done = subprocess.run(
        [str(script), "--root", str(tmp_path / "kho"), "ingest", "--bogus"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode == 2 and "Lỗi: Không có tùy chọn '--bogus'." in done.stderr
    helped = subprocess.run(
        [str(script), "verify", "--help"], capture_output=True, text=True, env=env
    )
    assert helped.returncode == 0 and helped.stdout.startswith("Cách dùng: archive verify")
    assert leftover_english(helped.stdout) == [], helped.stdout


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None} | set(
        re.findall(r"%\(\w+\)s", text)
    )


def test_the_catalog_translates_every_sentence_of_the_code() -> None:
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="vi")
    entries = [message for message in catalog if message.id]
    assert not catalog.fuzzy and not [m.id for m in entries if m.fuzzy]
    untranslated = [m.id for m in entries if not all(m.string if m.pluralizable else [m.string])]
    assert untranslated == []
    for message in entries:
        source = message.id if isinstance(message.id, str) else message.id[-1]
        target = message.string if isinstance(message.string, str) else message.string[0]
        assert unicodedata.is_normalized("NFC", target), source
        assert _fields(target) <= _fields(source) | (
            _fields(message.id[0]) if message.pluralizable else set()
        ), source
        assert source.count("\b") == target.count("\b"), source
    in_po = {m.id if isinstance(m.id, str) else tuple(m.id) for m in entries}
    in_code = msgids()
    assert sorted(map(str, in_code - in_po)) == [], "new sentences: python -m tests.catalog_sources"
    assert sorted(map(str, in_po - in_code)) == [], "sentences no longer in the code"


def test_the_compiled_catalog_is_what_gettext_reads(tmp_path: Path) -> None:
    import gettext

    from archive.pofile import compile_po

    target = tmp_path / "vi" / "LC_MESSAGES" / "archive.mo"
    compile_po(PO, target)
    found = gettext.translation("archive", tmp_path, languages=["vi"])
    assert found.gettext("Usage:") == "Cách dùng:"
    assert found.ngettext("and {n} more", "and {n} more", 7) == "và {n} tệp khác"


REASON_WORDS = ["row", "not a date", "truncated", "not a photo", "no date in the photo"]
REASON_WORDS += ["dated by", "left empty", "skipped"]


@pytest.mark.parametrize("method", ["forkserver", "spawn"])
def test_reasons_from_real_workers_speak_the_run_language(tmp_path: Path, method: str) -> None:
    """A real process with a real pool: the reasons workers write follow ARCHIVE_LANG."""
    folder = tmp_path / "ev"
    folder.mkdir()
    Image.new("RGB", (800, 600), (120, 50, 30)).save(folder / "a.jpg", quality=90)  # no EXIF
    whole = (folder / "a.jpg").read_bytes()
    (folder / "broken.jpg").write_bytes(whole[: len(whole) // 3])
    (folder / "empty.jpg").write_bytes(b"")
    (folder / "captions.csv").write_text(
        "file,caption,taken_at\na.jpg,Họp chi bộ,31/02/2024\n", encoding="utf-8"
    )
    outputs = {}
    for lang in ("vi", "en"):
        env = {**os.environ, "ARCHIVE_LANG": lang, "ARCHIVE_START_METHOD": method}
        args = ["--root", str(tmp_path / lang), "ingest", "--jobs", "2", str(folder)]
        done = subprocess.run(
            [str(Path(sys.executable).with_name("archive")), *args],
            env=env,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 1, done.stderr
        outputs[lang] = done.stdout + done.stderr
    vi, en = outputs["vi"], outputs["en"]
    assert "dòng 2: a.jpg: ngày chụp '31/02/2024' không phải ngày hợp lệ" in vi, vi
    assert "tháng 2 không có ngày 31; để trống" in vi, vi
    assert f"LỖI: {folder / 'broken.jpg'}: JPEG bị cắt cụt (" in vi, vi
    assert f"LỖI: {folder / 'empty.jpg'}: tệp rỗng (0 byte), không phải ảnh" in vi, vi
    assert "ảnh không ghi ngày chụp, sự kiện cũng không: lấy giờ của tệp" in vi, vi
    assert [w for w in REASON_WORDS if w in vi] == [], vi
    assert "row 2: a.jpg: taken_at '31/02/2024' is not a date: month 2 has no day 31" in en
    assert f"ERROR: {folder / 'broken.jpg'}: truncated JPEG (" in en, en
    assert f"ERROR: {folder / 'empty.jpg'}: an empty file (0 bytes), not a photo" in en, en
    assert "no date in the photo or its event: dated by the file's time" in en, en
