"""Plugins: the issue's example check, instruments, output formats, configuration, failures."""

from __future__ import annotations

import inspect
import json
import sys
import textwrap
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from labgen import hookspecs
from labgen.plugins import BUILTIN_PLUGINS, load_plugins

from .conftest import CliResult, write

Run = Callable[..., CliResult]
REPO = Path(__file__).resolve().parents[2]
LAB02 = "generated_labs/vol1/lab_02_ml_systems.py"

# The example of issue 7, as a plugin author writes it (plus a VALID/INVALID pair).
NO_TODO = '''
import libcst as cst
from labgen import Check, hookimpl

class NoTodo(Check):
    """Lab text still says TODO.

    ## What it does
    Reports string literals that contain TODO.

    ## Why is this bad
    Students read lab text; a TODO is an unfinished lab.

    ## Example
    ```python
    mo.md("TODO explain")
    ```

    ## Use instead
    ```python
    mo.md("The memory wall, explained.")
    ```
    """
    code = "DEMO001"
    name = "no-todo"
    VALID = ['x = "done"\\n']
    INVALID = ['x = "TODO"\\n']
    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if "TODO" in node.value:
            self.report(node, "TODO left in lab text")

@hookimpl
def labgen_checks():
    return [NoTodo]
'''


@pytest.fixture
def with_plugins(project: Path) -> Iterator[Callable[..., None]]:
    """Write plugin modules into the project and name them in [tool.labgen] plugins."""
    names: list[str] = []

    def add(**modules: str) -> None:
        for name, source in modules.items():
            write(project / f"{name}.py", textwrap.dedent(source))
            names.append(name)
        listed = ", ".join(f'"{n}"' for n in names)
        (project / "pyproject.toml").write_text(
            f"[tool.labgen]\nplugins = [{listed}]\n", encoding="utf-8"
        )

    yield add
    for name in names:
        sys.modules.pop(name, None)


def _todo_lab(project: Path) -> None:
    lab = project / LAB02
    lab.write_text(
        lab.read_text(encoding="utf-8").replace('title="ML Systems', 'title="TODO ML Systems'),
        encoding="utf-8",
    )


def test_the_issue_example_plugin_reports_through_the_hooks(
    project: Path, with_plugins: Callable[..., None], run_cli: Run
) -> None:
    with_plugins(demo_checks=NO_TODO)
    _todo_lab(project)
    result = run_cli("check", "--output-format", "json")
    found = json.loads(result.out)
    assert result.code == 1
    assert [(d["code"], d["name"], d["message"]) for d in found] == [
        ("DEMO001", "no-todo", "TODO left in lab text")
    ]
    assert run_cli("check", "--no-plugins").code == 0
    assert run_cli("check", "--ignore", "DEMO").code == 0


def test_plugin_rules_are_documented_and_their_examples_run(
    project: Path, with_plugins: Callable[..., None], run_cli: Run
) -> None:
    with_plugins(demo_checks=NO_TODO)
    doc = run_cli("rule", "DEMO001")
    assert doc.code == 0
    assert doc.out.startswith("# no-todo (DEMO001)\n\nLab text still says TODO.")
    from labgen.checking.testing import example_failures

    check = sys.modules["demo_checks"].NoTodo
    assert example_failures(check) == []


def test_a_crashing_check_is_an_internal_error_and_the_rest_still_report(
    project: Path, with_plugins: Callable[..., None], run_cli: Run
) -> None:
    with_plugins(
        crashing="""
        import libcst as cst
        from labgen import Check, hookimpl

        class Crash(Check):
            '''Always crashes.

            ## What it does
            Nothing useful.
            ## Why is this bad
            It is a test.
            ## Example
            Any file.
            ## Use instead
            Nothing.
            '''
            code = "BOOM001"
            name = "boom"
            def visit_Call(self, node: cst.Call) -> None:
                raise KeyError("kaboom")

        @hookimpl
        def labgen_checks():
            return [Crash]
        """
    )
    lab = project / LAB02
    lab.write_text(
        lab.read_text(encoding="utf-8").replace("chapter_id=2", "chapter_id=3"), encoding="utf-8"
    )
    result = run_cli("check", "--output-format", "json")
    found = json.loads(result.out)
    assert result.code == 2
    codes = sorted({d["code"] for d in found})
    assert codes == ["LAB014", "LAB999"]
    crash = next(d for d in found if d["code"] == "LAB999")
    assert "BOOM001 (boom, from crashing) crashed: KeyError: 'kaboom'" in crash["message"]
    # A run with a crash is never cached.
    assert "2 analysed" in run_cli("check", "-v").err


def test_a_plugin_that_fails_to_import_is_reported_and_the_run_goes_on(
    project: Path, with_plugins: Callable[..., None], run_cli: Run
) -> None:
    with_plugins(broken_plugin="raise RuntimeError('no such dependency')\n")
    result = run_cli("check", "--output-format", "concise")
    assert result.code == 2
    assert (
        "<plugin broken_plugin>:1:1: LAB999 plugin module 'broken_plugin' failed to load: RuntimeError: no such dependency"
        in result.out
    )


def test_two_plugins_claiming_one_code_is_a_startup_error(
    project: Path, with_plugins: Callable[..., None], run_cli: Run
) -> None:
    with_plugins(
        demo_checks=NO_TODO,
        demo_again=NO_TODO.replace("class NoTodo", "class AlsoTodo")
        .replace("[NoTodo]", "[AlsoTodo]")
        .replace('"no-todo"', '"no-todo-again"'),
    )
    result = run_cli("check")
    assert result.code == 2
    assert (
        "rule code DEMO001 is claimed twice: by plugin 'demo_checks' (NoTodo) and by plugin 'demo_again' (AlsoTodo)"
        in result.err
    )


def test_a_badly_shaped_check_is_refused(
    project: Path, with_plugins: Callable[..., None], run_cli: Run
) -> None:
    with_plugins(demo_checks=NO_TODO.replace('name = "no-todo"', 'name = "No TODO"'))
    result = run_cli("check")
    assert result.code == 2
    assert "name 'No TODO' must be kebab-case" in result.err


def test_plugin_instruments_are_gated_and_need_a_math_peek(
    project: Path, with_plugins: Callable[..., None], run_cli: Run
) -> None:
    with_plugins(
        demo_kit="""
        from labgen import hookimpl
        from labgen.instruments import Instrument

        def Heatmap(profile):
            return profile

        @hookimpl
        def labgen_instruments():
            return [Instrument("heatmap", 14, "demo_kit.Heatmap", "instrument_heatmap", "Heatmap")]
        """
    )
    lab = project / LAB02
    source = lab.read_text(encoding="utf-8")
    source = source.replace(
        "    from mlsys import Engine, Models, Systems\n",
        "    from demo_kit import Heatmap\n    from mlsys import Engine, Models, Systems\n",
    )
    source = source.replace(
        "        Engine,\n        LabHeader,",
        "        Engine,\n        Heatmap,\n        LabHeader,",
        1,
    )
    source = source.replace(
        "def _(Engine, MathPeek, MetricCards, active_track, kat2_efficiency, mo):",
        "def _(Engine, Heatmap, MetricCards, active_track, kat2_efficiency, mo):",
    )
    source = source.replace(
        "    mo.vstack([MetricCards(kat2_profile), MathPeek(kat2_profile.math)])",
        "    mo.vstack([MetricCards(kat2_profile), Heatmap(kat2_profile)])",
    )
    lab.write_text(source, encoding="utf-8")
    found = json.loads(run_cli("check", "--output-format", "json").out)
    assert sorted(d["code"] for d in found) == ["LAB005", "LAB008"]
    assert any("`Heatmap` (heatmap) unlocks in Volume 1 chapter 14" in d["message"] for d in found)


def test_plugin_output_formats_and_configure(
    project: Path, with_plugins: Callable[..., None], run_cli: Run
) -> None:
    with_plugins(
        demo_format="""
        from labgen import hookimpl

        SEEN = []

        @hookimpl
        def labgen_configure(config):
            SEEN.append(config.check.output_format)

        @hookimpl
        def labgen_output_formats():
            return {"count": lambda report: f"{len(report.diagnostics)} in {report.files}\\n"}
        """
    )
    (project / "pyproject.toml").write_text(
        '[tool.labgen]\nplugins = ["demo_format"]\n[tool.labgen.check]\noutput-format = "count"\n',
        encoding="utf-8",
    )
    result = run_cli("check")
    assert (result.code, result.out) == (0, "0 in 2\n")
    assert sys.modules["demo_format"].SEEN == ["count"]


def test_builtins_are_registered_under_their_entry_point_names() -> None:
    declared = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "entry-points"
    ]["labgen"]
    assert declared == BUILTIN_PLUGINS
    plugins = load_plugins()  # with installed entry points: no duplicate registration
    names = [info.name for info in plugins.infos]
    assert names[:2] == list(BUILTIN_PLUGINS)
    assert len(names) == len(set(names))
    assert not plugins.failures


def test_hookspecs_are_documented_and_typed() -> None:
    specs = ["labgen_checks", "labgen_instruments", "labgen_configure", "labgen_output_formats"]
    for name in specs:
        function = getattr(hookspecs, name)
        assert inspect.getdoc(function)
        assert len(inspect.getdoc(function)) > 80
        assert "return" in function.__annotations__
        assert hasattr(function, "labgen_spec")
    assert hookspecs.hookimpl.project_name == hookspecs.hookspec.project_name == "labgen"


def test_a_check_may_use_libcst_metadata_like_any_visitor(
    project: Path, with_plugins: Callable[..., None], run_cli: Run
) -> None:
    with_plugins(
        demo_meta='''
        import libcst as cst
        from libcst.metadata import ParentNodeProvider
        from labgen import Check, hookimpl

        class SolveInCell(Check):
            """Counts Engine.solve calls with LibCST metadata and labgen's own.

            ## What it does
            Reports each call to Engine.solve, with its cell and parent.
            ## Why is this bad
            It is not: it shows the metadata a check can use.
            ## Example
            Engine.solve(...)
            ## Use instead
            Nothing.
            """
            code = "META001"
            name = "solve-in-cell"
            METADATA_DEPENDENCIES = (ParentNodeProvider,)

            def visit_Call(self, node: cst.Call) -> None:
                if "mlsys.Engine.solve" in self.qualified_names(node.func):
                    parent = self.get_metadata(ParentNodeProvider, node)
                    cell = self.cell_of(node)
                    upstream = len(self.dataflow.ancestors(cell))
                    self.report(node, f"{type(parent).__name__} in cell {cell.index} after {upstream}")

        @hookimpl
        def labgen_checks():
            return [SolveInCell]
        '''
    )
    found = json.loads(run_cli("check", LAB02, "--select", "META", "--output-format", "json").out)
    assert [d["message"] for d in found] == [
        "Assign in cell 8 after 7",
        "Assign in cell 8 after 7",  # KAT 1's answer, solved at its own configuration
        "Assign in cell 12 after 7",
        "Assign in cell 16 after 7",
    ]


def test_a_failing_hook_is_reported_on_every_run_never_hidden_by_the_cache(
    project: Path, with_plugins: Callable[..., None], run_cli: Run
) -> None:
    with_plugins(
        bad_hook="""
        from labgen import hookimpl

        @hookimpl
        def labgen_checks():
            raise ImportError("missing optional dependency")
        """
    )
    for _ in range(2):
        result = run_cli("check", "--output-format", "concise", "-v")
        assert result.code == 2
        assert (
            "hook labgen_checks of plugin 'bad_hook' failed: ImportError: missing optional dependency"
            in result.out
        )
        assert "2 analysed, 0 from the cache" in result.err
