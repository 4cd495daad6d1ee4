"""mlsys and labs.core need no numpy (Pyodide has no numpy build): with numpy blocked they
import, and every number they produce is the same as with numpy installed.

Each side runs in a fresh interpreter so that numpy, once imported by pint, cannot leak into
the run that blocks it.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

#: Makes ``import numpy`` fail, as in a browser where no numpy wheel exists.
BLOCK_NUMPY = """
import sys

class _NoNumpy:
    def find_spec(self, name, path=None, target=None):
        if name == "numpy" or name.startswith("numpy."):
            raise ImportError("numpy is blocked: the browser has no numpy")

sys.meta_path.insert(0, _NoNumpy())
"""

#: Every kind of number the lab path computes, printed exactly (repr of each float).
FINGERPRINT = """
import json, sys
from mlsys import Applications, Engine, Models, Personas, ServingSimulation, Systems
from labs.core.histogram import histogram_rows
from labs.core.pareto import pareto_rows
from labs.core.roofline import roof_points

out = {"numpy_loaded": "numpy" in sys.modules, "solve": {}}
for model in Models.names():
    for system in Systems.names():
        try:
            p = Engine.solve(model=Models.get(model), system=Systems.get(system))
        except ValueError as error:
            out["solve"][f"{model}/{system}"] = str(error)
            continue
        out["solve"][f"{model}/{system}"] = [
            repr(p.latency.magnitude), repr(p.energy.magnitude), repr(p.throughput.magnitude),
            repr(p.memory_footprint.magnitude), p.bottleneck, p.feasible,
        ]
sweep = Engine.sweep(model=Models.ResNet50, system=Systems.H100, batch_size=[1, 2, 4, 64, 4096],
                     efficiency=[0.3])
out["sweep"] = [repr(q.magnitude) for q in sweep.latency] + list(sweep.feasible)
out["pareto"] = repr(pareto_rows(sweep, "latency", "throughput"))
serving = ServingSimulation(Applications.AutoDrive, Personas.EdgeGuardian).evaluate({"rate": 800})
perf = serving.performance
out["serving"] = [repr(perf.latency_p50.magnitude), repr(perf.latency_p99.magnitude),
                  repr(sum(perf.latency_samples_ms)), len(perf.latency_samples_ms)]
out["histogram"] = repr(histogram_rows(perf.latency_samples_ms, "ms"))
out["roof"] = repr(roof_points(Systems.H100, "fp16", 0.1, 1e4))
print(json.dumps(out))
"""


def _fingerprint(*, block_numpy: bool) -> dict:
    code = (BLOCK_NUMPY if block_numpy else "") + FINGERPRINT
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def without_numpy() -> dict:
    return _fingerprint(block_numpy=True)


def test_the_lab_path_runs_with_numpy_blocked(without_numpy):
    assert without_numpy["numpy_loaded"] is False
    assert len(without_numpy["solve"]) > 10
    assert without_numpy["serving"][3] == 18_000  # 20,000 requests minus the 10 % warm-up


def test_numbers_are_identical_with_and_without_numpy(without_numpy):
    pytest.importorskip("numpy")  # the dev environment has it (pint, altair and pandas pull it)
    with_numpy = _fingerprint(block_numpy=False)
    assert with_numpy.pop("numpy_loaded") is True
    without_numpy = {**without_numpy}
    without_numpy.pop("numpy_loaded")
    assert with_numpy == without_numpy


def test_sweep_takes_numpy_arrays_and_gives_the_same_points():
    np = pytest.importorskip("numpy")
    from mlsys import Engine, Models, Systems

    from_list = Engine.sweep(model=Models.ResNet50, system=Systems.H100, batch_size=[1, 8, 64])
    from_array = Engine.sweep(
        model=Models.ResNet50, system=Systems.H100, batch_size=np.array([1, 8, 64])
    )
    assert from_array.batch_size == (1, 8, 64)
    assert [q.magnitude for q in from_array.latency] == [q.magnitude for q in from_list.latency]
