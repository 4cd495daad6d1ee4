"""Wall time of `labgen validate`, engine proofs included (issue 12's target: under 2 s on this
2-core machine), cold and warm, for each set of specs; and the share the proofs take.

Run: .venv/bin/python benchmarks/bench_validate.py [--runs N]

Each run is the command as a user types it, in a fresh process:
- cold: `labgen validate --no-cache ...`: every spec parsed, checked and proved;
- warm: `labgen validate ...` after one priming run: every spec unchanged, its problems read
  from `.labgen_cache/validate-v1` (an edit of labgen, labs or mlsys source between the
  priming run and a measured one makes that run cold again: measure on a quiet tree).
Spec sets: Volume 1 (`chapters/vol1`) and every spec of the project, when they differ. For each
it prints the median, the fastest and the slowest of N runs. Then, in one process, it times
the playability proofs of each spec alone (`labgen.spec.pedagogy`).

`--no-cache` skips labgen's cache of results, not the machine's cache of pint's parsed unit
definitions (`mlsys.units`, like Python's bytecode cache): the first line says whether it was
there; `MLSYS_UNITS_CACHE= ` (empty) turns it off.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LABGEN = Path(sys.executable).with_name("labgen")
TARGET_SECONDS = 2.0


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(arguments: list[str]) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds of the command and its workers, exit code) of one run."""
    start, cpu = time.perf_counter(), _children_cpu()
    done = subprocess.run(
        [str(LABGEN), "validate", *arguments], cwd=ROOT, capture_output=True, text=True
    )
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"labgen validate {' '.join(arguments)} failed:\n{done.stderr}")
    return seconds, _children_cpu() - cpu, done.returncode


def _series(arguments: list[str], runs: int) -> tuple[list[float], list[float], int]:
    times, cpus, code = [], [], 0
    for _ in range(runs):
        seconds, cpu, code = _run(arguments)
        times.append(seconds)
        cpus.append(cpu)
    return times, cpus, code


def _line(label: str, times: list[float], cpus: list[float]) -> str:
    """Wall time (what the target is about) and CPU time (steadier on a shared machine)."""
    median = statistics.median(times)
    verdict = "under" if median < TARGET_SECONDS else "OVER"
    return (
        f"  {label}: median {median:.2f} s  (min {min(times):.2f}, max {max(times):.2f}, "
        f"{len(times)} runs; {verdict} {TARGET_SECONDS:.0f} s); "
        f"CPU median {statistics.median(cpus):.2f} s"
    )


def _spec_sets() -> list[tuple[str, list[str], int]]:
    """(name, command arguments, number of specs) of each set timed."""
    volume1 = sorted((ROOT / "chapters" / "vol1").glob("*.yaml"))
    every = sorted((ROOT / "chapters").glob("vol*/*.yaml"))
    sets = [("Volume 1", ["chapters/vol1"], len(volume1))]
    if len(every) != len(volume1):
        sets.append(("every spec", [], len(every)))
    return sets


def _proof_seconds() -> tuple[int, int, float]:
    """(specs, configurations solved, seconds) of the playability proofs alone, every Volume 1
    spec (each configuration is solved once: ``labgen.spec.pedagogy._solve``)."""
    from labgen.book import chapters
    from labgen.rendering.execute import project_spec
    from labgen.spec import pedagogy
    from labgen.spec.registries import default_registries

    instruments = default_registries().instruments
    built = [c for c in chapters() if c.volume == 1 and (ROOT / c.spec_path).is_file()]
    specs = [(c, project_spec(ROOT, c)) for c in built]
    pedagogy.forget_solved()
    start = time.perf_counter()
    for chapter, spec in specs:
        list(pedagogy.check_pedagogy(spec, chapter, instruments))
    seconds = time.perf_counter() - start
    return len(specs), pedagogy.solved_count(), seconds


def main() -> None:
    """Print cold and warm medians and spreads per spec set, then the proofs' share."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    runs = max(1, parser.parse_args().runs)
    from mlsys.units import _units_cache

    folder = _units_cache()
    print(f"pint's unit definitions cache: {folder if folder and folder.is_dir() else 'none'}")
    # A user's Python keeps the project's bytecode; a machine that sets PYTHONDONTWRITEBYTECODE
    # (this one does) would otherwise compile labgen, labs and mlsys again in every run.
    # `make` compiles them once at install too.
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", "labgen", "labs", "mlsys"], cwd=ROOT, check=True
    )
    print("project bytecode: compiled (python -m compileall labgen labs mlsys)")
    print(f"load average before the runs: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for name, arguments, count in _spec_sets():
        cold, cold_cpu, code = _series(["--no-cache", *arguments], runs)
        _run(arguments)  # prime the cache
        warm, warm_cpu, _ = _series(arguments, runs)
        state = "valid" if code == 0 else "with problems"
        print(f"labgen validate, {name}: {count} specs ({state})")
        print(_line("cold (--no-cache)", cold, cold_cpu))
        print(_line("warm (cached)    ", warm, warm_cpu))
    specs, solves, proofs = _proof_seconds()
    print(
        f"playability proofs alone, {specs} Volume 1 specs in one process: {proofs:.2f} s, "
        f"{solves} configurations solved"
    )


if __name__ == "__main__":
    main()
