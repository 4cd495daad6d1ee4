"""The broken-spec corpus: every file gives its located, readable problem, exit code 1, no
traceback, and nothing is written anywhere."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest

from labgen.cli import main

BROKEN = Path(__file__).parent / "broken"
EXPECTED: dict[str, dict[str, str]] = tomllib.loads(
    (BROKEN / "expected.toml").read_text(encoding="utf-8")
)


def _snapshot(root: Path) -> dict[str, bytes]:
    """Every file of the project but validate's own cache (.labgen_cache/)."""
    found = {p.relative_to(root): p for p in root.rglob("*") if p.is_file()}
    return {k.as_posix(): p.read_bytes() for k, p in found.items() if k.parts[0] != ".labgen_cache"}


def test_every_corpus_file_has_an_expectation_and_back() -> None:
    files = {p.stem for p in BROKEN.glob("*.yaml")}
    assert files == set(EXPECTED)
    assert len(files) >= 40


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_spec_is_reported_at_its_node(
    name: str, project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Saved where a real spec lives, so only the planted problem is wrong with it.
    target = project / "chapters" / "vol1" / "ch05_nn_compute.yaml"
    shutil.copyfile(BROKEN / f"{name}.yaml", target)
    monkeypatch.chdir(project)
    before = _snapshot(project)

    code = main(["validate"])

    out, err = capsys.readouterr()
    expected = EXPECTED[name]
    located = f"chapters/vol1/ch05_nn_compute.yaml:{expected['location']}: "
    lines = [line for line in out.splitlines() if line.startswith(located)]
    assert code == 1
    assert any(expected["message"] in line for line in lines), out
    assert "Traceback" not in out + err
    assert err.startswith("error: found ")
    assert _snapshot(project) == before


def test_huge_file_is_refused_without_parsing(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    target = project / "chapters" / "vol1" / "ch05_nn_compute.yaml"
    target.write_bytes(b"chapter:\n" + b"  # padding\n" * 200_000)
    monkeypatch.chdir(project)

    code = main(["validate"])

    out = capsys.readouterr().out
    assert code == 1
    assert "chapters/vol1/ch05_nn_compute.yaml:1:1: file is 2.4 MB" in out
