"""Fixtures for the spec tests: a valid spec, a scratch project, and a validator to call."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from labgen.spec import SpecIndex, SpecProblem, check_spec_bytes
from mlsys.personas import Personas

DATA = Path(__file__).parent / "data"
SPEC_NAME = "vol1/ch05_nn_compute.yaml"


@pytest.fixture
def valid_text() -> str:
    """A small valid spec for Volume 1 chapter 5 (tests edit copies of it)."""
    return (DATA / "valid_ch05.yaml").read_text(encoding="utf-8")


#: The nemesis bars valid_ch05.yaml states (Volume 1 chapter 5 in mlsys.personas).
CH05_BARS = ("8,192 resident tokens", "7.5 ms", "0.8 W", "768 kB")


def restate_bars(text: str, number: int) -> str:
    """``text`` (valid_ch05.yaml, edited) with its nemesis bars moved to Volume 1 chapter
    ``number``, for tests that file the spec under another chapter."""
    units = (" resident tokens", " ms", " W", " kB")
    for persona, old, unit in zip(Personas.all(), CH05_BARS, units, strict=True):
        new = f"{persona.nemesis.targets[number - 1]:,g}{unit}"
        text = text.replace(f"nemesis: {old}", f"nemesis: {new}")
    return text


def restate_fleet_bars(text: str, number: int) -> str:
    """``text`` (valid_ch05.yaml, edited) with its nemesis bars moved to the fleet tables of
    Volume 2 chapter ``number`` (``Persona.fleet``), for tests that file the spec in Volume 2."""
    for persona, old in zip(Personas.all(), CH05_BARS, strict=True):
        nemesis = persona.fleet.nemesis
        new = f"{nemesis.targets[number - 1]:,g} {nemesis.unit}"
        text = text.replace(f"nemesis: {old}", f"nemesis: {new}")
    return text


@pytest.fixture
def edit() -> Callable[[str, str, str], str]:
    """Replace one exact piece of a spec's text (failing loudly when it is not there)."""

    def replace(text: str, old: str, new: str) -> str:
        assert old in text, f"fixture text lacks {old!r}"
        return text.replace(old, new, 1)

    return replace


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """An empty labgen project: pyproject.toml with [tool.labgen] and chapters/vol1, vol2."""
    (tmp_path / "pyproject.toml").write_text("[tool.labgen]\n", encoding="utf-8")
    (tmp_path / "chapters" / "vol1").mkdir(parents=True)
    (tmp_path / "chapters" / "vol2").mkdir(parents=True)
    return tmp_path


@pytest.fixture
def check(tmp_path: Path) -> Callable[..., list[SpecProblem]]:
    """Validate spec text as if saved at chapters/<name>; returns the located problems."""

    def run(text: str, name: str = SPEC_NAME, index: SpecIndex | None = None) -> list[SpecProblem]:
        path = tmp_path / "chapters" / name
        return check_spec_bytes(text.encode("utf-8"), path=path, shown=name, index=index).problems

    return run


@pytest.fixture
def messages(check: Callable[..., list[SpecProblem]]) -> Callable[..., list[str]]:
    """The problems of spec text as ``line:col: message`` strings (without the file name)."""

    def run(text: str, name: str = SPEC_NAME, index: SpecIndex | None = None) -> list[str]:
        return [f"{p.line}:{p.column}: {p.message}" for p in check(text, name, index)]

    return run
