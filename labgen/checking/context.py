"""Everything the checks of one file share, computed once per file.

A :class:`FileContext` holds the parsed module, LibCST metadata (positions and scopes, computed
the first time a check asks), the marimo cells and their dataflow, qualified-name resolution
across cells, the lab's chapter and the instruments that exist. The traversal fills in parents
and the calls of each cell as it walks the tree.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path, PurePosixPath

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, Scope, ScopeProvider

from labgen import book
from labgen.book import Chapter, from_lab_path
from labgen.checking.cells import Cell, Dataflow, find_cells
from labgen.checking.names import NameResolver, canonical
from labgen.checking.positions import Positions
from labgen.instruments import Instrument


@dataclass(frozen=True)
class Environment:
    """What is true for every file of a run: the instruments that exist and the rule codes."""

    instruments: tuple[Instrument, ...] = ()
    #: code -> name of every registered rule (used to judge noqa comments).
    rules: Mapping[str, str] = field(default_factory=dict)
    #: code -> name of the plugin that provides the rule (named when its check fails).
    plugins: Mapping[str, str] = field(default_factory=dict)
    #: The project root, where the files a lab names live (a generated lab's spec); None when
    #: the source has no project (examples, ``check_source``).
    root: Path | None = None


class FileContext:
    """Shared facts about one file, for every check that runs on it."""

    def __init__(
        self,
        source: str,
        module: cst.Module,
        *,
        relpath: str,
        display: str,
        environment: Environment,
    ) -> None:
        self.source = source
        self.module = module
        #: Path relative to the project root (POSIX separators), used for the chapter and
        #: per-file settings.
        self.relpath = relpath
        #: Path as shown to the user.
        self.display = display
        self.environment = environment
        self.wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        self.cells: tuple[Cell, ...] = find_cells(module)
        self.dataflow = Dataflow(self.cells)
        self._cell_by_node = {cell.node: cell for cell in self.cells}
        #: Each node's parent, and the calls made in each cell (``None``: outside cells).
        self.parents: dict[cst.CSTNode, cst.CSTNode] = {}
        self.calls: dict[Cell | None, list[cst.Call]] = {}
        #: Each node's children (nodes without children are absent), in walking order.
        self.children: dict[cst.CSTNode, list[cst.CSTNode]] = {}
        _index(module, self._cell_by_node, self.parents, self.calls, self.children)
        self.names = NameResolver(module, self.cells, self.dataflow, self.parents, self._scopes)
        # Many checks ask about the same callee: resolve each node once.
        self._qualified: dict[cst.CSTNode, frozenset[str]] = {}

    # -- metadata, computed on first use --------------------------------------------------

    def _scopes(self) -> Mapping[cst.CSTNode, Scope | None]:
        return self.wrapper.resolve(ScopeProvider)

    @cached_property
    def _positions(self) -> Positions:
        return Positions(self.module, self.source, self.parents.get)

    def position(self, node: cst.CSTNode) -> CodeRange:
        """Where ``node`` is (LibCST CodeRange: 1-based lines, 0-based columns)."""
        return self._positions[node]

    def scope(self, node: cst.CSTNode) -> Scope | None:
        """The LibCST scope ``node`` is evaluated in."""
        return self.names.scopes.get(node)

    # -- structure ----------------------------------------------------------------------------

    @cached_property
    def chapter(self) -> Chapter | None:
        """The chapter the file is the lab of, judged by its folder and number (or None): a
        lab whose slug is wrong is still judged as the chapter its number names."""
        return chapter_named_by(self.relpath)

    def cell_for_node(self, node: cst.CSTNode) -> Cell | None:
        """The cell whose definition is ``node`` itself."""
        return self._cell_by_node.get(node)

    def cell_of(self, node: cst.CSTNode) -> Cell | None:
        """The cell ``node`` belongs to (None outside cells)."""
        current: cst.CSTNode | None = node
        while current is not None:
            cell = self._cell_by_node.get(current)
            if cell is not None:
                return cell
            current = self.parents.get(current)
        return None

    def ancestry(self, node: cst.CSTNode) -> Iterator[cst.CSTNode]:
        """The parents of ``node``, nearest first."""
        current = self.parents.get(node)
        while current is not None:
            yield current
            current = self.parents.get(current)

    # -- names --------------------------------------------------------------------------------

    def qualified_names(self, node: cst.CSTNode) -> frozenset[str]:
        """Canonical dotted names ``node`` may stand for (see labgen.checking.names)."""
        found = self._qualified.get(node)
        if found is None:
            found = frozenset(canonical(name) for name in self.names.qualified_names(node))
            self._qualified[node] = found
        return found

    def raw_qualified_names(self, node: cst.CSTNode) -> frozenset[str]:
        """Dotted names as imported (``mlsys.engine.Engine`` stays as written)."""
        return self.names.qualified_names(node)

    def calls_to(self, *targets: str, cells: Sequence[Cell] | None = None) -> list[cst.Call]:
        """Calls whose callee is one of ``targets`` or inside one of them
        (``labs.core.components.PredictionInput`` also matches ``PredictionInput.number``)."""
        wanted = tuple(canonical(target) for target in targets)
        found = []
        chosen = (
            self.calls.items() if cells is None else ((c, self.calls.get(c, [])) for c in cells)
        )
        for _cell, calls in chosen:
            for call in calls:
                if any(_within(name, wanted) for name in self.qualified_names(call.func)):
                    found.append(call)
        return found

    @cached_property
    def instrument_components(self) -> dict[str, Instrument]:
        """Canonical component name -> instrument; a component several instruments draw
        (``LatencyWaterfall``: the single-node and the fleet waterfall) maps to the one that
        unlocks first, since a lab may use the component from then on."""
        found: dict[str, Instrument] = {}
        for instrument in self.environment.instruments:
            name = canonical(instrument.component)
            known = found.get(name)
            if known is None or _unlock(instrument) < _unlock(known):
                found[name] = instrument
        return found


def _unlock(instrument: Instrument) -> tuple[int, int]:
    return instrument.unlock_volume, instrument.unlock_chapter


_NUMBERED_LAB = re.compile(r"^lab_(?P<number>\d{2})_")


def chapter_named_by(relpath: str) -> Chapter | None:
    """The chapter a lab's folder and number name (``vol2/lab_06_anything.py`` is Volume 2
    chapter 6), whatever its slug says; None outside ``vol1/``/``vol2/`` or past the volume."""
    path = PurePosixPath(relpath.replace("\\", "/"))
    exact = from_lab_path(path)
    if exact is not None:
        return exact
    match = _NUMBERED_LAB.match(path.name)
    folder = re.fullmatch(r"vol([12])", path.parent.name)
    if not match or not folder or path.suffix != ".py":
        return None
    try:
        return book.chapter(int(folder[1]), int(match["number"]))
    except book.UnknownChapterError:
        return None


def _within(name: str, targets: Sequence[str]) -> bool:
    return any(name == target or name.startswith(target + ".") for target in targets)


_FIELDS: dict[type, tuple[str, ...]] = {}
#: Node classes whose fields are declared in another order than their code reads.
_SOURCE_ORDER: dict[type, tuple[str, ...]] = {
    cst.FunctionDef: ("decorators",),
    cst.ClassDef: ("decorators",),
    cst.Arg: ("keyword",),
    cst.IfExp: ("body",),
    cst.ImportFrom: ("relative",),
}


def _fields(kind: type) -> tuple[str, ...]:
    names = _FIELDS.get(kind)
    if names is None:
        declared = tuple(f.name for f in dataclasses.fields(kind))
        first = _SOURCE_ORDER.get(kind, ())
        names = _FIELDS[kind] = first + tuple(n for n in declared if n not in first)
    return names


def child_nodes(node: cst.CSTNode) -> list[cst.CSTNode]:
    """The children of ``node`` in (nearly) source order, read from its fields: a plain walk,
    several times faster than LibCST's visitor, which rebuilds each node as it goes."""
    children: list[cst.CSTNode] = []
    for name in _fields(type(node)):
        value = getattr(node, name)
        if isinstance(value, cst.CSTNode):
            children.append(value)
        elif type(value) in (list, tuple):
            children += [item for item in value if isinstance(item, cst.CSTNode)]
    return children


def _index(
    module: cst.Module,
    cells: Mapping[cst.CSTNode, Cell],
    parents: dict[cst.CSTNode, cst.CSTNode],
    calls: dict[Cell | None, list[cst.Call]],
    children: dict[cst.CSTNode, list[cst.CSTNode]] | None = None,
) -> None:
    """Record every node's parent (and children), and every call per cell, in one pass.

    A plain walk over the nodes' fields (see :func:`child_nodes`): several times faster than a
    LibCST visitor, which rebuilds each node as it goes.
    """
    stack: list[tuple[cst.CSTNode, Cell | None]] = [(module, None)]
    while stack:
        node, cell = stack.pop()
        cell = cells.get(node, cell)
        if type(node) is cst.Call:
            calls.setdefault(cell, []).append(node)
        below = child_nodes(node)
        if children is not None and below:
            children[node] = below
        for child in reversed(below):
            parents[child] = node
            stack.append((child, cell))
