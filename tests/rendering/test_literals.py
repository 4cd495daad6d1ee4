"""Spec values become Python literals, and only registry entries become code."""

import ast
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from labgen.rendering.literals import Code, Ref, identifier, py

json_like = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=20,
)


@given(json_like)
def test_every_value_round_trips_through_literal_eval(value):
    assert ast.literal_eval(py(value)) == value


@given(st.text())
def test_any_text_is_one_string_constant(text):
    tree = ast.parse(py(text), mode="eval")
    assert isinstance(tree.body, ast.Constant)
    assert tree.body.value == text


def test_refs_only_for_registry_entries():
    assert py(Ref("Models", "ResNet50")) == "Models.ResNet50"
    assert py({"system": Ref("Systems", "H100")}) == "{'system': Systems.H100}"
    for bad in (
        Ref("Models", "ResNet50; import os"),
        Ref("Models", "NoSuchModel"),
        Ref("os", "system"),
    ):
        with pytest.raises(ValueError, match="not a registry entry"):
            py(bad)


@pytest.mark.parametrize("value", [math.nan, math.inf, object(), {1: "non-str key"}, Code("x")])
def test_refuses_what_is_not_data(value):
    with pytest.raises((TypeError, ValueError)):
        py(value)


def test_identifiers_are_checked():
    assert identifier("kat1") == "kat1"
    with pytest.raises(ValueError, match="not an identifier"):
        identifier("kat1; import os")
