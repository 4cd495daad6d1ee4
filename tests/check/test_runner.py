"""Running over many files: the cache, worker processes, fixes and diffs."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from labgen.checking.cache import CACHE_DIR_NAME
from labgen.checking.runner import RunOptions, RunResult, run_check
from labgen.checking.settings import CheckSettings
from labgen.plugins import Plugins

from .broken_variants import broken_variants
from .conftest import FIXTURES, CliResult

Run = Callable[..., CliResult]
LAB02 = "generated_labs/vol1/lab_02_ml_systems.py"
LAB13 = "generated_labs/vol1/lab_13_model_serving.py"


def _run(project: Path, plugins: Plugins, **options: object) -> RunResult:
    settings = options.pop("settings", CheckSettings())
    return run_check(
        RunOptions(
            paths=[project / "generated_labs"],
            settings=settings,  # type: ignore[arg-type]
            plugins=plugins,
            root=project,
            cwd=project,
            **options,  # type: ignore[arg-type]
        )
    )


BROKEN = broken_variants()


def test_second_run_takes_every_file_from_the_cache(project: Path, plugins: Plugins) -> None:
    first = _run(project, plugins, jobs=1)
    second = _run(project, plugins, jobs=1)
    assert (first.analysed, first.cached) == (2, 0)
    assert (second.analysed, second.cached) == (0, 2)
    assert second.diagnostics == first.diagnostics
    assert (project / CACHE_DIR_NAME / ".gitignore").read_text(encoding="utf-8").endswith("*\n")


def test_cached_diagnostics_are_the_same_diagnostics(project: Path, plugins: Plugins) -> None:
    (project / LAB02).write_text(BROKEN["hallucinated_api"].text, encoding="utf-8")
    first = _run(project, plugins, jobs=1)
    second = _run(project, plugins, jobs=1)
    assert second.cached == 2
    assert len(first.diagnostics) == 4
    assert second.diagnostics == first.diagnostics
    assert [d.to_json() for d in second.diagnostics] == [d.to_json() for d in first.diagnostics]


def test_an_edited_file_is_analysed_again(project: Path, plugins: Plugins) -> None:
    _run(project, plugins, jobs=1)
    lab = project / LAB13
    lab.write_text(lab.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    again = _run(project, plugins, jobs=1)
    assert (again.analysed, again.cached) == (1, 1)


def test_other_settings_do_not_reuse_results(project: Path, plugins: Plugins) -> None:
    _run(project, plugins, jobs=1)
    # The output format does not change results: the cache still serves them.
    same = _run(project, plugins, jobs=1, settings=CheckSettings(output_format="json"))
    assert same.cached == 2
    other = _run(project, plugins, jobs=1, settings=CheckSettings(ignore=["LAB005"]))
    assert (other.analysed, other.cached) == (2, 0)


def test_no_cache_reads_and_writes_nothing(project: Path, plugins: Plugins) -> None:
    result = _run(project, plugins, jobs=1, use_cache=False)
    assert (result.analysed, result.cached) == (2, 0)
    assert not (project / CACHE_DIR_NAME).exists()


def test_a_corrupt_cache_entry_is_a_miss(project: Path, plugins: Plugins) -> None:
    _run(project, plugins, jobs=1)
    for entry in (project / CACHE_DIR_NAME).rglob("*.json"):
        entry.write_text("{not json", encoding="utf-8")
    assert _run(project, plugins, jobs=1).analysed == 2


def test_cli_verbose_reports_cache_use(project: Path, run_cli: Run) -> None:
    assert "2 analysed, 0 from the cache" in run_cli("check", "-v").err
    assert "0 analysed, 2 from the cache" in run_cli("check", "-v").err
    assert "2 analysed, 0 from the cache" in run_cli("check", "-v", "--no-cache").err


def test_a_fully_cached_run_never_loads_the_parser(project: Path) -> None:
    program = (
        "import sys\nfrom labgen.cli import main\n"
        "main(['check'])\nmain(['check'])\n"
        "print('libcst' in sys.modules, 'mlsys' in sys.modules)"
    )
    first = subprocess.run(
        [sys.executable, "-c", program], cwd=project, capture_output=True, text=True, check=True
    )
    assert first.stdout.splitlines()[-1] == "True True"
    program = "import sys\nfrom labgen.cli import main\nmain(['check'])\nprint('libcst' in sys.modules, 'mlsys' in sys.modules)"
    warm = subprocess.run(
        [sys.executable, "-c", program], cwd=project, capture_output=True, text=True, check=True
    )
    assert warm.stdout.splitlines()[-1] == "False False"


def test_worker_processes_give_the_same_results(project: Path, plugins: Plugins) -> None:
    broken = [BROKEN[name] for name in sorted(BROKEN)]
    for index, variant in enumerate(broken):
        target = project / "generated_labs" / f"copy{index:02d}" / variant.relpath
        target.parent.mkdir(parents=True)
        target.write_text(variant.text, encoding="utf-8")
    serial = _run(project, plugins, jobs=1, use_cache=False)
    parallel = _run(project, plugins, jobs=2, use_cache=False)
    assert serial.analysed == parallel.analysed == len(broken) + 2
    assert parallel.diagnostics == serial.diagnostics
    assert len(serial.diagnostics) > len(broken)


def test_fix_applies_safe_fixes_and_reports_the_rest(project: Path, run_cli: Run) -> None:
    (project / LAB13).write_text(BROKEN["header_mismatch"].text, encoding="utf-8")
    result = run_cli("check", "--fix")
    assert result.code == 0
    assert "All checks passed: 2 files, no problems (2 fixed)." in result.out
    clean = (FIXTURES / "generated_labs" / "vol1" / "lab_13_model_serving.py").read_text(
        encoding="utf-8"
    )
    assert (project / LAB13).read_text(encoding="utf-8") == clean
    assert run_cli("check").code == 0


def test_fix_leaves_unfixable_problems_and_exits_1(project: Path, run_cli: Run) -> None:
    source = (project / LAB13).read_text(encoding="utf-8")
    source = source.replace(
        "            kit.LatencyWaterfall(kat1_profile),",
        "            kit.LatencyWaterfall(kat1_profile, show_overhead=False),",
    )
    source = source.replace("            kit.MathPeek(kat1_profile.math),\n", "")
    (project / LAB13).write_text(source, encoding="utf-8")
    result = run_cli("check", "--fix", "--output-format", "json")
    assert result.code == 1
    assert [d["code"] for d in json.loads(result.out)] == ["LAB005"]
    assert "show_overhead" not in (project / LAB13).read_text(encoding="utf-8")


def test_diff_previews_and_changes_nothing(project: Path, run_cli: Run) -> None:
    (project / LAB13).write_text(BROKEN["hidden_overhead"].text, encoding="utf-8")
    before = (project / LAB13).read_bytes()
    result = run_cli("check", "--diff")
    assert result.code == 1
    assert (project / LAB13).read_bytes() == before
    assert result.out.startswith(f"--- a/{LAB13}\n+++ b/{LAB13}\n")
    assert "-            kit.LatencyWaterfall(kat1_profile, show_overhead=False),\n" in result.out
    assert "+            kit.LatencyWaterfall(kat1_profile),\n" in result.out
    assert "Would fix 1 problem in 1 file." in result.err
    assert run_cli("check", "--diff", LAB02).code == 0


def test_fix_keeps_windows_line_endings(project: Path, run_cli: Run) -> None:
    text = BROKEN["hidden_overhead"].text.replace("\n", "\r\n")
    (project / LAB13).write_bytes(text.encode("utf-8"))
    assert run_cli("check", "--fix").code == 0
    fixed = (project / LAB13).read_bytes()
    assert b"show_overhead" not in fixed
    assert fixed.count(b"\r\n") == text.count("\r\n")


@pytest.mark.parametrize("exclude", ["generated_labs/vol1/lab_13_*.py", "lab_13_*.py"])
def test_exclude_skips_files_when_a_folder_is_checked(
    project: Path, plugins: Plugins, exclude: str
) -> None:
    result = _run(project, plugins, jobs=1, settings=CheckSettings(exclude=[exclude]))
    assert result.files == 1


def test_fix_keeps_the_file_mode(project: Path, run_cli: Run) -> None:
    (project / LAB13).write_text(BROKEN["hidden_overhead"].text, encoding="utf-8")
    (project / LAB13).chmod(0o640)
    assert run_cli("check", "--fix").code == 0
    assert (project / LAB13).stat().st_mode & 0o777 == 0o640
