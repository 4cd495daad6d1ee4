"""MathPeek: the toggle under every chart card that shows the physics behind its numbers
(guide section 6.2). It shows the engine's own ``Derivation``s, so the formula on screen is the one
that produced the number."""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import marimo as mo

from labs.core import style
from labs.core.format import split_quantity
from labs.core.labels import FIELD_LABELS, field_label
from labs.core.markdown import render_safe_html, render_safe_inline
from mlsys import Derivation, Variable

#: The toggle's title (no emoji: it would need an optional font).
PEEK_TITLE = "Math peek: the formula behind the numbers"


def _as_variables(variables: Any) -> tuple[Variable, ...]:
    """Accepts ``Variable``s, ``(symbol, description, value)`` triples, or a mapping of symbol to
    value or to ``(description, value)``."""
    if variables is None:
        return ()
    if isinstance(variables, Mapping):
        items: list[Variable] = []
        for symbol, entry in variables.items():
            if isinstance(entry, tuple) and len(entry) == 2:
                items.append(Variable(str(symbol), str(entry[0]), entry[1]))
            else:
                items.append(Variable(str(symbol), "", entry))
        return tuple(items)
    items = []
    for entry in variables:
        if isinstance(entry, Variable):
            items.append(entry)
        elif isinstance(entry, Sequence) and not isinstance(entry, str) and len(entry) == 3:
            items.append(Variable(str(entry[0]), str(entry[1]), entry[2]))
        else:
            raise TypeError(
                "variables: expected mlsys.Variable entries, (symbol, description, value) "
                f"triples or a mapping of symbol to value; got {entry!r}"
            )
    return tuple(items)


def _derivations(formula: Any, variables: Any, fields: Iterable[str] | None) -> list[Derivation]:
    math = getattr(formula, "math", formula)  # a PerformanceProfile or SystemLedger
    if isinstance(math, Derivation):
        return [math]
    if isinstance(math, Mapping) and all(isinstance(d, Derivation) for d in math.values()):
        # A profile field with no derivation of their own (a count read off the model) is
        # skipped; any other name is a mistake, and math[name] says so.
        names = (
            [n for n in fields if n in math or n not in FIELD_LABELS]
            if fields is not None
            else list(math)
        )
        return [math[name] for name in names]
    if isinstance(formula, str):
        return [Derivation("", formula, _as_variables(variables), None)]  # type: ignore[arg-type]
    raise TypeError(
        "formula: expected a LaTeX string, an mlsys.Derivation, an mlsys.Math (profile.math) "
        f"or an object with .math; got {type(formula).__name__}"
    )


def _symbol(symbol: str) -> str:
    return render_safe_inline(f"${symbol}$")


def _table(derivation: Derivation) -> str:
    head = "".join(
        f"<th {style.attrs('lg-th')}>{name}</th>" for name in ("Symbol", "Meaning", "Value", "Unit")
    )
    rows = []
    entries: list[tuple[str, str, Any]] = [
        (v.symbol, v.description, v.value) for v in derivation.variables
    ]
    if derivation.result is not None:
        result_symbol = derivation.formula.split("=", 1)[0].strip() or "="
        entries.append(
            (result_symbol, f"result: {field_label(derivation.name).lower()}", derivation.result)
        )
    for symbol, description, value in entries:
        number, unit = split_quantity(value, significant=4)
        rows.append(
            "<tr>"
            f"<td {style.attrs('lg-td')}>{_symbol(symbol)}</td>"
            f"<td {style.attrs('lg-td')}>{html.escape(description)}</td>"
            f"<td {style.attrs('lg-td-number')}>{html.escape(number)}</td>"
            f"<td {style.attrs('lg-td')}>{html.escape(unit) or '–'}</td>"
            "</tr>"
        )
    return (
        f"<div {style.attrs('lg-scroll')}><table {style.attrs('lg-table')}>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def _section(derivation: Derivation) -> str:
    formula = render_safe_html(f"$$\n{derivation.formula}\n$$")
    title = (
        f"<div {style.attrs('lg-card-title')}>{html.escape(field_label(derivation.name))}</div>"
        if derivation.name
        else ""
    )
    return (
        f"{title}<div {style.attrs('lg-formula')}><div {style.attrs('lg-scroll')}>{formula}</div>"
        f"</div>{_table(derivation)}"
    )


def MathPeek(
    formula: Any,
    variables: Any = None,
    *,
    fields: Iterable[str] | None = None,
    expanded: bool = False,
) -> mo.Html:
    """A toggle revealing the formula (LaTeX) and a table of its variables: symbol, meaning,
    value and unit (values in readable units, e.g. "4.24 ms", "989 TFLOP/s"; "–" when unitless).

    ``formula`` is what the engine exposes: a ``PerformanceProfile`` or ``SystemLedger`` (its
    ``.math``), an ``mlsys.Math`` (all its derivations, or only ``fields``), or one
    ``mlsys.Derivation``; or a LaTeX string with ``variables`` (``mlsys.Variable``s, ``(symbol,
    description, quantity)`` triples, or a mapping of symbol to quantity). Closed unless
    ``expanded``.
    """
    sections = [_section(d) for d in _derivations(formula, variables, fields)]
    body = mo.Html(f'<div class="lg-mathpeek">{"".join(sections)}</div>')
    return mo.accordion({PEEK_TITLE: body}, expanded=expanded)
