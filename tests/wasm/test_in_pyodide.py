"""The engine's and the kit's tests, run inside real Pyodide (the npm package's runtime, under
Node), offline: the same interpreter and the same wheels a student's browser runs, with no numpy
anywhere.

The runtime and wheels come from the cache ``labgen export --offline`` fills (npm and PyPI on
first use). A missing piece (node, npm, the network on first use) fails the test: it never
skips, so CI cannot pass without running it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name, parse_wheel_filename

from labgen.pyodide_lockfile import lockfile, pyodide_dependencies, wheel_metadata
from labgen.wasm_cache import browser_wheels, cache_dir, pyodide_runtime

ROOT = Path(__file__).resolve().parents[2]
RUNNER = Path(__file__).with_name("run_in_pyodide.mjs")

#: Test files run in the browser's interpreter, with the packages (and their dependencies) and
#: the project folders they need. The engine: numbers derived by hand from the registries, the
#: calibration against MLPerf, the book's claims, the training step, the input errors and the
#: hypothesis properties (test_without_numpy.py starts subprocesses, which Pyodide cannot). The
#: kit: the instruments drawn through marimo and altair (waterfall, Pareto curve, roofline,
#: P99 histogram), the charts the numpy removal rewrote.
SUITES = {
    "engine": (
        (
            "tests/engine/test_engine_values.py",
            "tests/engine/test_calibration.py",
            "tests/engine/test_book_claims.py",
            "tests/engine/test_training_step.py",
            "tests/engine/test_engine_inputs.py",
            "tests/engine/test_engine_properties.py",
        ),
        {"pint"},
        ("mlsys",),
    ),
    "kit": (
        (
            "tests/kit/conftest.py",
            "tests/kit/test_instruments.py",
            "tests/kit/test_waterfall.py",
        ),
        {"pint", "marimo-base", "altair", "markdown", "pymdown-extensions"},
        ("mlsys", "labs"),
    ),
}
#: The test tools (all pure-Python wheels on PyPI; the newest there, fetched once and cached).
TEST_TOOLS = (
    "pytest",
    "pluggy",
    "iniconfig",
    "packaging",
    "pygments",
    "hypothesis",
    "attrs",
    "sortedcontainers",
)

RUN_PYTEST = """
import sys
import pytest

sys.path.insert(0, "/project")
sys.modules.pop("numpy", None)
tests = ["/project/" + name for name in {tests!r} if "/test_" in name]
int(pytest.main(["-q", "-p", "no:cacheprovider", "--rootdir", "/project", *tests]))
"""


def _closure(wheels: list[Path], roots: set[str]) -> list[Path]:
    """The wheels of ``roots`` and of everything they depend on in Pyodide."""
    by_name = {canonicalize_name(parse_wheel_filename(w.name)[0]): w for w in wheels}
    wanted, pending = set(), list(roots)
    while pending:
        name = pending.pop()
        if name in wanted:
            continue
        wanted.add(name)
        pending += [
            d for d in pyodide_dependencies(wheel_metadata(by_name[name])[1]) if d in by_name
        ]
    return [by_name[name] for name in sorted(wanted)]


def _test_tool_wheels() -> list[Path]:
    """Pure-Python wheels of the test tools, from PyPI, cached."""
    folder = cache_dir() / "test-wheels"
    folder.mkdir(parents=True, exist_ok=True)
    if not all(_cached(folder, tool) for tool in TEST_TOOLS):
        command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps"]
        command += ["--only-binary=:all:", "--platform", "any", "--python-version", "3.14"]
        command += ["--implementation", "py", "--abi", "none", "-d", str(folder), *TEST_TOOLS]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
    return [_cached(folder, tool)[0] for tool in TEST_TOOLS]


def _cached(folder: Path, tool: str) -> list[Path]:
    """The cached wheels of ``tool`` (a wheel name's first field is its project)."""
    wanted = canonicalize_name(tool)
    return sorted(
        w
        for w in folder.glob("*.whl")
        if canonicalize_name(parse_wheel_filename(w.name)[0]) == wanted
    )


@pytest.mark.parametrize("suite", sorted(SUITES))
def test_tests_pass_inside_pyodide(suite: str, tmp_path: Path) -> None:
    tests, packages, folders = SUITES[suite]
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed: the Pyodide run needs Node 20 or later")
    runtime = pyodide_runtime()
    wheel_dir = tmp_path / "wheels"
    wheel_dir.mkdir()
    chosen = _closure(browser_wheels(), packages) + _test_tool_wheels()
    for wheel in chosen:
        shutil.copy2(wheel, wheel_dir / wheel.name)
    info = json.loads((runtime / "pyodide-lock.json").read_text(encoding="utf-8"))["info"]
    lock = tmp_path / "pyodide-lock.json"
    lock.write_text(json.dumps(lockfile(sorted(wheel_dir.glob("*.whl")), info)), encoding="utf-8")
    files = {
        f"/project/{path.relative_to(ROOT)}": str(path)
        for folder in folders
        for path in (ROOT / folder).rglob("*.py")
    }
    files |= {f"/project/{name}": str(ROOT / name) for name in tests}
    (tmp_path / "files.json").write_text(json.dumps(files), encoding="utf-8")
    (tmp_path / "run.py").write_text(RUN_PYTEST.format(tests=tests), encoding="utf-8")
    done = subprocess.run(
        [node, RUNNER, runtime, lock, wheel_dir, tmp_path / "files.json", tmp_path / "run.py"],
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    report = done.stdout[-4000:] + done.stderr[-2000:]
    assert done.returncode == 0, report
    assert " passed" in done.stdout, report
    assert " failed" not in done.stdout, report
