"""Where a lab locks and where it reveals: shared by ``prediction-lock`` and ``lab-structure``.

A *lock* is ``PredictionLock(p)`` or ``mo.stop(<p is empty>, ...)``: while the prediction ``p``
is empty the cell stops, and marimo runs none of its descendants. A cell *reveals* when it
draws an instrument, a MathPeek or a prediction comparison, or shows an engine result.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import libcst as cst

from labgen.checking.cells import Cell
from labgen.checking.context import FileContext
from labgen.checks._lab import (
    ENGINE_CALLS,
    MATH_PEEK,
    MO_STOP,
    MO_UI,
    PREDICTION_COMPARISON,
    PREDICTION_INPUT,
    PREDICTION_LOCK,
    argument,
    base_name,
    literal,
)


@dataclass(frozen=True)
class Lock:
    """A lock in ``cell`` on the prediction named ``prediction``."""

    cell: Cell
    prediction: str
    node: cst.Call


def locks(context: FileContext) -> list[Lock]:
    """Every lock of the file, in cell order."""
    found = []
    for cell in context.cells:
        for call in context.calls.get(cell, ()):
            names = context.qualified_names(call.func)
            target: cst.BaseExpression | None = None
            if PREDICTION_LOCK in names:
                arg = argument(call, 0, "prediction")
                target = arg.value if arg else None
            elif MO_STOP in names:
                arg = argument(call, 0, "predicate")
                target = _emptiness_subject(arg.value) if arg else None
            name = base_name(target)
            if name is not None and is_prediction(context, cell, name):
                found.append(Lock(cell, name, call))
    return found


def _emptiness_subject(test: cst.BaseExpression) -> cst.BaseExpression | None:
    """``p`` in ``p == ""``, ``p.value is None``, ``not p.value``, ``len(p.value) == 0``."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        return test.expression
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        comparison = test.comparisons[0]
        operator, right = comparison.operator, comparison.comparator
        empty = literal(right) in ("", None, 0) or (
            isinstance(right, cst.Tuple | cst.List | cst.Set)
            and all(literal(e.value) in ("", None) for e in right.elements)
        )
        if isinstance(operator, cst.Equal | cst.Is | cst.In) and empty:
            left = test.left
            if (
                isinstance(left, cst.Call)
                and isinstance(left.func, cst.Name)
                and left.func.value == "len"
                and left.args
            ):
                return left.args[0].value
            return left
    if isinstance(test, cst.Call) and test.args:
        # A helper such as ``is_empty(p)``.
        return test.args[0].value
    return None


def is_prediction(context: FileContext, cell: Cell, name: str) -> bool:
    """Whether ``name`` holds a prediction: made by PredictionInput or a marimo input, or
    named as one (``kat1_prediction``, ``_guess``)."""
    lowered = name.lower()
    if "predict" in lowered or "guess" in lowered or "hypothes" in lowered:
        return True
    return any(prediction_maker(context, value) for value in values_of(context, cell, name))


def prediction_maker(context: FileContext, value: cst.BaseExpression) -> bool:
    """Whether ``value`` creates a prediction input."""
    if not isinstance(value, cst.Call):
        return False
    names = context.qualified_names(value.func)
    return any(
        n == PREDICTION_INPUT or n.startswith(PREDICTION_INPUT + ".") or n.startswith(MO_UI + ".")
        for n in names
    )


def values_of(context: FileContext, cell: Cell, name: str) -> Iterator[cst.BaseExpression]:
    """Expressions assigned to ``name``, in ``cell`` or in the cells that define it."""
    yield from cell.values.get(name, ())
    for definer in context.dataflow.definers.get(name, ()):
        if definer is not cell:
            yield from definer.values.get(name, ())


def engine_result_names(context: FileContext) -> frozenset[str]:
    """Globals bound to the result of ``Engine.solve``/``Engine.sweep``."""
    found = set()
    for cell in context.cells:
        for name in cell.defs:
            for value in cell.values.get(name, ()):
                if isinstance(value, cst.Call) and any(
                    n in ENGINE_CALLS for n in context.qualified_names(value.func)
                ):
                    found.add(name)
    return frozenset(found)


def reveal(context: FileContext, cell: Cell, results: frozenset[str]) -> cst.CSTNode | None:
    """The node through which ``cell`` reveals something, or None when it reveals nothing."""
    revealing = {*context.instrument_components, MATH_PEEK, PREDICTION_COMPARISON}
    for call in context.calls.get(cell, ()):
        if not revealing.isdisjoint(context.qualified_names(call.func)):
            return call
    if cell.output is None:
        return None
    for call in context.calls.get(cell, ()):
        if any(n in ENGINE_CALLS for n in context.qualified_names(call.func)):
            return cell.output
    if not results.isdisjoint(cell.refs):
        return cell.output
    return None
