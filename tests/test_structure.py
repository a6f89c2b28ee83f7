"""The house rules of #24, read from the code itself: small modules and functions (or a
docstring that says why not), SQLite only inside storage/, no import circles."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "flows", "storage")
MODULES = sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))
WHY = "lines on purpose"  # the words a docstring uses to say why its module or function is long


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text("utf-8"), str(path))


def _name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_modules_and_functions_are_short_or_say_why(path: Path) -> None:
    tree = _tree(path)
    lines = path.read_text("utf-8").count("\n")
    if lines > 300:
        assert WHY in (ast.get_docstring(tree) or ""), f"{lines} lines, no reason given"
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length > 50:
                assert WHY in (ast.get_docstring(node) or ""), f"{node.name}: {length} lines"


def _imports(tree: ast.Module, *, top_only: bool = False) -> set[str]:
    """The modules a file imports: anywhere, or (``top_only``) when it is loaded, not in a
    function nor for the type checker."""
    nodes: list[ast.stmt] = list(tree.body)
    found: set[str] = set()
    while nodes:
        node = nodes.pop()
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif not top_only or isinstance(node, ast.If | ast.Try):
            nodes.extend(n for n in ast.iter_child_nodes(node) if isinstance(n, ast.stmt))
    return found


def test_sqlite_and_checkpoints_stay_in_storage() -> None:
    outside = [p for p in MODULES if p.relative_to(ROOT).parts[0] != "storage"]
    for path in outside:
        tree = _tree(path)
        imported = {name.split(".")[0] for name in _imports(tree)}
        assert not imported & {"sqlite3", "aiosqlite"}, path
        calls = [
            node
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "checkpoint"
        ]
        assert not calls, f"{path}: a checkpoint outside storage/"


def test_no_import_circle() -> None:
    names = {_name(p): p for p in MODULES}
    graph = {
        name: {m for m in _imports(_tree(path), top_only=True) if m in names and m != name}
        for name, path in names.items()
    }
    # A package imports its own modules (flows.engine re-exports): not a circle of rooms.
    for name in graph:
        graph[name] = {m for m in graph[name] if not m.startswith(name + ".")}
    assert sum(map(len, graph.values())) > 100  # the imports were read
    state: dict[str, int] = {}  # 1: being walked, 2: done
    path: list[str] = []

    def walk(name: str) -> None:
        state[name] = 1
        path.append(name)
        for other in sorted(graph[name]):
            if state.get(other) == 1:
                circle = [*path[path.index(other) :], other]
                raise AssertionError("import circle: " + " -> ".join(circle))
            if other not in state:
                walk(other)
        path.pop()
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            walk(name)
    assert state and all(v == 2 for v in state.values())
