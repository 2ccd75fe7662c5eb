"""The product runs on the ward's Windows PC: no POSIX-only code outside guarded helpers.

Read with ``ast`` rather than grep, so comments and docstrings may speak of these names
while code may not use them. A module listed in GUARDED may, but only inside a branch
that tests ``sys.platform``, ``os.name`` or ``hasattr(...)``, or a ``try`` that catches
ImportError, so that Windows takes the other branch.
"""

from __future__ import annotations

import ast
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
PACKAGES = ("archive", "ingest")
GUARDED: frozenset[str] = frozenset({"archive/processes.py"})
MODULES = frozenset({"fcntl", "resource", "pwd", "grp", "termios"})
# os.kill is here too: on Windows it terminates the process for any signal but the two
# console events, so os.kill(pid, 0) "is it alive?" would kill it.
ATTRIBUTES = {
    "os": frozenset({"fork", "forkpty", "killpg", "kill", "getuid", "geteuid", "setsid"}),
    "signal": frozenset({"SIGKILL", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGALRM"}),
}
PATH_PREFIXES = ("/dev/", "/proc/", "/sys/", "/tmp/", "/etc/")


def findings(path: Path, where: str, guarded: bool = False) -> list[str]:
    """Each direct POSIX-only use in one file, as "where:line: what", in line order."""
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    found = []
    for node in ast.walk(tree):
        what = _use(node, docstrings)
        if what and not (guarded and _is_guarded(node, parents)):
            found.append((node.lineno, node.col_offset, f"{where}:{node.lineno}: {what}"))
    return [line for *_, line in sorted(found)]


def _use(node: ast.AST, docstrings: set[int]) -> str | None:
    if isinstance(node, ast.Import):
        names = [a.name for a in node.names if a.name.partition(".")[0] in MODULES]
        return f"import {', '.join(names)}" if names else None
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        top = node.module.partition(".")[0]
        if top in MODULES:
            return f"from {node.module} import ..."
        hidden = [a.name for a in node.names if a.name in ATTRIBUTES.get(node.module, ())]
        return f"from {node.module} import {', '.join(hidden)}" if hidden else None
    if (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.attr in ATTRIBUTES.get(node.value.id, ())
    ):
        return f"{node.value.id}.{node.attr}"
    if isinstance(node, ast.Call) and node.args and _names_module(node.args[0]):
        called = ast.unparse(node.func)
        if called == "__import__" or called.endswith("import_module"):
            return f"{called} of a POSIX-only module"
    if (
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and node.value.startswith(PATH_PREFIXES)
    ):
        return f"POSIX path {node.value!r}"
    return None


def _names_module(arg: ast.expr) -> bool:
    return isinstance(arg, ast.Constant) and str(arg.value).partition(".")[0] in MODULES


def _is_guarded(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.If | ast.IfExp) and _tests_platform(node.test):
            return True
        if isinstance(node, ast.Try) and any(
            h.type is not None and "ImportError" in ast.unparse(h.type) for h in node.handlers
        ):
            return True
    return False


def _tests_platform(test: ast.expr) -> bool:
    text = ast.unparse(test)
    return "sys.platform" in text or "os.name" in text or "hasattr(" in text


def product_files() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (PROJECT / package).rglob("*.py"))


def test_no_posix_only_code_in_the_product() -> None:
    found = []
    for path in product_files():
        where = path.relative_to(PROJECT).as_posix()
        found += findings(path, where, guarded=where in GUARDED)
    assert not found, "POSIX-only code (move it behind a platform guard):\n" + "\n".join(found)


def test_the_check_finds_what_it_looks_for(tmp_path: Path) -> None:
    """The scan itself: each kind of use is named with its line; guarded ones pass."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        '"""Docstrings may say /dev/null and fcntl."""\n'
        "import fcntl\n"
        "from os import fork\n"
        "import os, signal, sys\n"
        "os.killpg(1, signal.SIGKILL)\n"
        "STAT = f'/proc/{os.getpid()}/stat'\n"
        "if sys.platform != 'win32':\n"
        "    import termios\n"
        "try:\n"
        "    import pwd\n"
        "except ImportError:\n"
        "    pwd = None\n",
        "utf-8",
    )
    plain = findings(sample, "sample.py")
    guarded = findings(sample, "sample.py", guarded=True)
    name = "sample.py"
    assert plain == [
        f"{name}:2: import fcntl",
        f"{name}:3: from os import fork",
        f"{name}:5: os.killpg",
        f"{name}:5: signal.SIGKILL",
        f"{name}:6: POSIX path '/proc/'",
        f"{name}:8: import termios",
        f"{name}:10: import pwd",
    ]
    assert guarded == plain[:5]
