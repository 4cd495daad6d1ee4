"""Plugin instruments reach the build: their template macro renders the Observe cell in the
sandbox, the lab imports their component by its dotted path, and mistakes are one line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from labgen.instruments import BUILTIN_INSTRUMENTS, Instrument, instrument_problem
from labgen.rendering.pipeline import plugin_templates

from .conftest import LAB12, Result, use_energy_bar

Run = Callable[..., Result]

MACRO = """
{% macro instrument_energy_bar(k) -%}
{{ k.solve }}
mo.vstack([{{ k.metrics }}EnergyBar({{ k.name }}_profile), MathPeek({{ k.name }}_profile.math), {{ k.verdict }}])
{%- endmacro %}
"""

KIT = '''
from labgen import hookimpl
from labgen.instruments import Instrument

TEMPLATE = {template!r}


def EnergyBar(profile):
    """Shows the energy of one batch (J)."""
    return profile.energy


@hookimpl
def labgen_instruments():
    return [
        Instrument(
            "energy_bar", 12, "{component}", "instrument_energy_bar", "Energy bar",
            template=TEMPLATE,
        )
    ]
'''


def kit(template: str = MACRO, component: str = "book_kit.EnergyBar") -> str:
    """A project plugin module adding energy_bar with ``template`` and ``component``."""
    return KIT.format(template=template, component=component)


@pytest.fixture
def energy_book(book: Path) -> Path:
    """The book with ch12's KAT 3 observing energy_bar."""
    use_energy_bar(book)
    return book


def test_a_project_plugin_instrument_builds_a_lab_that_imports_its_component(
    energy_book: Path, project_plugins: Callable[..., None], run_cli: Run
) -> None:
    project_plugins(book_kit=kit())
    assert run_cli("validate", "ch12").code == 0
    result = run_cli("build", "ch12")
    assert (result.code, result.err) == (0, "")
    source = (energy_book / LAB12).read_text(encoding="utf-8")
    # Installed plugins' components sort with the third-party imports (isort's order).
    assert "    import marimo as mo\n    from book_kit import EnergyBar\n\n    from labs" in source
    assert "EnergyBar(kat3_profile),\n            MathPeek(kat3_profile.math)," in source
    assert "LatencyWaterfall" not in source
    checked = run_cli("check", LAB12.as_posix(), "--no-cache", "--output-format", "concise")
    assert (checked.code, checked.out) == (0, "All checks passed: 1 file, no problems.\n")
    assert run_cli("build", "ch12", "--check").code == 0


def test_without_the_plugin_the_spec_is_invalid_and_nothing_is_written(
    energy_book: Path, project_plugins: Callable[..., None], run_cli: Run
) -> None:
    project_plugins(book_kit=kit())
    for options in (["--no-plugins"], ["-p", "no:book_kit"]):
        result = run_cli("build", "ch12", *options)
        assert result.code == 1
        assert "kat3.instrument: unknown instrument 'energy_bar'" in result.out
    assert not (energy_book / "generated_labs").exists()


@pytest.mark.parametrize(
    ("template", "component", "message"),
    [
        (
            "{% macro instrument_energy_bar(k) %}{{ k.solve }",
            "book_kit.EnergyBar",
            "error: instrument 'energy_bar': its template does not parse, line 1: unexpected '}'",
        ),
        (
            "{% macro other(k) %}{{ k.solve }}{% endmacro %}",
            "book_kit.EnergyBar",
            "error: instrument 'energy_bar': its template defines no macro 'instrument_energy_bar'",
        ),
        (
            # Spec text never becomes code: a macro may print only what labgen hands it.
            "{% macro instrument_energy_bar(k) %}{{ k.solve }}\n{{ 'import os' }}{% endmacro %}",
            "book_kit.EnergyBar",
            "error: cannot render lab_12_perf_bench: a template printed a raw str ('import os')",
        ),
        (
            MACRO.replace("EnergyBar", "MathPeek"),
            "book_kit.MathPeek",
            "error: instrument 'energy_bar': its component name 'MathPeek' is taken by `from "
            "labs.core.components import MathPeek`; give the component another name",
        ),
    ],
    ids=["syntax", "no-macro", "raw-text", "name-clash"],
)
def test_a_broken_plugin_template_is_one_line_exit_2_and_nothing_written(
    energy_book: Path,
    project_plugins: Callable[..., None],
    run_cli: Run,
    template: str,
    component: str,
    message: str,
) -> None:
    project_plugins(book_kit=kit(template, component))
    result = run_cli("build", "ch12")
    assert result.code == 2
    assert result.err.startswith(message)
    assert result.err.count("\n") == 1
    assert not (energy_book / "generated_labs").exists()


def test_plugin_templates_are_keyed_by_instrument_id() -> None:
    with_template = Instrument("energy_bar", 12, "kit.EnergyBar", "m", "E", template="T")
    assert plugin_templates([*BUILTIN_INSTRUMENTS, with_template]) == {
        "instruments/energy_bar.j2": "T"
    }


@pytest.mark.parametrize(
    ("instrument", "problem"),
    [
        (
            Instrument("energy_bar", 17, "kit.EnergyBar", "m", "E"),
            "Volume 1 has no chapter 17 to unlock it",
        ),
        (
            Instrument("energy_bar", 12, "EnergyBar", "m", "E"),
            "component 'EnergyBar' must be a dotted path, module.Name",
        ),
        (
            Instrument("energy_bar", 12, "kit.EnergyBar", "draw-it", "E"),
            "macro 'draw-it' must be a Jinja2 macro name",
        ),
        ("energy_bar", "'energy_bar' is not a labgen.instruments.Instrument"),
    ],
)
def test_instrument_shape_problems_are_named(instrument: object, problem: str) -> None:
    found = instrument_problem(instrument)
    assert found is not None
    assert found.endswith(problem)


def test_builtin_instruments_have_no_shape_problem() -> None:
    assert [instrument_problem(i) for i in BUILTIN_INSTRUMENTS] == [None] * len(BUILTIN_INSTRUMENTS)
