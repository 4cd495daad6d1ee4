"""Hostile spec files: each gets one located message and exit 1, never a traceback, and a bad
neighbour spec does not stop a command about another chapter (issue 18, items 1-3, 5, 6, 11)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from labgen.spec.index import index_specs
from labgen.spec.reading import SpecReadError, read_spec_bytes
from labgen.spec.units import unit_problem
from labgen.spec.yamlread import MAX_BYTES, read_yaml

from .conftest import CH04, CH05, LAB05, VALID_CH05, new_project


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("!!int six", "'six' is not a number (tag !!int)"),
        ("!!float big", "'big' is not a number (tag !!float)"),
        ("!!bool maybe", "'maybe' is not a boolean (tag !!bool)"),
        ("!!timestamp x", "'x' is read as a date"),
        ("9" * 5000, "a number of 5,000 digits"),
        ('"\\udc80"', "the escape \\udc80 is half of a UTF-16 pair"),
    ],
)
def test_a_bad_tagged_or_absurd_value_is_a_located_problem(value: str, message: str) -> None:
    document, problems = read_yaml(f"chapter:\n  number: {value}\n".encode())
    assert document is not None
    assert [(p.line, p.column) for p in problems] == [(2, 11)]
    assert problems[0].message.startswith(message)


def test_validate_names_the_bad_value_of_a_spec(project: Path, labgen) -> None:
    text = (project / CH05).read_text(encoding="utf-8")
    (project / CH05).write_text(text.replace("number: 5", "number: !!int five", 1))
    result = labgen("validate", "ch05")
    assert result.code == 1
    assert f"{CH05.as_posix()}:" in result.out
    assert "'five' is not a number (tag !!int)" in result.out
    assert result.err.startswith("error: found ")


def test_a_bad_neighbour_is_reported_as_the_neighbours_and_the_chapter_still_builds(
    project: Path, labgen
) -> None:
    (project / CH04).write_text("chapter:\n  volume: 1\n  number: !!int four\n")
    for command in ("validate", "build"):
        result = labgen(command, "ch05")
        assert result.code == 0, result.text
        assert result.err.startswith(
            f"warning: {CH04.as_posix()}:3:11: 'four' is not a number (tag !!int)"
        )
        assert "another chapter's spec" in result.err
    assert (project / LAB05).is_file()


@pytest.mark.parametrize(
    "unit", ["1/0", "foo(", "()", "__import__('os')", "(" * 3000 + "ms" + ")" * 3000, "2 ms"]
)
def test_a_unit_the_registry_cannot_read_is_a_spec_problem(unit: str) -> None:
    assert unit_problem(unit) is not None
    assert unit_problem(unit).startswith("unknown unit")  # type: ignore[union-attr]


@pytest.mark.parametrize("unit", ["ms", "sample/s", "GB/s", "FLOP/byte", "token/s/W", "mJ"])
def test_real_units_are_read(unit: str) -> None:
    assert unit_problem(unit) is None


def test_validate_reports_a_hostile_unit(project: Path, labgen) -> None:
    text = (project / CH05).read_text(encoding="utf-8")
    assert "unit: ms" in text
    (project / CH05).write_text(text.replace("unit: ms", "unit: 1/0", 1))
    result = labgen("validate", "ch05")
    assert result.code == 1
    assert "unknown unit '1/0'" in result.out


def test_the_size_cap_holds_when_the_index_reads_a_neighbour(project: Path, labgen) -> None:
    (project / CH04).write_bytes(b"chapter: {volume: 1, number: 4}\n# " + b"x" * (MAX_BYTES + 10))
    index = index_specs([project / CH04])
    assert index.unreadable[project / CH04] == (
        1,
        1,
        "file is 1.0 MB; a chapter spec is at most 1000 KB",
    )
    result = labgen("build", "ch05")
    assert result.code == 0
    assert "a chapter spec is at most 1000 KB" in result.err


def test_reading_a_spec_never_reads_past_the_cap(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"a" * 50)
    assert read_spec_bytes(path, limit=50) == b"a" * 50
    with pytest.raises(SpecReadError, match="at most"):
        read_spec_bytes(path, limit=49)


def test_a_fifo_in_a_specs_place_does_not_hang(project: Path, labgen) -> None:
    os.mkfifo(project / CH04)
    with pytest.raises(SpecReadError, match="not a regular file"):
        read_spec_bytes(project / CH04)
    assert labgen("validate", "ch05").code == 0
    result = labgen("validate", "ch04")
    assert result.code == 1
    assert f"{CH04.as_posix()}: cannot read the spec: it is not a regular file" in result.out


@pytest.mark.parametrize("command", [("build", "ch04"), ("validate", "ch04"), ("build", "--all")])
def test_a_spec_linking_to_itself_is_named(project: Path, labgen, command) -> None:
    (project / CH04).symlink_to(CH04.name)
    result = labgen(*command)
    assert result.code == 1
    assert f"{CH04.as_posix()}: cannot read the spec: it is a symbolic link that loops" in (
        result.out
    )


def test_validate_with_no_argument_reports_a_looping_spec(project: Path, labgen) -> None:
    (project / CH04).symlink_to(CH04.name)
    result = labgen("validate")
    assert result.code == 1
    assert result.out.startswith(f"{CH04.as_posix()}: cannot read the spec: it is a symbolic")
    assert result.err == "error: found 1 problem in 1 of 2 specs\n"


def test_list_shows_a_looping_spec(project: Path, labgen) -> None:
    (project / CH04).symlink_to(CH04.name)
    result = labgen("list")
    assert result.code == 0
    assert "v1ch04" in result.out


def test_a_dangling_link_is_named_by_build_and_by_new(project: Path, labgen) -> None:
    (project / CH04).symlink_to("drafts/ch04.yaml")
    result = labgen("build", "ch04")
    assert result.code == 1
    assert "it is a symbolic link to drafts/ch04.yaml, which does not exist" in result.out
    assert "labgen new" not in result.text
    result = labgen("new", "ch04")
    assert result.code == 1
    assert "is a symbolic link to drafts/ch04.yaml, which does not exist" in result.err


def test_validate_finds_the_project_from_the_files_named(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, labgen
) -> None:
    # ch06 reads what ch05 writes: judged against the wrong project, its reads are errors.
    other = new_project(tmp_path / "other")
    for where in (tmp_path, other):
        monkeypatch.chdir(where)
        result = labgen("validate", str(project / "chapters"))
        assert result.code == 0, result.text


def test_build_and_validate_report_problems_alike(project: Path, labgen) -> None:
    text = VALID_CH05.read_text(encoding="utf-8")
    (project / CH05).write_text(text.replace("  gain: throughput", "  gane: throughput"))
    validate, build = labgen("validate", "ch05"), labgen("build", "ch05")
    assert validate.out == build.out
    assert build.out.startswith(f"{CH05.as_posix()}:")
    assert validate.err == "error: found 1 problem in 1 of 1 spec\n"
    assert build.err == "error: found 1 problem in 1 of 1 spec; no lab was written\n"


@pytest.mark.parametrize("umask", [0o022, 0o002])
def test_built_labs_and_new_specs_follow_the_umask(project: Path, labgen, umask: int) -> None:
    previous = os.umask(umask)
    try:
        assert labgen("build", "ch05").code == 0
        assert labgen("new", "ch07").code == 0
    finally:
        os.umask(previous)
    for path in (LAB05, Path("chapters/vol1/ch07_ml_frameworks.yaml")):
        assert (project / path).stat().st_mode & 0o777 == 0o666 & ~umask


def test_a_read_no_earlier_spec_writes_names_the_unreadable_one(tmp_path: Path) -> None:
    from labgen.book import chapter
    from labgen.spec.model import Ledger
    from labgen.spec.project_rules import check_ledger_reads

    folder = tmp_path / "chapters" / "vol1"
    folder.mkdir(parents=True)
    (folder / "ch04_data_engr.yaml").symlink_to("ch04_data_engr.yaml")
    index = index_specs([folder / "ch04_data_engr.yaml"])
    ledger = Ledger.model_validate({"reads": [{"key": "data_format"}]})
    [finding] = list(check_ledger_reads(chapter(1, 5), ledger, index))
    assert finding.message == (
        "ledger key 'data_format' is not written by any earlier chapter's spec (unless "
        "ch04_data_engr.yaml writes it: that spec cannot be read)"
    )
