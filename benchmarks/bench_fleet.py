"""Time one fleet training-step solve and sweeps over plans and cluster sizes (issue 13 targets:
<= 100 us per solve, >= 50x faster than mlsysim's DistributedModel.solve on the same case; a
sweep over plans or cluster sizes batched: ``fleet_step.solve_steps``, which ``PlanSearch`` uses,
shares one node solve per microbatch size; timed in CPU time against a loop of ``Engine.solve``).

Run: .venv/bin/python benchmarks/bench_fleet.py
The main case: Llama-3-70B, global batch 1,024 sequences of 4,096 tokens, fp16, efficiency
0.39, on 1,024 H100 (128 DGX H100, InfiniBand HDR) with TP8 PP4 DP32, 8 microbatches, ZeRO-1.
When the peer simulator mlsysim is importable here or from $MLSYSIM_PYTHON, it solves the same
cases (``PEER_CASES``: its Systems.Clusters name the same clusters) and both step times and solve
times print side by side.
"""

from __future__ import annotations

import importlib.util
import os
import statistics
import subprocess
import sys
import time
import timeit

from mlsys import Cluster, Engine, Fabrics, Models, Parallelism, Systems
from mlsys.fleet_simulations import _node_solver
from mlsys.fleet_step import solve_steps
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


def median_seconds(call, number: int, repeat: int = 15, timer=time.perf_counter) -> float:
    """Median time of one call (s) over ``repeat`` rounds of ``number`` calls: wall time, or
    with ``timer=time.process_time`` this process's CPU time (steadier on a loaded machine)."""
    rounds = timeit.repeat(call, number=number, repeat=repeat, timer=timer)
    return statistics.median(rounds) / number


def main() -> None:
    """Print the benchmark figures."""
    step = Engine.solve(**CASE)
    solve = median_seconds(lambda: Engine.solve(**CASE), number=500)
    solve_cpu = median_seconds(lambda: Engine.solve(**CASE), number=500, timer=time.process_time)

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
    sizes = [8 * 2**k for k in range(12)]  # 8 .. 16,384 devices, weak scaling at 4 seqs/replica
    clusters = [Cluster(node=Systems.H100, count=n, scale_out=Fabrics.InfiniBandHDR) for n in sizes]
    sweeps = {
        f"{len(every_plan)} plans of 1,024 devices": [(FLEET, p, 1024) for p in every_plan],
        f"{len(sizes)} cluster sizes 8..16,384": [
            (c, Parallelism(tp=8, dp=c.count // 8, microbatches=4), c.count // 2) for c in clusters
        ],
    }

    def loop(cases):
        return [
            Engine.solve(**{**CASE, "system": c, "parallelism": p, "batch_size": b})
            for c, p, b in cases
        ]

    def batched(cases):
        return solve_steps(
            CASE["model"],
            cases,
            CASE["precision"],
            CASE["efficiency"],
            seq_len=CASE["seq_len"],
            phase="train",
            runtime=None,
            node_solver=_node_solver,
        )

    cpu = {"number": 5, "repeat": 9, "timer": time.process_time}
    sweep_times = {
        label: (
            median_seconds(lambda c=cases: loop(c), **cpu),
            median_seconds(lambda c=cases: batched(c), **cpu),
            len(cases),
        )
        for label, cases in sweeps.items()
    }
    print(f"case: {step}")
    print(
        f"Engine.solve on a Cluster             median {solve * 1e6:8.1f} us   (target <= 100 us)"
    )
    print(f"  the same, CPU time of this process   median {solve_cpu * 1e6:8.1f} us")
    print(f"  + read 9 fields                     median {solve_read * 1e6:8.1f} us")
    for label, (one_by_one, together, count) in sweep_times.items():
        print(
            f"sweep, {label:28s} CPU: loop {one_by_one * 1e3:5.2f} ms "
            f"({one_by_one / count * 1e6:3.0f} us each), batched {together * 1e3:5.2f} ms "
            f"({together / count * 1e6:3.0f} us each)"
        )
    peer = _peer()
    if peer is None:
        print("mlsysim not found (install it, or set MLSYSIM_PYTHON to an interpreter that has it)")
        return
    print("side by side (same model, cluster, plan, batch, efficiency 0.39):")
    for name, ours, (peer_s, peer_step_ms) in zip(PEER_CASES, _our_cases(), peer, strict=True):
        our_s = median_seconds(lambda kw=ours: Engine.solve(**kw), number=300)
        step_ms = Engine.solve(**ours).latency.to("ms").magnitude
        print(
            f"  {name:32s} solve {our_s * 1e6:6.1f} us vs mlsysim {peer_s * 1e6:7.1f} us "
            f"({peer_s / our_s:4.0f}x faster); step {step_ms:8.0f} ms vs {peer_step_ms:8.0f} ms"
        )


#: The same cases in both simulators; mlsysim's clusters are DGX H100 nodes on the named fabric.
PEER_CASES = {
    "Llama3_70B 1,024 H100 HDR TP8PP4": ("Llama3_70B", "Training_1K", 1024, 8, 4, 8, 4096),
    "Llama3_405B 8,192 H100 NDR TP8PP16": ("Llama3_405B", "Frontier_8K", 2048, 8, 16, 32, 8192),
    "Llama3_8B 64 H100 HDR TP8": ("Llama3_8B", "Lab_64_H100", 64, 8, 1, 1, 2048),
}


def _our_cases() -> list[dict]:
    """Our Engine.solve arguments for each of ``PEER_CASES``."""
    fabrics = {
        "Training_1K": (1024, "InfiniBandHDR"),
        "Frontier_8K": (8192, "InfiniBandNDR"),
        "Lab_64_H100": (64, "InfiniBandHDR"),
    }
    cases = []
    for model, cluster, batch, tp, pp, m, seq in PEER_CASES.values():
        count, fabric = fabrics[cluster]
        dp = count // (tp * pp)
        cases.append(
            {
                **CASE,
                "model": Models.get(model),
                "system": Cluster(node=Systems.H100, count=count, scale_out=Fabrics.get(fabric)),
                "batch_size": batch,
                "seq_len": seq,
                "parallelism": Parallelism(tp=tp, pp=pp, dp=dp, microbatches=m, zero=1),
            }
        )
    return cases


# The peer's own API for the same cases (one line of output per case: seconds, step ms).
_PEER_SNIPPET = """
import statistics, sys, timeit
import mlsysim
from mlsysim.engine.solvers.distributed import DistributedModel
solver = DistributedModel()
for line in sys.stdin.read().splitlines():
    model, cluster, batch, tp, pp, m, seq = line.split()
    model = getattr(mlsysim.Models.Language, model)
    fleet = getattr(mlsysim.Systems.Clusters, cluster)
    call = lambda: solver.solve(model, fleet, batch_size=int(batch), precision="fp16",
        efficiency=0.39, tp_size=int(tp), pp_size=int(pp), microbatch_count=int(m),
        zero_stage=1, seq_len=int(seq))
    step = call().step_latency_total.to("ms").magnitude
    print(statistics.median(timeit.repeat(call, number=10, repeat=15)) / 10, step)
"""


def _peer() -> list[tuple[float, float]] | None:
    """Per case: (median seconds of one mlsysim solve, its step time in ms), run here or in
    $MLSYSIM_PYTHON."""
    interpreter = os.environ.get("MLSYSIM_PYTHON")
    if interpreter is None:
        if importlib.util.find_spec("mlsysim") is None:
            return None
        interpreter = sys.executable
    cases = "\n".join(" ".join(str(v) for v in case) for case in PEER_CASES.values())
    done = subprocess.run(
        [interpreter, "-c", _PEER_SNIPPET], input=cases, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        print(f"mlsysim failed to run: {done.stderr.strip().splitlines()[-1:]}")
        return None
    return [(float(a), float(b)) for a, b in (line.split() for line in done.stdout.splitlines())]


if __name__ == "__main__":
    main()
