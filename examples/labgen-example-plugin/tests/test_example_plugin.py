"""The example plugin's own tests: its rule's examples, its instrument and its component."""

from __future__ import annotations

import pytest
from labgen.book import chapter
from labgen.testing import assert_examples
from mlsys import Engine, Models, Systems

from labgen_example_plugin import plugin
from labgen_example_plugin.checks import TodoInText
from labgen_example_plugin.components import EnergyBar, power_share
from labgen_example_plugin.instruments import ENERGY_BAR


def test_the_rule_examples_behave(labgen_rule_examples) -> None:
    # The fixture comes from labgen's pytest plugin; it fails with a description of each
    # example that misbehaves.
    labgen_rule_examples(TodoInText)


def test_a_broken_rule_is_caught_by_the_helper() -> None:
    class Silent(TodoInText):
        def _judge(self, node, text) -> None:
            return None

    with pytest.raises(AssertionError, match=r"INVALID\[0\] at .*\n    not flagged"):
        assert_examples(Silent)


def test_the_hooks_return_the_check_and_the_instrument() -> None:
    assert plugin.labgen_checks() == [TodoInText]
    assert plugin.labgen_instruments() == [ENERGY_BAR]


def test_energy_bar_unlocks_in_chapter_12() -> None:
    assert not ENERGY_BAR.unlocked_in(chapter(1, 11))
    assert ENERGY_BAR.unlocked_in(chapter(1, 12))
    assert ENERGY_BAR.unlocked_in(chapter(2, 1))
    assert "macro instrument_energy_bar(k)" in ENERGY_BAR.template


def test_energy_bar_shows_energy_and_power_against_the_tdp() -> None:
    profile = Engine.solve(
        model=Models.ResNet50, system=Systems.H100, batch_size=8, precision="fp16", efficiency=0.5
    )
    card = EnergyBar(profile).text
    assert 'data-instrument="energy_bar"' in card
    assert "Energy per batch" in card
    assert "TDP" in card
    share = power_share(profile)
    assert 0.0 < share < 1.0
    assert f'data-share="{share:.3f}"' in card
