"""The package's layering, read from the source (module- and function-level imports alike):
no import cycle between modules, ``orchestration/lib`` never imports the sources, resources or
defs, and ``reports/`` never imports Dagster or the Dagster layers of ``orchestration``."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in ("orchestration", "reports"):
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _imports(path: Path) -> set[str]:
    """Every absolute module name ``path`` imports (``from a import b`` counts ``a`` and
    ``a.b``: ``b`` may be a submodule)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def _graph() -> dict[str, set[str]]:
    """module -> modules it makes Python run: the imported ones and their parent packages,
    except its own parents (importing a sibling re-enters a package already being imported)."""
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        edges: set[str] = set()
        for target in _imports(path) & modules.keys():
            parts = target.split(".")
            edges.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
        graph[name] = {e for e in edges & modules.keys()
                       if e != name and not name.startswith(e + ".")}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative enough for a
    package of a few hundred modules)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycles() -> None:
    assert _cycles(_graph()) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_lib_never_imports_the_layers_above_it() -> None:
    upper = ("orchestration.sources", "orchestration.resources", "orchestration.defs")
    bad = {(m, d) for m, deps in _graph().items() if m.startswith("orchestration.lib")
           for d in deps if d.startswith(upper)}
    assert bad == set()


def test_reports_never_import_dagster_or_its_layers() -> None:
    modules = _modules()
    bad = {(name, target) for name, path in modules.items() if name.startswith("reports")
           for target in _imports(path)
           if target.split(".")[0] in ("dagster", "dagster_dbt")
           or target.startswith(("orchestration.resources", "orchestration.defs"))}
    assert bad == set()
