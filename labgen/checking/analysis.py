"""Check one file: one parse, one metadata computation, one traversal shared by all checks.

A check that raises is stopped for that file and reported as an ``internal-error`` diagnostic
naming it; the other checks still report. A file that does not parse yields exactly one
``syntax-error`` diagnostic.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import io
import re
import tokenize
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import libcst as cst

from labgen.checking import noqa
from labgen.checking.barrier import CheckTimeoutError, is_contained
from labgen.checking.check import Check
from labgen.checking.context import Environment, FileContext
from labgen.checking.diagnostics import INTERNAL_ERROR, SYNTAX_ERROR, UNUSED_NOQA, Diagnostic
from labgen.plugins import BUILTIN_PLUGINS

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass
class FileResult:
    """What checking one file produced; ``cacheable`` is False when a check crashed."""

    diagnostics: list[Diagnostic]
    cacheable: bool = True


class _Walker(cst.CSTVisitor):
    """Walks the tree once, dispatching each node to every check that visits its class."""

    def __init__(
        self,
        context: FileContext,
        checks: Sequence[Check],
        crashed: Callable[[Check, cst.CSTNode, BaseException], None],
    ) -> None:
        super().__init__()
        self._context = context
        self._crashed = crashed
        self._dead: set[Check] = set()
        self._visit: dict[type, list[tuple[Check, Callable[[cst.CSTNode], object]]]] = {}
        self._leave: dict[type, list[tuple[Check, Callable[[cst.CSTNode], object]]]] = {}
        for check in checks:
            for kind, node_type, attribute in _visitor_methods(type(check)):
                table = self._visit if kind == "visit" else self._leave
                table.setdefault(node_type, []).append((check, getattr(check, attribute)))

    def _dispatch(self, methods: Sequence[tuple[Check, Callable]], node: cst.CSTNode) -> None:
        for check, method in methods:
            if check in self._dead:
                continue
            try:
                method(node)
            except BaseException as error:
                if not is_contained(error):
                    raise
                self._dead.add(check)
                self._crashed(check, node, error)

    def walk(self, module: cst.Module) -> None:
        """Dispatch every node of ``module`` once: a node's visit before its children's, its
        leave after theirs, children in (nearly) source order. A plain walk of the nodes'
        fields, without LibCST's visitor, which rebuilds every node it passes."""
        stack: list[tuple[cst.CSTNode, bool]] = [(module, False)]
        visit, leave, children = self._visit, self._leave, self._context.children
        while stack:
            node, leaving = stack.pop()
            methods = (leave if leaving else visit).get(type(node))
            if methods:
                self._dispatch(methods, node)
            if not leaving:
                stack.append((node, True))
                below = children.get(node)
                if below:
                    stack.extend([(child, False) for child in reversed(below)])

    def on_visit(self, node: cst.CSTNode) -> bool:
        methods = self._visit.get(type(node))
        if methods:
            self._dispatch(methods, node)
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        methods = self._leave.get(type(original_node))
        if methods:
            self._dispatch(methods, original_node)


@functools.cache
def _visitor_methods(check: type[Check]) -> tuple[tuple[str, type, str], ...]:
    """(``visit``/``leave``, node class, method name) for every visitor method of a check
    class; looked up once per class rather than once per file.

    Walks the class's MRO once: the first class defining a name owns it, and LibCST's visitor
    bases define a no-op for every node class, which is not dispatched.
    """
    found = []
    seen: set[str] = set()
    for owner in check.__mro__:
        from_libcst = owner.__module__.split(".")[0] == "libcst"
        for attribute, value in vars(owner).items():
            if attribute in seen:
                continue
            seen.add(attribute)
            kind, _, node_name = attribute.partition("_")
            if from_libcst or kind not in ("visit", "leave") or not callable(value):
                continue
            node_type = getattr(cst, node_name, None)
            if isinstance(node_type, type) and issubclass(node_type, cst.CSTNode):
                found.append((kind, node_type, attribute))
    return tuple(found)


def syntax_error(display: str, line: int, column: int, message: str) -> Diagnostic:
    """The one diagnostic of a file that cannot be parsed."""
    return Diagnostic(
        filename=display,
        line=max(line, 1),
        column=max(column, 1),
        code=SYNTAX_ERROR[0],
        message=message,
        name=SYNTAX_ERROR[1],
        end_line=max(line, 1),
        end_column=max(column, 1),
    )


def internal_error(display: str, line: int, column: int, message: str) -> Diagnostic:
    """A diagnostic saying a check (or labgen itself) failed on this file."""
    return Diagnostic(
        filename=display,
        line=max(line, 1),
        column=max(column, 1),
        code=INTERNAL_ERROR[0],
        message=message,
        name=INTERNAL_ERROR[1],
        end_line=max(line, 1),
        end_column=max(column, 1),
    )


#: Deepest syntax tree labgen analyses. Real labs are about 15 levels deep; LibCST's parser slows
#: down sharply and its visitors overflow the stack on trees thousands of levels deep.
MAX_NESTING = 200


def _nesting(tree: ast.AST) -> int:
    """The depth of a Python syntax tree (iteratively: the tree may be very deep)."""
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return deepest


def parse(source: str, display: str) -> cst.Module | Diagnostic:
    """The LibCST module of ``source``, or the syntax-error diagnostic saying why not.

    Python's own parser looks first: it gives the precise message for invalid code, and it
    guards LibCST's parser from pathological inputs (thousands of nested brackets crash it).
    """
    if "\x00" in source:
        line = source.count("\n", 0, source.index("\x00")) + 1
        return syntax_error(display, line, 1, "source contains a null byte")
    try:
        with warnings.catch_warnings():
            # Python warns about odd escapes ("\d") while parsing: that is ruff's business.
            warnings.simplefilter("ignore")
            tree = ast.parse(source, filename=display)
    except SyntaxError as error:
        return syntax_error(
            display, error.lineno or 1, error.offset or 1, f"syntax error: {error.msg}"
        )
    except (RecursionError, MemoryError):
        return syntax_error(display, 1, 1, "syntax error: code nested too deeply to parse")
    depth = _nesting(tree)
    if depth > MAX_NESTING:
        return syntax_error(
            display, 1, 1, f"code nested {depth} levels deep; labgen checks up to {MAX_NESTING}"
        )
    try:
        return cst.parse_module(source)
    except cst.ParserSyntaxError as error:
        message = f"syntax error: {error.message}"
        return syntax_error(display, error.raw_line, error.raw_column + 1, message)
    except RecursionError:
        return syntax_error(display, 1, 1, "syntax error: code nested too deeply to parse")
    except Exception as error:  # the native parser reports some inputs this way
        return syntax_error(display, 1, 1, f"syntax error: {error}")


def analyse_source(
    source: str,
    *,
    relpath: str,
    display: str,
    checks: Sequence[type[Check]],
    environment: Environment,
    report_unused_noqa: bool = True,
) -> FileResult:
    """Run ``checks`` over one file's ``source`` and apply its suppression comments.

    ``relpath`` (relative to the project root) decides the chapter; ``display`` is the name
    diagnostics carry.
    """
    parsed = parse(source, display)
    if isinstance(parsed, Diagnostic):
        return FileResult([parsed])
    crashes: list[Diagnostic] = []
    try:
        context = FileContext(
            source, parsed, relpath=relpath, display=display, environment=environment
        )
    except RecursionError:
        return FileResult([syntax_error(display, 1, 1, "code nested too deeply to analyse")])
    instances: list[Check] = []
    for check_class in checks:
        try:
            instances.append(check_class(context))
        except BaseException as error:
            if not is_contained(error):
                raise
            crashes.append(_crash_diagnostic(context, check_class, None, error))

    def crashed(check: Check, node: cst.CSTNode, error: BaseException) -> None:
        crashes.append(_crash_diagnostic(context, type(check), node, error))

    with contextlib.ExitStack() as stack:
        ready = []
        for instance in instances:
            # Checks may declare extra LibCST metadata providers; resolve them for that check.
            try:
                if instance.get_inherited_dependencies():
                    stack.enter_context(instance.resolve(context.wrapper))
                ready.append(instance)
            except BaseException as error:
                if not is_contained(error):
                    raise
                crashes.append(_crash_diagnostic(context, type(instance), None, error))
        try:
            _Walker(context, ready, crashed).walk(parsed)
        except RecursionError:
            return FileResult([syntax_error(display, 1, 1, "code nested too deeply to analyse")])
    found = []
    for instance in instances:
        wrong = _not_diagnostics(instance)
        if wrong is None:
            found.extend(instance.diagnostics)
        else:  # only this check's findings are lost, and it is named
            crashes.append(_crash_diagnostic(context, type(instance), None, TypeError(wrong)))
    enabled = frozenset(c.code for c in checks)
    directives = noqa.find_directives(source)
    if directives:
        _widen_to_strings(directives, source)
        spans = _cell_spans(context)
        found = noqa.suppress(found, directives, spans)
        if report_unused_noqa:
            found += noqa.unused(
                directives,
                display=display,
                rules=environment.rules,
                enabled=enabled | {UNUSED_NOQA[0]},
                lines=_LINE_BREAK.split(source),
            )
    return FileResult(sorted(found + crashes), cacheable=not crashes)


def _widen_to_strings(directives: Sequence[noqa.Directive], source: str) -> None:
    """Let a noqa comment on the line a multi-line string closes on cover the whole string.

    Findings inside a string are placed on the line of the match, and those lines cannot carry
    a comment: the line after the closing quotes is where the comment goes (as in ruff).
    """
    lines = _LINE_BREAK.split(source)
    closing = [d for d in directives if d.scope == "line" and _may_close_string(lines, d.line)]
    if not closing:
        return  # no directive sits where a multi-line string closes: skip the tokenizer
    starts = _string_starts(source)
    for directive in closing:
        if directive.scope == "line" and directive.line in starts:
            directive.first_line = min(directive.first_line, starts[directive.line])


def _may_close_string(lines: Sequence[str], line: int) -> bool:
    """Whether line ``line`` (1-based) may end a multi-line string (it holds triple quotes)."""
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    return '"""' in text or "'''" in text


def _string_starts(source: str) -> dict[int, int]:
    """Last line -> first line of every string literal that spans several lines."""
    found: dict[int, int] = {}
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.STRING and token.end[0] > token.start[0]:
                found[token.end[0]] = min(found.get(token.end[0], token.start[0]), token.start[0])
    except (tokenize.TokenError, SyntaxError):
        return {}
    return found


def _cell_spans(context: FileContext) -> dict[int, int]:
    """First line (the decorator's) -> last line, for every decorated cell."""
    spans = {}
    for cell in context.cells:
        first = cell.decorators[0] if cell.decorators else cell.node
        spans[context.position(first).start.line] = context.position(cell.node).end.line
    return spans


def _not_diagnostics(check: Check) -> str | None:
    """What is wrong with a check's findings when they are not all Diagnostics, or None."""
    found = check.diagnostics
    if not isinstance(found, list):
        return f"its diagnostics are {type(found).__name__}, not a list"
    wrong = next((d for d in found if not isinstance(d, Diagnostic)), None)
    if wrong is None:
        return None
    shown = repr(wrong) if len(repr(wrong)) <= 40 else repr(wrong)[:37] + "..."
    return f"it reported {shown}, which is not a Diagnostic (use self.report)"


def _crash_diagnostic(
    context: FileContext, check: type[Check], node: cst.CSTNode | None, error: BaseException
) -> Diagnostic:
    line = column = 1
    if node is not None:
        with contextlib.suppress(Exception):
            where = context.position(node)
            line, column = where.start.line, where.start.column + 1
    what = (
        str(error)
        if isinstance(error, CheckTimeoutError)
        else f"crashed: {type(error).__name__}: {error}"
    )
    message = (
        f"check {check.code or '?'} ({check.name or check.__name__}, from {check.__module__}) "
        f"{what}"
    )
    plugin = context.environment.plugins.get(check.code)
    if plugin and plugin not in BUILTIN_PLUGINS:
        message += f" (plugin {plugin!r}; turn it off with `-p no:{plugin}`)"
    return internal_error(context.display, line, column, message)
