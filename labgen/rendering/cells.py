"""marimo cell signatures from cell bodies: what each cell defines and which globals it reads.

Templates write only cell bodies; the parameters (globals read) and the return tuple (globals
defined) are computed here with ``ast``, so they can never drift from the code.
"""

from __future__ import annotations

import ast
import builtins
from dataclasses import dataclass, field

_BUILTINS = frozenset(dir(builtins))


@dataclass
class Cell:
    """One marimo cell: its body (Python source, not indented) and computed signature."""

    body: str
    is_async: bool = False
    defines: tuple[str, ...] = ()
    reads: tuple[str, ...] = ()
    args: tuple[str, ...] = field(default=())


def _assigned(node: ast.AST) -> set[str]:
    names: set[str] = set()
    for child in ast.walk(node):
        if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Store):
            names.add(child.id)
    return names


def analyse(body: str, is_async: bool = False) -> Cell:
    """Parse a cell body: the globals it defines (public top-level names) and the names it reads
    that it does not define itself (imports count as definitions)."""
    wrapped = f"async def _():\n{_indent(body)}" if is_async else body
    tree = ast.parse(wrapped)
    statements = tree.body[0].body if is_async else tree.body
    defined: set[str] = set()
    for statement in statements:
        if isinstance(statement, ast.FunctionDef | ast.ClassDef):
            defined.add(statement.name)
            continue
        defined |= _assigned(statement)
        for node in ast.walk(statement):
            if isinstance(node, ast.Import | ast.ImportFrom):
                defined.update((a.asname or a.name).split(".")[0] for a in node.names)
    loaded = {
        node.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
    }
    reads = sorted(loaded - defined - _BUILTINS)
    public = tuple(sorted(name for name in defined if not name.startswith("_")))
    return Cell(body, is_async, public, tuple(reads))


def link(cells: list[Cell]) -> list[Cell]:
    """Fill each cell's parameters: the names it reads that another cell defines. Raises
    ValueError when two cells define one name or a cell reads a name nobody defines."""
    owner: dict[str, int] = {}
    for index, cell in enumerate(cells):
        for name in cell.defines:
            if name in owner:
                raise ValueError(f"cells {owner[name]} and {index} both define {name!r}")
            owner[name] = index
    for index, cell in enumerate(cells):
        missing = [name for name in cell.reads if name not in owner]
        if missing:
            raise ValueError(f"cell {index} reads undefined {', '.join(missing)}")
        cell.args = tuple(name for name in cell.reads if owner[name] != index)
    return cells


def _indent(body: str) -> str:
    return "".join(
        f"    {line}" if line.strip() else line for line in body.splitlines(keepends=True)
    )
