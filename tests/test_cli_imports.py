"""The `archive.cli` package has no import circle, read from its source.

The group (``archive/cli/__init__.py``) imports the command modules; they
import the shared context module and never each other or the group; the
context module imports nothing of the package. Every import counts, also one
inside a function: a circle there only waits for the first call to break.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import click

from archive.cli import LAZY_COMMANDS, cli
from tests.conftest import PROJECT

PACKAGE = "archive.cli"
CONTEXT = f"{PACKAGE}.context"
FOLDER = PROJECT / "archive" / "cli"


def module_name(path: Path) -> str:
    relative = path.relative_to(PROJECT).with_suffix("")
    parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
    return ".".join(parts)


def imported(source: str, name: str, *, is_package: bool, known: set[str]) -> set[str]:
    """The modules of `known` that module `name` imports, at any depth of its code.

    ``from P import name`` imports P, and P.name too where that is a module.
    Importing a submodule also runs its package's __init__, but that is not an
    edge: otherwise every package would be a circle with its own modules.
    """
    package = name if is_package else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                anchor = parts[: len(parts) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found & known - {name}


def import_graph() -> dict[str, set[str]]:
    """Each module's imports; the group's include the modules it loads lazily by name."""
    files = sorted(FOLDER.glob("*.py"))
    known = {module_name(path) for path in files}
    graph = {
        module_name(path): imported(
            path.read_text("utf-8"),
            module_name(path),
            is_package=path.name == "__init__.py",
            known=known,
        )
        for path in files
    }
    graph[PACKAGE] |= {module for module, _ in LAZY_COMMANDS.values()} & known
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each import circle found by a depth-first walk, as the path that closes it."""
    found: list[list[str]] = []
    done: set[str] = set()

    def walk(node: str, path: list[str]) -> None:
        if node in path:
            found.append([*path[path.index(node) :], node])
            return
        if node in done:
            return
        for target in sorted(graph.get(node, ())):
            walk(target, [*path, node])
        done.add(node)

    for node in sorted(graph):
        walk(node, [])
    return found


def test_the_circle_finder_finds_circles() -> None:
    """The finder below proves something only if it sees a circle where there is one."""
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]
    assert circles({"a": {"b"}, "b": set(), "c": {"a", "b"}}) == []


def test_imported_sees_every_kind_of_import() -> None:
    """Absolute, relative, and inside a function: each one is an edge."""
    known = {PACKAGE, CONTEXT, f"{PACKAGE}.ingest", f"{PACKAGE}.serve", f"{PACKAGE}.gallery"}
    source = (
        "import archive.cli.ingest\n"
        "import click\n"
        "def demo():\n"
        "    from .context import Context\n"
        "    from . import gallery\n"
        "    from archive.cli import cli\n"
    )
    edges = imported(source, f"{PACKAGE}.serve", is_package=False, known=known)
    assert edges == {f"{PACKAGE}.ingest", CONTEXT, f"{PACKAGE}.gallery", PACKAGE}
    in_group = imported("from .serve import x", PACKAGE, is_package=True, known=known)
    assert in_group == {f"{PACKAGE}.serve"}


def test_the_cli_package_has_no_import_circle() -> None:
    graph = import_graph()
    assert CONTEXT in graph and len(graph) >= 9, sorted(graph)
    assert circles(graph) == []


def test_commands_import_only_the_context_and_the_group_imports_them() -> None:
    graph = import_graph()
    commands = set(graph) - {PACKAGE, CONTEXT}
    assert graph[CONTEXT] == set()
    for command in sorted(commands):
        assert graph[command] <= {CONTEXT}, (command, graph[command])
    assert graph[PACKAGE] >= commands


def test_every_lazy_command_is_found_under_its_name() -> None:
    """The table names each command's real module and object: all are listed and load."""
    ctx = click.Context(cli)
    assert set(LAZY_COMMANDS) <= set(cli.list_commands(ctx))
    for name in LAZY_COMMANDS:
        command = cli.get_command(ctx, name)
        assert isinstance(command, click.Command) and command.name == name, name


def test_running_one_command_imports_only_its_own_module() -> None:
    """`archive ingest` must not import the web server's or the bundle writer's modules."""
    probe = (
        "import sys\n"
        "from archive.cli import cli\n"
        "try:\n"
        "    cli.main(['ingest', '--help'], standalone_mode=False)\n"
        "finally:\n"
        "    print(sorted(m for m in sys.modules if m.startswith('archive.cli.')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=PROJECT, check=True
    )
    loaded = done.stdout.strip().splitlines()[-1]
    assert loaded == str(["archive.cli.context", "archive.cli.ingest"]), done.stdout
