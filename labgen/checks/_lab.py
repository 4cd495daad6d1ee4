"""What the built-in rules share: the public names of the lab contract and small CST helpers.

Names are canonical dotted paths (see ``labgen.checking.names.canonical``): a lab may import
``LatencyWaterfall`` from ``labs.core.components`` or ``labs.core``, under any alias.
"""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Iterable, Iterator, Sequence

import libcst as cst

from labgen.checking.names import canonical

# -- docs/lab-contract.md (canonical spellings, comparable with FileContext.qualified_names) --
KIT = "labs.core.components"
LAB_HEADER = canonical(f"{KIT}.LabHeader")
MATH_PEEK = canonical(f"{KIT}.MathPeek")
PREDICTION_INPUT = canonical(f"{KIT}.PredictionInput")
PREDICTION_LOCK = canonical(f"{KIT}.PredictionLock")
PREDICTION_COMPARISON = canonical(f"{KIT}.PredictionComparison")
STAKEHOLDER_REFLECTION = canonical(f"{KIT}.StakeholderReflection")
TRACK_SELECTOR = canonical(f"{KIT}.TrackSelector")
RECORD_DESIGN = canonical("labs.core.state.record_design")
STYLE_MODULE = "labs.core.style"

ENGINE = canonical("mlsys.Engine")
ENGINE_SOLVE = f"{ENGINE}.solve"
ENGINE_SWEEP = f"{ENGINE}.sweep"
ENGINE_CALLS = (ENGINE_SOLVE, ENGINE_SWEEP)
UREG = canonical("mlsys.ureg")
MO_STOP = "marimo.stop"
MO_UI = "marimo.ui"
#: Modules whose calls make the controls a student acts with (compared as written, unaliased).
CONTROL_MODULES = (MO_UI, "labs.core.controls")

#: Global names of a KAT: ``kat1_prediction``, ``kat2_batch_size`` ...
KAT_NAME = re.compile(r"^kat(?P<number>\d+)_")


class NotLiteral:
    """Marker for an expression that is not a plain literal."""

    def __repr__(self) -> str:
        return "<not a literal>"


NOT_LITERAL = NotLiteral()


def literal(node: cst.CSTNode | None) -> object:
    """The value of a literal number, string, bool or None (``-2`` too), else NOT_LITERAL."""
    fast = _plain_literal(node)
    if fast is not NOT_LITERAL:
        return fast
    if isinstance(node, cst.Integer | cst.Float | cst.Imaginary | cst.SimpleString):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # odd escapes ("\d") are ruff's business
                return ast.literal_eval(node.value)
        except (ValueError, SyntaxError):
            return NOT_LITERAL
    if isinstance(node, cst.ConcatenatedString):
        left, right = literal(node.left), literal(node.right)
        if isinstance(left, str) and isinstance(right, str):
            return left + right
        return NOT_LITERAL
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus | cst.Plus):
        value = literal(node.expression)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return -value if isinstance(node.operator, cst.Minus) else value
        return NOT_LITERAL
    if isinstance(node, cst.Name) and node.value in ("True", "False", "None"):
        return {"True": True, "False": False, "None": None}[node.value]
    return NOT_LITERAL


def _plain_literal(node: cst.CSTNode | None) -> object:
    """The value of the commonest literals, read without compiling them (``literal`` runs for
    every string and number of a lab): decimal numbers, and strings without escapes or
    carriage returns (which Python's parser turns into line feeds)."""
    if isinstance(node, cst.Integer):
        text = node.value.replace("_", "")
        if text.isdigit() and (text == "0" or text[0] != "0"):
            return int(text)
    elif isinstance(node, cst.Float):
        try:
            return float(node.value.replace("_", ""))
        except ValueError:
            return NOT_LITERAL
    elif isinstance(node, cst.SimpleString) and "\\" not in node.value and "\r" not in node.value:
        prefix = node.prefix.lower()
        if prefix in ("", "r", "u"):
            quote = node.quote
            return node.value[len(prefix) + len(quote) : -len(quote)]
    return NOT_LITERAL


def is_number(node: cst.CSTNode | None) -> bool:
    """Whether ``node`` is a literal int or float (not a bool)."""
    value = literal(node)
    return isinstance(value, int | float) and not isinstance(value, bool)


def is_text(node: cst.CSTNode | None) -> bool:
    """Whether ``node`` is a string literal of any kind (plain, concatenated or f-string)."""
    return isinstance(node, cst.SimpleString | cst.ConcatenatedString | cst.FormattedString)


def argument(call: cst.Call, position: int | None, keyword: str | None) -> cst.Arg | None:
    """The argument passed at ``position`` (0-based, positional) or as ``keyword=``."""
    positional = 0
    for arg in call.args:
        if arg.keyword is not None:
            if keyword is not None and arg.keyword.value == keyword:
                return arg
        elif arg.star == "":
            if position is not None and positional == position:
                return arg
            positional += 1
    return None


def keywords(call: cst.Call) -> Iterator[cst.Arg]:
    """The ``name=value`` arguments of a call."""
    return (arg for arg in call.args if arg.keyword is not None)


def base_name(node: cst.CSTNode | None) -> str | None:
    """The name an expression starts from: ``kat1_prediction`` for ``kat1_prediction.value``."""
    while isinstance(node, cst.Attribute | cst.Subscript | cst.Call):
        node = node.func if isinstance(node, cst.Call) else node.value
    return node.value if isinstance(node, cst.Name) else None


def kat_numbers(names: Iterable[str]) -> set[int]:
    """The KAT numbers named by globals such as ``kat2_profile``."""
    return {int(m["number"]) for name in names if (m := KAT_NAME.match(name))}


def dotted(node: cst.CSTNode) -> str:
    """Source-like text of a Name/Attribute chain, for messages (``Engine.solve``)."""
    parts = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if isinstance(node, cst.Name):
        parts.append(node.value)
    elif isinstance(node, cst.Call):
        parts.append(dotted(node.func) + "(...)")
    else:
        parts.append("...")
    return ".".join(reversed(parts))


def short(qualified: str) -> str:
    """The last part of a dotted name (``LatencyWaterfall``), for messages."""
    return qualified.rsplit(".", 1)[-1]


def source_literal(value: object) -> str:
    """Python source for a literal, strings in double quotes as ruff formats them."""
    if isinstance(value, str) and value.isprintable() and '"' not in value and "\\" not in value:
        return f'"{value}"'
    return repr(value)


def remove_argument(args: Sequence[cst.Arg], gone: cst.Arg) -> list[cst.Arg]:
    """``args`` without ``gone``, keeping the layout (a trailing comma stays trailing)."""
    kept = [arg for arg in args if arg is not gone]
    if kept and args[-1] is gone:
        kept[-1] = kept[-1].with_changes(
            comma=gone.comma, whitespace_after_arg=gone.whitespace_after_arg
        )
    return kept


def append_argument(args: Sequence[cst.Arg], added: cst.Arg) -> list[cst.Arg]:
    """``args`` with ``added`` last, laid out like the arguments already there."""
    if not args:
        return [added]
    last = args[-1]
    between = args[-2].comma if len(args) > 1 else cst.MaybeSentinel.DEFAULT
    if not isinstance(between, cst.Comma):
        between = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    return [
        *args[:-1],
        last.with_changes(comma=between, whitespace_after_arg=cst.SimpleWhitespace("")),
        added.with_changes(comma=last.comma, whitespace_after_arg=last.whitespace_after_arg),
    ]
