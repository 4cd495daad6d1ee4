"""examples/labgen-example-plugin, installed and used through its entry point, end to end.

Each test runs labgen in a new process that sees the plugin installed (a ``pip --target``
site folder on PYTHONPATH), so this test process and the venv never load it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from .conftest import (
    CH12,
    EXAMPLE,
    LAB12,
    labgen_in,
    new_book,
    python_in,
    use_energy_bar,
)


@pytest.fixture(scope="module")
def built_book(tmp_path_factory: pytest.TempPathFactory, example_site: Path) -> Path:
    """A book whose ch12 observes energy_bar in KAT 3, built with the plugin installed."""
    root = new_book(tmp_path_factory.mktemp("energy") / "book")
    use_energy_bar(root)
    result = labgen_in(root, "build", "ch12", sites=(example_site,))
    assert (result.code, result.err) == (0, ""), result.out
    assert result.out == f"built {LAB12.as_posix()}\n"
    return root


def test_labgen_plugins_lists_the_example_with_its_distribution_and_hooks(
    tmp_path: Path, example_site: Path
) -> None:
    result = labgen_in(tmp_path, "plugins", "--json", sites=(example_site,))
    assert result.code == 0, result.err
    rows = {row["name"]: row for row in json.loads(result.out)}
    assert rows["example"] == {
        "name": "example",
        "distribution": "labgen-example-plugin",
        "version": "0.1.0",
        "origin": "entry point",
        "module": "labgen_example_plugin.plugin",
        "hooks": ["labgen_checks", "labgen_instruments"],
        "rules": ["EXA001 todo-in-text"],
        "instruments": ["energy_bar (Volume 1 chapter 12)"],
        "output_formats": [],
        "errors": [],
    }
    text = labgen_in(tmp_path, "plugins", sites=(example_site,)).out
    assert (
        "example (labgen-example-plugin 0.1.0; entry point, labgen_example_plugin.plugin)" in text
    )
    blocked = labgen_in(tmp_path, "plugins", "--json", "-p", "no:example", sites=(example_site,))
    assert "example" not in {row["name"] for row in json.loads(blocked.out)}
    # Without the site folder the plugin is not installed: it is not listed.
    alone = labgen_in(tmp_path, "plugins", "--json")
    assert "example" not in {row["name"] for row in json.loads(alone.out)}


def test_a_spec_using_its_instrument_validates_only_with_the_plugin(
    tmp_path: Path, example_site: Path
) -> None:
    root = new_book(tmp_path / "book")
    use_energy_bar(root)
    assert labgen_in(root, "validate", "ch12", sites=(example_site,)).code == 0
    lines = (root / CH12).read_text(encoding="utf-8").splitlines()
    line = lines.index("    instrument: energy_bar") + 1
    for args in (("-p", "no:example"), ("--no-plugins",)):
        off = labgen_in(root, "validate", "ch12", *args, sites=(example_site,))
        assert off.code == 1
        where = f"{CH12.as_posix()}:{line}:17"
        assert f"{where}: kat3.instrument: unknown instrument 'energy_bar'" in off.out
    # Gating: chapter 11 has not unlocked it.
    spec11 = root / "chapters/vol1/ch11_hw_accel.yaml"
    text = spec11.read_text(encoding="utf-8")
    spec11.write_text(
        text.replace("instruments: [", "instruments: [energy_bar, ", 1), encoding="utf-8"
    )
    early = labgen_in(root, "validate", "ch11", sites=(example_site,))
    assert early.code == 1
    assert "instrument 'energy_bar' unlocks in Volume 1 chapter 12" in early.out


def test_the_built_lab_imports_the_component_and_passes_every_check(
    built_book: Path, example_site: Path
) -> None:
    source = (built_book / LAB12).read_text(encoding="utf-8")
    assert "    from labgen_example_plugin.components import EnergyBar\n" in source
    assert "            EnergyBar(kat3_profile),\n            MathPeek(kat3_profile.math),\n" in (
        source
    )
    checked = labgen_in(
        built_book,
        "check",
        LAB12.as_posix(),
        "--no-cache",
        "--output-format",
        "json",
        sites=(example_site,),
    )
    assert (checked.code, json.loads(checked.out)) == (0, [])
    # The build is deterministic and up to date.
    again = labgen_in(built_book, "build", "ch12", "--check", sites=(example_site,))
    assert again.code == 0, again.out


def test_the_built_lab_runs_and_shows_the_energy_bar(built_book: Path, example_site: Path) -> None:
    result = python_in(
        built_book,
        """
        import json
        from pathlib import Path

        from labgen.book import chapter
        from labgen.rendering.execute import project_spec, run_lab

        spec = project_spec(Path("."), chapter(1, 12))
        shown = {}
        for track in ("cloud_titan", "edge_guardian", "mobile_nomad", "tiny_pioneer"):
            outputs, defs = run_lab(Path("generated_labs/vol1/lab_12_perf_bench.py"), spec, track)
            html = "".join(getattr(o, "text", "") for o in outputs if o is not None)
            shown[track] = [html.count('data-instrument="energy_bar"'), str(defs["kat3_profile"].energy.units)]
        print(json.dumps(shown))
        """,
        sites=(example_site,),
    )
    assert result.code == 0, result.err
    assert json.loads(result.out) == {
        track: [1, "joule"]
        for track in ("cloud_titan", "edge_guardian", "mobile_nomad", "tiny_pioneer")
    }


def test_labgen_check_runs_its_rule_and_p_no_turns_it_off(
    built_book: Path, example_site: Path, tmp_path: Path
) -> None:
    root = tmp_path / "book"
    shutil.copytree(built_book, root)
    lab = root / LAB12
    lab.write_text(
        lab.read_text(encoding="utf-8").replace(
            '"Reproduce a published result"', '"TODO Reproduce a published result"'
        ),
        encoding="utf-8",
    )
    lab_only = (LAB12.as_posix(), "--output-format", "json")
    found = labgen_in(root, "check", *lab_only, sites=(example_site,))
    assert found.code == 1
    assert [(d["code"], d["name"], d["filename"]) for d in json.loads(found.out)] == [
        ("EXA001", "todo-in-text", LAB12.as_posix())
    ]
    assert "`TODO` left in lab text" in json.loads(found.out)[0]["message"]
    off = labgen_in(root, "check", *lab_only, "-p", "no:example", sites=(example_site,))
    assert "EXA001" not in {d["code"] for d in json.loads(off.out)}
    assert labgen_in(root, "rule", "EXA001", sites=(example_site,)).out.startswith(
        "# todo-in-text (EXA001)\n\nLab text still says TODO or FIXME."
    )
    assert labgen_in(root, "rule", "EXA001", "-p", "no:example", sites=(example_site,)).code == 2


def test_test_rules_runs_the_plugin_rule_from_the_command_line(
    tmp_path: Path, example_site: Path
) -> None:
    result = labgen_in(tmp_path, "test-rules", "EXA", sites=(example_site,))
    assert (result.code, result.out) == (
        0,
        "ok     EXA001 todo-in-text (1 valid, 2 invalid)\n1 rule: 1 passed, 0 failed\n",
    )
    assert (
        labgen_in(tmp_path, "test-rules", "EXA", "-p", "no:example", sites=(example_site,)).code
        == 2
    )


def test_the_example_plugin_own_tests_pass_with_labgen_s_pytest_plugin(
    tmp_path: Path, example_site: Path
) -> None:
    tests = tmp_path / "tests"
    shutil.copytree(EXAMPLE / "tests", tests)
    result = python_in(
        tmp_path,
        """
        import sys
        import pytest
        sys.exit(pytest.main(["-q", "-p", "no:cacheprovider", "-p", "no:xdist", "tests"]))
        """,
        sites=(example_site,),
    )
    assert result.code == 0, result.out + result.err
    assert "5 passed" in result.out
