"""Wall time of `labgen validate` of every spec, engine proofs included (issue target: under
2 s on this 2-core machine), and the share the proofs take.

Run: .venv/bin/python benchmarks/bench_validate.py [--runs N]
Runs the command as a user would (a fresh process each time) and prints the median; then, in
one process, times the playability proofs of each spec alone (`labgen.spec.pedagogy`).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LABGEN = Path(sys.executable).with_name("labgen")


def _command_seconds(runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run([str(LABGEN), "validate"], cwd=ROOT, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise SystemExit(f"labgen validate failed:\n{done.stdout}{done.stderr}")
    return times


def _proof_seconds() -> tuple[int, int, float]:
    """(specs, engine solves, seconds) of the playability proofs alone, every spec."""
    from labgen.book import chapters
    from labgen.rendering.execute import project_spec
    from labgen.spec.pedagogy import check_pedagogy
    from labgen.spec.registries import default_registries
    from mlsys import Engine

    instruments = default_registries().instruments
    built = [c for c in chapters() if (ROOT / c.spec_path).is_file()]
    specs = [(c, project_spec(ROOT, c)) for c in built]
    calls = 0
    original = Engine.solve

    def counted(*args: object, **kwargs: object) -> object:
        nonlocal calls
        calls += 1
        return original(*args, **kwargs)

    Engine.solve = staticmethod(counted)  # type: ignore[method-assign]
    try:
        start = time.perf_counter()
        for chapter, spec in specs:
            list(check_pedagogy(spec, chapter, instruments))
        seconds = time.perf_counter() - start
    finally:
        Engine.solve = staticmethod(original)  # type: ignore[method-assign]
    return len(specs), calls, seconds


def main() -> None:
    """Print the median command time and the proofs' share."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    times = _command_seconds(runs)
    specs, solves, proofs = _proof_seconds()
    print(
        f"labgen validate, {specs} specs, {runs} runs: median {statistics.median(times):.2f} s, "
        f"max {max(times):.2f} s   (target < 2 s)"
    )
    print(f"  playability proofs alone: {proofs:.2f} s, {solves} Engine.solve calls")


if __name__ == "__main__":
    main()
