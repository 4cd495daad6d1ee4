"""Qualified names that follow imports, aliases and marimo's dataflow between cells.

LibCST's scope analysis sees each cell as a function, so in ``def _(Engine): Engine.solve()``
the name ``Engine`` is only a parameter. In marimo that parameter *is* the global another cell
defines, for example with ``from mlsys import Engine``. :class:`NameResolver` joins the two, so
``import mlsys as m`` in one cell and ``m.Engine.solve`` in another resolve to
``mlsys.Engine.solve``.

A name is looked up the way Python does it, using what the file index already knows: the
cell's own bindings (imports, ``x = y`` aliases), then the cell's parameters (another cell's
globals), then module-level bindings (including ``with app.setup:``), then builtins. When a
nested scope between the name and its cell (a lambda, comprehension, nested function or class)
binds the same name, the answer comes from that scope's own imports and plain assignments.
LibCST's ScopeProvider is computed only when a check asks for ``Check.scope``.
"""

from __future__ import annotations

import builtins
import importlib.util
import pkgutil
from collections.abc import Callable, Mapping, Sequence
from functools import cache

import libcst as cst
from libcst.metadata import Scope

from labgen.checking.cells import (
    Cell,
    Dataflow,
    _Bindings,
    block_of,
    params_of,
)

#: Packages whose submodules re-export their public names: ``mlsys.engine.Engine`` and
#: ``mlsys.Engine`` name the same thing, as do ``labs.core.components.MathPeek`` and
#: ``labs.core.MathPeek``.
REEXPORTING_PACKAGES: tuple[str, ...] = ("mlsys", "labs.core")

#: How many alias hops (``W = LatencyWaterfall``) are followed before giving up.
_MAX_DEPTH = 8
_BUILTINS = frozenset(dir(builtins))
_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)


class NameResolver:
    """Resolves Name and Attribute expressions of one file to dotted qualified names."""

    def __init__(
        self,
        module: cst.Module,
        cells: Sequence[Cell],
        dataflow: Dataflow,
        parents: Mapping[cst.CSTNode, cst.CSTNode],
        scopes: Callable[[], Mapping[cst.CSTNode, Scope | None]],
    ) -> None:
        self._module = module
        self._parents = parents
        self._scopes_factory = scopes
        self._scopes: Mapping[cst.CSTNode, Scope | None] | None = None
        self._dataflow = dataflow
        self._cells = {cell.node: cell for cell in cells}
        self._values: dict[cst.CSTNode, cst.BaseExpression] = {}
        for cell in cells:
            self._values.update(cell.assigned)
        # Module-level bindings: statements outside cells, and the setup cell.
        top = _Bindings({})
        for statement in module.body:
            cell = self._cells.get(statement)
            if cell is None:
                top.collect(statement)
            elif cell.kind == "setup":
                for inner in block_of(statement):
                    top.collect(inner)
        self._module_imports = top.imports
        self._module_values = top.values
        self._module_bound = frozenset(top.nodes)
        self._values.update(top.assigned)
        self._globals: dict[str, frozenset[str]] = {}
        self._scope_bindings: dict[cst.CSTNode, _Bindings] = {}
        self._chains: dict[cst.CSTNode, tuple[Cell | None, tuple[cst.CSTNode, ...]]] = {}

    @property
    def scopes(self) -> Mapping[cst.CSTNode, Scope | None]:
        """LibCST scopes of the file, computed on first use."""
        if self._scopes is None:
            self._scopes = self._scopes_factory()
        return self._scopes

    def qualified_names(self, node: cst.CSTNode, _depth: int = 0) -> frozenset[str]:
        """Every dotted name ``node`` may stand for (empty when it is not a name or attribute)."""
        parts: list[str] = []
        while isinstance(node, cst.Attribute):
            parts.append(node.attr.value)
            node = node.value
        if not isinstance(node, cst.Name):
            return frozenset()
        bases = self._name(node, _depth)
        if not parts:
            return bases
        suffix = ".".join(reversed(parts))
        return frozenset(f"{base}.{suffix}" for base in bases)

    @property
    def module_bound(self) -> frozenset[str]:
        """Names bound at module level: outside cells, and in the setup cell."""
        return self._module_bound

    def binding_scope(self, node: cst.Name) -> cst.CSTNode | None:
        """The innermost function, lambda, class or comprehension of ``node``'s cell that binds
        its name (None when none does)."""
        return self._owner(node, node.value)[1]

    def global_names(self, name: str, _depth: int = 0) -> frozenset[str]:
        """What the notebook global ``name`` is, judged by the cell(s) that define it."""
        cached = self._globals.get(name)
        if cached is not None:
            return cached
        self._globals[name] = frozenset()  # guards against alias cycles
        found: set[str] = set()
        for cell in self._dataflow.definers.get(name, ()):
            if name in cell.imports:
                found.add(cell.imports[name])
            else:
                found |= self._aliased(cell.values.get(name, ()), _depth)
        result = frozenset(found)
        self._globals[name] = result
        return result

    def bound_values(self, node: cst.Name) -> list[cst.BaseExpression]:
        """The expressions a name was assigned (``x = value``): in the nested function that binds
        it, in its cell or, for a cell parameter, in the cell that defines the global."""
        cell, shadow = self._owner(node, node.value)
        name = node.value
        if shadow is not None:
            return list(self._bindings(shadow).values.get(name, ()))
        if cell is not None and cell.kind == "cell":
            if name in cell.bound:
                return list(cell.values.get(name, ()))
            if name in cell.refs:
                return self.global_values(name)
        if name in self._module_bound:
            return list(self._module_values.get(name, ()))
        return self.global_values(name)

    def global_values(self, name: str) -> list[cst.BaseExpression]:
        """The expressions the cells defining global ``name`` assign to it."""
        return [
            v for cell in self._dataflow.definers.get(name, ()) for v in cell.values.get(name, ())
        ]

    # -- lookup ---------------------------------------------------------------------------------

    def _name(self, node: cst.Name, depth: int) -> frozenset[str]:
        name = node.value
        cell, shadow = self._owner(node, name)
        if shadow is not None:
            return self._scoped(node, shadow, depth)
        if cell is not None:
            if name in cell.imports:
                return frozenset({cell.imports[name]})
            if name in cell.bound and cell.kind != "setup":
                return self._aliased(cell.values.get(name, ()), depth)
            if name in cell.refs:
                return self.global_names(name, depth)
        if name in self._module_imports:
            return frozenset({self._module_imports[name]})
        if name in self._module_bound:
            return self._aliased(self._module_values.get(name, ()), depth)
        if name in _BUILTINS:
            return frozenset({f"builtins.{name}"})
        # Read without being bound anywhere: in marimo, another cell's global.
        return self.global_names(name, depth)

    def _aliased(self, values: Sequence[cst.BaseExpression], depth: int) -> frozenset[str]:
        """What ``x`` stands for when its one assignment is ``x = some.name``."""
        if depth >= _MAX_DEPTH or len(values) != 1:
            return frozenset()
        value = values[0]
        if isinstance(value, cst.Name | cst.Attribute):
            return self.qualified_names(value, depth + 1)
        return frozenset()

    def _owner(self, node: cst.CSTNode, name: str) -> tuple[Cell | None, cst.CSTNode | None]:
        """The cell ``node`` is in, and the innermost scope nested inside that cell that binds
        ``name`` on the way from ``node`` to the cell (None when no nested scope does)."""
        cell, scopes = self._scope_chain(node)
        shadow = next((scope for scope in scopes if name in self._bindings(scope).nodes), None)
        return cell, shadow

    def _scope_chain(self, node: cst.CSTNode) -> tuple[Cell | None, tuple[cst.CSTNode, ...]]:
        """The cell holding ``node`` and the nested scopes between them, innermost first.

        Memoised for every node on the way up, so resolving all the names of a file walks
        each ancestor once rather than once per name.
        """
        path: list[cst.CSTNode] = []
        current: cst.CSTNode | None = node
        found: tuple[Cell | None, tuple[cst.CSTNode, ...]] = (None, ())
        while current is not None:
            known = self._chains.get(current)
            if known is not None:
                found = known
                break
            cell = self._cells.get(current)
            if cell is not None:
                found = (cell, ())
                self._chains[current] = found
                break
            path.append(current)
            current = self._parents.get(current)
        for step in reversed(path):
            parent = self._parents.get(step)
            if parent is not None and isinstance(parent, _SCOPES) and parent not in self._cells:
                found = (found[0], (parent, *found[1]))
            self._chains[step] = found
        return found

    def _bindings(self, scope: cst.CSTNode) -> _Bindings:
        """What a nested scope (function, lambda, class, comprehension) binds itself: its
        names, and the imports and plain assignments among them."""
        found = self._scope_bindings.get(scope)
        if found is None:
            found = _Bindings({})
            if isinstance(scope, cst.FunctionDef | cst.ClassDef):
                for statement in block_of(scope):
                    found.collect(statement)
            if isinstance(scope, cst.FunctionDef | cst.Lambda):
                for param in params_of(scope):
                    found.nodes.setdefault(param.name.value, param.name)
            elif not isinstance(scope, cst.ClassDef):
                for target in _comprehension_targets(scope):
                    found.nodes.setdefault(target, scope)
            self._scope_bindings[scope] = found
        return found

    def _scoped(self, node: cst.Name, scope: cst.CSTNode, depth: int) -> frozenset[str]:
        """What ``node`` stands for when the nested ``scope`` binds its name: an import or a
        plain alias made there; a parameter or loop variable stands for nothing known.

        The file's own index answers this, so LibCST's scope analysis (the costliest metadata
        of all on labs that nest helper functions in cells) is never computed for it.
        """
        bindings = self._bindings(scope)
        name = node.value
        if name in bindings.imports:
            return frozenset({bindings.imports[name]})
        return self._aliased(bindings.values.get(name, ()), depth)


_SCOPES = (cst.FunctionDef, cst.Lambda, cst.ClassDef, *_COMPREHENSIONS)


def _comprehension_targets(node: cst.CSTNode) -> list[str]:
    names: list[str] = []
    clause = getattr(node, "for_in", None)
    while isinstance(clause, cst.CompFor):
        found = _Bindings({})
        found._target(clause.target)
        names.extend(found.nodes)
        clause = clause.inner_for_in
    return names


@cache
def _submodules(package: str) -> frozenset[str]:
    """Names of the modules directly inside ``package``, found without importing it."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return frozenset()
    if spec is None or not spec.submodule_search_locations:
        return frozenset()
    return frozenset(info.name for info in pkgutil.iter_modules(spec.submodule_search_locations))


def canonical(qualified: str) -> str:
    """``qualified`` with a re-exporting package's submodule dropped (``mlsys.engine.Engine``
    becomes ``mlsys.Engine``), so that both spellings of one public name compare equal."""
    for package in REEXPORTING_PACKAGES:
        prefix = package + "."
        if qualified.startswith(prefix):
            head, _, rest = qualified[len(prefix) :].partition(".")
            if rest and head in _submodules(package):
                return prefix + rest
    return qualified
