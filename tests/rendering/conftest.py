"""Fixtures for build tests: a throwaway book project holding copies of real specs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from labgen.cli import main

ROOT = Path(__file__).resolve().parents[2]
GOLDEN_SPEC = Path(__file__).parent / "golden" / "chapters" / "vol1" / "ch05_nn_compute.yaml"


@pytest.fixture
def book(tmp_path, monkeypatch):
    """A project folder with [tool.labgen] and the golden ch05 spec, as the current directory."""
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "book"\n\n[tool.labgen]\n', encoding="utf-8"
    )
    spec_dir = tmp_path / "chapters" / "vol1"
    spec_dir.mkdir(parents=True)
    shutil.copy(GOLDEN_SPEC, spec_dir / "ch05_nn_compute.yaml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def labgen(capsys):
    """Run the labgen CLI in-process: returns (exit code, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run
