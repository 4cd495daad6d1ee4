"""Wall time of `labgen build --all` (issue target: under 2 s for all labs on this machine).

Run: .venv/bin/python benchmarks/bench_build.py
Builds every spec of this repository into a scratch copy of the project, cold (labs absent) and
warm (labs present and up to date), as a user would run the command, and prints medians.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LABGEN = Path(sys.executable).with_name("labgen")


def _timed(args: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(args, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    """Print cold and warm build times."""
    with tempfile.TemporaryDirectory() as scratch:
        project = Path(scratch)
        shutil.copy(ROOT / "pyproject.toml", project / "pyproject.toml")
        shutil.copytree(ROOT / "chapters", project / "chapters")
        specs = len(list((project / "chapters").rglob("ch*.yaml")))
        cold, warm = [], []
        for _ in range(5):
            shutil.rmtree(project / "generated_labs", ignore_errors=True)
            cold.append(_timed([str(LABGEN), "build", "--all"], project))
            warm.append(_timed([str(LABGEN), "build", "--all"], project))
        check = _timed([str(LABGEN), "build", "--all", "--check"], project)
    print(
        f"labgen build --all, {specs} specs, cold (labs written)   median {statistics.median(cold):.2f} s   (target < 2 s)"
    )
    print(
        f"labgen build --all, {specs} specs, warm (up to date)     median {statistics.median(warm):.2f} s"
    )
    print(f"labgen build --all --check                               {check:.2f} s")


if __name__ == "__main__":
    main()
