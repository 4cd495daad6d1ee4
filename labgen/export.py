"""Export labs as a static site that runs in the browser (marimo's WebAssembly export).

The site keeps the layout ``labgen.browser`` promises the labs' set-up cell::

    <site>/wheels/labgen-<version>-py3-none-any.whl   mlsys, labs.core (and labgen)
    <site>/vol1/lab_05_nn_compute.html                one page per lab, with marimo's assets
    <site>/vol1/assets/...

An offline site (``offline=True``) also holds everything the pages load, so it runs with no
network at all (a USB stick, a closed classroom, an archive)::

    <site>/pyodide/pyodide.mjs, pyodide.asm.wasm, ...   the runtime marimo pins (npm ``pyodide``)
    <site>/wheels/*.whl, pyodide-lock.json              every package, pinned with its sha256
                                                        (each wheel with its bytecode added)

and each page's ``<marimo-wasm>`` element points marimo at those instead of the public CDNs.

Everything is produced in a scratch folder beside ``<site>`` first and moved into place only when
every step worked, so a failed export leaves an existing site as it was.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import labgen
from labgen.browser import (
    LOCKFILE_NAME,
    PYODIDE_DIR,
    PYODIDE_RUNTIME_FILES,
    WHEEL_DIR,
    WHEEL_NAME,
)
from labgen.errors import LabgenError
from labgen.pyodide_lockfile import lockfile, missing_dependencies
from labgen.wasm_cache import browser_wheels, pyodide_runtime, with_bytecode

#: What the wheel is built from, relative to the distribution root.
WHEEL_SOURCES = ("pyproject.toml", "README.md", "labgen", "mlsys", "labs")


class ExportError(LabgenError):
    """A step of the export failed (exit code 2: the tools, not the specs)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code=2)


@dataclass(frozen=True)
class ExportedLab:
    """One lab to export: its source file and its page, relative to the site."""

    source: Path
    page: Path  # e.g. vol1/lab_05_nn_compute.html


def distribution_root() -> Path:
    """The source tree of the labgen distribution (the folder of its ``pyproject.toml``)."""
    root = Path(labgen.__file__).resolve().parents[1]
    pyproject = root / "pyproject.toml"
    if not pyproject.is_file() or 'name = "labgen"' not in pyproject.read_text(encoding="utf-8"):
        raise ExportError(
            "labgen export builds the wheel from labgen's source tree, and this labgen is not an "
            "editable install (`pip install -e <labgen checkout>`)"
        )
    return root


def _run(command: Sequence[str], what: str, env: dict[str, str] | None = None) -> None:
    result = subprocess.run(
        list(command),
        capture_output=True,
        text=True,
        check=False,
        env=env,
        stdin=subprocess.DEVNULL,
    )
    if result.returncode != 0:
        lines = [line for line in (result.stderr + result.stdout).splitlines() if line.strip()]
        reason = lines[-1].strip() if lines else f"exit code {result.returncode}"
        raise ExportError(f"{what} failed: {reason}")


def build_wheel(folder: Path) -> Path:
    """Build the distribution's wheel into ``folder`` and return its path (named WHEEL_NAME)."""
    command = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(folder)]
    # Without network-free build isolation pip would fetch setuptools; use the installed one.
    if importlib.util.find_spec("setuptools") is not None:
        command.append("--no-build-isolation")
    root = distribution_root()
    with tempfile.TemporaryDirectory(prefix="labgen-wheel-") as scratch:
        # Build from a copy of what the wheel is made of: setuptools writes build/ and
        # *.egg-info into the tree it builds, and the checkout stays as it was.
        source = Path(scratch) / "src"
        source.mkdir()
        for name in WHEEL_SOURCES:
            if (root / name).is_dir():
                shutil.copytree(
                    root / name, source / name, ignore=shutil.ignore_patterns("__pycache__")
                )
            elif (root / name).is_file():
                shutil.copy2(root / name, source / name)
        _run([*command, str(source)], "building the labgen wheel")
    wheel = folder / WHEEL_NAME
    if not wheel.is_file():
        made = ", ".join(sorted(p.name for p in folder.glob("*.whl"))) or "nothing"
        raise ExportError(f"building the labgen wheel made {made}, not {WHEEL_NAME}")
    return wheel


def _marimo_env() -> dict[str, str]:
    env = dict(os.environ)
    if "UV" not in env:
        # marimo resolves a notebook's local imports with uv; the uv package ships one.
        with contextlib.suppress(ImportError):
            from uv import find_uv_bin

            env["UV"] = find_uv_bin()
    return env


def export_page(lab: Path, page: Path) -> None:
    """Export the marimo notebook ``lab`` as the WebAssembly page ``page`` (run mode, code
    hidden); marimo copies its assets beside the page."""
    command = [sys.executable, "-m", "marimo", "export", "html-wasm", str(lab)]
    command += ["-o", str(page), "--mode", "run", "--force"]
    _run(command, f"marimo's export of {lab.name}", env=_marimo_env())
    if not page.is_file():
        raise ExportError(f"marimo's export of {lab.name} wrote no {page.name}")


def _move_into(scratch: Path, site: Path) -> None:
    """Move every file of ``scratch`` to the same place under ``site`` (replacing what is
    there)."""
    for path in sorted(p for p in scratch.rglob("*") if p.is_file()):
        target = site / path.relative_to(scratch)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)


#: The element marimo writes into every page; without attributes it loads from the public CDNs.
MARIMO_WASM_TAG = '<marimo-wasm hidden=""></marimo-wasm>'


def offline_tag() -> str:
    """The ``<marimo-wasm>`` element of an offline page: the runtime, the lockfile and the
    package index of the site itself (marimo resolves them from the page, ``<site>/volN/``)."""
    return (
        f'<marimo-wasm hidden="" data-pyodide-index-url="../{PYODIDE_DIR}/" '
        f'data-pyodide-lockfile-url="../{WHEEL_DIR}/{LOCKFILE_NAME}" '
        f'data-pypi-index-url="../{WHEEL_DIR}/"></marimo-wasm>'
    )


def point_page_offline(page: Path) -> None:
    """Make the exported ``page`` load Pyodide and its packages from the site."""
    text = page.read_text(encoding="utf-8")
    if text.count(MARIMO_WASM_TAG) != 1:
        raise ExportError(
            f"{page.name}: marimo's page has no single {MARIMO_WASM_TAG} to point at the site "
            "(a marimo whose pages labgen does not know)"
        )
    page.write_text(text.replace(MARIMO_WASM_TAG, offline_tag()), encoding="utf-8")


def bundle_runtime(site: Path, labgen_wheel: Path) -> None:
    """Put the Pyodide runtime, the browser's wheels and their lockfile into ``site`` (beside
    ``labgen_wheel``, which the lockfile lists too); downloads go through the cache."""
    runtime = pyodide_runtime()
    (site / PYODIDE_DIR).mkdir(parents=True, exist_ok=True)
    for name in PYODIDE_RUNTIME_FILES:
        shutil.copy2(runtime / name, site / PYODIDE_DIR / name)
    # Every wheel with its modules' bytecode added: the page then compiles nothing it imports
    # (compiling took about half of marimo's and the labs' import time in WebAssembly).
    compiled = with_bytecode([labgen_wheel, *browser_wheels()], runtime)
    wheels = [Path(shutil.copyfile(wheel, site / WHEEL_DIR / wheel.name)) for wheel in compiled]
    # labgen's own requirements are its build tools, never imported in the browser (the
    # set-up cell installs the wheel with deps=False); every other wheel must be complete.
    missing = missing_dependencies(wheels[1:])
    if missing:
        needs = "; ".join(f"{name} needs {', '.join(deps)}" for name, deps in missing.items())
        raise ExportError(
            f"the browser lock is incomplete ({needs}): run scripts/lock-browser-wheels"
        )
    info = json.loads((runtime / "pyodide-lock.json").read_text(encoding="utf-8"))["info"]
    lock = lockfile(wheels, info, prefix=f"../{WHEEL_DIR}/")
    (site / WHEEL_DIR / LOCKFILE_NAME).write_text(json.dumps(lock, indent=1), encoding="utf-8")


def export_site(labs: Sequence[ExportedLab], site: Path, *, offline: bool = False) -> Path:
    """Export ``labs`` and the wheel into ``site`` (with ``offline``, also the runtime and every
    package the pages load); returns the wheel's path. Nothing under ``site`` changes unless
    every step worked."""
    site.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".labgen-export-", dir=site.parent) as scratch_dir:
        scratch = Path(scratch_dir)
        wheel = build_wheel(scratch / WHEEL_DIR)
        if offline:
            bundle_runtime(scratch, wheel)
        for lab in labs:
            export_page(lab.source, scratch / lab.page)
            if offline:
                point_page_offline(scratch / lab.page)
        _move_into(scratch, site)
    return site / WHEEL_DIR / WHEEL_NAME
