"""Suppression comments: on a line, on a cell's decorator line, for a file; and the report of
suppressions that suppress nothing (with its fix)."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from labgen.checking.noqa import find_directives
from labgen.checking.testing import check_source, fix_source
from labgen.checks import builtin_checks

from .conftest import CliResult, write

RULES = builtin_checks()
Run = Callable[..., CliResult]

LAB = textwrap.dedent(
    """\
    import marimo

    app = marimo.App()


    @app.cell
    def _(kat1_profile, mo):
        kat1_scaled = kat1_profile.latency * 1000{line}
        kat1_doubled = kat1_profile.latency * 2
        mo.md("text")
        return (kat1_doubled, kat1_scaled)
    """
)


def codes(source: str) -> list[tuple[str, int]]:
    return [(d.code, d.line) for d in check_source(source, RULES, path="scratch/notes.py")]


def test_without_comments_both_lines_are_reported() -> None:
    assert codes(LAB.format(line="")) == [("LAB001", 8), ("LAB001", 9)]


@pytest.mark.parametrize(
    "comment", ["  # noqa: LAB001", "  # noqa:LAB001", "  # NOQA: lab001", "  # noqa"]
)
def test_line_noqa_silences_only_its_line(comment: str) -> None:
    assert codes(LAB.format(line=comment)) == [("LAB001", 9)]


def test_line_noqa_for_another_rule_does_not_silence() -> None:
    found = codes(LAB.format(line="  # noqa: LAB002"))
    assert ("LAB001", 8) in found
    assert ("LAB100", 8) in found


def test_noqa_on_the_decorator_line_covers_the_whole_cell() -> None:
    source = LAB.format(line="").replace("@app.cell\n", "@app.cell  # noqa: LAB001\n")
    assert codes(source) == []


def test_noqa_on_a_cell_with_arguments_covers_the_whole_cell() -> None:
    source = LAB.format(line="").replace(
        "@app.cell\n", "@app.cell(hide_code=True)  # noqa: LAB001\n"
    )
    assert codes(source) == []


@pytest.mark.parametrize(
    "comment", ["# labgen: noqa: LAB001", "# labgen: noqa", "#labgen:noqa:LAB001,LAB002"]
)
def test_file_level_noqa(comment: str) -> None:
    found = codes(comment + "\n" + LAB.format(line=""))
    assert [c for c, _ in found if c == "LAB001"] == []


def test_file_level_noqa_must_stand_on_its_own_line() -> None:
    source = LAB.format(line="  # labgen: noqa: LAB001")
    # Trailing a statement, the file form is neither a file directive nor a line directive.
    assert codes(source) == [("LAB001", 8), ("LAB001", 9)]


def test_noqa_inside_a_string_is_not_a_comment() -> None:
    source = LAB.format(line="").replace('mo.md("text")', 'mo.md("# noqa: LAB001")')
    assert codes(source) == [("LAB001", 8), ("LAB001", 9)]


def test_foreign_codes_are_left_alone() -> None:
    assert codes(LAB.format(line="  # noqa: E501, LAB001")) == [("LAB001", 9)]


def test_unused_noqa_is_reported_with_the_codes() -> None:
    source = LAB.format(line="").replace('mo.md("text")', 'mo.md("text")  # noqa: LAB001, LAB012')
    found = [d for d in check_source(source, RULES, path="scratch/notes.py") if d.code == "LAB100"]
    assert len(found) == 1
    assert "LAB001 (engine-only-math), LAB012 (palette)" in found[0].message
    assert (found[0].line, found[0].column) == (10, 20)


def test_unknown_labgen_code_in_noqa_is_reported() -> None:
    found = codes(LAB.format(line="  # noqa: LAB001, LAB077"))
    assert ("LAB100", 8) in found


def test_unused_noqa_can_be_silenced_by_naming_it() -> None:
    source = LAB.format(line="").replace('mo.md("text")', 'mo.md("text")  # noqa: LAB012, LAB100')
    assert ("LAB100", 10) not in codes(source)


def test_noqa_of_a_rule_that_did_not_run_is_not_judged(project: Path, run_cli: Run) -> None:
    write(project / "scratch.py", LAB.format(line="  # noqa: LAB001"))
    assert run_cli("check", "scratch.py", "--select", "LAB011,LAB100").code == 0
    assert run_cli("check", "scratch.py", "--select", "LAB001,LAB100").code == 1  # line 9


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ('mo.md("text")  # noqa: LAB001', 'mo.md("text")'),
        ('mo.md("text")  # noqa: LAB001, LAB012  # why', 'mo.md("text")  # why'),
        ('mo.md("text")  # note  # noqa: LAB012', 'mo.md("text")  # note'),
        ('mo.md("text")  # noqa: LAB012 because reasons', 'mo.md("text")  # because reasons'),
    ],
)
def test_the_fix_removes_stale_codes(before: str, after: str) -> None:
    source = LAB.format(line="").replace('mo.md("text")', before)
    assert fix_source(source, RULES, "LAB100", path="scratch/notes.py") == source.replace(
        before, after
    )


def test_the_fix_keeps_the_codes_still_in_use() -> None:
    source = LAB.format(line="  # noqa: LAB012, LAB001")
    fixed = fix_source(source, RULES, "LAB100", path="scratch/notes.py")
    assert "kat1_profile.latency * 1000  # noqa: LAB001\n" in fixed


def test_the_fix_removes_a_stale_file_directive_line() -> None:
    source = "# labgen: noqa: LAB012\n" + LAB.format(line="  # noqa: LAB001")
    assert fix_source(source, RULES, "LAB100", path="scratch/notes.py").startswith("import marimo")


def test_directives_are_found_by_the_tokenizer() -> None:
    directives = find_directives("x = 1  # noqa: LAB001,LAB002\n# labgen: noqa\ny = '# noqa'\n")
    assert [(d.scope, d.line, d.codes) for d in directives] == [
        ("line", 1, ("LAB001", "LAB002")),
        ("file", 2, None),
    ]


HTML_CELL = textwrap.dedent(
    '''\
    import marimo

    app = marimo.App()


    @app.cell
    def _(mo):
        mo.Html(
            """
        <div style="padding: 8px;
                    color: #475569;">
        </div>
        """{comment}
        )
        return
    '''
)


def test_a_colour_inside_a_multiline_string_is_placed_on_its_own_line() -> None:
    found = check_source(HTML_CELL.format(comment=""), RULES, path="scratch/notes.py")
    assert [(d.code, d.line, d.column, d.end_column) for d in found] == [("LAB012", 11, 24, 31)]


def test_noqa_where_a_multiline_string_closes_silences_findings_inside_it() -> None:
    source = HTML_CELL.format(comment="  # noqa: LAB012")
    assert check_source(source, RULES, path="scratch/notes.py") == []
