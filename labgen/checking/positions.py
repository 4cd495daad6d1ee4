"""Where nodes are, computed one top-level statement at a time.

LibCST's PositionProvider regenerates the code of the whole module to place every node; on a
1,000-line hand-written lab that costs more than all the rules together. A check only needs the
places of the nodes it reports, so :class:`Positions` places the nodes of one top-level
statement (one cell, usually) when a node inside it is first asked about. Python's own parser
gives the line each top-level statement starts on; LibCST places the nodes inside it.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider
from libcst.metadata.position_provider import PositionProvidingCodegenState


class Positions:
    """Lazily computed positions of the nodes of one module (1-based lines, 0-based columns)."""

    def __init__(
        self,
        module: cst.Module,
        source: str,
        parent_of: Callable[[cst.CSTNode], cst.CSTNode | None],
    ) -> None:
        self._module = module
        self._source = source
        self._parent_of = parent_of
        self._statements = {id(statement): statement for statement in module.body}
        self._first_lines: dict[int, int] | None = None
        self._placed: dict[int, Mapping[cst.CSTNode, CodeRange]] = {}
        self._whole: Mapping[cst.CSTNode, CodeRange] | None = None

    def __getitem__(self, node: cst.CSTNode) -> CodeRange:
        statement = self._top_statement(node)
        if statement is None:
            return self._whole_module()[node]
        placed = self._placed.get(id(statement))
        if placed is None:
            placed = self._placed[id(statement)] = self._place(statement)
        return placed[node]

    def _top_statement(self, node: cst.CSTNode) -> cst.CSTNode | None:
        """The statement of the module's body that holds ``node`` (None for the module)."""
        current: cst.CSTNode | None = node
        while current is not None:
            if id(current) in self._statements and self._statements[id(current)] is current:
                return current
            current = self._parent_of(current)
        return None

    def _whole_module(self) -> Mapping[cst.CSTNode, CodeRange]:
        if self._whole is None:
            self._whole = MetadataWrapper(self._module, unsafe_skip_copy=True).resolve(
                PositionProvider
            )
        return self._whole

    def _place(self, statement: cst.CSTNode) -> Mapping[cst.CSTNode, CodeRange]:
        """Positions of the nodes of one top-level statement, placed where it is in the file."""
        first_line = self._first_line_of(statement)
        if first_line is None:
            return self._whole_module()
        provider = PositionProvider()
        state = _PlacingState(
            default_indent=self._module.default_indent,
            default_newline=self._module.default_newline,
            provider=provider,
            line=first_line - _blank_lines_before(statement),
        )
        statement._codegen(state)
        placed = provider._computed
        shift = first_line - placed[_first_code_node(statement)].start.line
        if shift == 0:
            return placed
        return {node: _shifted(where, shift) for node, where in placed.items()}

    def _first_line_of(self, statement: cst.CSTNode) -> int | None:
        if self._first_lines is None:
            self._first_lines = _statement_lines(self._module, self._source)
        return self._first_lines.get(id(statement))


class _PlacingState(PositionProvidingCodegenState):
    """LibCST's position-tracking code generation, with a fast path for the tokens that hold
    no line break (nearly all of them)."""

    def _update_position(self, value: str) -> None:
        if "\n" in value or "\r" in value:
            super()._update_position(value)
        else:
            self.column += len(value)


def _blank_lines_before(statement: cst.CSTNode) -> int:
    """Lines LibCST writes before the statement's first line of code (its leading lines, and
    those of its first decorator)."""
    count = len(getattr(statement, "leading_lines", ()))
    decorators = getattr(statement, "decorators", ())
    return count + (len(decorators[0].leading_lines) if decorators else 0)


def _first_code_node(statement: cst.CSTNode) -> cst.CSTNode:
    """The node whose first line is the statement's first line of code (its first decorator)."""
    decorators = getattr(statement, "decorators", ())
    return decorators[0] if decorators else statement


def _statement_lines(module: cst.Module, source: str) -> dict[int, int]:
    """id of each top-level LibCST statement -> the line its code starts on, from ``ast``.

    A LibCST line of small statements (``a = 1; b = 2``) is several ``ast`` statements; every
    compound statement is one. Returns {} when the two parsers disagree on the count.
    """
    try:
        body = ast.parse(source).body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return {}
    found: dict[int, int] = {}
    index = 0
    for statement in module.body:
        if index >= len(body):
            return {}
        node = body[index]
        decorators = getattr(node, "decorator_list", [])
        found[id(statement)] = min([node.lineno, *(d.lineno for d in decorators)])
        index += len(statement.body) if isinstance(statement, cst.SimpleStatementLine) else 1
    return found if index == len(body) else {}


def _shifted(where: CodeRange, lines: int) -> CodeRange:
    start, end = where.start, where.end
    return CodeRange(
        type(start)(start.line + lines, start.column), type(end)(end.line + lines, end.column)
    )
