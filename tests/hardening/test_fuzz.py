"""Bounded fuzzing: generated Python programs and mutated labs through ``labgen check``, mutated
and hostile specs through ``labgen validate``. Every run is seeded (the same inputs each time)
and stops taking new inputs after a time cap; each input must give a documented exit code,
output in the asked format, and no traceback."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from pathlib import Path

import hypothesmith
import pytest
from hypothesis import HealthCheck, given, settings

from .conftest import REPO, VALID_CH05

#: Seconds each fuzz test spends taking new inputs (all four stay well under a minute).
TIME_CAP = 6.0
LAB = REPO / "tests" / "rendering" / "golden" / "lab_05_nn_compute.py"


class Budget:
    """Says when a test's time cap has passed (inputs after that are skipped, not failed)."""

    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds
        self.runs = 0

    def spent(self) -> bool:
        """Whether the cap has passed; counts the inputs taken before it."""
        if time.monotonic() > self.end:
            return True
        self.runs += 1
        return False


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty project as the working folder (so checks see a project, and no cache)."""
    (tmp_path / "pyproject.toml").write_text("[tool.labgen]\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _check(labgen: Callable, path: Path) -> list[dict]:
    result = labgen("check", str(path), "--output-format", "json", "--no-cache")
    assert result.code in (0, 1), (path.read_bytes()[:2000], result.out[-2000:])
    found = json.loads(result.out)
    assert all(d["code"] != "LAB999" for d in found), found
    return found


@pytest.mark.filterwarnings("ignore::SyntaxWarning")  # generated code such as ``0()``
def test_generated_programs_never_crash_check(scratch: Path, labgen) -> None:
    budget = Budget(TIME_CAP)

    @settings(
        max_examples=40,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(hypothesmith.from_grammar())
    def run(source: str) -> None:
        if budget.spent():
            return
        path = scratch / "program.py"
        path.write_text(source, encoding="utf-8")
        _check(labgen, path)

    run()
    assert budget.runs > 0


def _mutate_lines(text: str, rng: random.Random) -> str:
    lines = text.splitlines(keepends=True)
    for _ in range(rng.randint(1, 4)):
        where = rng.randrange(len(lines))
        action = rng.choice(["drop", "copy", "swap", "indent", "garble", "cut"])
        if action == "drop":
            del lines[where]
        elif action == "copy":
            lines.insert(rng.randrange(len(lines)), lines[where])
        elif action == "swap":
            other = rng.randrange(len(lines))
            lines[where], lines[other] = lines[other], lines[where]
        elif action == "indent":
            lines[where] = "    " + lines[where]
        elif action == "garble":
            line = lines[where]
            spot = rng.randrange(len(line) + 1)
            noise = "".join(rng.choice("()[]{}:=,.'\"#\\\r\t xq0_é") for _ in range(3))
            lines[where] = line[:spot] + noise + line[spot:]
        else:
            lines = lines[: where + 1]
        if not lines:
            lines = ["\n"]
    return "".join(lines)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # a garbled "\[" in a string
def test_mutated_labs_never_crash_check(scratch: Path, labgen) -> None:
    rng = random.Random(18)
    text = LAB.read_text(encoding="utf-8")
    folder = scratch / "generated_labs" / "vol1"
    folder.mkdir(parents=True)
    budget = Budget(TIME_CAP)
    for _ in range(80):
        if budget.spent():
            break
        path = folder / LAB.name
        path.write_text(_mutate_lines(text, rng), encoding="utf-8", newline="")
        _check(labgen, path)
    assert budget.runs > 0


#: Pieces of YAML that have broken readers before: tags, aliases, odd numbers and text.
HOSTILE = [
    "!!int six",
    "!!float big",
    "!!bool maybe",
    "!!timestamp x",
    "!!binary aGk=",
    "!!python/object:os.system x",
    "9" * 5000,
    "1e999",
    "-.nan",
    '"\\udc80"',
    '"\\x00"',
    "&a [*a]",
    "*nowhere",
    "<<: {a: 1}",
    "[" * 200 + "]" * 200,
    "{a: 1, a: 2}",
    "? [complex, key]\n  : value",
    "'{{ 7 * 7 }}'",
    "1/0",
    "__import__('os')",
    "(" * 300 + "ms" + ")" * 300,
    "\t- tab",
    "|\n  block\r\n  text",
    "null",
    "[]",
    "~",
]


def _mutate_spec(text: str, rng: random.Random) -> bytes:
    lines = text.splitlines(keepends=True)
    where = rng.randrange(len(lines))
    line = lines[where]
    action = rng.choice(["value", "value", "drop", "copy", "bytes", "cut", "indent"])
    if action == "value" and ":" in line:
        key = line.split(":", 1)[0]
        lines[where] = f"{key}: {rng.choice(HOSTILE)}\n"
    elif action == "drop":
        del lines[where]
    elif action == "copy":
        lines.insert(where, line)
    elif action == "indent":
        lines[where] = "  " + line
    elif action == "cut":
        lines = lines[:where]
    data = "".join(lines).encode("utf-8", "surrogatepass")
    if action == "bytes" and data:
        spot = rng.randrange(len(data))
        data = data[:spot] + bytes([rng.randrange(256)]) + data[spot + 1 :]
    return data


def _validate(labgen: Callable, path: Path) -> None:
    result = labgen("validate", str(path), "--json")
    assert result.code in (0, 1), (path.read_bytes()[:2000], result.err)
    problems = json.loads(result.out)
    assert (result.code == 0) == (problems == [])
    for problem in problems:
        assert set(problem) == {"path", "line", "column", "message"}
        assert "\n" not in problem["message"]
    if result.code:
        assert result.err.startswith("error: found ")


def test_mutated_specs_get_located_problems(scratch: Path, labgen) -> None:
    rng = random.Random(1818)
    text = VALID_CH05.read_text(encoding="utf-8")
    path = scratch / "chapters" / "vol1" / "ch05_nn_compute.yaml"
    path.parent.mkdir(parents=True)
    budget = Budget(TIME_CAP)
    for _ in range(250):
        if budget.spent():
            break
        path.write_bytes(_mutate_spec(text, rng))
        _validate(labgen, path)
    assert budget.runs > 0


@pytest.mark.parametrize("value", HOSTILE)
def test_each_hostile_value_is_a_located_problem(scratch: Path, labgen, value: str) -> None:
    path = scratch / "chapters" / "vol1" / "ch05_nn_compute.yaml"
    path.parent.mkdir(parents=True)
    text = VALID_CH05.read_text(encoding="utf-8")
    path.write_text(text.replace("  number: 5\n", f"  number: {value}\n", 1), encoding="utf-8")
    _validate(labgen, path)
