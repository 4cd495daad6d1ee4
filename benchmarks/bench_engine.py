"""Time Engine.solve and a 10,000-point Engine.sweep (issue targets: <= 50 us and <= 20 ms), the
sweep both with numpy (CPython's fast path) and without (the browser's point-by-point loop).

Run: .venv/bin/python benchmarks/bench_engine.py
Prints medians over repeated runs; when the peer simulator mlsysim is installed, also its time
for the same question and the ratio.
"""

from __future__ import annotations

import importlib.util
import os
import statistics
import subprocess
import sys
import timeit

from mlsys import Engine, Models, Systems


def median_seconds(call, number: int, repeat: int = 15) -> float:
    """Median wall time of one call (s) over ``repeat`` rounds of ``number`` calls."""
    rounds = timeit.repeat(call, number=number, repeat=repeat)
    return statistics.median(rounds) / number


def main() -> None:
    """Print the benchmark figures."""
    kwargs = {
        "model": Models.ResNet50,
        "system": Systems.Mobile,
        "batch_size": 32,
        "precision": "int8",
        "efficiency": 0.5,
    }
    solve = median_seconds(lambda: Engine.solve(**kwargs), number=2_000)

    def solve_and_read():
        p = Engine.solve(**kwargs)
        return (
            p.latency,
            p.latency_compute,
            p.latency_memory,
            p.latency_overhead,
            p.throughput,
            p.energy,
            p.memory_footprint,
            p.bottleneck,
            p.feasible,
        )

    solve_read = median_seconds(solve_and_read, number=1_000)
    batches = range(1, 10_001)
    sweep = median_seconds(lambda: Engine.sweep(**{**kwargs, "batch_size": batches}), number=20)
    numpy = sys.modules.get("numpy")
    sys.modules["numpy"] = None  # `import numpy` fails: the browser's point-by-point loop
    try:
        loop = median_seconds(lambda: Engine.sweep(**{**kwargs, "batch_size": batches}), number=5)
    finally:
        if numpy is None:
            del sys.modules["numpy"]
        else:
            sys.modules["numpy"] = numpy
    print(f"Engine.solve                         median {solve * 1e6:8.1f} us   (target <= 50 us)")
    print(f"Engine.solve + read all 9 fields     median {solve_read * 1e6:8.1f} us")
    print(f"Engine.sweep, 10,000 batch sizes     median {sweep * 1e3:8.2f} ms   (target <= 20 ms)")
    print(f"  the same without numpy (browser)   median {loop * 1e3:8.2f} ms")
    peer = _peer_time()
    if peer is None:
        print("mlsysim not found (install it, or set MLSYSIM_PYTHON to an interpreter that has it)")
    else:
        print(
            f"mlsysim 0.3 solve (same question)    median {peer * 1e6:8.1f} us   ratio {peer / solve:.0f}x slower"
        )


# The peer's own API for the same question: ResNet-50, batch 32, int8 on a Snapdragon 8 Gen 3.
_PEER_SNIPPET = """
import statistics, timeit
import mlsysim
H, M = mlsysim.Hardware.Mobile.Snapdragon8Gen3, mlsysim.Models.Vision.ResNet50
call = lambda: mlsysim.Engine.solve(model=M, hardware=H, batch_size=32, precision="int8", efficiency=0.5)
print(statistics.median(timeit.repeat(call, number=50, repeat=15)) / 50)
"""


def _peer_time() -> float | None:
    """Median seconds of one mlsysim solve, run in this interpreter or in $MLSYSIM_PYTHON."""
    interpreter = os.environ.get("MLSYSIM_PYTHON")
    if interpreter is None:
        if importlib.util.find_spec("mlsysim") is None:
            return None
        interpreter = sys.executable
    done = subprocess.run(
        [interpreter, "-c", _PEER_SNIPPET], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        print(f"mlsysim failed to run: {done.stderr.strip().splitlines()[-1:]}")
        return None
    return float(done.stdout.strip())


if __name__ == "__main__":
    main()
