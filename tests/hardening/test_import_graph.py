"""No import circles among labgen's modules, counting every import: at module level, inside
functions, and under ``TYPE_CHECKING`` (a circle there is still two modules that cannot be
understood one without the other)."""

from __future__ import annotations

import ast
from pathlib import Path

import labgen

PACKAGE = Path(labgen.__file__).parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, modules: set[str]) -> set[str]:
    """The labgen modules ``path`` imports (``from labgen.x import y`` counts ``labgen.x.y``
    when that is a module, else ``labgen.x``)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                child = f"{node.module}.{alias.name}"
                found.add(child if child in modules else node.module)
    return {name for name in found if name in modules}


def _graph() -> dict[str, set[str]]:
    paths = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    modules = set(paths)
    return {name: _imports(path, modules) - {name} for name, path in paths.items()}


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _is_package_and_child(circle: list[str]) -> bool:
    """A package's ``__init__`` re-exporting its own submodules is not a circle of ideas."""
    return all(
        any(m.startswith(o + ".") or o.startswith(m + ".") for o in circle if o != m)
        for m in circle
    )


def test_the_two_circles_of_issue_18_are_broken() -> None:
    graph = _graph()
    for one, other in [
        ("labgen.checking.reporters", "labgen.hookspecs"),
        ("labgen.config", "labgen.checking.settings"),
    ]:
        assert not (other in graph[one] and one in graph[other]), (one, other)


def test_no_module_imports_itself_through_others() -> None:
    circles = [c for c in _circles(_graph()) if not _is_package_and_child(c)]
    assert circles == []
