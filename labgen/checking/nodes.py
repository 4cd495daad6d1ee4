"""Reading values out of LibCST nodes, for checks: what checks kept writing by hand.

``numeric_literal(node)`` is the number a literal spells (``3``, ``-2.5``, ``1_000``, ``(7)``) or
None; ``bind_arguments(call, target)`` maps a call's arguments to the parameter names of the
function it calls, by Python's own binding rules.
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Callable
from typing import Any

import libcst as cst


def numeric_literal(node: cst.CSTNode | None) -> int | float | None:
    """The number ``node`` spells as a literal: an integer or float, signed or not, in
    parentheses or not (``3``, ``-2.5``, ``+1e3``, ``1_000``, ``(7)``). None for anything else:
    names, strings, booleans, complex numbers, arithmetic such as ``2 * 3``."""
    if isinstance(node, cst.Integer | cst.Float):
        try:
            value = ast.literal_eval(node.value)
        except (ValueError, SyntaxError):
            return None
        return value if isinstance(value, int | float) else None
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus | cst.Plus):
        inner = numeric_literal(node.expression)
        if inner is None:
            return None
        return -inner if isinstance(node.operator, cst.Minus) else inner
    return None


def bind_arguments(
    call: cst.Call, target: inspect.Signature | Callable[..., Any]
) -> dict[str, Any] | None:
    """Parameter name -> what ``call`` passes for it, as ``target`` (a function or its
    signature) would receive it: a ``cst.Arg`` for an ordinary parameter, a tuple of them for
    ``*args``, a dict keyword -> ``cst.Arg`` for ``**kwargs``. Parameters left to their default
    are absent. None when the call cannot be bound: it unpacks (``*xs``, ``**kw``), names an
    unknown keyword, passes too many or too few arguments, or ``target`` has no signature."""
    if any(arg.star for arg in call.args):
        return None
    try:
        signature = target if isinstance(target, inspect.Signature) else inspect.signature(target)
    except (TypeError, ValueError):
        return None
    positional = [arg for arg in call.args if arg.keyword is None]
    named = {arg.keyword.value: arg for arg in call.args if arg.keyword is not None}
    try:
        bound = signature.bind(*positional, **named)
    except TypeError:
        return None
    return dict(bound.arguments)
