"""``labgen check`` and ``labgen rule`` from the command line: formats, exit codes, options."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from labgen.checks import builtin_checks

from .broken_variants import broken_variants
from .conftest import CliResult, write

Run = Callable[..., CliResult]
LAB02 = "generated_labs/vol1/lab_02_ml_systems.py"
BROKEN_API_TEXT = broken_variants()["hallucinated_api"].text


def _break(project: Path) -> Path:
    """Replace the project's lab 02 with the variant that hallucinates API names."""
    target = project / LAB02
    target.write_text(BROKEN_API_TEXT, encoding="utf-8")
    return target


def test_clean_project_passes_with_exit_code_0(project: Path, run_cli: Run) -> None:
    result = run_cli("check")
    assert result.code == 0
    assert "All checks passed: 2 files, no problems." in result.out


def test_violations_exit_1_and_exit_zero_turns_it_off(project: Path, run_cli: Run) -> None:
    _break(project)
    assert run_cli("check").code == 1
    assert run_cli("check", "--exit-zero").code == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("check", "--select", "LAB777"), "'LAB777' matches no rule"),
        (("check", "no/such/lab.py"), "no/such/lab.py: no such file or folder"),
        (("check", "--output-format", "xml"), "unknown output format 'xml'"),
        (("check", "--per-file-ignores", "LAB001"), "expected GLOB:CODES"),
        (("check", "--select", "lab 1"), "is not a rule selector"),
    ],
)
def test_usage_errors_exit_2_with_one_line(
    project: Path, run_cli: Run, args: tuple[str, ...], message: str
) -> None:
    result = run_cli(*args)
    assert result.code == 2
    assert message in result.err
    assert "Traceback" not in result.err
    assert result.err.count("\n") == 1


def test_json_output_is_a_list_of_diagnostic_objects(project: Path, run_cli: Run) -> None:
    _break(project)
    result = run_cli("check", "--output-format", "json")
    data = json.loads(result.out)
    assert {d["code"] for d in data} == {"LAB003"}
    assert len(data) == 4
    first = data[0]
    assert set(first) >= {"code", "name", "message", "filename", "line", "column"}
    assert first["filename"] == LAB02
    assert first["name"] == "unknown-api"
    lines = (project / LAB02).read_text(encoding="utf-8").splitlines()
    for item in data:
        line = lines[item["line"] - 1]
        assert item["end_line"] >= item["line"]
        # The column points at the offending text (1-based, like ruff).
        assert line[item["column"] - 1 :].startswith(("Engine", "Models", "batch", '"bf16"'))


def test_sarif_output_has_rule_metadata_and_results(project: Path, run_cli: Run) -> None:
    _break(project)
    log = json.loads(run_cli("check", "--output-format", "sarif").out)
    assert log["version"] == "2.1.0"
    assert "sarif-2.1.0" in log["$schema"]
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(c.code for c in builtin_checks())
    assert all(
        r["shortDescription"]["text"] and "## What it does" in r["fullDescription"]["text"]
        for r in rules
    )
    assert len(run["results"]) == 4
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == "LAB003"
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1
        assert region["startColumn"] >= 1
        assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == LAB02


def test_github_output_is_one_workflow_command_per_diagnostic(project: Path, run_cli: Run) -> None:
    _break(project)
    lines = run_cli("check", "--output-format", "github").out.splitlines()
    assert len(lines) == 4
    pattern = re.compile(
        r"^::error title=labgen LAB003 \(unknown-api\),file=generated_labs/vol1/"
        r"lab_02_ml_systems\.py,line=\d+,col=\d+,endLine=\d+,endColumn=\d+::LAB003 .+$"
    )
    assert all(pattern.match(line) for line in lines), lines


def test_concise_output_is_one_line_each(project: Path, run_cli: Run) -> None:
    _break(project)
    out = run_cli("check", "--output-format", "concise").out.splitlines()
    assert all(re.match(rf"^{LAB02}:\d+:\d+: LAB003 ", line) for line in out[:-1])
    assert out[-1].startswith("Found 4 problems in 1 of 2 files")


def test_full_output_shows_and_underlines_the_source(project: Path, run_cli: Run) -> None:
    _break(project)
    out = run_cli("check").out
    assert "LAB003 [unknown-api] `simulate` does not exist in `mlsys.Engine`" in out
    block = out.split("\n\n")[0].splitlines()
    arrow = next(line for line in block if line.strip().startswith("-->"))
    line, column = map(int, arrow.rsplit(":", 2)[1:])
    source_row = next(row for row in block if row.startswith(f"{line} |"))
    caret_row = block[block.index(source_row) + 1]
    gutter = source_row.index("|") + 2
    assert caret_row[gutter + column - 1] == "^"
    assert source_row[gutter + column - 1 :].startswith("Models.Llama3_70b")


def test_statistics_counts_per_rule(project: Path, run_cli: Run) -> None:
    _break(project)
    result = run_cli("check", "--statistics")
    assert result.out.split() == ["4", "LAB003", "unknown-api"]
    data = json.loads(run_cli("check", "--statistics", "--output-format", "json").out)
    assert data == [{"code": "LAB003", "name": "unknown-api", "count": 4, "fixable": 0}]


def test_syntax_error_is_one_located_diagnostic_never_a_traceback(project: Path) -> None:
    broken = write(project / "generated_labs/vol1/lab_03_ml_workflow.py", "import marimo\ndef (:\n")
    done = subprocess.run(
        [sys.executable, "-c", "from labgen.cli import run; run()", "check", str(broken)],
        capture_output=True,
        text=True,
        cwd=project,
        check=False,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "LAB000 [syntax-error] syntax error" in done.stdout
    assert "--> generated_labs/vol1/lab_03_ml_workflow.py:2:" in done.stdout
    assert done.stdout.count("LAB0") == 1


@pytest.mark.parametrize(
    "content",
    [b"\xff\xfe not utf-8\n", b"x = 1\x00\n", b"(" * 5000 + b"\n"],
    ids=["binary", "null-byte", "deep-nesting"],
)
def test_unparsable_inputs_are_syntax_errors(project: Path, run_cli: Run, content: bytes) -> None:
    path = project / "generated_labs/vol1/lab_03_ml_workflow.py"
    path.write_bytes(content)
    result = run_cli("check", str(path), "--output-format", "json")
    data = json.loads(result.out)
    assert result.code == 1
    assert [d["code"] for d in data] == ["LAB000"]


def test_select_ignore_and_extend_select_use_prefixes(project: Path, run_cli: Run) -> None:
    _break(project)

    def codes(*args: str) -> set[str]:
        return {
            d["code"] for d in json.loads(run_cli("check", "--output-format", "json", *args).out)
        }

    assert codes("--select", "LAB00") == {"LAB003"}
    assert codes("--select", "LAB01") == set()
    assert codes("--select", "LAB01", "--extend-select", "unknown-api") == {"LAB003"}
    assert codes("--ignore", "LAB003") == set()
    assert codes("--select", "LAB003", "--ignore", "LAB0") == {"LAB003"}  # more specific wins
    assert codes("--select", "ALL", "--ignore", "LAB") == set()


def test_per_file_ignores_from_the_command_line(project: Path, run_cli: Run) -> None:
    _break(project)
    assert (
        run_cli("check", "--per-file-ignores", "generated_labs/vol1/lab_02_*.py:LAB003").code == 0
    )
    assert run_cli("check", "--per-file-ignores", "lab_13_*.py:LAB003").code == 1


def test_check_section_of_pyproject_and_set_override(project: Path, run_cli: Run) -> None:
    _break(project)
    (project / "pyproject.toml").write_text(
        '[tool.labgen.check]\nignore = ["LAB003"]\noutput-format = "concise"\n', encoding="utf-8"
    )
    assert run_cli("check").code == 0
    result = run_cli("check", "--set", "check.ignore=LAB005")
    assert result.code == 1
    assert result.out.startswith(LAB02)


def test_bad_check_section_is_a_usage_error(project: Path, run_cli: Run) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.labgen.check]\nselekt = ["LAB"]\n', encoding="utf-8"
    )
    result = run_cli("check")
    assert result.code == 2
    assert "selekt" in result.err


def test_explicit_folder_outside_a_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli: Run
) -> None:
    write(tmp_path / "vol1" / "lab_02_ml_systems.py", BROKEN_API_TEXT)
    monkeypatch.chdir(tmp_path)
    assert run_cli("check", ".", "--no-cache").code == 1
    assert "no labgen project here" in run_cli("check").err


def test_whole_tree_reports_chapters_with_a_spec_but_no_lab(project: Path, run_cli: Run) -> None:
    write(project / "chapters/vol1/ch05_nn_compute.yaml", "chapter: {}\n")
    result = run_cli("check", "--output-format", "concise")
    assert result.code == 1
    assert result.out.startswith(
        "chapters/vol1/ch05_nn_compute.yaml:1:1: LAB009 chapter v1ch05 (nn_compute) has a spec "
        "but no lab: expected generated_labs/vol1/lab_05_nn_compute.py"
    )
    # A single file is not the whole tree.
    assert run_cli("check", LAB02).code == 0


def test_rule_prints_the_documentation(project: Path, run_cli: Run) -> None:
    by_code, by_name = run_cli("rule", "LAB005"), run_cli("rule", "math-peek")
    assert by_code.code == 0
    assert by_code.out == by_name.out
    assert by_code.out.startswith("# math-peek (LAB005)\n")
    for section in ("## What it does", "## Why is this bad", "## Example", "## Use instead"):
        assert section in by_code.out


def test_rule_all_lists_every_rule_in_code_order(project: Path, run_cli: Run) -> None:
    out = run_cli("rule", "--all").out
    headers = re.findall(r"^# ([a-z-]+) \((LAB\d{3})\)$", out, flags=re.MULTILINE)
    assert [code for _, code in headers] == sorted(c.code for c in builtin_checks())
    data = json.loads(run_cli("rule", "--all", "--output-format", "json").out)
    assert {d["code"] for d in data} == {c.code for c in builtin_checks()}
    assert all(d["plugin"] == "labgen.checks" for d in data)


def test_unknown_rule_suggests_the_closest(project: Path, run_cli: Run) -> None:
    result = run_cli("rule", "math-peak")
    assert result.code == 2
    assert "did you mean math-peek?" in result.err
    assert run_cli("rule").code == 2


def test_the_configured_labs_folder_is_the_default(project: Path, run_cli: Run) -> None:
    (project / "generated_labs").rename(project / "labs_out")
    write(project / "chapters/vol1/ch05_nn_compute.yaml", "chapter: {}\n")
    (project / "pyproject.toml").write_text(
        '[tool.labgen.build]\nlabs_dir = "labs_out"\n', encoding="utf-8"
    )
    result = run_cli("check", "--output-format", "concise")
    assert result.code == 1
    assert "expected labs_out/vol1/lab_05_nn_compute.py" in result.out
    assert "2 files" in result.out
