"""A plugin that fails never takes a command down: one line naming it, exit 2, no traceback,
and for the build nothing written. Installed (entry point) plugins run in subprocesses."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import CH12, LAB12, Result, fake_distribution, labgen_in, new_book, use_energy_bar

Run = Callable[..., Result]

BROKEN_IMPORT = "raise ImportError('needs the energy-meter package')\n"
RAISING_HOOK = """
from labgen import hookimpl

@hookimpl
def labgen_instruments():
    raise RuntimeError("no energy meter")
"""


@pytest.fixture(scope="module")
def broken_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An installed distribution whose labgen plugin module fails to import."""
    site = tmp_path_factory.mktemp("broken") / "site"
    fake_distribution(
        site, "labgen-broken-meter", {"meter": "broken_meter"}, broken_meter=BROKEN_IMPORT
    )
    return site


def _no_traceback(result: Result) -> None:
    assert "Traceback" not in result.out + result.err


@pytest.mark.parametrize("command", ["build", "validate"])
def test_an_installed_plugin_that_fails_to_import_stops_build_and_validate(
    tmp_path: Path, broken_site: Path, command: str
) -> None:
    root = new_book(tmp_path / "book")
    result = labgen_in(root, command, "ch12", sites=(broken_site,))
    assert result.code == 2
    _no_traceback(result)
    assert result.err == (
        "error: plugin 'meter' failed to load: ImportError: needs the energy-meter package "
        "(turn it off with `-p no:meter`)\n"
    )
    assert not (root / "generated_labs").exists()
    # Turned off, the command works.
    assert labgen_in(root, command, "ch12", "-p", "no:meter", sites=(broken_site,)).code == 0


def test_an_installed_plugin_that_fails_is_an_internal_error_diagnostic_in_check(
    tmp_path: Path, broken_site: Path, example_site: Path
) -> None:
    root = new_book(tmp_path / "book")
    use_energy_bar(root)
    assert labgen_in(root, "build", "ch12", sites=(example_site,)).code == 0
    # The example plugin (installed beside the broken one) still reports its rule.
    lab = root / LAB12
    lab.write_text(
        lab.read_text(encoding="utf-8").replace('KatHeading(2, 3, "', 'KatHeading(2, 3, "FIXME ')
    )
    result = labgen_in(
        root,
        "check",
        LAB12.as_posix(),
        "--output-format",
        "json",
        sites=(broken_site, example_site),
    )
    assert result.code == 2
    _no_traceback(result)
    found = [(d["code"], d["filename"]) for d in json.loads(result.out)]
    assert found == [("LAB999", "<plugin meter>"), ("EXA001", LAB12.as_posix())]
    message = json.loads(result.out)[0]["message"]
    assert message == "plugin 'meter' failed to load: ImportError: needs the energy-meter package"


def test_labgen_plugins_lists_a_failed_plugin_and_exits_2(
    tmp_path: Path, broken_site: Path, example_site: Path
) -> None:
    result = labgen_in(tmp_path, "plugins", "--json", sites=(broken_site, example_site))
    assert result.code == 2
    _no_traceback(result)
    rows = {row["name"]: row for row in json.loads(result.out)}
    assert rows["meter"]["origin"] == "failed"
    assert rows["meter"]["errors"] == [
        "plugin 'meter' failed to load: ImportError: needs the energy-meter package"
    ]
    assert rows["example"]["errors"] == []
    assert result.err == "error: 1 plugin(s) failed; see FAILED above\n"


def test_a_raising_instrument_hook_stops_the_build_and_writes_nothing(
    book: Path, project_plugins: Callable[..., None], run_cli: Run
) -> None:
    project_plugins(meter_hook=RAISING_HOOK)
    for command in ("build", "validate"):
        result = run_cli(command, "ch12")
        assert result.code == 2
        assert result.err == (
            "error: hook labgen_instruments of plugin 'meter_hook' failed: RuntimeError: no "
            "energy meter (turn it off with `-p no:meter_hook`)\n"
        )
    assert not (book / "generated_labs").exists()
    assert run_cli("build", "ch12", "-p", "no:meter_hook").code == 0
    assert (book / LAB12).is_file()


def test_a_raising_instrument_hook_is_reported_by_check_and_plugins(
    book: Path, project_plugins: Callable[..., None], run_cli: Run
) -> None:
    assert run_cli("build", "ch12").code == 0
    project_plugins(meter_hook=RAISING_HOOK)
    result = run_cli("check", LAB12.as_posix(), "--output-format", "concise")
    assert result.code == 2
    assert (
        "<plugin meter_hook>:1:1: LAB999 hook labgen_instruments of plugin 'meter_hook' "
        "failed: RuntimeError: no energy meter"
    ) in result.out
    listed = run_cli("plugins")
    assert listed.code == 2
    assert (
        "meter_hook (project, meter_hook)\n  hooks: labgen_instruments\n"
        "  FAILED: hook labgen_instruments of plugin 'meter_hook' failed: RuntimeError: no "
        "energy meter"
    ) in listed.out


def test_a_crashing_plugin_check_names_the_check_and_the_rest_still_report(
    book: Path, project_plugins: Callable[..., None], run_cli: Run
) -> None:
    assert run_cli("build", "ch12").code == 0
    project_plugins(
        crashing='''
        import libcst as cst
        from labgen import Check, hookimpl

        class Crash(Check):
            """Crashes on every call.

            ## What it does
            Nothing useful.
            ## Why is this bad
            It is a test.
            ## Example
            Any lab.
            ## Use instead
            Nothing.
            """
            code, name = "BOOM001", "boom"
            VALID = ("x = 1\\n",)
            INVALID = ("f()\\n",)

            def visit_Call(self, node: cst.Call) -> None:
                raise KeyError("kaboom")

        @hookimpl
        def labgen_checks():
            return [Crash]
        '''
    )
    lab = book / LAB12
    lab.write_text(
        lab.read_text(encoding="utf-8").replace("chapter_id=12", "chapter_id=11"), encoding="utf-8"
    )
    result = run_cli("check", LAB12.as_posix(), "--output-format", "json")
    assert result.code == 2
    found = json.loads(result.out)
    assert sorted({d["code"] for d in found}) == ["LAB014", "LAB999"]
    crash = next(d for d in found if d["code"] == "LAB999")
    assert "check BOOM001 (boom, from crashing) crashed: KeyError: 'kaboom'" in crash["message"]
    # test-rules reports the crash as a misbehaving example, not a traceback.
    tested = run_cli("test-rules", "BOOM001")
    assert tested.code == 1
    assert "FAILED BOOM001 boom (1 valid, 1 invalid)" in tested.out
    assert (
        "INVALID[0] at generated_labs/vol1/lab_02_ml_systems.py:\n    crashed: check BOOM001"
        in (tested.out)
    )


def test_a_plugin_instrument_with_a_bad_shape_is_a_startup_error(
    book: Path, project_plugins: Callable[..., None], run_cli: Run
) -> None:
    project_plugins(
        odd_kit="""
        from labgen import hookimpl
        from labgen.instruments import Instrument

        @hookimpl
        def labgen_instruments():
            return [Instrument("Energy Bar", 30, "EnergyBar", "instrument_energy_bar", "Energy")]
        """
    )
    for command in (("validate", "ch12"), ("build", "ch12")):
        result = run_cli(*command)
        assert result.code == 2, command
        assert result.err == (
            "error: plugin 'odd_kit': instrument 'Energy Bar': the id must be snake_case, such "
            "as energy_bar\n"
        )
    # labgen plugins still lists every plugin, the broken one with why.
    listed = run_cli("plugins")
    assert listed.code == 2
    assert "labgen.checks" in listed.out
    assert (
        "  FAILED: plugin 'odd_kit': instrument 'Energy Bar': the id must be snake_case, such "
        "as energy_bar"
    ) in listed.out


def test_two_plugins_adding_one_instrument_id_is_a_startup_error(
    book: Path, project_plugins: Callable[..., None], run_cli: Run
) -> None:
    kit = """
    from labgen import hookimpl
    from labgen.instruments import Instrument

    @hookimpl
    def labgen_instruments():
        return [Instrument("energy_bar", 12, "{module}.EnergyBar", "instrument_energy_bar", "E")]
    """
    project_plugins(kit_one=kit.format(module="kit_one"), kit_two=kit.format(module="kit_two"))
    result = run_cli("validate", str(CH12))
    assert result.code == 2
    assert result.err == "error: plugin 'kit_two' adds instrument 'energy_bar', which exists\n"
