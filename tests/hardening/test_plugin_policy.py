"""What labgen asks of a plugin's checks and notices of its files: LAB codes are labgen's own,
and cached results depend on every file the plugin's distribution ships."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

from labgen.plugins import PluginError, load_plugins

HOOKS = '''
from labgen import Check, hookimpl
from helpers_pkg import MESSAGE


class Rule(Check):
    """Reports nothing.

    ## What it does
    Nothing.
    ## Why is this bad
    Test.
    ## Example
    Any.
    ## Use instead
    Nothing.
    """

    code, name = "{code}", "quiet-rule"
    VALID = ("x = 1\\n",)


@hookimpl
def labgen_checks():
    return [Rule]
'''


def _install(site: Path, code: str = "HLP001") -> None:
    """An installed distribution whose hook module imports a helper package it also ships."""
    info = site / "helper_plugin-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: helper-plugin\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[labgen]\nhelper_plugin = plugin_hooks\n")
    (info / "RECORD").write_text(
        "plugin_hooks.py,,\nhelpers_pkg/__init__.py,,\nhelper_plugin-1.0.dist-info/RECORD,,\n"
    )
    (site / "plugin_hooks.py").write_text(HOOKS.replace("{code}", code))
    (site / "helpers_pkg").mkdir()
    (site / "helpers_pkg" / "__init__.py").write_text("MESSAGE = 'one'\n")


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    folder = tmp_path / "site"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    yield folder
    for name in ("plugin_hooks", "helpers_pkg"):
        sys.modules.pop(name, None)
    importlib.invalidate_caches()


def test_an_edit_of_a_helper_package_changes_the_fingerprint(site: Path) -> None:
    _install(site)
    before = dict(load_plugins().fingerprint())
    assert "helper_plugin" in before
    (site / "helpers_pkg" / "__init__.py").write_text("MESSAGE = 'a longer message'\n")
    after = dict(load_plugins().fingerprint())
    assert after["helper_plugin"] != before["helper_plugin"]
    assert after["labgen.checks"] == before["labgen.checks"]


def test_a_plugin_may_not_use_labgens_own_prefix(site: Path) -> None:
    _install(site, code="LAB500")
    plugins = load_plugins()
    with pytest.raises(PluginError, match="uses the LAB prefix, which is labgen's own"):
        _ = plugins.checks
