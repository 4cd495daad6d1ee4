"""What a plugin author gets besides the documentation: ``labgen new-check`` (a package whose
check works and whose test passes) and ``pytest --labgen-examples`` (every registered check's
examples as tests)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REPO

MISBEHAVING = '''
from labgen import Check, hookimpl


class Wrong(Check):
    """Flags nothing although its INVALID example must be flagged.

    ## What it does
    Nothing.
    ## Why is this bad
    Test.
    ## Example
    Any.
    ## Use instead
    Nothing.
    """

    code, name = "WRG001", "wrong"
    VALID = ("x = 1\\n",)
    INVALID = ("y = 2\\n",)


@hookimpl
def labgen_checks():
    return [Wrong]
'''


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    inherited = os.environ.get("PYTHONPATH", "")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(cwd), inherited]))}
    env.pop("PYTEST_ADDOPTS", None)
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


def test_new_check_makes_a_lint_clean_package_whose_test_passes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, labgen
) -> None:
    monkeypatch.chdir(tmp_path)
    result = labgen("new-check", "NOB001", "no-breakpoint")
    assert result.code == 0
    folder = tmp_path / "labgen-no-breakpoint"
    assert sorted(p.name for p in folder.iterdir()) == [
        "no_breakpoint.py",
        "pyproject.toml",
        "test_no_breakpoint.py",
    ]
    for command in (["check", "--select", "E,F,W,I,B,UP"], ["format", "--check"]):
        linted = _run(folder, "-m", "ruff", *command, "--isolated", ".")
        assert linted.returncode == 0, linted.stdout
    tested = _run(folder, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist")
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "1 passed" in tested.stdout
    again = labgen("new-check", "NOB001", "no-breakpoint")
    assert again.code == 1
    assert "already exists; refusing to overwrite it" in again.err


@pytest.mark.parametrize(
    ("code", "name", "says"),
    [
        ("LAB500", "mine", "the LAB prefix is labgen's own"),
        ("nop1", "mine", "must be letters then digits"),
        ("NOP001", "No Print", "must be kebab-case"),
    ],
)
def test_new_check_refuses_bad_codes_and_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, labgen, code: str, name: str, says: str
) -> None:
    monkeypatch.chdir(tmp_path)
    result = labgen("new-check", code, name)
    assert result.code == 2
    assert says in result.err
    assert list(tmp_path.iterdir()) == []


def test_pytest_collects_every_registered_checks_examples(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.labgen]\nplugins = ["wrong_plugin"]\n')
    (tmp_path / "wrong_plugin.py").write_text(MISBEHAVING)
    ran = _run(
        tmp_path,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:xdist",
        "--labgen-examples",
        "-k",
        "WRG001 or LAB005",
        f"--rootdir={tmp_path}",
    )
    assert ran.returncode == 1, ran.stdout + ran.stderr
    assert "1 failed, 1 passed" in ran.stdout
    assert "Wrong (WRG001 wrong): 1 of 2 examples misbehave" in ran.stdout
    assert "INVALID[0]" in ran.stdout


def test_without_the_option_nothing_is_added(tmp_path: Path) -> None:
    (tmp_path / "test_one.py").write_text("def test_one():\n    pass\n")
    ran = _run(tmp_path, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist")
    assert ran.returncode == 0
    assert "1 passed" in ran.stdout
    assert str(REPO) not in ran.stdout
