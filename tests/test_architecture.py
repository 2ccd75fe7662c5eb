"""The shape of the code, read from its syntax trees: who writes rows, who imports whom.

Three rules hold the catalog together. Only the repositories under
``archive/catalog/`` write rows (the search index's upkeep in
``archive/search.py`` and the migrations in ``archive/db.py`` being the two
named exceptions), so a page or an export cannot change a photo by mistake.
``archive/web`` reaches no writer, even through another module. And no two
modules import each other, however indirectly: a circle makes import order
matter and hides which module depends on which.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("archive", "ingest")

# Modules allowed to write rows: the repositories, the search index, the schema.
# archive.kept_counts: the triggers (schema) of migration m008 and their backfill;
# archive.link_picks: those of m014.
WRITERS = (
    "archive.catalog",
    "archive.search",
    "archive.db",
    "archive.kept_counts",
    "archive.link_picks",
)
# SQL that changes rows, as the project writes it (keywords in capitals).
WRITE_SQL = re.compile(
    r"\b(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|REPLACE\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM)\b"
)
# sqlite-utils' row writers, called on a table: db["photos"].insert(...).
WRITE_METHODS = {"insert", "insert_all", "upsert", "upsert_all", "update", "delete", "delete_where"}


def modules() -> dict[str, Path]:
    """Every module of the project by dotted name."""
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def writes(source: str) -> list[str]:
    """Where a module's code writes rows: "line N: what", for each SQL string or table call."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            match = WRITE_SQL.search(node.value)
            if match:
                found.append(f"line {node.lineno}: SQL {match.group(0)!r}")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in WRITE_METHODS
            and isinstance(node.func.value, ast.Subscript)
        ):
            found.append(f"line {node.lineno}: table .{node.func.attr}()")
    return sorted(found, key=lambda where: int(where.split()[1].rstrip(":")))


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The project modules a module imports, at module level or inside a function."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # `from archive import search` imports the module archive.search.
            candidates = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for candidate in candidates:
            while candidate and candidate not in known:
                candidate = candidate.rpartition(".")[0]
            if candidate and candidate != name and not name.startswith(candidate + "."):
                targets.add(candidate)
                break
    return targets


def import_graph() -> dict[str, set[str]]:
    found = modules()
    known = set(found)
    return {name: imports(name, path, known) for name, path in found.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected parts of the graph with more than one module (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    parts: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            part = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                part.append(member)
                if member == node:
                    break
            if len(part) > 1:
                parts.append(sorted(part))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(parts)


def a_circle(graph: dict[str, set[str]], part: list[str]) -> str:
    """One concrete circle through a strongly connected part: "a → b → a"."""
    members = set(part)
    path = [part[0]]
    while True:
        step = sorted(graph[path[-1]] & members)
        nxt = next((m for m in step if m in path), step[0])
        if nxt in path:
            return " → ".join(path[path.index(nxt) :] + [nxt])
        path.append(nxt)


def test_only_the_repositories_write_rows() -> None:
    offenders = []
    for name, path in modules().items():
        if any(name == w or name.startswith(w + ".") for w in WRITERS):
            continue
        offenders += [f"{name} {where}" for where in writes(path.read_text("utf-8"))]
    assert offenders == [], "rows written outside the repositories:\n" + "\n".join(offenders)


def test_the_write_check_sees_sql_and_table_writes() -> None:
    """The rule above would pass on anything if the detector saw nothing."""
    source = """
def f(db, table):
    db.execute(f"UPDATE photos SET {table} = 1")
    db.execute("INSERT OR IGNORE INTO tags (slug) VALUES (?)", ("x",))
    db.execute(f"DELETE FROM {table} WHERE id = ?", (1,))
    db["settings"].upsert({"key": "k"}, pk="key")
    db.execute("SELECT 'an UPDATE of the caption' AS note, 'PRAGMA journal_mode=DELETE'")
"""
    found = writes(source)
    assert [where.split(":")[0] for where in found] == ["line 3", "line 4", "line 5", "line 6"]


def test_the_web_reaches_no_writer() -> None:
    """Not directly, and not through a module it imports (the exports, the bundle)."""
    graph = import_graph()
    offenders = []
    for start in (name for name in graph if name.startswith("archive.web")):
        seen, todo, came_from = {start}, [start], {}
        while todo:
            current = todo.pop()
            for target in graph[current]:
                if target not in seen:
                    seen.add(target)
                    came_from[target] = current
                    todo.append(target)
        for writer in sorted(m for m in seen if m.startswith("archive.catalog")):
            chain = [writer]
            while chain[-1] != start:
                chain.append(came_from[chain[-1]])
            offenders.append(" → ".join(reversed(chain)))
    assert offenders == [], "archive.web imports the writer:\n" + "\n".join(offenders)


def test_no_import_circles() -> None:
    graph = import_graph()
    found = [f"{', '.join(part)} (e.g. {a_circle(graph, part)})" for part in cycles(graph)]
    assert found == [], "modules importing each other in a circle:\n" + "\n".join(found)


def test_the_cycle_finder_finds_and_names_a_circle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(graph) == [["a", "b", "c"]]
    assert a_circle(graph, ["a", "b", "c"]) == "a → b → c → a"


def test_imports_inside_functions_count(tmp_path: Path) -> None:
    """A late import (inside a function, to dodge a circle) is still an edge of the graph."""
    module = tmp_path / "m.py"
    module.write_text(
        "from archive import text\n"
        "def late():\n"
        "    from archive.catalog.rows import Repository\n"
        "    import ingest.work\n",
        "utf-8",
    )
    known = {"archive", "archive.text", "archive.catalog", "archive.catalog.rows", "ingest.work"}
    found = imports("archive.m", module, known)
    assert found == {"archive.text", "archive.catalog.rows", "ingest.work"}
