"""The names a spec may use come from the installed mlsys and the instrument registry."""

from __future__ import annotations

import inspect

import mlsys
from labgen.instruments import BUILTIN_INSTRUMENTS, Instrument
from labgen.spec.engine_inputs import (
    ALL_PARAMS,
    BY_NAME,
    FLEET_PARAMS,
    NOT_SPEC_KEYWORDS,
    TRACK_OWN_PARAMS,
)
from labgen.spec.model import EngineInputs, Tracks
from labgen.spec.registries import build_registries, default_registries, unknown_name
from labs.core.configuration import FLEET_KEYWORDS
from mlsys.ledger import TRACKS


def test_engine_inputs_are_exactly_the_solve_keywords() -> None:
    keywords = set(inspect.signature(mlsys.Engine.solve).parameters) - set(NOT_SPEC_KEYWORDS)
    # The fleet parameters build the cluster and plan that Engine.solve takes as objects.
    assert set(ALL_PARAMS) - set(FLEET_PARAMS) == keywords
    assert FLEET_PARAMS == FLEET_KEYWORDS
    assert default_registries().solve_keywords == tuple(
        inspect.signature(mlsys.Engine.solve).parameters
    )


def test_track_inputs_cover_every_keyword_a_track_does_not_name() -> None:
    assert set(EngineInputs.model_fields) == set(ALL_PARAMS) - set(TRACK_OWN_PARAMS)


def test_tracks_are_the_ledger_tracks() -> None:
    assert tuple(Tracks.model_fields) == TRACKS


def test_integer_params_are_integers_of_the_engine() -> None:
    # A batch of 2.5 samples is refused by the engine; the spec's sliders agree.
    assert BY_NAME["batch_size"].kind == "integer"
    assert BY_NAME["seq_len"].kind == "integer"


def test_registries_mirror_mlsys() -> None:
    registries = default_registries()
    assert registries.models == mlsys.Models.names()
    assert registries.systems == mlsys.Systems.names()
    assert registries.precisions == mlsys.PRECISIONS
    assert set(registries.runtimes) == {r for s in mlsys.Systems for r in s.runtimes}
    assert {"latency", "latency_overhead", "throughput", "flops", "memory_footprint"} <= set(
        registries.profile_fields
    )
    assert "bottleneck" not in registries.profile_fields  # a label, not a number to compare


def test_every_builtin_instrument_is_known() -> None:
    assert {i.id for i in BUILTIN_INSTRUMENTS} <= set(default_registries().instruments)


def test_extra_instruments_join_and_never_replace_builtins() -> None:
    custom = Instrument("sankey", 4, "plugin.Sankey", "instrument_sankey", "Sankey")
    clash = Instrument("waterfall", 9, "plugin.Other", "instrument_other", "Other")
    registries = build_registries([*BUILTIN_INSTRUMENTS, custom, clash])
    assert registries.instruments["sankey"] is custom
    assert registries.instruments["waterfall"].unlock_chapter == 2


def test_unknown_names_suggest_the_closest() -> None:
    registries = default_registries()
    assert (
        unknown_name("systems", "h100", registries) == "unknown system 'h100'; did you mean 'H100'?"
    )
    assert unknown_name("precisions", "bfloat", registries).startswith(
        "unknown precision 'bfloat' (known: fp32"
    )
    assert unknown_name("models", "ResNet50", registries) is None


def test_every_scenario_keyword_is_a_field_of_the_run_scenario() -> None:
    import dataclasses

    from labs.core.configuration import SCENARIO_KEYWORDS
    from mlsys import FleetScenario

    fields = {field.name for field in dataclasses.fields(FleetScenario)}
    assert set(SCENARIO_KEYWORDS) == fields
