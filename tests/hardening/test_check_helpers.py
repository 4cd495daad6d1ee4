"""The helpers plugin authors asked for: a numeric literal's value, a call's arguments by
parameter name."""

from __future__ import annotations

import libcst as cst
import pytest

from labgen.checking.nodes import bind_arguments, numeric_literal


def _expression(text: str) -> cst.BaseExpression:
    return cst.parse_expression(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [("3", 3), ("-2.5", -2.5), ("+1e3", 1000.0), ("1_000", 1000), ("(7)", 7), ("0x10", 16)],
)
def test_numeric_literals_are_read(text: str, value: float) -> None:
    assert numeric_literal(_expression(text)) == value


@pytest.mark.parametrize("text", ["x", "'3'", "True", "2 * 3", "1j", "-x", "None", "[1]"])
def test_anything_else_is_not_a_numeric_literal(text: str) -> None:
    assert numeric_literal(_expression(text)) is None


def solve(model, system, *, batch_size=1, precision="fp16", **options):
    """A stand-in for Engine.solve."""


def _call(text: str) -> cst.Call:
    node = _expression(text)
    assert isinstance(node, cst.Call)
    return node


def test_arguments_are_bound_to_parameter_names() -> None:
    bound = bind_arguments(_call("solve(m, s, batch_size=32, efficiency=0.5)"), solve)
    assert bound is not None
    assert sorted(bound) == ["batch_size", "model", "options", "system"]
    assert numeric_literal(bound["batch_size"].value) == 32
    assert bound["model"].value.value == "m"
    assert sorted(bound["options"]) == ["efficiency"]


@pytest.mark.parametrize(
    "text",
    [
        "solve(*xs)",
        "solve(m, **kw)",
        "solve(m)",
        "solve(m, s, t)",
        "solve(m, system=s, mdoel=1, batch_size=2, **{})",
    ],
)
def test_a_call_that_cannot_bind_gives_none(text: str) -> None:
    assert bind_arguments(_call(text), solve) is None


def test_an_unknown_keyword_gives_none() -> None:
    def plain(model, system):
        """Takes no **kwargs."""

    assert bind_arguments(_call("plain(m, sytem=s)"), plain) is None


def test_a_target_without_a_signature_gives_none() -> None:
    assert bind_arguments(_call("f(1)"), object()) is None  # type: ignore[arg-type]
