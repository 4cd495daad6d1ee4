"""Memoized solves (mlsys.memo) and the unit registry's parse cache (mlsys.units): a remembered
result is the one a fresh solve gives, kept apart for arguments that differ in type or identity,
and never kept for arguments that can change or calls that fail."""

from __future__ import annotations

import pint
import pytest

from mlsys import Cluster, Models, Reliability, Systems, ureg
from mlsys.fleet_simulations import ServingFleet
from mlsys.memo import memoized
from mlsys.units import UNITS_CACHE_VARIABLE, _memoize_unit_parsing, _unit_registry, _units_cache


def _counted() -> tuple[list[tuple], object]:
    calls: list[tuple] = []

    @memoized
    def solve(*args, **kwargs):
        calls.append((args, kwargs))
        return [args, kwargs]  # a new object per real call

    return calls, solve


def test_equal_plain_arguments_are_solved_once() -> None:
    calls, solve = _counted()
    first = solve(1, "a", rate=2.5, unit=3 * ureg.ms)
    again = solve(1, "a", unit=3 * ureg.ms, rate=2.5)
    assert again is first
    assert len(calls) == 1


def test_one_one_point_zero_and_true_stay_three_calls() -> None:
    calls, solve = _counted()
    results = [solve(1), solve(1.0), solve(True)]
    assert len(calls) == 3
    assert len({id(result) for result in results}) == 3


def test_quantities_in_different_units_are_different_calls() -> None:
    calls, solve = _counted()
    solve(2 * ureg.GB)
    solve(2000 * ureg.MB)
    assert len(calls) == 2


def test_other_objects_are_keyed_by_identity() -> None:
    calls, solve = _counted()
    node = Systems.H100
    first = Cluster(node=node, count=8)
    twin = Cluster(node=node, count=8)  # equal, but another object
    assert solve(first) is solve(first)
    assert solve(twin) is not solve(first)
    assert len(calls) == 2


def test_mutable_arguments_are_never_remembered() -> None:
    calls, solve = _counted()
    components = {"gpu": ("device", 1.0)}
    solve(components=components)
    components["nic"] = ("node", 1.0)
    assert solve(components=components)[1]["components"] == components
    assert len(calls) == 2


def test_a_failure_is_raised_again_not_remembered() -> None:
    attempts = []

    @memoized
    def fails(value):
        attempts.append(value)
        raise ValueError(f"value: {value} refused")

    for _ in range(2):
        with pytest.raises(ValueError, match="value: 3 refused"):
            fails(3)
    assert attempts == [3, 3]


def test_reliability_remembers_a_cluster_and_matches_a_fresh_solve() -> None:
    cluster = Cluster(node=Systems.H100, count=1024)
    duration, checkpoint = 30 * ureg.day, 1.1 * ureg.TB
    remembered = Reliability.solve(cluster, duration, checkpoint)
    assert Reliability.solve(cluster, duration, checkpoint) is remembered
    fresh = Reliability.solve.__wrapped__(cluster, duration, checkpoint)
    assert fresh is not remembered
    for name in ("mtbf", "checkpoint_write", "checkpoint_interval", "recovery_time"):
        assert getattr(fresh, name) == getattr(remembered, name)
    assert (fresh.goodput, fresh.interruptions) == (remembered.goodput, remembered.interruptions)


def test_serving_fleet_remembers_a_fleet_and_matches_a_fresh_solve() -> None:
    cluster = Cluster(node=Systems.H100, count=16)
    model = Models.Llama3_8B
    remembered = ServingFleet.solve(model, cluster, 20.0, tp=2)
    assert ServingFleet.solve(model, cluster, 20.0, tp=2) is remembered
    assert ServingFleet.solve(model, cluster, 21.0, tp=2) is not remembered
    fresh = ServingFleet.solve.__wrapped__(model, cluster, 20.0, tp=2)
    assert fresh.metrics() == remembered.metrics()


def test_unit_expressions_parse_once_and_alike() -> None:
    registry = pint.UnitRegistry()
    plain = pint.UnitRegistry()
    _memoize_unit_parsing(registry)
    for text in ("ms", "GB/s", "byte / second", "kWh", "1/hour"):
        first = registry.parse_units_as_container(text)
        assert registry.parse_units_as_container(text) is first
        assert first == plain.parse_units_as_container(text)
    with pytest.raises(pint.UndefinedUnitError):
        registry.parse_units_as_container("widgets")


def test_a_unit_defined_later_is_parsed_with_its_definition() -> None:
    registry = pint.UnitRegistry()
    _memoize_unit_parsing(registry)
    with pytest.raises(pint.UndefinedUnitError):
        registry.Quantity(1, "gizmo / s")
    registry.define("gizmo = [gizmo]")
    assert registry.Quantity(2, "gizmo / s").to("gizmo / minute").magnitude == pytest.approx(120)


def test_conversions_match_pint_for_scaled_and_offset_units() -> None:
    registry = pint.UnitRegistry()
    plain = pint.UnitRegistry()
    _memoize_unit_parsing(registry)
    cases = [(2.5, "ms", "s"), (3.0, "GB/s", "MB/ms"), (25.0, "degC", "kelvin"), (1.0, "kWh", "J")]
    for _ in range(2):  # learnt, then remembered
        for value, unit, other in cases:
            got = registry.Quantity(value, unit).to(other).magnitude
            assert got == plain.Quantity(value, unit).to(other).magnitude
    with pytest.raises(pint.DimensionalityError):
        registry.Quantity(1.0, "ms").to("GB")


def _same_units(registry: pint.UnitRegistry) -> None:
    plain = pint.UnitRegistry()
    for value, unit, other in ((2.5, "ms", "s"), (3.0, "GB/s", "MB/ms"), (1.0, "kWh", "J")):
        got = registry.Quantity(value, unit).to(other).magnitude
        assert got == plain.Quantity(value, unit).to(other).magnitude


def test_the_units_cache_is_written_whole_then_read(tmp_path) -> None:
    first = _unit_registry(tmp_path)
    ready = tmp_path / f"pint-{pint.__version__}"
    assert sorted(p.suffix for p in ready.iterdir()).count(".pickle") >= 1
    assert [p.name for p in tmp_path.iterdir()] == [ready.name]  # no private folder left
    _same_units(first)
    written = {p.name: p.stat().st_mtime_ns for p in ready.iterdir()}
    again = _unit_registry(tmp_path)
    assert {p.name: p.stat().st_mtime_ns for p in ready.iterdir()} == written  # only read
    _same_units(again)
    assert again._diskcache is None  # later definitions are never cached


def test_a_damaged_units_cache_falls_back_to_parsing(tmp_path) -> None:
    _unit_registry(tmp_path)
    for path in (tmp_path / f"pint-{pint.__version__}").glob("*.pickle"):
        path.write_bytes(b"not a pickle")
    _same_units(_unit_registry(tmp_path))


def test_an_unwritable_units_cache_falls_back_to_parsing(tmp_path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("a file where the cache folder would go")
    _same_units(_unit_registry(blocked / "mlsys"))


def test_the_units_cache_can_be_turned_off(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv(UNITS_CACHE_VARIABLE, "")
    assert _units_cache() is None
    monkeypatch.setenv(UNITS_CACHE_VARIABLE, str(tmp_path))
    assert _units_cache() == tmp_path
    monkeypatch.delenv(UNITS_CACHE_VARIABLE)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert _units_cache() == tmp_path / "mlsys"
