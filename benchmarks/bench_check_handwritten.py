"""Time ``labgen check --no-cache`` beside ``marimo check`` on hand-written labs, side by side.

Usage: ``python benchmarks/bench_check_handwritten.py [FOLDER] [--runs N] [--copies K]``.
FOLDER holds labs in ``vol1/``/``vol2/`` folders, such as the textbook's own ``labs/`` saved
somewhere outside the project; it may also come from the ``BENCH_HANDWRITTEN_LABS`` environment
variable. Without either, the hand-written-style fixtures of the test suite are used (four
1,200-line notebooks in the textbook's shape: tests/check/fixtures/handwritten). ``--copies K``
checks K copies of the set at once (the book has about fifty labs).

The two commands alternate within each round, so both see the same machine load; each runs in
a fresh process, as a user would run it. Prints the median and the fastest wall time of each,
and their ratio. Timing only: the test suite asserts behaviour, never speed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "check" / "fixtures" / "handwritten"


def _bin(name: str) -> str:
    """The console script ``name`` next to this Python (the project's venv)."""
    candidate = Path(sys.executable).with_name(name)
    return str(candidate) if candidate.exists() else name


def _labs(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("lab_*.py") if p.parent.name in ("vol1", "vol2"))


def _copies(source: Path, into: Path, count: int) -> Path:
    """``count`` copies of the labs under ``source``, each copy in its own folder."""
    labs = into / "labs"
    for index in range(1, count + 1):
        for lab in _labs(source):
            target = labs / f"copy{index:02d}" / lab.parent.name / lab.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(lab, target)
    (into / "pyproject.toml").write_text("[tool.labgen]\n", encoding="utf-8")
    return labs


def _once(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr.decode()}")
    return elapsed


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("folder", nargs="?", type=Path, help="hand-written labs to check")
    parser.add_argument("--runs", type=int, default=5, help="rounds (default 5)")
    parser.add_argument("--copies", type=int, default=1, help="copies of the set (default 1)")
    args = parser.parse_args()
    given = args.folder or (
        Path(os.environ["BENCH_HANDWRITTEN_LABS"])
        if "BENCH_HANDWRITTEN_LABS" in os.environ
        else None
    )
    source = given or FIXTURES
    if not _labs(source):
        sys.exit(f"{source}: no lab_*.py under vol1/ or vol2/")
    with tempfile.TemporaryDirectory() as scratch:
        folder = _copies(source, Path(scratch), args.copies)
        files = [str(p) for p in _labs(folder)]
        lines = sum(len(Path(f).read_text(encoding="utf-8").splitlines()) for f in files)
        labgen = [_bin("labgen"), "check", "--no-cache", str(folder)]
        marimo = [_bin("marimo"), "check", *files]
        _once(labgen, folder.parent)  # warm the disk cache and the bytecode
        _once(marimo, folder.parent)
        ours, theirs = [], []
        for _ in range(args.runs):
            ours.append(_once(labgen, folder.parent))
            theirs.append(_once(marimo, folder.parent))
    print(f"{len(files)} hand-written labs ({lines} lines) from {source}, {args.runs} rounds")
    print(f"{'':26}{'median':>9}{'best':>9}")
    for label, times in (("labgen check --no-cache", ours), ("marimo check", theirs)):
        print(f"{label:26}{statistics.median(times):9.3f}{min(times):9.3f}")
    ratio = statistics.median(ours) / statistics.median(theirs)
    print(f"labgen / marimo: {ratio:.2f}x (target: <= 1.00x)")


if __name__ == "__main__":
    main()
