"""The ``Check`` base class: a LibCST visitor with the file's shared metadata at hand.

A check is a class with a ``code``, a kebab-case ``name``, a docstring documenting the rule
(What it does / Why is this bad / Example / Use instead), ``VALID`` and ``INVALID`` examples, and
``visit_<Node>`` / ``leave_<Node>`` methods that call :meth:`Check.report`. All checks of a run
share one parse and one metadata computation per file, and one traversal of the tree.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, ClassVar

import libcst as cst
from libcst.metadata import CodeRange, Scope

from labgen.checking.diagnostics import Diagnostic, Edit, Fix
from labgen.checking.examples import Example

if TYPE_CHECKING:
    from labgen.book import Chapter
    from labgen.checking.cells import Cell, Dataflow
    from labgen.checking.context import FileContext
    from labgen.checking.tree import TreeContext
    from labgen.instruments import Instrument

#: The sections every rule's documentation has, in this order.
DOC_SECTIONS: tuple[str, ...] = ("What it does", "Why is this bad", "Example", "Use instead")


class Check(cst.BatchableCSTVisitor):
    """Base class of every labgen check (built-in or from a plugin).

    Subclasses set ``code`` (``LAB005``), ``name`` (``math-peek``), a docstring with the four
    sections of :data:`DOC_SECTIONS`, and ``VALID``/``INVALID`` examples, and define
    ``visit_<Node>``/``leave_<Node>`` methods. A check instance lives for one file. What all
    checks of the file share, computed once: :meth:`position`, :meth:`scope`,
    :meth:`qualified_names` (through imports, aliases and cells), :meth:`parent`,
    :meth:`cell_of`, :attr:`cells` (each cell's defs, refs, output), :attr:`dataflow`
    (parents, ancestors, descendants), :attr:`chapter` and :attr:`instruments`; the raw
    :attr:`context` has the rest (source, module, calls per cell). A check may also declare
    LibCST ``METADATA_DEPENDENCIES`` and use ``self.get_metadata`` as in any LibCST visitor.
    """

    code: ClassVar[str] = ""
    name: ClassVar[str] = ""
    VALID: ClassVar[Sequence[str | Example]] = ()
    INVALID: ClassVar[Sequence[str | Example]] = ()
    #: Whether some of its diagnostics carry a safe fix (shown by ``labgen rule``).
    fixable: ClassVar[bool] = False

    def __init__(self, context: FileContext) -> None:
        super().__init__()
        self.context = context
        self.diagnostics: list[Diagnostic] = []

    # -- per-process and per-run hooks ----------------------------------------------------

    @classmethod
    def prepare(cls) -> None:
        """Do expensive one-time work (imports, tables) before files are checked in parallel."""

    @classmethod
    def check_tree(cls, tree: TreeContext) -> Iterable[Diagnostic]:
        """Report problems of a whole lab tree (called once per run that checks a project's
        whole ``generated_labs/`` folder)."""
        return ()

    @classmethod
    def diagnostic(cls, filename: str, line: int, column: int, message: str) -> Diagnostic:
        """A diagnostic of this rule at a place given by hand (for :meth:`check_tree`)."""
        return Diagnostic(
            filename=filename,
            line=line,
            column=column,
            code=cls.code,
            message=message,
            name=cls.name,
            end_line=line,
            end_column=column,
        )

    # -- shared metadata ------------------------------------------------------------------

    @property
    def cells(self) -> tuple[Cell, ...]:
        """The marimo cells of the file, in file order."""
        return self.context.cells

    @property
    def dataflow(self) -> Dataflow:
        """The dataflow graph between the cells."""
        return self.context.dataflow

    @property
    def chapter(self) -> Chapter | None:
        """The chapter the file is the lab of (None outside ``vol1/``/``vol2/``)."""
        return self.context.chapter

    @property
    def instruments(self) -> tuple[Instrument, ...]:
        """Every instrument that exists (built-in and from plugins)."""
        return self.context.environment.instruments

    def position(self, node: cst.CSTNode) -> CodeRange:
        """Where ``node`` is (1-based lines, 0-based columns)."""
        return self.context.position(node)

    def scope(self, node: cst.CSTNode) -> Scope | None:
        """LibCST's scope of ``node`` (scope analysis runs on the first call for a file)."""
        return self.context.scope(node)

    def parent(self, node: cst.CSTNode) -> cst.CSTNode | None:
        """The parent of ``node`` (None for the module)."""
        return self.context.parents.get(node)

    def cell_of(self, node: cst.CSTNode) -> Cell | None:
        """The cell ``node`` belongs to (None outside cells)."""
        return self.context.cell_of(node)

    def qualified_names(self, node: cst.CSTNode) -> frozenset[str]:
        """Dotted names ``node`` may stand for, following imports, aliases and cells."""
        return self.context.qualified_names(node)

    def qualified_name(self, node: cst.CSTNode) -> str | None:
        """The dotted name ``node`` stands for when there is exactly one, else None."""
        names = self.context.qualified_names(node)
        return next(iter(names)) if len(names) == 1 else None

    def refers_to(self, node: cst.CSTNode, *targets: str) -> bool:
        """Whether ``node`` names one of ``targets`` (canonical dotted names)."""
        from labgen.checking.names import canonical

        wanted = {canonical(t) for t in targets}
        return not wanted.isdisjoint(self.context.qualified_names(node))

    # -- reporting ----------------------------------------------------------------------------

    def report(
        self,
        node: cst.CSTNode | None,
        message: str,
        fix: Fix | cst.CSTNode | None = None,
    ) -> None:
        """Report a violation at ``node`` (None: the start of the file).

        ``fix`` is a :class:`Fix`, or a node that replaces ``node`` (a safe fix).
        """
        if node is None:
            line, column, end_line, end_column = 1, 1, 1, 1
        else:
            where = self.position(node)
            line, column = where.start.line, where.start.column + 1
            end_line, end_column = where.end.line, where.end.column + 1
        if isinstance(fix, cst.CSTNode):
            assert node is not None, "a replacement fix needs the node it replaces"
            fix = self.replacement(node, fix, "replace with the fixed code")
        self.diagnostics.append(
            Diagnostic(
                filename=self.context.display,
                line=line,
                column=column,
                code=self.code,
                message=message,
                name=self.name,
                end_line=end_line,
                end_column=end_column,
                fix=fix,
            )
        )

    def report_in_text(self, node: cst.CSTNode, start: int, end: int, message: str) -> None:
        """Report a violation at characters ``start:end`` of ``node``'s source text (a match
        inside a string literal), so the place is the match's own line and column, even deep
        inside a multi-line string."""
        text = self.context.module.code_for_node(node)
        where = self.position(node).start
        line, column = _advance(where.line, where.column, text[:start])
        end_line, end_column = _advance(line, column, text[start:end])
        self.diagnostics.append(
            Diagnostic(
                filename=self.context.display,
                line=line,
                column=column + 1,
                code=self.code,
                message=message,
                name=self.name,
                end_line=end_line,
                end_column=end_column + 1,
            )
        )

    def replacement(self, node: cst.CSTNode, new: cst.CSTNode | str, message: str) -> Fix:
        """A fix replacing ``node`` by ``new`` (a node, or source text)."""
        where = self.position(node)
        text = new if isinstance(new, str) else self.context.module.code_for_node(new)
        edit = Edit(
            where.start.line,
            where.start.column + 1,
            where.end.line,
            where.end.column + 1,
            text,
        )
        return Fix(message, (edit,))

    # -- documentation ------------------------------------------------------------------------

    @classmethod
    def documentation(cls) -> str:
        """The rule's documentation (its docstring, dedented)."""
        import inspect

        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def summary(cls) -> str:
        """The first line of the rule's documentation."""
        return cls.documentation().split("\n", 1)[0].strip()

    @classmethod
    def sections(cls) -> dict[str, str]:
        """Section title -> text, for the ``## Title`` sections of the documentation."""
        parts = re.split(r"^##\s+(.+?)\s*$", cls.documentation(), flags=re.MULTILINE)
        return {title: body.strip() for title, body in zip(parts[1::2], parts[2::2], strict=True)}


def _advance(line: int, column: int, text: str) -> tuple[int, int]:
    """The (line, 0-based column) reached after ``text``, starting at (line, column)."""
    breaks = text.count("\n")
    if not breaks:
        return line, column + len(text)
    return line + breaks, len(text) - text.rfind("\n") - 1
