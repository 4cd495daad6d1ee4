"""LAB017 output-never-shown: a widget or layout is built and then dropped, never displayed."""

from __future__ import annotations

import libcst as cst

from labgen.checking.cells import Cell, block_of
from labgen.checking.check import Check
from labgen.checking.context import FileContext
from labgen.checking.examples import Invalid, Valid
from labgen.checks import _kit
from labgen.checks._lab import dotted

#: marimo calls that build something to display (besides every ``mo.ui`` widget).
MARIMO_DISPLAYS: frozenset[str] = frozenset(
    f"marimo.{name}"
    for name in (
        "md", "Html", "vstack", "hstack", "callout", "accordion", "tabs", "as_html", "center",
        "left", "right", "carousel", "sidebar", "plain_text", "image", "mermaid", "stat",
        "tree", "json", "lazy", "download", "pdf", "video", "audio",
    )
)  # fmt: skip


class OutputNeverShown(Check):
    """A widget or layout is built in a cell and then neither shown, returned nor used.

    ## What it does
    Reports, in every cell:
    * an expression statement that builds something to display (`mo.md(...)`,
      `mo.vstack([...])`, any `mo.ui` widget, a lab-kit component annotated to return
      something marimo shows, such as `LabHeader -> mo.Html`) but is not the cell's last
      expression: marimo shows only a cell's last expression (or what `mo.output` is given),
      so the value is thrown away, also inside an `if` or a `for`;
    * a name bound to such a value that the cell never uses again, never returns, and that
      no other cell reads;
    * a widget (`part_d_depth = mo.ui.slider(...)`) that other cells read only through its
      `.value`: no cell places it on the page, so the student has nothing to move.

    ## Why is this bad
    The student never sees it. A dashboard built and then dropped, or a slider that no cell
    places on the page, is a part of the lesson that silently disappears: the cell runs
    without error, so neither Python nor `marimo check` notices. The book's labs shipped 175
    of these before one pass found them.

    ## Example
    ```python
    @app.cell
    def _(mo, part_c_width):
        _dashboard = mo.vstack([mo.md("### Width sweep"), part_c_width])
        mo.md("Sweep the width.")
        return
    ```

    ## Use instead
    ```python
    @app.cell
    def _(mo, part_c_width):
        _dashboard = mo.vstack([mo.md("### Width sweep"), part_c_width])
        mo.vstack([_dashboard, mo.md("Sweep the width.")])
        return
    ```
    """

    code = "LAB017"
    name = "output-never-shown"

    VALID = (
        Valid(
            """
            import marimo

            app = marimo.App()


            @app.cell
            def _():
                import marimo as mo

                return (mo,)


            @app.cell
            def _(mo):
                part_a_size = mo.ui.slider(1, 512, value=8, label="Batch size")
                _items = [mo.md("## Part A")]
                _items.append(part_a_size)
                if part_a_size.value > 256:
                    mo.output.append(mo.callout(mo.md("Large batch."), kind="warn"))

                def _build():
                    _parts = [mo.md("inside a helper")]
                    return mo.vstack(_parts)

                mo.vstack([*_items, _build()])
                return (part_a_size,)


            @app.cell
            def _(mo, part_a_size):
                mo.md(f"Batch {part_a_size.value}")
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
            def _():
                import marimo as mo

                return (mo,)


            @app.cell
            def _(mo, part_c_width):
                _dashboard = mo.vstack([mo.md("### Width sweep"), part_c_width])
                if part_c_width.value > 1024:
                    mo.callout(mo.md("Very wide."), kind="warn")
                mo.md("Sweep the width.")
                return


            @app.cell
            def _(mo):
                part_e_depth = mo.ui.slider(start=3, stop=50, value=20)
                part_e_phase = mo.ui.radio(options=["Inference", "Training"])
                return (part_e_depth,)


            @app.cell
            def _(mo, part_e_depth):
                mo.md(f"Depth {part_e_depth.value}")
                return
            """,
            count=4,
        ),
    )

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self._read_elsewhere = {
            cell: frozenset().union(*(c.refs for c in context.cells if c is not cell))
            for cell in context.cells
        }
        self._cell: Cell | None = None  # the cell being walked
        self._reads: set[str] = set()  # names read in it so far
        # Widget globals (`x = mo.ui.slider(...)` at a cell's top level) -> where they are
        # made, and whether any cell uses them other than by reading `.value`.
        self._widgets = self._widget_globals()
        self._placed: set[str] = set()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        cell = self.context.cell_for_node(node)
        if cell is not None:
            self._cell, self._reads = cell, set()

    def visit_Name(self, node: cst.Name) -> None:
        parent = self.parent(node)
        if self._cell is not None and not _binds(node, parent):
            self._reads.add(node.value)
            if (
                node.value in self._widgets
                and not _reads_value(node, parent)
                and not isinstance(self._return_of(node), cst.Return)
            ):
                self._placed.add(node.value)

    def leave_Module(self, original_node: cst.Module) -> None:
        for name, (target, value) in self._widgets.items():
            if name in self._placed or not any(name in cell.refs for cell in self.cells):
                continue  # shown somewhere, or never used at all (reported per cell)
            self.report(
                target,
                f"`{name}` holds `{dotted(value.func)}(...)` but no cell ever shows it: cells "
                "only read its `.value`, so the student has nothing to move",
            )

    def _widget_globals(self) -> dict[str, tuple[cst.Name, cst.Call]]:
        found = {}
        for cell in self.cells:
            if cell.kind != "cell":
                continue
            for target, value in cell.assigned.items():
                if target.value in cell.defs and isinstance(value, cst.Call):
                    names = self.qualified_names(value.func)
                    if any(n.rpartition(".")[0] == "marimo.ui" for n in names):
                        found[target.value] = (target, value)
        return found

    def _return_of(self, node: cst.CSTNode) -> cst.CSTNode | None:
        parent = self.parent(node)
        while isinstance(parent, cst.Element | cst.Tuple):
            parent = self.parent(parent)
        return parent

    def visit_Expr(self, node: cst.Expr) -> None:
        cell = self.cell_of(node)
        if cell is None or cell.kind != "cell" or node.value is cell.output:
            return
        if self._in_nested_function(node, cell):
            return  # a helper's statements are judged by what the helper returns
        if isinstance(node.value, cst.Call) and self._displays(node.value):
            self.report(
                node.value,
                f"`{dotted(node.value.func)}(...)` builds output that is thrown away: only a "
                "cell's last expression (or `mo.output`) is shown",
            )

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        cell = self.context.cell_for_node(original_node)
        if cell is None:
            return
        used, self._cell = self._reads, None
        if cell.kind != "cell":
            return
        returned = _returned(cell)
        for target, value in cell.assigned.items():
            name = target.value
            if not (isinstance(value, cst.Call) and self._displays(value)):
                continue
            if name in used or name in returned or name in self._read_elsewhere[cell]:
                continue
            if self._in_nested_function(target, cell):
                continue
            self.report(
                target,
                f"`{name}` holds `{dotted(value.func)}(...)` but is never shown: it is not the "
                "cell's output, not used in the cell, not returned and no other cell reads it",
            )

    def _displays(self, call: cst.Call) -> bool:
        """Whether ``call`` builds something to display: a marimo widget (``mo.ui.slider``) or
        layout (``mo.vstack``), or a lab-kit component (``MathPeek``)."""
        for name in self.qualified_names(call.func):
            if name in MARIMO_DISPLAYS:
                return True
            head, _, last = name.rpartition(".")
            if head == "marimo.ui":
                return True
            if _kit.is_kit(head):
                return _kit.returns_display(last)
        return False

    def _in_nested_function(self, node: cst.CSTNode, cell: Cell) -> bool:
        for ancestor in self.context.ancestry(node):
            if ancestor is cell.node:
                return False
            if isinstance(ancestor, cst.FunctionDef | cst.Lambda):
                return True
        return False


def _binds(node: cst.Name, parent: cst.CSTNode) -> bool:
    """Whether ``node`` is bound (or only named) here rather than read."""
    if isinstance(parent, cst.AssignTarget | cst.AsName | cst.Param | cst.ImportAlias):
        return True
    if isinstance(parent, cst.Attribute) and parent.attr is node:
        return True
    return isinstance(parent, cst.Arg) and parent.keyword is node


def _returned(cell: Cell) -> frozenset[str]:
    """The names in the cell's final ``return`` statement."""
    statements = block_of(cell.node)
    last = statements[-1] if statements else None
    if not (isinstance(last, cst.SimpleStatementLine) and isinstance(last.body[0], cst.Return)):
        return frozenset()
    value = last.body[0].value
    elements = value.elements if isinstance(value, cst.Tuple) else ()
    names = [value] if isinstance(value, cst.Name) else [e.value for e in elements]
    return frozenset(n.value for n in names if isinstance(n, cst.Name))


def _reads_value(node: cst.Name, parent: cst.CSTNode | None) -> bool:
    """Whether ``node`` is only read for its value (``slider.value``), which shows nothing."""
    return (
        isinstance(parent, cst.Attribute) and parent.value is node and parent.attr.value == "value"
    )
