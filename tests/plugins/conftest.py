"""Fixtures for the plugin tests: throwaway book projects, project-local plugin modules, the
CLI in this process, and installed plugins in a site folder that only subprocesses see."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from labgen.cli import main

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "labgen-example-plugin"
CHAPTERS = REPO / "chapters"
CH12 = Path("chapters/vol1/ch12_perf_bench.yaml")
LAB12 = Path("generated_labs/vol1/lab_12_perf_bench.py")


@dataclass
class Result:
    """What one ``labgen`` invocation printed and returned."""

    code: int
    out: str
    err: str


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    """Run ``labgen ARGS`` in this process; SystemExit becomes the exit code."""

    def run(*args: str) -> Result:
        try:
            code = main(list(args))
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else 1
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def new_book(root: Path, pyproject: str = "[tool.labgen]\n") -> Path:
    """A book project at ``root`` holding copies of the repository's Volume 1 specs (later
    chapters read what earlier ones write, so ch12 needs them all)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    shutil.copytree(CHAPTERS / "vol1", root / "chapters" / "vol1")
    return root


def use_energy_bar(root: Path, spec: Path = CH12) -> None:
    """Make KAT 3 of the spec at ``root/spec`` (observing the waterfall) observe energy_bar."""
    path = root / spec
    text = path.read_text(encoding="utf-8")
    assert text.count("    instrument: waterfall\n") == 1
    text = text.replace("    instrument: waterfall\n", "    instrument: energy_bar\n")
    text = text.replace(
        "instruments: [roofline, pareto, waterfall]", "instruments: [roofline, pareto, energy_bar]"
    )
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def book(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A book project with the Volume 1 specs, as the working folder, no LABGEN_* settings."""
    root = new_book(tmp_path / "book")
    monkeypatch.chdir(root)
    for name in [n for n in os.environ if n.startswith("LABGEN_")]:
        monkeypatch.delenv(name)
    return root


@pytest.fixture
def project_plugins(book: Path) -> Iterator[Callable[..., None]]:
    """Write plugin modules into the book and list them in ``[tool.labgen] plugins``; they are
    forgotten (``sys.modules``) after the test."""
    names: list[str] = []

    def add(**modules: str) -> None:
        for name, source in modules.items():
            (book / f"{name}.py").write_text(textwrap.dedent(source), encoding="utf-8")
            names.append(name)
        listed = ", ".join(f'"{n}"' for n in names)
        (book / "pyproject.toml").write_text(
            f"[tool.labgen]\nplugins = [{listed}]\n", encoding="utf-8"
        )

    yield add
    for name in names:
        sys.modules.pop(name, None)


# -- installed plugins (subprocesses only) ---------------------------------------------------


def pip_install(source: Path, site: Path) -> None:
    """Install the package at ``source`` into the folder ``site`` (``pip --target``): the
    running venv is not changed, and only processes with ``site`` on PYTHONPATH see it.

    The source is copied first, so that the build writes nothing into the repository. No
    network: setuptools comes from the venv (``--no-build-isolation``)."""
    copy = site.parent / f"{source.name}-src"
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns("build", "*.egg-info"))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--target",
            str(site),
            str(copy),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    # An old setuptools (< 70.1, without `wheel`) cannot build: pip's message says so.
    assert done.returncode == 0, f"pip could not install {source.name}:\n{done.stderr}"


@pytest.fixture(scope="session")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site folder with examples/labgen-example-plugin installed, once per test process."""
    site = tmp_path_factory.mktemp("example-plugin") / "site"
    pip_install(EXAMPLE, site)
    return site


def subprocess_env(*sites: Path) -> dict[str, str]:
    """This process's environment with ``sites`` on PYTHONPATH and no LABGEN_* settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LABGEN_")}
    env["PYTHONPATH"] = os.pathsep.join(str(site) for site in sites)
    return env


def labgen_in(cwd: Path, *args: str, sites: tuple[Path, ...] = ()) -> Result:
    """Run ``labgen ARGS`` in a new Python process in ``cwd`` that sees the packages of
    ``sites`` as installed."""
    done = subprocess.run(
        [sys.executable, "-m", "labgen.cli", *args],
        cwd=cwd,
        env=subprocess_env(*sites),
        capture_output=True,
        text=True,
        timeout=300,
    )
    return Result(done.returncode, done.stdout, done.stderr)


def python_in(cwd: Path, script: str, sites: tuple[Path, ...] = ()) -> Result:
    """Run a Python ``script`` in a new process in ``cwd`` that sees ``sites`` as installed."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        cwd=cwd,
        env=subprocess_env(*sites),
        capture_output=True,
        text=True,
        timeout=300,
    )
    return Result(done.returncode, done.stdout, done.stderr)


def fake_distribution(site: Path, name: str, entry_points: dict[str, str], **modules: str) -> None:
    """An installed distribution in ``site`` without a build: its ``.dist-info`` (metadata and
    ``labgen`` entry points) and its modules, as pip would leave them."""
    info = site / f"{name.replace('-', '_')}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n", encoding="utf-8"
    )
    lines = "".join(f"{key} = {value}\n" for key, value in entry_points.items())
    (info / "entry_points.txt").write_text(f"[labgen]\n{lines}", encoding="utf-8")
    for module, source in modules.items():
        (site / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
