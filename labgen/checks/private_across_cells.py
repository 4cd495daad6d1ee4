"""LAB016 private-across-cells: an underscore name handed to, or read from, another cell."""

from __future__ import annotations

import builtins

import libcst as cst

from labgen.checking.cells import Cell
from labgen.checking.check import Check
from labgen.checking.examples import Invalid, Valid

_BUILTINS = frozenset(dir(builtins))
#: Places where a Name node does not read a variable (it names, binds or receives one).
_NOT_READS = (
    cst.AssignTarget,
    cst.AsName,
    cst.ImportAlias,
    cst.FunctionDef,
    cst.ClassDef,
    cst.CompFor,
    cst.Global,
    cst.Nonlocal,
)


def is_private(name: str) -> bool:
    """Whether marimo keeps ``name`` local to its cell (``_x``; not ``_`` or dunders)."""
    return name.startswith("_") and name != "_" and not name.startswith("__")


class PrivateAcrossCells(Check):
    """A cell hands an underscore name to another cell, or reads one another cell defines.

    ## What it does
    Reports, for names that start with one underscore (`_scale`, `_get_tier`):
    * a cell that returns one (`return (_get_tier,)`) or asks for one as a parameter;
    * a cell that reads one it does not bind itself, while another cell binds it at its top
      level.

    ## Why is this bad
    marimo keeps underscore names local to the cell that binds them: that is how a cell keeps
    scratch variables out of the notebook's namespace. Returning one exports nothing, and a
    cell that reads another cell's `_scale` raises `NameError` when it runs: the student sees a
    traceback where the lab should be. Neither Python nor `marimo check` notices, because each
    cell is a function that looks up the name as a global.

    ## Example
    ```python
    @app.cell
    def _():
        _scale = 4
        return


    @app.cell
    def _(mo):
        mo.md(f"{_scale} tiers")
        return
    ```

    ## Use instead
    ```python
    @app.cell
    def _():
        tier_scale = 4
        return (tier_scale,)


    @app.cell
    def _(mo, tier_scale):
        mo.md(f"{tier_scale} tiers")
        return
    ```
    """

    code = "LAB016"
    name = "private-across-cells"

    VALID = (
        Valid(
            """
            import marimo

            app = marimo.App()


            @app.cell
            def _(mo):
                _scale = 4

                def _tier(size, _limit=2):
                    return size // _limit

                mo.md(f"{_tier(_scale)} tiers, {[_x for _x in range(_scale)]}")
                return


            @app.cell
            def _(mo):
                _scale = 8
                mo.md(f"{_scale} again: each cell has its own")
                return
            """
        ),
    )
    INVALID = (
        Invalid(
            """
            import marimo

            app = marimo.App()


            @app.cell
            def _(mo):
                _scale = 4

                def _get_tier(size):
                    return size // _scale

                mo.md("tiers")
                return (_get_tier,)


            @app.cell
            def _(mo, _get_tier):
                _note = mo.md(f"Batch spans {_scale} tiers")
                _note
                return
            """,
            count=3,
        ),
    )

    def visit_Return(self, node: cst.Return) -> None:
        cell = self.cell_of(node)
        if cell is None or cell.kind != "cell" or self._enclosing_function(node) is not cell.node:
            return
        values = node.value.elements if isinstance(node.value, cst.Tuple) else [node]
        for element in values:
            value = element.value
            if isinstance(value, cst.Name) and is_private(value.value):
                self.report(
                    value,
                    f"`{value.value}` is returned, but marimo keeps underscore names local to "
                    "their cell: no other cell receives it (drop the underscore to share it)",
                )

    def visit_Param(self, node: cst.Param) -> None:
        cell = self.cell_of(node)
        if cell is None or cell.kind != "cell" or self.parent(self.parent(node)) is not cell.node:
            return
        if is_private(node.name.value):
            self.report(
                node.name,
                f"cell asks for `{node.name.value}`, but marimo never hands underscore names "
                "between cells",
            )

    def visit_Name(self, node: cst.Name) -> None:
        name = node.value
        if not is_private(name) or name in _BUILTINS:
            return
        cell = self.cell_of(node)
        if cell is None or cell.kind != "cell" or not self._reads(node):
            return
        if name in cell.bound or name in self.context.names.module_bound:
            return
        if self.context.names.binding_scope(node) is not None:
            return  # a nested function, lambda or comprehension of this cell binds it
        owner = self._definer(name, cell)
        if owner is not None:
            line = self.position(owner.node).start.line
            self.report(
                node,
                f"`{name}` belongs to the cell at line {line}: marimo keeps underscore names "
                "local to their cell, so reading it here raises NameError",
            )

    def _reads(self, node: cst.Name) -> bool:
        parent = self.parent(node)
        if isinstance(parent, _NOT_READS):
            return False
        if isinstance(parent, cst.Attribute) and parent.attr is node:
            return False
        if isinstance(parent, cst.Arg) and parent.keyword is node:
            return False
        if isinstance(parent, cst.Param):
            return False
        return not (
            isinstance(parent, cst.Element) and isinstance(self._return_of(node), cst.Return)
        )

    def _return_of(self, node: cst.CSTNode) -> cst.CSTNode | None:
        parent = self.parent(node)
        while isinstance(parent, cst.Element | cst.Tuple):
            parent = self.parent(parent)
        return parent

    def _definer(self, name: str, reader: Cell) -> Cell | None:
        return next(
            (cell for cell in self.cells if cell is not reader and name in cell.bound), None
        )

    def _enclosing_function(self, node: cst.CSTNode) -> cst.CSTNode | None:
        for ancestor in self.context.ancestry(node):
            if isinstance(ancestor, cst.FunctionDef | cst.Lambda):
                return ancestor
        return None
