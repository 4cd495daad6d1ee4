"""Fixtures for the hardening tests: a scratch book project with one valid spec, and the CLI
run in this process."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from labgen.cli import main

REPO = Path(__file__).resolve().parents[2]
VALID_CH05 = REPO / "tests" / "spec" / "data" / "valid_ch05.yaml"
CH05 = Path("chapters/vol1/ch05_nn_compute.yaml")
CH04 = Path("chapters/vol1/ch04_data_engr.yaml")
LAB05 = Path("generated_labs/vol1/lab_05_nn_compute.py")


@dataclass
class Result:
    """What one ``labgen`` invocation printed and returned."""

    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        """Both streams together."""
        return self.out + self.err


def gone_pid() -> int:
    """A process id no process has: one past the largest the kernel hands out."""
    return int(Path("/proc/sys/kernel/pid_max").read_text()) + 1


def new_project(root: Path) -> Path:
    """An empty labgen project at ``root``."""
    (root / "chapters" / "vol1").mkdir(parents=True)
    (root / "chapters" / "vol2").mkdir()
    (root / "pyproject.toml").write_text("[tool.labgen]\n", encoding="utf-8")
    return root


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project holding a valid Volume 1 chapter 5 spec, as the working folder."""
    root = new_project(tmp_path / "book")
    (root / CH05).write_bytes(VALID_CH05.read_bytes())
    monkeypatch.chdir(root)
    for name in [n for n in os.environ if n.startswith("LABGEN_")]:
        monkeypatch.delenv(name)
    return root


@pytest.fixture
def labgen(capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    """Run ``labgen ARGS`` in this process; asserts that no traceback was printed."""

    def run(*args: str) -> Result:
        try:
            code = main(list(args))
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else 1
        captured = capsys.readouterr()
        result = Result(code, captured.out, captured.err)
        assert "Traceback" not in result.text
        return result

    return run
