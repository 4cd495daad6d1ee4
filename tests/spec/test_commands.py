"""The commands: validate, list, new, schema, config (exit 0 ok, 1 invalid, 2 usage)."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest
import yaml

from labgen import __version__
from labgen.book import CHAPTERS, chapter
from labgen.cli import main
from labgen.commands.listing import STATES
from labgen.provenance import header_lines, spec_digest
from labgen.spec.schema import MODELINE, SCHEMA_FILE

from .conftest import restate_bars

DATA = Path(__file__).parent / "data"
CH05 = Path("chapters/vol1/ch05_nn_compute.yaml")


@pytest.fixture
def run(project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    """Run ``labgen ARGS`` inside the scratch project; returns (exit code, stdout, stderr)."""
    monkeypatch.chdir(project)
    for name in [n for n in os.environ if n.startswith("LABGEN_")]:
        monkeypatch.delenv(name)

    def invoke(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err
        return code, out, err

    return invoke


def _add_valid_spec(project: Path) -> Path:
    target = project / CH05
    shutil.copyfile(DATA / "valid_ch05.yaml", target)
    return target


# -- validate --------------------------------------------------------------------------------------


def test_validate_defaults_to_every_spec_of_the_project(run, project) -> None:
    _add_valid_spec(project)
    code, out, _ = run("validate")
    assert (code, out) == (0, "All 1 spec valid.\n")


def test_validate_takes_files_folders_and_addresses(run, project) -> None:
    _add_valid_spec(project)
    for target in ("ch05", "v1ch05", "nn_compute", "chapters", str(CH05)):
        assert run("validate", target)[0] == 0, target


def test_validate_reports_and_exits_1(run, project, valid_text, edit) -> None:
    (project / CH05).write_text(edit(valid_text, "  gain: throughput", "  gane: throughput"))
    code, out, err = run("validate")
    assert code == 1
    assert out == f"{CH05.as_posix()}:18:3: unknown key 'gane'; did you mean 'gain'?\n"
    assert err == "error: found 1 problem in 1 of 1 spec\n"


def test_validate_json(run, project, valid_text, edit) -> None:
    (project / CH05).write_text(edit(valid_text, "  gain: throughput", "  gain: 3"))
    code, out, _ = run("validate", "--json")
    assert code == 1
    assert json.loads(out) == [
        {
            "path": CH05.as_posix(),
            "line": 18,
            "column": 9,
            "message": "struggle.gain: expected text, got 3",
        }
    ]


@pytest.mark.parametrize(
    "args", [("validate", "nowhere.yaml"), ("validate", "ch99"), ("validate", "--set", "nokey=1")]
)
def test_validate_usage_errors_exit_2(run, args) -> None:
    code, _, err = run(*args)
    assert code == 2
    assert err.startswith("error: ")


def test_validate_cross_checks_the_ledger_against_earlier_specs(
    run, project, valid_text, edit
) -> None:
    reader = edit(valid_text, "ledger:\n", "ledger:\n  reads:\n    - key: tokenizer\n")
    (project / CH05).write_text(reader)
    assert run("validate")[0] == 1
    # Once chapter 4 writes the key, chapter 5 may read it.
    writer = edit(valid_text, "  number: 5\n  slug: nn_compute", "  number: 4\n  slug: data_engr")
    writer = restate_bars(edit(writer, "    - key: serving_batch", "    - key: tokenizer"), 4)
    (project / "chapters/vol1/ch04_data_engr.yaml").write_text(writer)
    assert run("validate")[0] == 0


def test_validate_writes_nothing_but_its_cache(run, project, valid_text, edit) -> None:
    (project / CH05).write_text(edit(valid_text, "  gain: throughput", "  gain: [1]"))
    before = sorted(p.as_posix() for p in project.rglob("*"))
    run("validate", "--no-cache")
    assert sorted(p.as_posix() for p in project.rglob("*")) == before
    run("validate")
    new = [p.relative_to(project) for p in project.rglob("*") if p.as_posix() not in before]
    assert {p.parts[0] for p in new} == {".labgen_cache"}


# -- list ------------------------------------------------------------------------------------------


def _write_lab(project: Path, spec: Path, version: str = __version__) -> Path:
    ch = chapter(1, 5)
    lab = project / "generated_labs" / "vol1" / f"{ch.lab_name}.py"
    lab.parent.mkdir(parents=True, exist_ok=True)
    header = header_lines(CH05.as_posix(), spec_digest(spec.read_bytes()), version, ch)
    lab.write_text("\n".join([*header, "import marimo", ""]), encoding="utf-8")
    return lab


def _row(run, key: str = "v1ch05") -> dict:
    code, out, _ = run("list", "--json")
    assert code == 0
    rows = json.loads(out)
    return next(row for row in rows if row["key"] == key)


def test_list_has_all_33_chapters(run) -> None:
    code, out, _ = run("list", "--json")
    rows = json.loads(out)
    assert code == 0
    assert [(r["volume"], r["number"], r["slug"]) for r in rows] == [
        (c.volume, c.number, c.slug) for c in CHAPTERS
    ]
    assert len(rows) == 33
    assert {"volume", "number", "slug", "spec", "lab", "state", "up_to_date"} <= set(rows[0])
    assert all(r["state"] in STATES for r in rows)
    assert rows[4]["spec"] == "chapters/vol1/ch05_nn_compute.yaml"
    assert rows[4]["lab"] == "generated_labs/vol1/lab_05_nn_compute.py"
    assert rows[20]["lab"] == "generated_labs/vol2/lab_05_dist_train.py"


def test_list_follows_the_lab_through_its_states(run, project) -> None:
    assert _row(run)["state"] == "no spec"
    spec = _add_valid_spec(project)
    assert _row(run)["state"] == "not built"
    lab = _write_lab(project, spec)
    row = _row(run)
    assert (row["state"], row["up_to_date"], row["reason"]) == ("up to date", True, None)
    spec.write_text(spec.read_text() + "# edited\n")
    row = _row(run)
    assert (row["state"], row["up_to_date"], row["reason"]) == (
        "stale",
        False,
        "the spec changed since the lab was built",
    )
    _write_lab(project, spec, version="0.0.1")
    assert _row(run)["reason"] == "the lab was built by labgen 0.0.1"
    lab.write_text("import marimo\n")
    assert _row(run)["reason"] == "the lab has no labgen header"
    spec.unlink()
    assert _row(run)["state"] == "lab without spec"


def test_list_text_summarises_each_volume(run, project) -> None:
    _write_lab(project, _add_valid_spec(project))
    code, out, _ = run("list")
    lines = out.splitlines()
    assert code == 0
    assert lines[0].split() == ["CHAPTER", "SLUG", "SPEC", "LAB", "STATE"]
    assert any(line.split()[:5] == ["v1ch05", "nn_compute", "yes", "yes", "up"] for line in lines)
    assert lines[-2:] == [
        "Volume 1: 1 of 16 labs up to date (1 of 16 specs written)",
        "Volume 2: 0 of 17 labs up to date (0 of 17 specs written)",
    ]


def test_list_honours_configured_folders(run, project) -> None:
    (project / "pyproject.toml").write_text('[tool.labgen.build]\nlabs-dir = "out/labs"\n')
    assert _row(run)["lab"] == "out/labs/vol1/lab_05_nn_compute.py"


# -- new -------------------------------------------------------------------------------------------


def test_new_scaffolds_a_spec_that_only_lacks_its_todos(run, project) -> None:
    code, out, _ = run("new", "ch07")
    path = project / "chapters/vol1/ch07_ml_frameworks.yaml"
    text = path.read_text(encoding="utf-8")
    assert code == 0
    assert "created chapters/vol1/ch07_ml_frameworks.yaml" in out
    assert text.splitlines()[0] == MODELINE
    assert (project / "chapters" / SCHEMA_FILE).is_file()
    data = yaml.safe_load(text)
    assert data["chapter"] == {
        "volume": 1,
        "number": 7,
        "slug": "ml_frameworks",
        "title": "TODO: the lab title",
        "reading": {"section": "TODO: the book section read before the lab"},
    }
    code, out, _ = run("validate", "ch07")
    problems = out.splitlines()
    assert code == 1
    assert len(problems) > 20
    assert all(
        p.endswith("unfinished: replace the TODO marker with the real content") for p in problems
    )


def test_new_spec_becomes_valid_once_the_todos_are_filled(run, project) -> None:
    run("new", "ch07")
    path = project / "chapters/vol1/ch07_ml_frameworks.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace('"TODO: objective 1 (Predict, Quantify, Diagnose, ...)"', "Predict a.")
    text = text.replace('"TODO: objective 2 (Predict, Quantify, Diagnose, ...)"', "Quantify b.")
    text = text.replace('"TODO: objective 3 (Predict, Quantify, Diagnose, ...)"', "Explain c.")
    text = text.replace('["TODO"]', "[waterfall]").replace(
        'instrument: "TODO"', "instrument: waterfall"
    )
    text = text.replace('"TODO: ', '"Filled: ')
    path.write_text(text, encoding="utf-8")
    code, out, _ = run("validate", "ch07")
    assert (code, out) == (0, "All 1 spec valid.\n")


def test_new_lab_01_has_a_dam_section(run, project) -> None:
    assert run("new", "ch01")[0] == 0
    data = yaml.safe_load((project / "chapters/vol1/ch01_ml_intro.yaml").read_text())
    assert set(data["dam"]) == {"data", "algorithm", "machine", "model", "system"}
    assert run("new", "v2ch01")[0] == 0
    assert "dam" not in yaml.safe_load((project / "chapters/vol2/ch01_ml_intro.yaml").read_text())


def test_new_lists_what_earlier_chapters_wrote(run, project) -> None:
    _add_valid_spec(project)
    run("new", "ch07")
    text = (project / "chapters/vol1/ch07_ml_frameworks.yaml").read_text()
    assert "# written by earlier chapters: serving_batch (v1ch05)" in text


def test_new_refuses_to_overwrite(run, project) -> None:
    spec = _add_valid_spec(project)
    before = spec.read_bytes()
    code, _, err = run("new", "ch05")
    assert code == 1
    assert (
        err
        == "error: chapters/vol1/ch05_nn_compute.yaml already exists; refusing to overwrite it\n"
    )
    assert spec.read_bytes() == before


def test_new_rejects_unknown_chapters(run, project) -> None:
    code, _, err = run("new", "ch17")
    assert code == 2
    assert "Volume 1 has chapters 1 to 16, not 17" in err
    assert not list((project / "chapters").rglob("*.yaml"))


def test_new_is_deterministic(run, project) -> None:
    run("new", "ch09")
    first = (project / "chapters/vol1/ch09_data_selection.yaml").read_bytes()
    (project / "chapters/vol1/ch09_data_selection.yaml").unlink()
    run("new", "ch09")
    assert (project / "chapters/vol1/ch09_data_selection.yaml").read_bytes() == first


# -- schema and config -------------------------------------------------------------------------------


def test_schema_prints_json(run) -> None:
    code, out, _ = run("schema")
    schema = json.loads(out)
    assert code == 0
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["additionalProperties"] is False


def test_schema_write_and_check(run, project) -> None:
    assert run("schema", "--check")[0] == 1
    assert run("schema", "--write")[0] == 0
    assert run("schema", "--check")[0] == 0
    (project / "chapters" / SCHEMA_FILE).write_text("{}")
    code, _, err = run("schema", "--check")
    assert code == 1
    assert "out of date" in err


def test_config_shows_each_setting_and_its_source(run, project, monkeypatch) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.labgen]\n\n[tool.labgen.check]\nselect = ["LAB"]\n'
    )
    monkeypatch.setenv("LABGEN_CHECK_IGNORE", "LAB002")
    code, out, _ = run("config", "--set", "build.format=false")
    lines = {line.split(" = ")[0]: line for line in out.splitlines() if " = " in line}
    assert code == 0
    assert lines["check.select"].endswith("# pyproject.toml [tool.labgen.check]")
    assert '["LAB"]' in lines["check.select"]
    assert lines["check.ignore"].endswith("# environment LABGEN_CHECK_IGNORE")
    assert lines["build.format"].startswith("build.format = false")
    assert lines["build.format"].endswith("# --set build.format=false")
    assert lines["build.labs_dir"].endswith("# default")
    code, out, _ = run("config", "--json")
    assert json.loads(out)["check.ignore"] == {
        "value": ["LAB002"],
        "source": "environment LABGEN_CHECK_IGNORE",
    }


def test_config_errors_are_located_and_exit_2(run, project) -> None:
    (project / "pyproject.toml").write_text('[tool.labgen]\nplugin = ["x"]\n')
    code, _, err = run("config", "--set", "check.selec=LAB1")
    assert code == 2
    assert err.splitlines() == [
        f"error: {project / 'pyproject.toml'}:2: unknown setting 'plugin'; did you mean 'plugins'?",
        "--set check.selec=LAB1: unknown setting 'check.selec'; did you mean 'check.select'?",
    ]


def test_commands_outside_a_project_are_usage_errors(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    for args in (["list"], ["config"], ["new", "ch05"], ["validate"], ["schema", "--write"]):
        assert main(args) == 2, args
    assert main(["schema"]) == 0  # printing the schema needs no project
    capsys.readouterr()


# -- plugins ---------------------------------------------------------------------------------------

_PLUGIN = """
from labgen.hookspecs import hookimpl
from labgen.instruments import Instrument


@hookimpl
def labgen_instruments():
    return [Instrument("sankey", 5, "book_plugins.Sankey", "instrument_sankey", "Energy sankey")]
"""


def test_project_plugins_add_instruments_with_their_unlock_chapter(
    run, project, valid_text, edit, monkeypatch
) -> None:
    (project / "book_plugins.py").write_text(_PLUGIN, encoding="utf-8")
    monkeypatch.delitem(
        sys.modules, "book_plugins", raising=False
    )  # imported afresh, forgotten after
    (project / "pyproject.toml").write_text('[tool.labgen]\nplugins = ["book_plugins"]\n')
    text = edit(valid_text, "instruments: [waterfall]", "instruments: [waterfall, sankey]")
    text = edit(
        text,
        '    instrument: waterfall\n    reflection:\n      prompt: "Justify."',
        '    instrument: sankey\n    reflection:\n      prompt: "Justify."',
    )
    (project / CH05).write_text(text)
    assert run("validate")[0] == 0
    schema = json.loads(run("schema")[1])
    assert "sankey" in schema["$defs"]["Kat"]["properties"]["instrument"]["enum"]
    # The same instrument before its unlock chapter is refused.
    early = edit(text, "  number: 5\n  slug: nn_compute", "  number: 4\n  slug: data_engr")
    (project / CH05).unlink()
    (project / "chapters/vol1/ch04_data_engr.yaml").write_text(early)
    code, out, _ = run("validate")
    assert code == 1
    assert (
        "instrument 'sankey' unlocks in Volume 1 chapter 5 (nn_compute); this is chapter 4" in out
    )


def test_a_missing_project_plugin_is_a_usage_error(run, project) -> None:
    _add_valid_spec(project)
    (project / "pyproject.toml").write_text('[tool.labgen]\nplugins = ["no_such_plugin"]\n')
    code, _, err = run("validate")
    assert code == 2
    assert "plugin module 'no_such_plugin' cannot be imported: ModuleNotFoundError" in err
