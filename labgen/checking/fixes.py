"""Applying fixes to source text, and showing what they would change."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from labgen.checking.diagnostics import Diagnostic, Edit, Fix

_LINE_START = re.compile(r"\r\n|\r|\n")


def _line_offsets(source: str) -> list[int]:
    """Character offset at which each 1-based line starts (index 0 is line 1)."""
    return [0, *(match.end() for match in _LINE_START.finditer(source))]


def _offset(starts: list[int], source: str, line: int, column: int) -> int:
    if line - 1 >= len(starts):
        return len(source)
    return min(starts[line - 1] + column - 1, len(source))


def apply_fixes(source: str, diagnostics: Iterable[Diagnostic]) -> tuple[str, int]:
    """``source`` with the fixes of ``diagnostics`` applied, and how many were applied.

    Fixes are taken in file order; a fix whose edits overlap an edit already taken is left for
    the next round (the caller checks again and repeats), so no two edits ever collide.
    """
    starts = _line_offsets(source)
    taken: list[tuple[int, int, str]] = []
    applied = 0
    fixes: list[Fix] = [d.fix for d in sorted(diagnostics) if d.fix is not None]
    for fix in fixes:
        spans = [_span(starts, source, edit) for edit in fix.edits]
        if any(_overlaps(span, other) for span in spans for other in taken):
            continue
        taken.extend(spans)
        applied += 1
    for start, end, content in sorted(taken, reverse=True):
        source = source[:start] + content + source[end:]
    return source, applied


def _span(starts: list[int], source: str, edit: Edit) -> tuple[int, int, str]:
    start = _offset(starts, source, edit.line, edit.column)
    end = _offset(starts, source, edit.end_line, edit.end_column)
    return start, max(start, end), edit.content


def _overlaps(a: tuple[int, int, str], b: tuple[int, int, str]) -> bool:
    # Two insertions at one point would have an order nobody chose: treat them as overlapping.
    return (a[0] < b[1] and b[0] < a[1]) or a[0] == b[0]


def unified_diff(display: str, before: str, after: str) -> str:
    """A unified diff of one file, as ``git diff`` shows it."""
    return "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True),
            after.splitlines(keepends=True),
            fromfile=f"a/{display}",
            tofile=f"b/{display}",
        )
    )
