"""The pieces under the rules: cells and dataflow, qualified names, selection, globs, fixes,
and robustness on any input (hypothesis)."""

from __future__ import annotations

import ast
import textwrap

import libcst as cst
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labgen.checking.cells import Dataflow, find_cells
from labgen.checking.context import Environment, FileContext
from labgen.checking.diagnostics import Diagnostic, Edit, Fix
from labgen.checking.fixes import apply_fixes
from labgen.checking.selection import RuleSelection, glob_matches
from labgen.checking.settings import CheckSettings
from labgen.checking.testing import check_source
from labgen.checks import builtin_checks
from labgen.errors import UsageError

RULES = builtin_checks()

NOTEBOOK = textwrap.dedent(
    """\
    import marimo

    app = marimo.App()

    with app.setup:
        import mlsys as m


    @app.cell
    def _():
        import marimo as mo
        from labs.core.components import LatencyWaterfall as W

        return (W, mo)


    @app.cell
    def _(W, mo):
        kat1_batch, _private = mo.ui.slider(1, 8), 3
        Alias = W
        for kat1_index in range(2):
            pass
        return (Alias, kat1_batch)


    @app.cell
    def _(Alias, kat1_batch):
        kat1_profile = m.Engine.solve(batch_size=kat1_batch.value)
        Alias(kat1_profile)
        return (kat1_profile,)


    @app.function
    def helper(x):
        return x
    """
)


def _context(source: str = NOTEBOOK) -> FileContext:
    module = cst.parse_module(source)
    return FileContext(
        source, module, relpath="scratch.py", display="scratch.py", environment=Environment()
    )


def test_cells_know_their_kind_defs_refs_and_output() -> None:
    cells = find_cells(cst.parse_module(NOTEBOOK))
    assert [c.kind for c in cells] == ["setup", "cell", "cell", "cell", "function"]
    assert cells[0].defs == {"m"}
    assert cells[1].defs == {"W", "mo"}
    assert cells[1].refs == set()
    assert cells[2].defs == {"Alias", "kat1_batch", "kat1_index"}
    assert "_private" in cells[2].bound
    assert "_private" not in cells[2].defs
    assert cells[3].refs == {"Alias", "kat1_batch"}
    assert isinstance(cells[3].output, cst.Call)
    assert cells[4].defs == {"helper"}
    assert "x" in cells[4].bound


def test_dataflow_parents_and_ancestors() -> None:
    cells = find_cells(cst.parse_module(NOTEBOOK))
    flow = Dataflow(cells)
    setup, imports, act, observe, _helper = cells
    assert flow.parents(observe) == (setup, act)
    assert flow.ancestors(observe) == {setup, imports, act}
    assert flow.descendants(imports) == {act, observe}
    assert flow.definers["kat1_batch"] == [act]


def test_qualified_names_follow_aliases_across_cells_and_the_setup_cell() -> None:
    context = _context()
    calls = {cst.Module([]).code_for_node(c.func): c for cs in context.calls.values() for c in cs}
    assert context.qualified_names(calls["Alias"].func) == {"labs.core.LatencyWaterfall"}
    assert context.raw_qualified_names(calls["Alias"].func) == {
        "labs.core.components.LatencyWaterfall"
    }
    assert context.qualified_names(calls["m.Engine.solve"].func) == {"mlsys.Engine.solve"}
    assert context.qualified_names(calls["mo.ui.slider"].func) == {"marimo.ui.slider"}
    assert context.qualified_names(calls["range"].func) == {"builtins.range"}
    assert context.names._scopes is None  # no nested scope: LibCST's scope analysis never ran


def test_a_nested_scope_that_rebinds_a_name_is_resolved_without_libcst_scopes() -> None:
    source = NOTEBOOK.replace(
        "    Alias(kat1_profile)\n", "    (lambda Alias: Alias(kat1_profile))(print)\n"
    )
    context = _context(source)
    inner = next(
        c
        for cs in context.calls.values()
        for c in cs
        if cst.Module([]).code_for_node(c.func) == "Alias"
    )
    assert context.qualified_names(inner.func) == set()  # the lambda's parameter, not the kit
    assert context.names._scopes is None  # LibCST's scope analysis was never needed


def test_a_nested_function_resolves_its_own_imports_and_aliases() -> None:
    source = NOTEBOOK.replace(
        "    Alias(kat1_profile)\n",
        "    def _build():\n"
        "        from labs.core import MathPeek as Alias\n"
        "        peek = Alias\n"
        "        return peek(kat1_profile)\n",
    )
    context = _context(source)
    inner = next(
        c
        for cs in context.calls.values()
        for c in cs
        if cst.Module([]).code_for_node(c.func) == "peek"
    )
    assert context.qualified_names(inner.func) == {"labs.core.MathPeek"}


@pytest.mark.parametrize(
    ("glob", "path", "matches"),
    [
        ("generated_labs/**", "generated_labs/vol1/lab_02_ml_systems.py", True),
        ("generated_labs/vol2/**", "generated_labs/vol1/lab_02_ml_systems.py", False),
        ("**/lab_02_*.py", "generated_labs/vol1/lab_02_ml_systems.py", True),
        ("lab_0?_*.py", "generated_labs/vol1/lab_02_ml_systems.py", True),
        ("generated_labs/*.py", "generated_labs/vol1/lab_02_ml_systems.py", False),
        ("generated_labs/vol[12]/*.py", "generated_labs/vol2/lab_05_dist_train.py", True),
    ],
)
def test_globs(glob: str, path: str, matches: bool) -> None:
    assert glob_matches(glob, path) is matches


def _selection(**settings: object) -> RuleSelection:
    return RuleSelection({c.code: c.name for c in RULES}, CheckSettings(**settings))


def test_selection_prefers_the_most_specific_selector() -> None:
    assert _selection(select=["LAB0"], ignore=["LAB00"]).enabled >= {"LAB010", "LAB015"}
    assert "LAB005" not in _selection(select=["LAB0"], ignore=["LAB00"]).enabled
    assert "LAB005" in _selection(select=["LAB005"], ignore=["LAB0"]).enabled
    assert (
        "LAB005" not in _selection(select=["LAB005"], ignore=["math-peek"]).enabled
    )  # tie: ignore


def test_syntax_and_internal_errors_are_always_on() -> None:
    assert _selection(select=["LAB005"]).enabled == {"LAB000", "LAB005", "LAB999"}
    per_file = _selection(per_file_ignores={"scratch/*.py": ["ALL"]})
    assert per_file.for_file("scratch/x.py") == {"LAB000", "LAB999"}
    assert per_file.for_file("other/x.py") == per_file.enabled


def test_unknown_selectors_are_usage_errors() -> None:
    with pytest.raises(UsageError, match="per-file-ignores"):
        _selection(per_file_ignores={"x.py": ["LAB7"]})


def _edit_diagnostic(line: int, column: int, end: int, text: str) -> Diagnostic:
    return Diagnostic(
        "f.py",
        line,
        column,
        "LAB000",
        "m",
        "n",
        fix=Fix("f", (Edit(line, column, line, end, text),)),
    )


def test_overlapping_fixes_wait_for_the_next_round() -> None:
    source = "abcdef\n"
    fixed, applied = apply_fixes(
        source, [_edit_diagnostic(1, 1, 4, "X"), _edit_diagnostic(1, 3, 5, "Y")]
    )
    assert (fixed, applied) == ("Xdef\n", 1)


@given(
    st.lists(
        st.tuples(st.integers(0, 30), st.integers(0, 5), st.text("xyz", max_size=3)), max_size=6
    )
)
def test_non_overlapping_fixes_equal_applying_them_one_by_one(
    spans: list[tuple[int, int, str]],
) -> None:
    source = "0123456789" * 4
    chosen, taken = [], []
    for start, length, text in spans:
        end = start + length
        if any((start < b and a < end) or start == a for a, b in taken):
            continue
        taken.append((start, end))
        chosen.append((start, end, text))
    diagnostics = [_edit_diagnostic(1, a + 1, b + 1, t) for a, b, t in chosen]
    expected = source
    for start, end, text in sorted(chosen, reverse=True):
        expected = expected[:start] + text + expected[end:]
    assert apply_fixes(source, diagnostics) == (expected, len(chosen))


PYTHONISH = st.lists(
    st.sampled_from(
        [*"abc_ ()[]{}:=+-*/.,'\"#\n\t\\0123456789@", "def ", "import ", "noqa", "LAB001"]
    ),
    max_size=60,
).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(PYTHONISH)
def test_any_text_gives_diagnostics_never_an_exception(text: str) -> None:
    found = check_source(text, RULES, path="generated_labs/vol1/lab_02_ml_systems.py")
    try:
        ast.parse(text)
    except SyntaxError:
        assert [d.code for d in found] == ["LAB000"]
        return
    assert "LAB999" not in {d.code for d in found}, found


def test_node_invariant_reads_single_node_from_the_installed_mlsys(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import dataclasses

    import mlsys
    from mlsys.registry import Registry

    fleet = dataclasses.replace(mlsys.Systems.H100, single_node=False)
    monkeypatch.setattr(
        mlsys, "Systems", Registry("system", {"H100": fleet, "T4": mlsys.Systems.T4})
    )
    source = textwrap.dedent(
        """\
        import marimo

        app = marimo.App()


        @app.cell
        def _():
            from mlsys import Systems

            lab_cluster = Systems.H100
            lab_card = Systems.get("H100")
            lab_node = Systems.T4
            return (lab_card, lab_cluster, lab_node)
        """
    )
    node_invariant = [r for r in RULES if r.name == "node-invariant"]
    found = check_source(source, node_invariant, path="generated_labs/vol1/lab_02_ml_systems.py")
    assert [(d.line, d.message.split(" is ")[0]) for d in found] == [
        (10, "`Systems.H100`"),
        (11, "`mlsys.Systems.H100`"),
    ]
    assert (
        check_source(source, node_invariant, path="generated_labs/vol2/lab_05_dist_train.py") == []
    )


def test_examples_with_labs_beside_them_run_the_whole_tree_rule() -> None:
    from labgen.checking.examples import Invalid, Valid
    from labgen.checking.testing import example_failures
    from labgen.checks.slug_parity import SlugParity

    duplicate = "generated_labs/vol2/lab_06_fault_tolerance.py"
    original = "generated_labs/vol2/lab_06_collect_comms.py"

    class Flagged(SlugParity):
        VALID = (Valid("import marimo\n", path=duplicate, beside=(original,)),)
        INVALID = (Invalid("import marimo\n", path=original, beside=(duplicate,), count=1),)

    failures = {(f.kind, f.problem.split(":")[0]) for f in example_failures(Flagged)}
    # The duplicate is flagged by the tree rule (a VALID example must not be); the right file
    # is not (so an INVALID example naming it is "not flagged").
    assert failures == {("VALID", "flagged"), ("INVALID", "not flagged")}
    # Without `beside`, the tree rule does not run: the per-file rule finds nothing here.
    Flagged.VALID = (Valid("import marimo\n", path=duplicate),)
    assert {f.kind for f in example_failures(Flagged)} == {"INVALID"}
