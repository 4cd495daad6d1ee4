"""``labgen validate``'s cache: unchanged specs are not proved again, anything that could change
a spec's problems is, a damaged entry is a miss, and ``--no-cache`` reads and writes none."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

import labgen.commands.validate as validate_command
from labgen.checking import cache as check_cache
from labgen.cli import main
from labgen.instruments import BUILTIN_INSTRUMENTS
from labgen.spec import cache as spec_cache
from labgen.spec.index import SpecIndex

DATA = Path(__file__).parent / "data"
CH05 = Path("chapters/vol1/ch05_nn_compute.yaml")
ENTRIES = Path(".labgen_cache") / spec_cache.FORMAT


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


@pytest.fixture
def proved(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The spec paths ``labgen validate`` proved (rather than read from its cache), in order.
    One spec per project here, so the work runs in this process (``labgen.parallel``)."""
    seen: list[Path] = []
    original = validate_command._problems_of

    def counted(job: tuple[Path, str, bytes]) -> object:
        seen.append(job[0])
        return original(job)

    monkeypatch.setattr(validate_command, "_problems_of", counted)
    return seen


def _entry(project: Path) -> Path:
    (entry,) = (project / ENTRIES).glob("*.json")
    return entry


def test_an_unchanged_spec_is_read_from_the_cache(run, project, proved) -> None:
    shutil.copyfile(DATA / "valid_ch05.yaml", project / CH05)
    cold = run("validate")
    assert len(proved) == 1
    assert run("validate") == cold
    assert len(proved) == 1


def test_cached_problems_are_the_proved_ones_wherever_the_command_runs(
    run, project, valid_text, edit, proved, monkeypatch
) -> None:
    text = edit(valid_text, "  gain: throughput", "  gane: throughput")
    (project / CH05).write_text(edit(text, "kind: number", "kind: numbr"))
    cold = run("validate", "--json")
    assert cold[0] == 1
    assert len(json.loads(cold[1])) == 2
    assert run("validate", "--json") == cold
    assert run("validate", "--no-cache", "--json") == cold
    assert len(proved) == 2  # the first run and --no-cache
    # From another folder the file is named differently; the entry still serves.
    monkeypatch.chdir(project / "chapters")
    code, out, _ = run("validate", "--json")
    assert len(proved) == 2
    assert code == 1
    shown = [{**problem, "path": "vol1/ch05_nn_compute.yaml"} for problem in json.loads(cold[1])]
    assert json.loads(out) == shown


def test_an_edited_spec_is_proved_again(run, project, valid_text, edit, proved) -> None:
    (project / CH05).write_text(valid_text)
    before = run("validate")
    assert "unknown key 'gane'" not in before[1]
    (project / CH05).write_text(edit(valid_text, "  gain: throughput", "  gane: throughput"))
    code, out, _ = run("validate")
    assert (code, len(proved)) == (1, 2)
    assert "unknown key 'gane'" in out


def test_an_edited_source_file_invalidates_every_entry(
    run, project, valid_text, proved, tmp_path, monkeypatch
) -> None:
    # A stand-in for labgen, labs and mlsys: one more package whose code "decides".
    package = tmp_path / "site" / "decider_probe"
    package.mkdir(parents=True)
    module = package / "__init__.py"
    module.write_text("LIMIT = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    monkeypatch.setattr(
        check_cache, "SOURCE_PACKAGES", (*check_cache.SOURCE_PACKAGES, "decider_probe")
    )
    (project / CH05).write_text(valid_text)
    cold = run("validate")
    run("validate")
    assert len(proved) == 1
    # Same size, same modification time: only the bytes tell the edit apart.
    stat = module.stat()
    module.write_text("LIMIT = 2\n")
    os.utime(module, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert run("validate") == cold
    assert len(proved) == 2


def test_what_another_spec_writes_to_the_ledger_is_part_of_the_key() -> None:
    chapter_writes = SpecIndex()
    other = SpecIndex(unreadable={Path("chapters/vol1/ch04_data_engr.yaml"): (3, 1, "bad")})
    keys = {spec_cache.run_fingerprint(BUILTIN_INSTRUMENTS, i) for i in (chapter_writes, other)}
    assert len(keys) == 2


def test_the_instruments_are_part_of_the_key() -> None:
    fewer = BUILTIN_INSTRUMENTS[1:]
    keys = {spec_cache.run_fingerprint(i, SpecIndex()) for i in (BUILTIN_INSTRUMENTS, fewer)}
    assert len(keys) == 2


@pytest.mark.parametrize(
    "damage",
    [
        b"",
        b'{"key": "',
        b"\xff\xfe not json",
        b"[]",
        b'{"key": "other", "problems": []}',
        "fifo",
        "folder",
    ],
)
def test_a_damaged_entry_is_a_miss(run, project, valid_text, edit, proved, damage) -> None:
    (project / CH05).write_text(edit(valid_text, "  gain: throughput", "  gane: throughput"))
    cold = run("validate")
    entry = _entry(project)
    entry.unlink()
    if damage == "fifo":
        os.mkfifo(entry)
    elif damage == "folder":
        entry.mkdir()
    else:
        entry.write_bytes(damage)  # type: ignore[arg-type]
    assert run("validate") == cold
    assert len(proved) == 2
    if isinstance(damage, bytes):
        assert run("validate") == cold  # the damaged entry was replaced by a sound one
        assert len(proved) == 2


def test_an_entry_of_the_right_key_but_wrong_shape_is_a_miss(
    run, project, valid_text, proved
) -> None:
    (project / CH05).write_text(valid_text)
    cold = run("validate")
    entry = _entry(project)
    stored = json.loads(entry.read_text())
    for problems in ([["1", 1, "x"]], [[1, 1]], {"a": 1}, [None]):
        entry.write_text(json.dumps({**stored, "problems": problems}))
        assert run("validate") == cold
    assert len(proved) == 5


def test_no_cache_proves_afresh_and_leaves_the_cache_alone(
    run, project, valid_text, proved
) -> None:
    (project / CH05).write_text(valid_text)
    cold = run("validate")
    # An entry is trusted by its key: a forged problem under the right key is reported...
    entry = _entry(project)
    stored = json.loads(entry.read_text())
    entry.write_text(json.dumps({**stored, "problems": [[2, 1, "forged"]]}))
    code, out, _ = run("validate")
    assert (code, out) == (1, f"{CH05.as_posix()}:2:1: forged\n")
    # ... and --no-cache neither reads it nor overwrites it.
    assert run("validate", "--no-cache") == cold
    assert len(proved) == 2
    assert json.loads(entry.read_text())["problems"] == [[2, 1, "forged"]]


def test_a_cache_that_cannot_be_written_is_no_cache(run, project, valid_text, proved) -> None:
    (project / CH05).write_text(valid_text)
    (project / ".labgen_cache").write_text("not a folder")
    cold = run("validate")
    assert run("validate") == cold
    assert len(proved) == 2
