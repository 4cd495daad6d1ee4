"""Shared helpers for the tests of ``labgen check``."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from labgen.cli import main
from labgen.plugins import Plugins, load_plugins

FIXTURES = Path(__file__).parent / "fixtures"
CLEAN_LABS = FIXTURES / "generated_labs"


@dataclass
class CliResult:
    """What one ``labgen`` invocation printed and returned."""

    code: int
    out: str
    err: str


@pytest.fixture(scope="session")
def plugins() -> Plugins:
    """The built-in plugins (no installed ones), loaded once."""
    return load_plugins(entry_points=False)


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Run ``labgen ARGS`` in this process; SystemExit becomes the exit code."""

    def run(*args: str) -> CliResult:
        try:
            code = main(list(args))
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else 1
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A labgen project holding the clean fixture labs, as the working folder."""
    (tmp_path / "pyproject.toml").write_text("[tool.labgen]\n", encoding="utf-8")
    shutil.copytree(CLEAN_LABS, tmp_path / "generated_labs")
    monkeypatch.chdir(tmp_path)
    for name in [n for n in list(__import__("os").environ) if n.startswith("LABGEN_")]:
        monkeypatch.delenv(name)
    return tmp_path


def write(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` (creating folders) and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
