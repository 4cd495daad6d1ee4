"""Suppression comments, and the report of suppressions that suppress nothing.

Three forms, all comments (so they survive ``ruff format`` and marimo's editor):

* ``x = a * b  # noqa: LAB001`` - on the line a diagnostic starts on;
  several codes are separated by commas; ``# noqa`` alone suppresses every rule on that line.
* ``@app.cell  # noqa: LAB005`` - on a cell's decorator line: the whole cell.
* ``# labgen: noqa: LAB009`` - a comment on a line of its own, anywhere: the whole file;
  ``# labgen: noqa`` alone turns every rule off for the file.

Codes that are not labgen rules (``# noqa: E501`` for ruff) are left alone.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from labgen.checking.diagnostics import (
    INTERNAL_ERROR,
    SYNTAX_ERROR,
    UNUSED_NOQA,
    Diagnostic,
    Edit,
    Fix,
)

_CODE = r"[A-Z]+[0-9]+"
_CODES = rf"(?P<codes>{_CODE}(?:\s*,\s*{_CODE})*)"
_LINE = re.compile(rf"#\s*noqa(?::\s*{_CODES})?", re.IGNORECASE)
_FILE = re.compile(rf"^#\s*labgen:\s*noqa(?::\s*{_CODES})?\s*$", re.IGNORECASE)

#: Diagnostics that no comment can silence.
_UNSUPPRESSIBLE = frozenset({SYNTAX_ERROR[0], INTERNAL_ERROR[0]})


@dataclass
class Directive:
    """One suppression comment: where it is, what it names, and what it has silenced."""

    scope: Literal["line", "file"]
    line: int
    #: 1-based columns of the directive inside the line (``#`` up to the end of the codes).
    column: int
    end_column: int
    codes: tuple[str, ...] | None
    #: 1-based columns of the codes list (for fixes that drop some codes).
    codes_column: int = 0
    codes_end_column: int = 0
    #: 1-based columns of the whole comment the directive is part of.
    comment_column: int = 0
    comment_end_column: int = 0
    #: Lines the directive covers (its own line, or a whole cell).
    first_line: int = 0
    last_line: int = 0
    used: set[str] = field(default_factory=set)

    def covers(self, code: str) -> bool:
        """Whether this directive names ``code`` (a blanket directive names everything)."""
        return self.codes is None or code in self.codes


def find_directives(source: str) -> list[Directive]:
    """Every suppression comment of ``source`` (which must tokenize)."""
    if "noqa" not in source and "NOQA" not in source.upper():
        return []
    found = []
    try:
        # newline="": lines end at \r, \n or \r\n, as Python and LibCST count them.
        tokens = list(tokenize.generate_tokens(io.StringIO(source, newline="").readline))
    except (tokenize.TokenError, SyntaxError):
        return []
    for token in tokens:
        if token.type != tokenize.COMMENT:
            continue
        line, start = token.start
        alone = token.line[:start].strip() == ""
        file_match = _FILE.match(token.string) if alone else None
        if file_match:
            found.append(_directive("file", line, start, token.string, file_match))
            continue
        match = _LINE.search(token.string)
        if match:
            found.append(_directive("line", line, start, token.string, match))
    return found


def _directive(
    scope: Literal["line", "file"], line: int, start: int, text: str, match: re.Match[str]
) -> Directive:
    codes = match["codes"]
    parsed = tuple(c.strip().upper() for c in codes.split(",")) if codes else None
    directive = Directive(
        scope=scope,
        line=line,
        column=start + match.start() + 1,
        end_column=start + match.end() + 1,
        codes=parsed,
        first_line=line,
        last_line=line,
        comment_column=start + 1,
        comment_end_column=start + len(text) + 1,
    )
    if codes:
        directive.codes_column = start + match.start("codes") + 1
        directive.codes_end_column = start + match.end("codes") + 1
    return directive


def suppress(
    diagnostics: Iterable[Diagnostic],
    directives: Sequence[Directive],
    cell_spans: Mapping[int, int],
) -> list[Diagnostic]:
    """The diagnostics no directive silences; marks each directive's used codes.

    ``cell_spans`` maps the first line of each cell (its decorator line) to its last line: a
    directive on that first line covers the whole cell.
    """
    for directive in directives:
        if directive.scope == "line" and directive.line in cell_spans:
            directive.last_line = cell_spans[directive.line]
    file_wide = [d for d in directives if d.scope == "file"]
    spans = [d for d in directives if d.scope == "line"]
    kept = []
    for diagnostic in diagnostics:
        if diagnostic.code in _UNSUPPRESSIBLE:
            kept.append(diagnostic)
            continue
        silencer = next((d for d in file_wide if d.covers(diagnostic.code)), None)
        if silencer is None:
            silencer = next(
                (
                    d
                    for d in spans
                    if d.first_line <= diagnostic.line <= d.last_line and d.covers(diagnostic.code)
                ),
                None,
            )
        if silencer is None:
            kept.append(diagnostic)
        else:
            silencer.used.add(diagnostic.code)
    return kept


def unused(
    directives: Sequence[Directive],
    *,
    display: str,
    rules: Mapping[str, str],
    enabled: frozenset[str],
    lines: Sequence[str],
) -> list[Diagnostic]:
    """``unused-noqa`` diagnostics: codes a directive names that silenced nothing this run.

    Only codes of rules that ran on the file are judged; codes that look like labgen's (same
    letters as a registered rule) but name no rule are reported as unknown. ``lines`` are the
    file's lines, for the fix that removes the stale codes.
    """
    prefixes = {re.match(r"[A-Z]+", code)[0] for code in rules}  # type: ignore[index]
    found = []
    for directive in directives:
        if directive.codes is None or UNUSED_NOQA[0] in directive.codes:
            continue
        stale, unknown = [], []
        for code in directive.codes:
            if code in directive.used:
                continue
            if code in rules:
                if code in enabled:
                    stale.append(code)
            elif re.match(r"[A-Z]+", code)[0] in prefixes:  # type: ignore[index]
                unknown.append(code)
        if not stale and not unknown:
            continue
        parts = []
        if stale:
            parts.append("suppresses nothing: " + ", ".join(f"{c} ({rules[c]})" for c in stale))
        if unknown:
            parts.append("names no rule: " + ", ".join(unknown))
        where = "file-level noqa" if directive.scope == "file" else "noqa"
        found.append(
            Diagnostic(
                filename=display,
                line=directive.line,
                column=directive.column,
                code=UNUSED_NOQA[0],
                message=f"unused {where} directive ({'; '.join(parts)})",
                name=UNUSED_NOQA[1],
                end_line=directive.line,
                end_column=directive.end_column,
                fix=_removal(directive, {*stale, *unknown}, lines),
            )
        )
    return found


def _removal(directive: Directive, drop: set[str], lines: Sequence[str]) -> Fix:
    """Edits removing ``drop`` from the directive (the whole comment when nothing remains)."""
    keep = [c for c in directive.codes or () if c not in drop]
    line = directive.line
    if keep:
        edit = Edit(line, directive.codes_column, line, directive.codes_end_column, ", ".join(keep))
        return Fix(f"remove {', '.join(sorted(drop))} from the noqa comment", (edit,))
    text = lines[line - 1] if line - 1 < len(lines) else ""
    starts_comment = directive.column == directive.comment_column
    ends_comment = directive.end_column == directive.comment_end_column
    rest = text[directive.end_column - 1 : directive.comment_end_column - 1]
    if starts_comment and ends_comment and text[: directive.column - 1].strip() == "":
        # The directive is the only thing on its line: remove the line.
        edit = Edit(line, 1, line + 1, 1, "")
    elif starts_comment and rest.lstrip().startswith("#"):
        # A directive followed by another comment: that comment takes its place.
        blanks = len(rest) - len(rest.lstrip())
        edit = Edit(line, directive.column, line, directive.end_column + blanks, "")
    elif starts_comment and not ends_comment:
        # A directive followed by an explanation: keep the explanation as the comment.
        edit = Edit(line, directive.column, line, directive.end_column, "#")
    else:
        # Drop the directive and the blanks before it; the code (or comment) before it stays.
        start = directive.column - 1
        while start > 0 and text[start - 1] in " \t":
            start -= 1
        edit = Edit(line, start + 1, line, directive.end_column, "")
    return Fix("remove the unused noqa comment", (edit,))
