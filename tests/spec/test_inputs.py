"""Where a KAT's engine inputs come from on each track (shared by the validator and the build)."""

from __future__ import annotations

from pathlib import Path

from labgen.spec import load_spec
from labgen.spec.inputs import KatStart, StartProblem, kat_start, settings_of, solve

ROOT = Path(__file__).resolve().parents[2]


def test_ch05_starts_every_kat_on_every_track() -> None:
    spec = load_spec(ROOT / "chapters/vol1/ch05_nn_compute.yaml")
    settings = {s.key: s for s in settings_of(spec)}
    assert list(settings) == ["cloud_titan", "edge_guardian", "mobile_nomad", "tiny_pioneer"]
    for setting in settings.values():
        for index, kat in enumerate(spec.kats):
            start = kat_start(setting, index, kat)
            assert isinstance(start, KatStart)
            assert solve(start.values).latency.magnitude > 0


def test_offers_follow_the_system_and_starts_follow_the_track() -> None:
    spec = load_spec(ROOT / "chapters/vol1/ch05_nn_compute.yaml")
    settings = {s.key: s for s in settings_of(spec)}
    cloud = kat_start(settings["cloud_titan"], 0, spec.kats[0])
    tiny = kat_start(settings["tiny_pioneer"], 0, spec.kats[0])
    edge = kat_start(settings["edge_guardian"], 0, spec.kats[0])
    (cloud_precision,) = cloud.controls
    (tiny_precision,) = tiny.controls
    (edge_precision,) = edge.controls
    assert cloud_precision.offers == ("fp32", "fp16", "fp8", "int8")
    assert (cloud_precision.start, cloud_precision.start_from) == ("fp8", "track")
    assert tiny_precision.offers == ("fp32", "int8")
    assert (edge_precision.start, edge_precision.start_from) == ("int8", "default")
    assert cloud.values == {
        "model": "Llama3_70B",
        "system": "H100",
        "precision": "fp8",
        "seq_len": 8192,
    }


def test_a_start_the_system_cannot_run_is_a_problem(valid_text, edit, tmp_path) -> None:
    path = tmp_path / "chapters/vol1/ch05_nn_compute.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(valid_text)
    spec = load_spec(path)
    tiny = next(s for s in settings_of(spec) if s.key == "tiny_pioneer")
    broken = spec.kats[0].model_copy(
        update={"controls": [spec.kats[0].controls[0].model_copy(update={"default": "fp16"})]}
    )
    problem = kat_start(tiny, 0, broken)
    assert isinstance(problem, StartProblem)
    assert problem.path == ("kats", 0, "controls", 0, "default")
