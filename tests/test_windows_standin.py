"""The Windows stand-in (tests/standin/sitecustomize.py) does what the second pass relies on."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
STANDIN = PROJECT / "tests" / "standin"

PROBE = """
import json, multiprocessing, sys
ours = {"__file__": sys.argv[1], "__name__": "archive.probe"}
def attempt(code):
    try:
        exec(code, dict(ours))
        return "ok"
    except ImportError as error:
        return type(error).__name__
import fcntl, pwd  # the standard library's own imports (not ours) still work
print(json.dumps({
    "fcntl": attempt("import fcntl"),
    "resource": attempt("import resource"),
    "termios": attempt("import termios"),
    "pwd": attempt("from pwd import getpwuid"),
    "os.fork": attempt("from os import fork"),
    "os.replace": attempt("from os import replace"),
    "json": attempt("import json"),
    "methods": multiprocessing.get_all_start_methods(),
}))
"""


def probe(standin: bool) -> dict:
    env = {**os.environ, "PYTHONPATH": str(STANDIN)}
    env.pop("ARCHIVE_WINDOWS_STANDIN", None)
    if standin:
        env["ARCHIVE_WINDOWS_STANDIN"] = "1"
    ours = str(PROJECT / "archive" / "probe.py")
    result = subprocess.run(
        [sys.executable, "-c", PROBE, ours], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


def test_the_standin_hides_posix_only_modules_from_our_code() -> None:
    seen = probe(standin=True)
    assert seen["fcntl"] == seen["resource"] == seen["termios"] == "ModuleNotFoundError"
    assert seen["pwd"] == "ModuleNotFoundError"
    assert seen["os.fork"] == "ImportError"
    assert seen["os.replace"] == seen["json"] == "ok"
    assert seen["methods"] == ["spawn"]


def test_without_the_variable_nothing_changes() -> None:
    seen = probe(standin=False)
    assert {seen[k] for k in ("fcntl", "resource", "termios", "pwd", "os.fork")} == {"ok"}
    assert "forkserver" in seen["methods"]


@pytest.mark.skipif(
    os.environ.get("ARCHIVE_WINDOWS_STANDIN") != "1", reason="only in the Windows stand-in pass"
)
def test_the_standin_pass_really_runs_under_the_standin() -> None:
    """A pass started with the variable but without tests/standin on PYTHONPATH fails here."""
    assert multiprocessing.get_all_start_methods() == ["spawn"]
    with pytest.raises(ImportError):
        exec("import fcntl", {"__file__": __file__})
