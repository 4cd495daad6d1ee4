"""Labs written by hand in the shape of the textbook's own (1,200-line notebooks with inline
HTML, emscripten set-up branches, builder functions inside one tabs cell): the rules find the
defects such labs shipped, at the right line and column, and leave their legitimate code alone.

The fixtures live in ``fixtures/handwritten``; only ``vol1/lab_05_nn_compute.py`` carries the
planted defects. A place is named by a snippet of its line, so the expectations survive edits.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from labgen.checking.diagnostics import Diagnostic
from labgen.checking.testing import check_source
from labgen.checks import builtin_checks

HANDWRITTEN = Path(__file__).parent / "fixtures" / "handwritten"
SHAPES = HANDWRITTEN / "vol1" / "lab_05_nn_compute.py"
OTHERS = sorted(p for p in HANDWRITTEN.rglob("lab_*.py") if p != SHAPES)
#: Rules whose findings on the fixtures are all planted (arithmetic, figures and colours are
#: everywhere in hand-written labs, and are true findings there).
PLANTED_ONLY = ("LAB003", "LAB008", "LAB010", "LAB016", "LAB017", "LAB018")


@cache
def _findings(path: Path) -> tuple[Diagnostic, ...]:
    relpath = "labs/" + path.relative_to(HANDWRITTEN).as_posix()
    return tuple(check_source(path.read_text(encoding="utf-8"), builtin_checks(), path=relpath))


def _place(snippet: str, after: str = "") -> tuple[int, int]:
    """(line, 1-based column) of ``snippet`` in the shapes lab (the first after ``after``)."""
    lines = SHAPES.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if after in line) if after else 0
    for number, line in enumerate(lines[start:], start=start + 1):
        if snippet in line:
            return number, line.index(snippet) + 1
    raise AssertionError(f"snippet not in the fixture: {snippet!r}")


def _at(code: str, line: int) -> list[Diagnostic]:
    return [d for d in _findings(SHAPES) if d.code == code and d.line == line]


@pytest.mark.parametrize(
    ("code", "snippet"),
    [
        ("LAB012", "#475569"),  # a colour on the fifth line of an HTML string
        ("LAB018", "23% of inference time"),  # the briefing gives Part A's answer away
        ("LAB002", "80_000_000"),  # an HBM capacity typed in
        ("LAB002", "1.5 if _is_mobile else 2.1"),  # clock rates in a conditional
        ("LAB002", "y=80_000"),  # a chart line at "H100 (80 GB)"
        ("LAB010", "import scipy"),
        ("LAB003", "FailureBanner"),  # not a name of the kit
        ("LAB008", "ParetoCurve as Frontier"),  # imported under an alias in chapter 5
        ("LAB008", "Frontier([])"),  # and used
        ("LAB016", "_get_tier,)"),  # a private name returned
        ("LAB016", "_scale} tiers"),  # another cell's private name read
        ("LAB017", "_dashboard = "),  # a dashboard never displayed
        ("LAB017", "part_e_phase = "),  # a widget never placed on the page
        ("LAB017", "part_e_depth = "),  # a widget other cells only read `.value` of
    ],
)
def test_the_defect_is_reported_at_its_line_and_column(code: str, snippet: str) -> None:
    line, column = _place(snippet)
    found = _at(code, line)
    assert found, f"{code} not reported on line {line}"
    if code in ("LAB012", "LAB018", "LAB008", "LAB016"):
        assert column in {d.column for d in found}


@pytest.mark.parametrize(
    ("code", "snippet"),
    [
        ("LAB001", '_src = _root / "src"'),  # a path join
        ("LAB010", "from pathlib import Path"),  # used only outside the browser
        ("LAB010", "import torch"),  # in the `elif` of the emscripten test
        ("LAB010", "import plotly.graph_objects as go"),  # installed with micropip
        ("LAB012", "color: white"),
        ("LAB012", "rgba(0, 0, 0, 0.35)"),
        ("LAB012", "background: transparent"),
        ("LAB002", "BUDGET_USD = 2_500_000"),  # money, not hardware
        ("LAB002", "_t_compute_ms = _work / (_peak_tflops * 1e12) * 1000"),  # conversions
        ("LAB018", '"C) ~23% (significant cost)"'),  # the option itself
        ("LAB017", "items.append(part_a_prediction)"),  # shown through the builder's list
        ("LAB016", "_scale = 4"),  # bound in its own cell
        ("LAB016", "Tiers are checked {_scale}"),  # and read there
    ],
)
def test_legitimate_code_is_not_reported(code: str, snippet: str) -> None:
    line, _ = _place(snippet)
    assert _at(code, line) == []


@pytest.mark.parametrize("lab", OTHERS, ids=lambda p: p.name)
def test_labs_without_planted_defects_have_none_of_those_findings(lab: Path) -> None:
    found = [d for d in _findings(lab) if d.code in PLANTED_ONLY or d.code == "LAB999"]
    assert found == [], "\n".join(f"{d.line}:{d.column} {d.code} {d.message}" for d in found)


def test_every_planted_finding_is_expected() -> None:
    planted = sorted((d.code, d.line) for d in _findings(SHAPES) if d.code in PLANTED_ONLY)
    assert len(planted) == 10, planted


def test_the_fixtures_have_the_size_of_the_books_labs() -> None:
    sizes = [len(p.read_text(encoding="utf-8").splitlines()) for p in [SHAPES, *OTHERS]]
    assert len(sizes) == 4
    assert min(sizes) >= 1000
