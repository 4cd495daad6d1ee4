"""Ctrl-C during a parallel ``labgen check`` ends it, workers included, even when a plugin's
check never returns (issue 18, item 15)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ENDLESS = '''
from labgen import Check, hookimpl


class Endless(Check):
    """Never finishes.

    ## What it does
    Loops.
    ## Why is this bad
    Test.
    ## Example
    Any.
    ## Use instead
    Nothing.
    """

    code, name = "END001", "endless"

    def visit_Module(self, node):
        while True:
            pass


@hookimpl
def labgen_checks():
    return [Endless]
'''


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        text = (task / "children").read_text() if (task / "children").exists() else ""
        found |= {int(child) for child in text.split()}
    return found


def _running(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


def _wait_for(condition, limit: float = 60.0) -> bool:  # type: ignore[no-untyped-def]
    """Poll ``condition`` until it holds (True) or ``limit`` seconds pass (False)."""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_ctrl_c_in_a_parallel_run_leaves_no_worker(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.labgen]\nplugins = ["endless"]\n')
    (tmp_path / "endless.py").write_text(ENDLESS)
    labs = tmp_path / "labs"
    labs.mkdir()
    for number in range(6):
        (labs / f"lab_{number}.py").write_text(f"x_{number} = {number}\n")
    command = [sys.executable, "-m", "labgen.cli", "check", "labs", "-j", "2", "--no-cache"]
    command += ["--set", "check.timeout=0"]
    process = subprocess.Popen(
        command,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        assert _wait_for(lambda: len(_children(process.pid)) >= 2), "no workers started"
        workers = _children(process.pid)
        os.killpg(process.pid, signal.SIGINT)
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 130
    assert b"Traceback" not in err
    assert _wait_for(lambda: not any(_running(pid) for pid in workers), limit=10)
