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


def _type_checking(test: ast.expr) -> bool:
    """``if TYPE_CHECKING:`` or ``if typing.TYPE_CHECKING:``: imports for the type checker."""
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(path: Path, *, top_only: bool = False) -> set[str]:
    """The modules a file imports: anywhere, or (``top_only``) when it is loaded (not in a
    function, nor for the type checker), relative imports resolved."""
    name = _name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    nodes: list[ast.stmt] = list(_tree(path).body)
    found: set[str] = set()
    while nodes:
        node = nodes.pop()
        if isinstance(node, ast.If) and _type_checking(node.test):
            nodes.extend(node.orelse)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
        elif not (top_only and isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)):
            nodes.extend(n for n in ast.iter_child_nodes(node) if isinstance(n, ast.stmt))
    return found


def test_sqlite_and_checkpoints_stay_in_storage() -> None:
    outside = [p for p in MODULES if p.relative_to(ROOT).parts[0] != "storage"]
    for path in outside:
        imported = {name.split(".")[0] for name in _imports(path)}
        assert not imported & {"sqlite3", "aiosqlite"}, path
        for node in ast.walk(_tree(path)):
            called = isinstance(node, ast.Call) and (
                (isinstance(node.func, ast.Attribute) and node.func.attr == "checkpoint")
                or (isinstance(node.func, ast.Name) and node.func.id == "checkpoint")
            )
            pragma = isinstance(node, ast.Constant) and "wal_checkpoint" in str(node.value)
            assert not (called or pragma), f"{path}: a checkpoint outside storage/"


def test_no_import_circle() -> None:
    names = {_name(p): p for p in MODULES}
    graph: dict[str, set[str]] = {}
    for name, path in names.items():
        graph[name] = set()
        for imported in _imports(path, top_only=True):
            parts = imported.split(".")
            # Importing a.b.c runs a/__init__ and a/b/__init__ first: edges to them too, but
            # not to the importer's own packages, nor from a package to its own modules
            # (flows.engine re-exports): those are not circles between rooms.
            for k in range(1, len(parts) + 1):
                target = ".".join(parts[:k])
                own = name.startswith(target + ".") or target.startswith(name + ".")
                if target in names and target != name and not own:
                    graph[name].add(target)
    assert sum(map(len, graph.values())) > 100  # the imports were read
    state: dict[str, int] = {}  # 1: being walked, 2: done
    walking: list[str] = []

    def walk(name: str) -> None:
        state[name] = 1
        walking.append(name)
        for other in sorted(graph[name]):
            if state.get(other) == 1:
                circle = [*walking[walking.index(other) :], other]
                raise AssertionError("import circle: " + " -> ".join(circle))
            if other not in state:
                walk(other)
        walking.pop()
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            walk(name)
    assert state and all(v == 2 for v in state.values())
