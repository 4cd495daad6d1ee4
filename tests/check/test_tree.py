"""Rules that judge lab files together: a wrong slug, two files that claim one chapter (stale
duplicates), and the chapter a misnamed lab is still judged as."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from labgen.checking.context import chapter_named_by
from labgen.checking.testing import check_source
from labgen.checks import builtin_checks

from .conftest import CliResult, write

Run = Callable[..., CliResult]
EMPTY_LAB = "import marimo\n\napp = marimo.App()\n"


@pytest.fixture
def book(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A book repository whose hand-written labs sit in ``labs/vol2`` (not generated_labs)."""
    write(tmp_path / "pyproject.toml", "[tool.labgen]\n")
    for name in (
        "lab_06_collect_comms",
        "lab_06_collective_communication",
        "lab_07_fault_tolerance",
        "lab_08_fault_tolerance",
        "lab_09_inference",
    ):
        write(tmp_path / "labs" / "vol2" / f"{name}.py", EMPTY_LAB)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _slug_findings(run_cli: Run, *paths: str) -> dict[str, str]:
    result = run_cli("check", "--no-cache", "--select", "LAB009", "--output-format", "json", *paths)
    return {d["filename"]: d["message"] for d in json.loads(result.out)}


def test_a_second_file_for_a_chapter_is_named_a_stale_duplicate(book: Path, run_cli: Run) -> None:
    found = _slug_findings(run_cli, "labs")
    message = found["labs/vol2/lab_06_collective_communication.py"]
    assert "stale duplicate of lab_06_collect_comms.py, which exists" in message
    assert "rename" not in message
    assert "labs/vol2/lab_06_collect_comms.py" not in found


def test_a_stale_copy_of_the_chapter_its_slug_names_is_never_renamed_onto(
    book: Path, run_cli: Run
) -> None:
    message = _slug_findings(run_cli, "labs")["labs/vol2/lab_08_fault_tolerance.py"]
    assert "stale copy of lab_07_fault_tolerance.py" in message
    assert "rename" not in message


def test_a_lone_misnamed_file_is_told_the_name_its_number_gives(book: Path, run_cli: Run) -> None:
    found = _slug_findings(run_cli, "labs/vol2/lab_09_inference.py")
    assert found == {
        "labs/vol2/lab_09_inference.py": "`lab_09_inference.py` is the lab of v2ch09 (perf_engr) "
        "by its number, not `inference`: rename the file to lab_09_perf_engr.py"
    }


def test_only_the_files_a_run_checks_are_judged(book: Path, run_cli: Run) -> None:
    assert _slug_findings(run_cli, "labs/vol2/lab_06_collect_comms.py") == {}


def test_a_lab_with_a_wrong_slug_is_still_judged_as_its_numbers_chapter() -> None:
    assert str(chapter_named_by("labs/vol1/lab_05_neural_compute.py")) == "v1ch05 (nn_compute)"
    assert chapter_named_by("labs/vol1/lab_17_extra.py") is None
    source = (
        "import marimo\n\napp = marimo.App()\n\n\n@app.cell\ndef _():\n"
        "    from labs.core import ParetoCurve\n\n    return (ParetoCurve,)\n"
    )
    found = check_source(source, builtin_checks(), path="labs/vol1/lab_05_neural_compute.py")
    assert "LAB008" in {d.code for d in found}  # a chapter-aware rule: Pareto unlocks in ch. 9
