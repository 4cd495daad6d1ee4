"""Every rule: its metadata, its documentation, and its VALID and INVALID examples."""

from __future__ import annotations

import re

import pytest

from labgen.checking.check import DOC_SECTIONS, Check
from labgen.checking.examples import as_example
from labgen.checking.testing import example_failures
from labgen.checks import builtin_checks
from labgen.plugins import Plugins

#: The rules issue 7 names (and issue 17 adds), with the codes they keep for good.
EXPECTED = {
    "LAB000": "syntax-error",
    "LAB001": "engine-only-math",
    "LAB002": "magic-constant",
    "LAB003": "unknown-api",
    "LAB004": "duplicate-definition",
    "LAB005": "math-peek",
    "LAB006": "waterfall-overhead",
    "LAB007": "prediction-lock",
    "LAB008": "instrument-gating",
    "LAB009": "slug-parity",
    "LAB010": "wasm-io",
    "LAB011": "units",
    "LAB012": "palette",
    "LAB013": "node-invariant",
    "LAB014": "ledger-update",
    "LAB015": "lab-structure",
    "LAB016": "private-across-cells",
    "LAB017": "output-never-shown",
    "LAB018": "answer-before-prediction",
    "LAB019": "verdict-on-controls",
    "LAB100": "unused-noqa",
    "LAB999": "internal-error",
}
RULES = builtin_checks()


def test_the_builtin_rules_are_exactly_the_issues_list(plugins: Plugins) -> None:
    assert {c.code: c.name for c in plugins.checks} == EXPECTED


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_rule_documentation_has_the_four_sections(rule: type[Check]) -> None:
    sections = rule.sections()
    assert list(sections) == list(DOC_SECTIONS)
    assert all(len(text) > 20 for text in sections.values())
    assert rule.summary()
    assert not rule.summary().startswith("#")


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_rule_module_is_named_after_the_rule(rule: type[Check]) -> None:
    assert rule.__module__ == "labgen.checks." + rule.name.replace("-", "_")


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_rule_examples_behave(rule: type[Check], plugins: Plugins) -> None:
    # Every other rule runs beside it, as in a real run (noqa judgements depend on that).
    failures = example_failures(rule, plugins.checks)
    assert not failures, "\n".join(map(str, failures))


@pytest.mark.parametrize("rule", [r for r in RULES if r.code != "LAB999"], ids=lambda r: r.code)
def test_every_rule_has_invalid_and_valid_examples(rule: type[Check]) -> None:
    assert rule.VALID
    assert rule.INVALID


def test_fixable_rules_show_a_fix_in_an_example() -> None:
    for rule in RULES:
        fixed = [as_example(e) for e in rule.INVALID if as_example(e).fixed is not None]
        assert bool(fixed) == rule.fixable, rule.code


def test_codes_and_names_have_the_documented_shapes() -> None:
    for rule in RULES:
        assert re.fullmatch(r"LAB\d{3}", rule.code)
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", rule.name)
