"""Time ``labgen check`` cold and warm over a folder of labs, beside ``marimo check``.

Usage: ``python benchmarks/bench_check.py [FOLDER] [--runs N]``. FOLDER defaults to the
project's ``generated_labs/``; when that holds no labs, the lab fixtures of the test suite are
copied 16 times into a temporary folder (as ``copyNN/vol1/lab_XX_slug.py``, so every rule
applies). Each command runs in a fresh process, as a user would run it:

* cold: ``labgen check --no-cache`` (parse, metadata and every rule, for every file);
* warm: ``labgen check`` with the cache filled by a previous run (nothing changed);
* marimo: ``marimo check`` on the same files.

Prints the median and the fastest wall time of each, in seconds. Timing only: the test suite
asserts behaviour, never speed.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "check" / "fixtures" / "generated_labs"
COPIES = 16


def _bin(name: str) -> str:
    """The console script ``name`` next to this Python (the project's venv)."""
    candidate = Path(sys.executable).with_name(name)
    return str(candidate) if candidate.exists() else name


def _labs(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("lab_*.py") if p.parent.name in ("vol1", "vol2"))


def _fixture_copies(into: Path) -> Path:
    """``COPIES`` copies of every fixture lab, each copy in its own ``volN`` folder."""
    labs = into / "labs"
    for index in range(1, COPIES + 1):
        for lab in _labs(FIXTURES):
            target = labs / f"copy{index:02d}" / lab.parent.name / lab.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(lab, target)
    (into / "pyproject.toml").write_text("[tool.labgen]\n", encoding="utf-8")
    return labs


def _time(command: list[str], cwd: Path, runs: int, before: list[str] | None = None) -> list[float]:
    times = []
    for _ in range(runs):
        if before:
            subprocess.run(before, cwd=cwd, capture_output=True, check=False)
        start = time.perf_counter()
        done = subprocess.run(command, cwd=cwd, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
        if done.returncode not in (0, 1):
            sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr.decode()}")
    return times


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("folder", nargs="?", type=Path, help="labs to check")
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (default 5)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.folder or ROOT / "generated_labs"
        if not folder.is_dir() or not _labs(folder):
            folder = _fixture_copies(Path(scratch))
            where = f"{COPIES} copies of the test fixtures"
        else:
            where = str(folder)
        cwd = folder.parent
        files = [str(p) for p in _labs(folder)]
        labgen, marimo = _bin("labgen"), _bin("marimo")
        cache = cwd / ".labgen_cache"
        clear = [sys.executable, "-c", f"import shutil; shutil.rmtree({str(cache)!r}, True)"]
        cold = _time([labgen, "check", "--no-cache", str(folder)], cwd, args.runs, before=clear)
        _time([labgen, "check", str(folder)], cwd, 1, before=clear)  # fill the cache
        warm = _time([labgen, "check", str(folder)], cwd, args.runs)
        cold_cache = _time([labgen, "check", str(folder)], cwd, args.runs, before=clear)
        reference = _time([marimo, "check", *files], cwd, args.runs)
    print(f"labgen check over {len(files)} labs ({where}), {args.runs} runs each")
    print(f"{'':34}{'median':>9}{'best':>9}")
    for label, times in (
        ("labgen check --no-cache (cold)", cold),
        ("labgen check, empty cache", cold_cache),
        ("labgen check, cache filled (warm)", warm),
        ("marimo check (same files)", reference),
    ):
        print(f"{label:34}{statistics.median(times):9.3f}{min(times):9.3f}")
    ratio = statistics.median(cold) / statistics.median(reference)
    print(f"cold / marimo check: {ratio:.2f}x (targets: cold <= 2 s and <= marimo; warm <= 0.4 s)")


if __name__ == "__main__":
    main()
