"""The marimo cells of a file and the dataflow graph between them.

A marimo notebook is a module whose functions decorated with ``@app.cell`` are cells: a cell's
parameters are the globals it reads (its *refs*), and the names it binds outside nested
functions, except ``_private`` ones, are the globals it defines (its *defs*), which marimo lists
in its ``return``. Cell A is a parent of cell B when B reads a name A defines; marimo runs B
after A, and a cell stopped with ``mo.stop`` stops all its descendants. ``@app.function``,
``@app.class_definition`` and ``with app.setup:`` are cells too.

Everything here works on statements only (no metadata), so it is cheap and computed once per file.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal

import libcst as cst

CellKind = Literal["cell", "function", "class", "setup"]

#: ``@app.<decorator>`` -> the kind of cell it makes.
_DECORATOR_KINDS: dict[str, CellKind] = {
    "cell": "cell",
    "function": "function",
    "class_definition": "class",
}


@dataclass(eq=False)
class Cell:
    """One marimo cell: where it is, what it reads and defines, and what it shows."""

    index: int
    kind: CellKind
    node: cst.FunctionDef | cst.ClassDef | cst.With
    name: str
    defs: frozenset[str]
    refs: frozenset[str]
    #: The node that binds each def (for locations), first binding wins.
    def_nodes: dict[str, cst.CSTNode] = field(repr=False)
    #: The expression marimo displays (the last statement, when it is an expression).
    output: cst.BaseExpression | None = field(default=None, repr=False)
    #: Name -> dotted import path, for every import in the cell (private names too).
    imports: dict[str, str] = field(default_factory=dict, repr=False)
    #: Name -> expressions assigned to it by ``name = value`` statements of the cell.
    values: dict[str, list[cst.BaseExpression]] = field(default_factory=dict, repr=False)
    #: Target Name node -> the value assigned to it (``name = value``), private names too.
    assigned: dict[cst.Name, cst.BaseExpression] = field(default_factory=dict, repr=False)
    #: Every name local to the cell's own scope (private ones, and the parameters of an
    #: ``@app.function``), whether or not it is a global.
    bound: frozenset[str] = frozenset()

    @property
    def body(self) -> Sequence[cst.BaseStatement | cst.BaseSmallStatement]:
        """The statements of the cell, without the final ``return``."""
        statements = _block(self.node)
        if statements and _is_return_line(statements[-1]):
            return statements[:-1]
        return statements

    @property
    def decorators(self) -> Sequence[cst.Decorator]:
        """The cell's decorators (empty for the setup cell)."""
        return getattr(self.node, "decorators", ())

    def __hash__(self) -> int:
        return hash(self.index)

    def __repr__(self) -> str:
        return f"<Cell {self.index} {self.kind} defs={sorted(self.defs)} refs={sorted(self.refs)}>"


class Dataflow:
    """The graph between cells: who defines each global, parents, children, ancestors."""

    def __init__(self, cells: Sequence[Cell]) -> None:
        self.cells = tuple(cells)
        self.definers: dict[str, list[Cell]] = {}
        for cell in self.cells:
            for name in cell.defs:
                self.definers.setdefault(name, []).append(cell)
        setup = [cell for cell in self.cells if cell.kind == "setup"]
        self._parents: dict[Cell, tuple[Cell, ...]] = {}
        self._children: dict[Cell, list[Cell]] = {cell: [] for cell in self.cells}
        for cell in self.cells:
            parents = {
                d for name in cell.refs for d in self.definers.get(name, ()) if d is not cell
            }
            if cell.kind != "setup":
                parents.update(setup)
            self._parents[cell] = tuple(sorted(parents, key=lambda c: c.index))
            for parent in parents:
                self._children[parent].append(cell)

    def parents(self, cell: Cell) -> tuple[Cell, ...]:
        """Cells that define a global ``cell`` reads."""
        return self._parents[cell]

    def children(self, cell: Cell) -> tuple[Cell, ...]:
        """Cells that read a global ``cell`` defines."""
        return tuple(sorted(self._children[cell], key=lambda c: c.index))

    def ancestors(self, cell: Cell) -> frozenset[Cell]:
        """Every cell marimo must run before ``cell`` (transitively), without ``cell`` itself."""
        return self._closure(cell, self._parents)

    def descendants(self, cell: Cell) -> frozenset[Cell]:
        """Every cell that reruns when ``cell`` runs (transitively), without ``cell`` itself."""
        return self._closure(cell, self._children)

    @staticmethod
    def _closure(start: Cell, edges: dict[Cell, Iterable[Cell]]) -> frozenset[Cell]:
        seen: set[Cell] = set()
        stack = list(edges[start])
        while stack:
            cell = stack.pop()
            if cell not in seen and cell is not start:
                seen.add(cell)
                stack.extend(edges[cell])
        return frozenset(seen)


def find_app_names(module: cst.Module) -> frozenset[str]:
    """Module-level names bound to ``marimo.App(...)`` (``{"app"}`` when none is found)."""
    marimo_aliases, app_aliases = set(), set()
    for statement in module.body:
        for small in _small_statements(statement):
            if isinstance(small, cst.Import):
                for alias in small.names:
                    if _dotted(alias.name) == "marimo":
                        marimo_aliases.add(_binding(alias))
            elif (
                isinstance(small, cst.ImportFrom)
                and _dotted(small.module) == "marimo"
                and isinstance(small.names, Sequence)
            ):
                for alias in small.names:
                    if _dotted(alias.name) == "App":
                        app_aliases.add(_binding(alias))
    names = set()
    for statement in module.body:
        for small in _small_statements(statement):
            if (
                isinstance(small, cst.Assign)
                and len(small.targets) == 1
                and isinstance(small.targets[0].target, cst.Name)
                and isinstance(small.value, cst.Call)
            ):
                func = _dotted(small.value.func)
                head, _, attr = (func or "").rpartition(".")
                if (head in marimo_aliases and attr == "App") or (not head and attr in app_aliases):
                    names.add(small.targets[0].target.value)
    return frozenset(names or {"app"})


def find_cells(module: cst.Module) -> tuple[Cell, ...]:
    """The cells of ``module`` in file order (empty when it is not a marimo notebook)."""
    apps = find_app_names(module)
    cells: list[Cell] = []
    for statement in module.body:
        kind = _cell_kind(statement, apps)
        if kind is None:
            continue
        cells.append(_make_cell(len(cells), kind, statement))  # type: ignore[arg-type]
    return tuple(cells)


def _cell_kind(statement: cst.CSTNode, apps: frozenset[str]) -> CellKind | None:
    if isinstance(statement, cst.FunctionDef | cst.ClassDef):
        for decorator in statement.decorators:
            target = decorator.decorator
            if isinstance(target, cst.Call):
                target = target.func
            dotted = _dotted(target) or ""
            head, _, attr = dotted.rpartition(".")
            if head in apps and attr in _DECORATOR_KINDS:
                kind = _DECORATOR_KINDS[attr]
                if (kind == "class") == isinstance(statement, cst.ClassDef):
                    return kind
    elif isinstance(statement, cst.With) and len(statement.items) == 1:
        target = statement.items[0].item
        if isinstance(target, cst.Call):
            target = target.func
        head, _, attr = (_dotted(target) or "").rpartition(".")
        if head in apps and attr == "setup":
            return "setup"
    return None


def _make_cell(index: int, kind: CellKind, node: cst.CSTNode) -> Cell:
    def_nodes: dict[str, cst.CSTNode] = {}
    found = _Bindings(def_nodes)
    refs: frozenset[str] = frozenset()
    output = None
    if kind == "cell":
        assert isinstance(node, cst.FunctionDef)
        refs = frozenset(p.name.value for p in node.params.params)
        statements = _block(node)
        for statement in statements:
            found.collect(statement)
        if statements and _is_return_line(statements[-1]):
            for element in _return_names(statements[-1]):
                def_nodes.setdefault(element.value, element)
            statements = statements[:-1]
        if statements:
            output = _output_of(statements[-1])
        name = node.name.value
    elif kind in ("function", "class"):
        assert isinstance(node, cst.FunctionDef | cst.ClassDef)
        for statement in _block(node):
            found.collect(statement)
        if isinstance(node, cst.FunctionDef):
            for param in _all_params(node.params):
                found.nodes.setdefault(param.name.value, param.name)
        name = node.name.value
    else:
        assert isinstance(node, cst.With)
        for statement in _block(node):
            found.collect(statement)
        name = "setup"
    bound = frozenset(def_nodes)
    if kind in ("function", "class"):
        # The function or class itself is the cell's one global; its locals stay inside.
        def_nodes = {node.name.value: node.name}  # type: ignore[union-attr]
    public = {n: d for n, d in def_nodes.items() if not n.startswith("_")}
    return Cell(
        index=index,
        kind=kind,
        node=node,  # type: ignore[arg-type]
        name=name,
        defs=frozenset(public),
        refs=refs,
        def_nodes=public,
        output=output,
        imports=found.imports,
        values=found.values,
        assigned=found.assigned,
        bound=bound,
    )


def _block(node: cst.CSTNode) -> Sequence[cst.BaseStatement]:
    body = getattr(node, "body", None)
    if isinstance(body, cst.IndentedBlock):
        return body.body
    if isinstance(body, cst.SimpleStatementSuite):
        return [cst.SimpleStatementLine(body=body.body)]
    return ()


def _is_return_line(statement: cst.CSTNode) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Return)
    )


def _return_names(statement: cst.SimpleStatementLine) -> Iterator[cst.Name]:
    value = statement.body[0].value  # type: ignore[attr-defined]
    if isinstance(value, cst.Name):
        yield value
    elif isinstance(value, cst.Tuple):
        for element in value.elements:
            if isinstance(element.value, cst.Name):
                yield element.value


def _output_of(statement: cst.CSTNode) -> cst.BaseExpression | None:
    if isinstance(statement, cst.SimpleStatementLine) and statement.body:
        last = statement.body[-1]
        if isinstance(last, cst.Expr):
            return last.value
    return None


def _small_statements(statement: cst.CSTNode) -> Sequence[cst.BaseSmallStatement]:
    if isinstance(statement, cst.SimpleStatementLine):
        return statement.body
    return ()


def _all_params(params: cst.Parameters) -> list[cst.Param]:
    """Every parameter of a signature (positional, keyword-only, ``*args``, ``**kwargs``)."""
    found = [*params.posonly_params, *params.params, *params.kwonly_params]
    for extra in (params.star_arg, params.star_kwarg):
        if isinstance(extra, cst.Param):
            found.append(extra)
    return found


def bindings_of(statements: Sequence[cst.CSTNode]) -> frozenset[str]:
    """Names a block of statements binds in its own scope (not inside nested functions)."""
    found = _Bindings({})
    for statement in statements:
        found.collect(statement)
    return frozenset(found.nodes)


def block_of(node: cst.CSTNode) -> Sequence[cst.BaseStatement]:
    """The statements in the body of a function, class or compound statement."""
    return _block(node)


def params_of(node: cst.FunctionDef | cst.Lambda) -> list[cst.Param]:
    """Every parameter of a function or lambda."""
    return _all_params(node.params)


class _Bindings:
    """Collects the names statements bind in a cell's own scope (not in nested functions)."""

    def __init__(self, nodes: dict[str, cst.CSTNode]) -> None:
        self.nodes = nodes
        self.imports: dict[str, str] = {}
        self.values: dict[str, list[cst.BaseExpression]] = {}
        self.assigned: dict[cst.Name, cst.BaseExpression] = {}

    def collect(self, statement: cst.CSTNode) -> None:
        """Record what ``statement`` (and the blocks nested in it) binds."""
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                self._small(small)
            return
        if isinstance(statement, cst.FunctionDef | cst.ClassDef):
            self.nodes.setdefault(statement.name.value, statement.name)
            return
        if isinstance(statement, cst.For):
            self._target(statement.target)
        elif isinstance(statement, cst.With):
            for item in statement.items:
                if item.asname is not None:
                    self._target(item.asname.name)
        for inner in _inner_statements(statement):
            self.collect(inner)

    def _small(self, small: cst.BaseSmallStatement) -> None:
        if isinstance(small, cst.Assign):
            for target in small.targets:
                self._target(target.target)
                if isinstance(target.target, cst.Name):
                    self.values.setdefault(target.target.value, []).append(small.value)
                    self.assigned[target.target] = small.value
        elif isinstance(small, cst.AnnAssign | cst.AugAssign):
            self._target(small.target)
            if (
                isinstance(small, cst.AnnAssign)
                and small.value is not None
                and isinstance(small.target, cst.Name)
            ):
                self.values.setdefault(small.target.value, []).append(small.value)
                self.assigned[small.target] = small.value
        elif isinstance(small, cst.Import):
            for alias in small.names:
                bound = _binding(alias)
                self.nodes.setdefault(bound, alias)
                dotted = _dotted(alias.name) or ""
                self.imports[bound] = dotted if alias.asname else bound
        elif isinstance(small, cst.ImportFrom) and isinstance(small.names, Sequence):
            module = "." * len(small.relative) + (_dotted(small.module) or "")
            for alias in small.names:
                bound = _binding(alias)
                self.nodes.setdefault(bound, alias)
                self.imports[bound] = f"{module}.{_dotted(alias.name)}"

    def _target(self, target: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name):
            self.nodes.setdefault(target.value, target)
        elif isinstance(target, cst.Tuple | cst.List):
            for element in target.elements:
                self._target(element.value)
        elif isinstance(target, cst.StarredElement):
            self._target(target.value)


def _inner_statements(statement: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """The statements one level inside a compound statement (if/for/while/try/with)."""
    if isinstance(getattr(statement, "body", None), cst.BaseSuite):
        yield from _block(statement)
    for handler in getattr(statement, "handlers", ()):
        yield from _block(handler)
    orelse = getattr(statement, "orelse", None)
    if isinstance(orelse, cst.If):
        yield orelse
    elif orelse is not None:
        yield from _block(orelse)
    final = getattr(statement, "finalbody", None)
    if final is not None:
        yield from _block(final)


def _binding(alias: cst.ImportAlias) -> str:
    """The name an import alias binds: ``import a.b`` binds ``a``; ``as x`` binds ``x``."""
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    dotted = _dotted(alias.name) or ""
    return dotted.split(".")[0]


def _dotted(node: cst.CSTNode | None) -> str | None:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    parts = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if not isinstance(node, cst.Name):
        return None
    parts.append(node.value)
    return ".".join(reversed(parts))
