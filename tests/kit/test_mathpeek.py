"""MathPeek shows the engine's own formula and every variable with its value and unit."""

from __future__ import annotations

import pytest

from labs.core.components import MathPeek
from labs.core.format import split_quantity
from labs.core.mathpeek import PEEK_TITLE
from mlsys import Derivation, Variable, ureg


def test_peek_shows_each_variable_with_value_and_unit(resnet_profile, page_html, visible_text):
    peek = MathPeek(resnet_profile.math)
    text = visible_text(peek)
    assert PEEK_TITLE in text
    for derivation in resnet_profile.math.values():
        assert derivation.formula in page_html(peek)  # the very LaTeX that produced the number
        for variable in derivation.variables:
            number, unit = split_quantity(variable.value, significant=4)
            assert f"{variable.description} {number} {unit or '–'}" in text


def test_only_the_requested_fields_are_shown(resnet_profile, visible_text):
    text = visible_text(MathPeek(resnet_profile.math, fields=["latency_overhead"]))
    for variable in resnet_profile.math["latency_overhead"].variables:
        number, unit = split_quantity(variable.value, significant=4)
        assert f"{variable.description} {number} {unit or '–'}" in text
    assert "work of the batch" not in text  # a variable of another derivation


def test_fields_pick_derivations_and_unknown_ones_fail(resnet_profile, visible_text):
    with pytest.raises(KeyError, match="no derivation for 'speed'"):
        MathPeek(resnet_profile.math, fields=["speed"])
    # A profile field with no formula of its own (a count read off the model) is skipped.
    only = visible_text(MathPeek(resnet_profile.math, fields=["flops", "latency_memory"]))
    assert only == visible_text(MathPeek(resnet_profile.math, fields=["latency_memory"]))


def test_accepts_profile_derivation_and_plain_formula(resnet_profile, visible_text):
    from_profile = visible_text(MathPeek(resnet_profile))
    assert from_profile == visible_text(MathPeek(resnet_profile.math))
    one = resnet_profile.math["latency_memory"]
    assert one.variables[1].description in visible_text(MathPeek(one))

    variables = {"P": ("average power", ureg.Quantity(0.7, "W")), "t": ureg.Quantity(3, "ms")}
    text = visible_text(MathPeek(r"E = P \cdot t", variables))
    assert "average power" in text
    assert "700 mW" in text
    assert "3 ms" in text
    triples = [("E", "energy per frame", ureg.Quantity(2.1, "mJ"))]
    assert "2.1 mJ" in visible_text(MathPeek(r"E = P t", triples))


def test_derivation_result_row_closes_the_table(visible_text):
    derivation = Derivation(
        "energy",
        r"E = P \cdot t",
        (
            Variable("P", "power", ureg.Quantity(2.0, "W")),
            Variable("t", "time", ureg.Quantity(3.0, "s")),
        ),
        ureg.Quantity(6.0, "J"),
    )
    text = visible_text(MathPeek(derivation))
    assert "result: energy" in text
    assert "6 J" in text


def test_closed_until_opened(resnet_profile, page_html):
    assert "data-expanded='[]'" in page_html(MathPeek(resnet_profile.math))
    assert "data-expanded='[]'" not in page_html(MathPeek(resnet_profile.math, expanded=True))


def test_rejects_what_it_cannot_show():
    with pytest.raises(TypeError, match="formula:"):
        MathPeek(42)
    with pytest.raises(TypeError, match="variables:"):
        MathPeek("x = y", [object()])


def test_every_field_a_spec_may_show_has_a_label_and_a_peek_on_a_fleet():
    # A metric the validator accepts must render: a labelled field with no derivation of its
    # own (optimizer state, PUE) is skipped by the peek, never a KeyError in the built lab.
    from labgen.spec.registries import default_registries
    from labs.core.configuration import engine_inputs, solve_inputs
    from labs.core.labels import FIELD_LABELS
    from mlsys import Models, Systems

    fields = default_registries().profile_fields
    assert sorted(set(fields) - set(FIELD_LABELS)) == []
    track = {"model": Models.Llama3_8B, "system": Systems.H100, "inputs": {}}
    values = {"dp": 8, "batch_size": 64, "seq_len": 2048, "precision": "fp16", "phase": "train"}
    run = solve_inputs(engine_inputs(track, values, {}))
    names = [name for name in fields if name not in ("ttft", "ttft_p99", "tpot")]
    assert MathPeek(run.math, fields=names) is not None
