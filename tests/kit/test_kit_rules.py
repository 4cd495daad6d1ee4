"""The rules the kit keeps: the contract's names, one palette, documented components, nothing
that does file or network I/O, and charts coloured from style.py only."""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from pathlib import Path

import altair as alt
import pytest

from labs.core import style
from labs.core.components import (
    LatencyWaterfall,
    P99Histogram,
    ParetoCurve,
    Roofline,
)
from mlsys import Engine, Models, Systems, ureg

ROOT = Path(__file__).resolve().parents[2]
KIT = ROOT / "labs" / "core"
HEX_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}|#[0-9A-Fa-f]{3}|rgba?\([^)]*\)")

CONTRACT = {
    "labs.core.components": [
        "LabHeader",
        "MathPeek",
        "LatencyWaterfall",
        "ParetoCurve",
        "P99Histogram",
        "Roofline",
        "MetricCards",
        "PredictionComparison",
        "PredictionLock",
        "PredictionInput",
        "StakeholderReflection",
        "TrackSelector",
        "SafeMarkdown",
    ],
    "labs.core.state": ["LedgerPanel", "record_design"],
}


@pytest.mark.parametrize("module", sorted(CONTRACT))
def test_contract_names_exist_and_are_documented(module):
    loaded = importlib.import_module(module)
    for name in CONTRACT[module]:
        component = getattr(loaded, name)
        assert inspect.getdoc(component), f"{module}.{name} has a docstring"


def test_the_package_reexports_the_same_components():
    import labs.core

    for module, names in CONTRACT.items():
        loaded = importlib.import_module(module)
        for name in names:
            assert getattr(labs.core, name) is getattr(loaded, name)


def kit_modules():
    return sorted(KIT.glob("*.py"))


def test_every_public_function_is_documented():
    for path in kit_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        public = [n for n in tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef)]
        public = [n for n in public if not n.name.startswith("_")]
        methods = [
            m
            for cls in public
            if isinstance(cls, ast.ClassDef)
            for m in cls.body
            if isinstance(m, ast.FunctionDef) and not m.name.startswith("_")
        ]
        for node in public + methods:
            assert ast.get_docstring(node), f"{path.name}:{node.lineno} {node.name}"


FORBIDDEN_IMPORTS = {
    "os",
    "pathlib",
    "socket",
    "urllib",
    "http",
    "requests",
    "subprocess",
    "shutil",
    "io",
}


def test_the_kit_does_no_file_or_network_io():
    for path in kit_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                roots = {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                roots = {(node.module or "").split(".")[0]}
            else:
                roots = set()
            assert not roots & FORBIDDEN_IMPORTS, f"{path.name}:{node.lineno} imports {roots}"
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in {"open", "eval", "exec"}, f"{path.name}:{node.lineno}"


def test_colours_are_written_only_in_style():
    # A colour value is a string literal that is a colour and nothing else; documentation that
    # mentions one inside a sentence (or a check's examples of what it rejects) is not a value.
    offenders = []
    for folder in ("labs", "mlsys", "labgen", "generated_labs"):
        for path in (ROOT / folder).rglob("*.py"):
            if path == KIT / "style.py":
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                is_text = isinstance(node, ast.Constant) and isinstance(node.value, str)
                if is_text and HEX_COLOUR.fullmatch(node.value.strip()):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_no_kit_module_but_style_mentions_a_colour_at_all():
    # Inside the kit even an inline CSS colour in an HTML string would slip past the check above.
    for path in kit_modules():
        if path.name != "style.py":
            assert not HEX_COLOUR.search(path.read_text(encoding="utf-8")), path.name


def test_style_writes_the_colours_the_kit_uses():
    tree = ast.parse((KIT / "style.py").read_text(encoding="utf-8"))
    written = {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
        if HEX_COLOUR.fullmatch(node.value)
    }
    assert {style.BLUE_LINE, style.RED_LINE, style.GREEN_LINE} <= written


def test_palette_is_the_books():
    assert (style.BLUE_LINE, style.RED_LINE, style.GREEN_LINE) == ("#006395", "#CB202D", "#008F45")
    assert style.ROLE["overhead"] == style.RED_LINE
    assert ".lg-locked {" in style.LAB_CSS
    assert "blur(" in style.LAB_CSS


def test_theme_registers_and_uses_the_palette():
    style.register_theme()
    assert alt.theme.active == style.THEME_NAME
    assert style.BLUE_LINE in style.altair_theme()["config"]["range"]["category"]


def test_every_chart_is_valid_vega_lite_coloured_from_the_palette(
    resnet_profile, vega_specs, chart_colours
):
    palette = {
        style.BLUE_LINE,
        style.RED_LINE,
        style.GREEN_LINE,
        style.INK,
        style.MUTED,
        style.RULE,
        style.PAPER,
        style.WHITE,
    }
    sweep = Engine.sweep(model=Models.ResNet50, system=Systems.H100, batch_size=[1, 8, 64])
    samples = [ureg.Quantity(1.0 + 2.0 * i / 49, "ms") for i in range(50)]
    cards = [
        LatencyWaterfall(resnet_profile),
        ParetoCurve(sweep, design=resnet_profile),
        P99Histogram(
            samples, ureg.Quantity(2.0, "ms"), ureg.Quantity(2.9, "ms"), ureg.Quantity(5.0, "ms")
        ),
        Roofline(resnet_profile),
    ]
    for card in cards:
        (spec,) = vega_specs(card)
        # The kit renders without altair's per-redraw validation; the schema is checked here.
        alt.Root.validate(spec)
        used = chart_colours(spec)
        assert used
        assert used <= palette
