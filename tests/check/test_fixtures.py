"""Whole labs: the clean fixtures pass every rule, each broken variant reports exactly what its
mistake breaks, and the project's real generated labs pass."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from labgen.checking.testing import check_source
from labgen.checks import builtin_checks

from .broken_variants import broken_variants
from .conftest import CLEAN_LABS

RULES = builtin_checks()
REPO = Path(__file__).resolve().parents[2]
BROKEN = broken_variants()
CLEAN = sorted(CLEAN_LABS.rglob("lab_*.py"))
GENERATED = sorted((REPO / "generated_labs").rglob("lab_*.py"))


def _relpath(lab: Path, base: Path) -> str:
    return "generated_labs/" + lab.relative_to(base).as_posix()


@pytest.mark.parametrize("lab", CLEAN, ids=lambda p: p.name)
def test_clean_fixture_lab_passes_every_rule(lab: Path) -> None:
    found = check_source(lab.read_text(encoding="utf-8"), RULES, path=_relpath(lab, CLEAN_LABS))
    assert found == []


def test_there_are_clean_fixtures_for_two_chapters() -> None:
    assert [p.name for p in CLEAN] == ["lab_02_ml_systems.py", "lab_13_model_serving.py"]


@pytest.mark.parametrize("variant", sorted(BROKEN))
def test_broken_variant_reports_exactly_its_mistakes(variant: str) -> None:
    entry = BROKEN[variant]
    found = Counter(
        d.code for d in check_source(entry.text, RULES, path=f"generated_labs/{entry.relpath}")
    )
    assert dict(found) == entry.expect


def test_every_lab_rule_is_provoked_by_some_broken_variant() -> None:
    provoked = {code for entry in BROKEN.values() for code in entry.expect}
    assert provoked >= {f"LAB{n:03d}" for n in range(16)}


def test_clean_fixtures_are_valid_marimo_notebooks() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "marimo", "check", "--strict", *map(str, CLEAN)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_repository_has_generated_labs() -> None:
    assert GENERATED, "labgen build has produced no lab under generated_labs/"


@pytest.mark.parametrize("lab", GENERATED, ids=lambda p: p.name)
def test_real_generated_lab_passes_every_rule(lab: Path) -> None:
    relpath = _relpath(lab, REPO / "generated_labs")
    found = check_source(lab.read_text(encoding="utf-8"), RULES, path=relpath)
    assert found == [], "\n".join(f"{d.line}:{d.column} {d.code} {d.message}" for d in found)
