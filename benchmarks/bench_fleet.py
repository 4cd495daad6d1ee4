"""Time one fleet training-step solve and sweeps over plans and cluster sizes (issue 13 targets:
<= 100 us per solve, >= 50x faster than mlsysim's DistributedModel.solve on the same case).

Run: .venv/bin/python benchmarks/bench_fleet.py
The case: Llama-3-70B, global batch 1,024 sequences of 4,096 tokens, fp16, efficiency 0.39, on
1,024 H100 (128 DGX H100, InfiniBand HDR) with TP8 PP4 DP32, 8 microbatches, ZeRO-1. When the
peer simulator mlsysim is importable here or from $MLSYSIM_PYTHON, it solves the same case
(its Systems.Clusters.Training_1K is that cluster) and both step times and solve times print.
"""

from __future__ import annotations

import importlib.util
import os
import statistics
import subprocess
import sys
import timeit

from mlsys import Cluster, Engine, Fabrics, Models, Parallelism, Systems
from mlsys.parallelism import plans

FLEET = Cluster(node=Systems.H100, count=1024, per_node=8, scale_out=Fabrics.InfiniBandHDR)
PLAN = Parallelism(tp=8, pp=4, dp=32, microbatches=8, zero=1)
CASE = {
    "model": Models.Llama3_70B,
    "system": FLEET,
    "batch_size": 1024,
    "precision": "fp16",
    "efficiency": 0.39,
    "phase": "train",
    "seq_len": 4096,
    "parallelism": PLAN,
}


def median_seconds(call, number: int, repeat: int = 15) -> float:
    """Median wall time of one call (s) over ``repeat`` rounds of ``number`` calls."""
    rounds = timeit.repeat(call, number=number, repeat=repeat)
    return statistics.median(rounds) / number


def main() -> None:
    """Print the benchmark figures."""
    step = Engine.solve(**CASE)
    solve = median_seconds(lambda: Engine.solve(**CASE), number=500)

    def solve_and_read():
        p = Engine.solve(**CASE)
        return (
            p.latency,
            p.latency_communication,
            p.latency_bubble,
            p.throughput,
            p.energy,
            p.memory_footprint,
            p.mfu,
            p.bottleneck,
            p.feasible,
        )

    solve_read = median_seconds(solve_and_read, number=300)
    every_plan = plans(1024, Models.Llama3_70B, 1024, zero=1)
    sweep_plans = median_seconds(
        lambda: [Engine.solve(**{**CASE, "parallelism": p}) for p in every_plan], number=5, repeat=7
    )
    sizes = [8 * 2**k for k in range(12)]  # 8 .. 16,384 devices, weak scaling at 4 seqs/replica
    clusters = [Cluster(node=Systems.H100, count=n, scale_out=Fabrics.InfiniBandHDR) for n in sizes]

    def sweep_sizes():
        return [
            Engine.solve(
                **{
                    **CASE,
                    "system": c,
                    "batch_size": 4 * c.count // 8,
                    "parallelism": Parallelism(tp=8, dp=c.count // 8, microbatches=4),
                }
            )
            for c in clusters
        ]

    sweep_size = median_seconds(sweep_sizes, number=5, repeat=7)
    print(f"case: {step}")
    print(
        f"Engine.solve on a Cluster             median {solve * 1e6:8.1f} us   (target <= 100 us)"
    )
    print(f"  + read 9 fields                     median {solve_read * 1e6:8.1f} us")
    print(
        f"sweep, {len(every_plan)} plans of 1,024 devices    median {sweep_plans * 1e3:8.2f} ms"
        f"   ({sweep_plans / len(every_plan) * 1e6:.0f} us per plan)"
    )
    print(
        f"sweep, {len(sizes)} cluster sizes 8..16,384   median {sweep_size * 1e3:8.2f} ms"
        f"   ({sweep_size / len(sizes) * 1e6:.0f} us per size)"
    )
    peer = _peer()
    if peer is None:
        print("mlsysim not found (install it, or set MLSYSIM_PYTHON to an interpreter that has it)")
        return
    peer_s, peer_step_ms = peer
    print(
        f"mlsysim 0.3 DistributedModel.solve    median {peer_s * 1e6:8.1f} us   "
        f"ratio {peer_s / solve:.0f}x slower (target >= 50x)"
    )
    print(
        f"step time, same case: mlsys {step.latency.to('ms').magnitude:.0f} ms, "
        f"mlsysim {peer_step_ms:.0f} ms"
    )


# The peer's own API for the same case.
_PEER_SNIPPET = """
import statistics, timeit
import mlsysim
from mlsysim.engine.solvers.distributed import DistributedModel
fleet, model = mlsysim.Systems.Clusters.Training_1K, mlsysim.Models.Language.Llama3_70B
solver = DistributedModel()
call = lambda: solver.solve(model, fleet, batch_size=1024, precision="fp16", efficiency=0.39,
    tp_size=8, pp_size=4, microbatch_count=8, zero_stage=1, seq_len=4096)
step = call().step_latency_total.to("ms").magnitude
print(statistics.median(timeit.repeat(call, number=10, repeat=15)) / 10, step)
"""


def _peer() -> tuple[float, float] | None:
    """(median seconds of one mlsysim solve, its step time in ms), here or in $MLSYSIM_PYTHON."""
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
    seconds, step_ms = done.stdout.split()
    return float(seconds), float(step_ms)


if __name__ == "__main__":
    main()
