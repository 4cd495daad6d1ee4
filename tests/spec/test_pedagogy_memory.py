"""The proofs' memories (labgen/spec/pedagogy.py: ``_configured``, ``_solve``) change what is
computed, never what is proven: a remembered configuration is the one ``engine_inputs`` builds,
and a profile solved from a sweep's keywords is the one its key rebuilds."""

from __future__ import annotations

from pathlib import Path

import pytest

from labgen.book import chapters
from labgen.rendering.execute import project_spec
from labgen.spec import pedagogy
from labs.core import configuration as config

ROOT = Path(__file__).resolve().parents[2]
#: A Volume 1 lab on one node and Volume 2 labs on clusters (training runs, serving fleets).
LABS = [(1, 13), (2, 7), (2, 10)]


def _starts(volume: int, number: int) -> list[tuple[object, pedagogy.Start]]:
    chapter = next(c for c in chapters() if (c.volume, c.number) == (volume, number))
    spec = project_spec(ROOT, chapter)
    return [(kat, start) for start in pedagogy.starts(spec, chapter) for kat in spec.kats]


@pytest.mark.parametrize(("volume", "number"), LABS)
def test_a_remembered_configuration_is_the_one_engine_inputs_builds(volume, number) -> None:
    pedagogy.forget_solved()
    checked = 0
    for kat, start in _starts(volume, number):
        controls = pedagogy.controls_of(kat)
        base = config.starting_values(controls, start.setting, start.decisions)
        for values in pedagogy._sweep(controls, start, 8):
            wanted = config.engine_inputs(start.setting, {**base, **values}, start.decisions)
            for _ in range(2):  # built, then remembered
                inputs, key = pedagogy._configured(start, {**base, **values})
                assert inputs == wanted
                assert key == pedagogy._key(wanted)
            checked += 1
    assert checked > 10


@pytest.mark.parametrize(("volume", "number"), LABS)
def test_a_profile_solved_from_sweep_keywords_is_the_one_its_key_rebuilds(volume, number) -> None:
    pedagogy.forget_solved()
    compared = 0
    for kat, start in _starts(volume, number):
        fields = pedagogy.shown_fields(kat, None)
        for profile, inputs in pedagogy._designs(kat, start, 8):
            rebuilt = config.solve_inputs(pedagogy._from_key(pedagogy._key(inputs)))
            for field in (*fields, *pedagogy.FEASIBILITY_ROW, "feasible"):
                try:
                    expected = getattr(rebuilt, field)
                except (AttributeError, ValueError) as error:
                    with pytest.raises(type(error)):
                        getattr(profile, field)
                    continue
                assert getattr(profile, field) == expected, (field, inputs)
            compared += 1
    assert compared > 10
    assert pedagogy.solved_count() > 0


def test_values_of_another_type_are_another_configuration() -> None:
    pedagogy.forget_solved()
    kat, start = next((k, s) for k, s in _starts(2, 7) if s.decisions == {})
    base = config.starting_values(pedagogy.controls_of(kat), start.setting, start.decisions)
    one, _ = pedagogy._configured(start, {**base, "batch_size": 32})
    other, _ = pedagogy._configured(start, {**base, "batch_size": 32.0})
    assert one is not other
    assert type(other["batch_size"]) is float


def test_an_unhashable_value_is_built_every_time() -> None:
    kat, start = _starts(1, 13)[0]
    base = config.starting_values(pedagogy.controls_of(kat), start.setting, start.decisions)
    values = {**base, "precision": ["fp16"]}  # a list cannot key the memory
    inputs, key = pedagogy._configured(start, values)
    again, _ = pedagogy._configured(start, values)
    assert inputs == again
    assert inputs is not again
    assert key == pedagogy._key(inputs)
