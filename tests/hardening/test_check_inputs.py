"""``labgen check`` on odd inputs: a damaged cache, CR line endings, deep code, no project
(issue 18, items 4, 8, 10 and 11)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from labgen.checking.cache import ResultCache
from labgen.checking.diagnostics import Diagnostic
from labgen.checking.report import Report
from labgen.checking.reporters import format_concise

LAB = """import marimo

app = marimo.App()


@app.cell
def _():
    x = 1  # noqa: LAB005
    return (x,)
"""


def _finding() -> Diagnostic:
    return Diagnostic("lab.py", 1, 1, "LAB004", "a finding", "descriptive-globals", 1, 2)


@pytest.mark.parametrize(
    "entry", [b"null", b"[]", b"42", b'"text"', b"[" * 100_000 + b"]" * 100_000, b"\xff\xfe"]
)
def test_a_bad_cache_entry_is_a_miss(tmp_path: Path, entry: bytes) -> None:
    cache = ResultCache(tmp_path, "fingerprint")
    key = cache.key("lab.py", b"source")
    cache.put("lab.py", key, [_finding()])
    assert cache.get("lab.py", key, None) == [_finding()]
    cache._entry("lab.py").write_bytes(entry)
    assert cache.get("lab.py", key, None) is None
    assert cache.misses == 1


def test_a_fifo_in_a_cache_entrys_place_is_a_miss(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path, "fingerprint")
    key = cache.key("lab.py", b"source")
    cache.put("lab.py", key, [])
    entry = cache._entry("lab.py")
    entry.unlink()
    os.mkfifo(entry)
    assert cache.get("lab.py", key, None) is None


def test_a_damaged_cache_does_not_break_a_run(tmp_path: Path, labgen, monkeypatch) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.labgen]\n")
    (tmp_path / "lab.py").write_text(LAB)
    monkeypatch.chdir(tmp_path)
    first = labgen("check", "lab.py", "--output-format", "json")
    for entry in (tmp_path / ".labgen_cache").rglob("*.json"):
        entry.write_text("null")
    again = labgen("check", "lab.py", "--output-format", "json")
    assert (again.code, json.loads(again.out)) == (first.code, json.loads(first.out))


def test_cr_line_endings_with_a_noqa_keep_every_finding(tmp_path: Path, labgen, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "lf.py").write_text(LAB, newline="\n")
    (tmp_path / "cr.py").write_text(LAB, newline="\r")
    found = {}
    for name in ("lf.py", "cr.py"):
        result = labgen("check", name, "--output-format", "json")
        found[name] = [(d["code"], d["line"], d["column"]) for d in json.loads(result.out)]
    assert "LAB999" not in {code for code, _, _ in found["cr.py"]}
    assert found["cr.py"] == found["lf.py"]
    assert ("LAB100", 8, 12) in found["cr.py"]  # the noqa suppresses nothing


@pytest.mark.parametrize("depth", [150, 190])
def test_code_within_the_nesting_limit_is_analysed(tmp_path: Path, labgen, monkeypatch, depth):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "deep.py").write_text("x = " + "f(" * depth + "1" + ")" * depth + "\n")
    result = labgen("check", "deep.py", "--output-format", "json", "--select", "LAB000")
    assert result.code == 0, result.out


def test_check_outside_a_project_leaves_no_cache_behind(tmp_path: Path, labgen, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "lab.py").write_text(LAB)
    labgen("check", "lab.py")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lab.py"]


def test_the_summary_counts_a_failing_plugin_apart_from_the_files() -> None:
    failure = Diagnostic("<plugin meter>", 1, 1, "LAB999", "failed to load", "internal-error", 1, 1)
    report = Report(diagnostics=[failure, _finding()], files=1)
    assert format_concise(report).splitlines()[-1] == (
        "Found 1 problem in 1 of 1 file, and 1 plugin failure."
    )


def test_a_fifo_named_or_in_a_folder_never_hangs_check(tmp_path: Path, labgen, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[tool.labgen]\n")
    labs = tmp_path / "labs"
    labs.mkdir()
    (labs / "lab.py").write_text(LAB)
    os.mkfifo(labs / "pipe.py")
    in_folder = labgen("check", "labs", "--output-format", "json")
    assert {d["filename"] for d in json.loads(in_folder.out)} == {"labs/lab.py"}
    named = labgen("check", "labs/pipe.py", "--output-format", "json")
    assert named.code == 2
    [found] = json.loads(named.out)
    assert (found["code"], found["message"]) == (
        "LAB999",
        "cannot read the file: not a regular file",
    )
