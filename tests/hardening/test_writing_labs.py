"""Writing labs: a folder that refuses the write, Ctrl-C part way, leftovers of a killed build
(issue 18, items 5, 7 and 9)."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

from labgen import atomic

from .conftest import LAB05, REPO, VALID_CH05, gone_pid

CH06 = Path("chapters/vol1/ch06_nn_arch.yaml")
LAB06 = Path("generated_labs/vol1/lab_06_nn_arch.py")
SPEC_FIXTURES = REPO / "tests" / "spec" / "conftest.py"


def _second_chapter(project: Path) -> None:
    """Add a spec for chapter 6 (chapter 5's spec, refiled), so a build writes two labs."""
    # tests/spec/conftest.py knows how to refile the spec; test folders are not packages.
    found = importlib.util.spec_from_file_location("spec_fixtures", SPEC_FIXTURES)
    assert found is not None
    assert found.loader is not None
    fixtures = importlib.util.module_from_spec(found)
    found.loader.exec_module(fixtures)
    text = VALID_CH05.read_text(encoding="utf-8")
    text = text.replace("number: 5", "number: 6", 1).replace("slug: nn_compute", "slug: nn_arch")
    (project / CH06).write_text(fixtures.restate_bars(text, 6), encoding="utf-8")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_labs_folder_is_one_line(project: Path, labgen) -> None:
    labs = project / "generated_labs" / "vol1"
    labs.mkdir(parents=True)
    labs.chmod(0o555)
    try:
        result = labgen("build", "ch05")
    finally:
        labs.chmod(0o755)
    assert result.code == 1
    assert result.err == (
        f"error: cannot write {LAB05.as_posix()}: Permission denied (it keeps its old content; "
        "no lab was written)\n"
    )


def test_a_write_that_fails_names_the_lab_and_what_was_written(
    project: Path, labgen, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Root ignores permissions, so the refusal is staged: the second write fails.
    _second_chapter(project)
    calls: list[Path] = []
    original = atomic.write_atomic

    def refusing(path: Path, data: bytes, **options: object) -> None:
        calls.append(path)
        if len(calls) == 2:
            raise PermissionError(13, "Permission denied")
        original(path, data, **options)

    monkeypatch.setattr("labgen.rendering.pipeline.write_atomic", refusing)
    result = labgen("build", "ch05", "ch06")
    assert result.code == 1
    assert result.err == (
        f"error: cannot write {LAB06.as_posix()}: Permission denied (it keeps its old content; "
        f"already written: {LAB05.as_posix()})\n"
    )
    assert (project / LAB05).is_file()
    assert not (project / LAB06).exists()


def test_ctrl_c_after_some_labs_were_replaced_says_which(
    project: Path, labgen, monkeypatch: pytest.MonkeyPatch
) -> None:
    _second_chapter(project)
    original = atomic.write_atomic
    calls: list[Path] = []

    def interrupted(path: Path, data: bytes, **options: object) -> None:
        calls.append(path)
        if len(calls) == 2:
            raise KeyboardInterrupt
        original(path, data, **options)

    monkeypatch.setattr("labgen.rendering.pipeline.write_atomic", interrupted)
    result = labgen("build", "ch05", "ch06")
    assert result.code == 130
    assert result.err == (
        f"error: interrupted while writing {LAB06.as_posix()} (it keeps its old content; "
        f"already written: {LAB05.as_posix()})\n"
    )


def test_a_build_removes_what_a_killed_build_left(project: Path, labgen) -> None:
    assert labgen("build", "ch05").code == 0
    child = gone_pid()
    leftover = project / LAB05.parent / f".{LAB05.name}.{child}.q1w2e3r4.tmp"
    leftover.write_text("half a lab")
    # Nothing to rebuild: the leftover goes all the same.
    result = labgen("build", "ch05")
    assert result.code == 0
    assert "already up to date" in result.out
    assert sorted(p.name for p in leftover.parent.iterdir()) == [LAB05.name]


def _refuse(path: Path, data: bytes, **options: object) -> None:
    raise PermissionError(13, "Permission denied")


def test_schema_write_into_a_read_only_folder_is_one_line(
    project: Path, labgen, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("labgen.commands.schema.write_atomic", _refuse)
    result = labgen("schema", "--write")
    assert result.code == 1
    assert result.err == "error: cannot write chapters/spec.schema.json: Permission denied\n"


def test_a_new_spec_is_kept_when_its_schema_cannot_be_written(
    project: Path, labgen, monkeypatch: pytest.MonkeyPatch
) -> None:
    written: list[Path] = []

    def spec_only(path: Path, data: bytes, **options: object) -> None:
        if path.suffix == ".json":
            _refuse(path, data)
        written.append(path)
        atomic.write_atomic(path, data, **options)

    monkeypatch.setattr("labgen.commands.new.write_atomic", spec_only)
    result = labgen("new", "ch07")
    assert result.code == 0
    assert (project / "chapters/vol1/ch07_ml_frameworks.yaml").is_file()
    assert "warning: cannot write chapters/spec.schema.json" in result.err
