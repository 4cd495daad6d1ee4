"""`labgen export`: the labs as a static WebAssembly site, with the wheel their set-up cell installs.

Here the browser half is simulated (tests/browser/test_offline_export.py runs an --offline site
in real Pyodide and Chromium): the lab's real set-up cell runs with ``sys.platform == "emscripten"``, a stand-in
``micropip`` that downloads what it is asked for over HTTP, and a ``js.location`` shaped like the
URL of marimo's worker, against the exported site served on 127.0.0.1.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import http.server
import json
import os
import re
import subprocess
import sys
import textwrap
import threading
import zipfile
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from labgen.browser import (
    BROWSER_REQUIREMENTS,
    IMPORT_NAMES,
    LOCKFILE_NAME,
    PYODIDE_DIR,
    WHEEL_DIR,
    WHEEL_NAME,
    WHEEL_PATH,
    browser_requirements,
)
from labgen.export import MARIMO_WASM_TAG, ExportError, point_page_offline
from labgen.pyodide_lockfile import (
    lockfile,
    missing_dependencies,
    pyodide_dependencies,
    wheel_metadata,
)
from labgen.wasm_cache import locked_requirements

ROOT = Path(__file__).resolve().parents[2]
LAB02 = ROOT / "generated_labs" / "vol1" / "lab_02_ml_systems.py"

SIMULATED_PYODIDE = textwrap.dedent(
    """
    import ast, asyncio, io, json, sys, types, urllib.request, zipfile

    import marimo  # imported for real first: only the set-up cell runs "in the browser"

    lab, worker_url = sys.argv[1], sys.argv[2]
    tree = ast.parse(open(lab, encoding="utf-8").read())
    setup = next(node for node in tree.body if isinstance(node, ast.AsyncFunctionDef))
    setup.decorator_list = []
    namespace = {}
    exec(compile(ast.Module(body=[setup], type_ignores=[]), lab, "exec"), namespace)

    calls = []

    async def install(requirements, deps=True):
        call = {"requirements": requirements, "deps": deps}
        if isinstance(requirements, str) and requirements.endswith(".whl"):
            with urllib.request.urlopen(requirements, timeout=10) as response:
                wheel = zipfile.ZipFile(io.BytesIO(response.read()))
            call["files"] = sorted(wheel.namelist())
        calls.append(call)

    sys.modules["micropip"] = types.SimpleNamespace(install=install)
    sys.modules["js"] = types.SimpleNamespace(location=worker_url)
    if sys.argv[3] == "fresh":  # a Pyodide that has not loaded the wheel: no mlsys yet
        import importlib.util

        real_find_spec = importlib.util.find_spec
        importlib.util.find_spec = lambda name, *a: None if name == "mlsys" else real_find_spec(name, *a)

    async def in_the_browser():
        real = sys.platform
        sys.platform = "emscripten"
        try:
            return await namespace[setup.name]()
        finally:
            sys.platform = real

    returned = asyncio.run(in_the_browser())
    print(json.dumps({"calls": calls, "returned": list(returned)}))
    """
)


def _labgen(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "labgen", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
        timeout=540,
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This repository's Lab 02, exported (with the wheel) into a fresh site folder."""
    folder = tmp_path_factory.mktemp("export") / "site"
    result = _labgen("export", "ch02", "--out", str(folder), cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert f"wheel {folder / WHEEL_DIR / WHEEL_NAME}" in result.stdout
    assert f"exported {folder / 'vol1' / 'lab_02_ml_systems.html'}" in result.stdout
    return folder


@pytest.fixture
def served(site: Path) -> Iterator[str]:
    """The site served over HTTP on 127.0.0.1 (an ephemeral port); yields its base URL."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *args: None  # type: ignore[method-assign]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_the_site_has_the_page_its_assets_and_the_wheel_at_the_promised_place(site: Path) -> None:
    page = site / "vol1" / "lab_02_ml_systems.html"
    assert page.is_file()
    assert (site / "vol1" / "assets").is_dir()
    # WHEEL_PATH is relative to the page: <site>/vol1/../wheels/<wheel>.
    assert (page.parent / WHEEL_PATH).resolve() == (site / WHEEL_DIR / WHEEL_NAME).resolve()
    names = zipfile.ZipFile(site / WHEEL_DIR / WHEEL_NAME).namelist()
    for module in ("mlsys/engine.py", "mlsys/hardware.py", "labs/core/components.py"):
        assert module in names
    assert not [name for name in names if name.startswith(("tests/", "generated_labs/"))]
    # The page carries the lab's own code, set-up cell included.
    assert "notebook_location" in page.read_text(encoding="utf-8")


def test_the_set_up_cell_installs_the_runtime_and_the_served_wheel(
    site: Path, served: str, tmp_path: Path
) -> None:
    script = tmp_path / "pyodide_setup.py"
    script.write_text(SIMULATED_PYODIDE, encoding="utf-8")
    report = _run_set_up_cell(script, served, "fresh")
    assert report["returned"] == [True]  # pyodide_ready
    runtime, wheel = report["calls"]
    assert runtime == {"requirements": list(BROWSER_REQUIREMENTS), "deps": True}
    assert wheel["requirements"] == f"{served}/{WHEEL_DIR}/{WHEEL_NAME}"
    assert wheel["deps"] is False
    assert "mlsys/engine.py" in wheel["files"]
    assert "labs/core/components.py" in wheel["files"]


def _run_set_up_cell(script: Path, served: str, state: str) -> dict:
    worker = f"{served}/vol1/assets/worker-0123abcd.js"  # where marimo's worker script lives
    result = subprocess.run(
        [sys.executable, str(script), str(LAB02), worker, state],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_set_up_cell_installs_nothing_when_the_page_preloaded_the_wheel(
    served: str, tmp_path: Path
) -> None:
    # An offline site's lockfile lists the wheel: the page loads it from the notebook's imports
    # (mlsys, labs) before the cell runs, so the cell has nothing left to install.
    script = tmp_path / "pyodide_setup.py"
    script.write_text(SIMULATED_PYODIDE, encoding="utf-8")
    report = _run_set_up_cell(script, served, "preloaded")
    assert report == {"calls": [], "returned": [True]}


def test_outside_pyodide_the_set_up_cell_installs_nothing(tmp_path: Path) -> None:
    tree = ast.parse(LAB02.read_text(encoding="utf-8"))
    setup = next(node for node in tree.body if isinstance(node, ast.AsyncFunctionDef))
    setup.decorator_list = []
    namespace: dict = {}
    exec(compile(ast.Module(body=[setup], type_ignores=[]), str(LAB02), "exec"), namespace)
    import asyncio

    assert asyncio.run(namespace[setup.name]()) == (True,)


def _third_party_imports(package: Path) -> set[str]:
    found: set[str] = set()
    for path in package.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        # An import in a `try:` that catches ImportError is optional (Engine.sweep's numpy fast
        # path, where numpy is installed): the browser runs without it.
        optional = {
            id(inner)
            for node in ast.walk(tree)
            if isinstance(node, ast.Try)
            and any(
                isinstance(handler.type, ast.Name)
                and handler.type.id in {"ImportError", "ModuleNotFoundError"}
                for handler in node.handlers
            )
            for statement in node.body
            for inner in ast.walk(statement)
        }
        for node in ast.walk(tree):
            if id(node) in optional:
                continue
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.add(node.module.split(".")[0])
            elif isinstance(node, ast.keyword) and node.arg == "extensions":
                # Markdown loads its extensions by module name ("pymdownx.tilde").
                found |= {
                    item.value.split(".")[0]
                    for item in ast.walk(node.value)
                    if isinstance(item, ast.Constant) and "." in str(item.value)
                }
    local = {"mlsys", "labs", "__future__"}
    return {name for name in found - local if name not in sys.stdlib_module_names}


def test_the_browser_requirements_cover_every_import_of_the_lab_runtime() -> None:
    imported = _third_party_imports(ROOT / "mlsys") | _third_party_imports(ROOT / "labs")
    # marimo is the page itself: the WebAssembly export ships it.
    needed = {IMPORT_NAMES.get(name, name) for name in imported} - {"marimo"}
    assert needed == set(BROWSER_REQUIREMENTS)


def test_export_refuses_labs_that_are_not_built_and_leaves_the_site_alone(
    book: Path, labgen
) -> None:
    site = book / "site"
    (site / "vol1").mkdir(parents=True)
    kept = site / "vol1" / "lab_05_nn_compute.html"
    kept.write_text("an earlier export", encoding="utf-8")
    code, _, err = labgen("export", "ch05", "--out", str(site))
    assert code == 1
    assert "generated_labs/vol1/lab_05_nn_compute.py: missing" in err
    assert "1 lab(s) not built; run `labgen build` first" in err
    assert kept.read_text(encoding="utf-8") == "an earlier export"
    assert sorted(p.name for p in site.rglob("*")) == ["lab_05_nn_compute.html", "vol1"]


def test_export_needs_chapters_or_all(book: Path, labgen) -> None:
    code, _, err = labgen("export")
    assert code == 2
    assert "name the chapters to export (e.g. ch05) or pass --all, not both" in err


# -- the offline site (--offline) -------------------------------------------------------------
# The browser test (tests/browser/test_offline_export.py) exports and plays a whole offline
# site; these check its parts without the network.


def test_the_browser_lock_pins_every_declared_browser_package() -> None:
    pins = {name: (pinned, hashes) for name, pinned, hashes in locked_requirements()}
    declared = {canonicalize_name(Requirement(r).name) for r in browser_requirements("0")}
    assert declared <= set(pins), "run scripts/lock-browser-wheels"
    # The pages' runtime is the marimo that exports them.
    assert pins["marimo-base"][0] == version("marimo")
    assert "numpy" not in pins
    assert all(hashes for _, hashes in pins.values())


def test_without_offline_the_pages_load_from_the_public_cdns(site: Path) -> None:
    page = (site / "vol1" / "lab_02_ml_systems.html").read_text(encoding="utf-8")
    assert MARIMO_WASM_TAG in page  # no location attributes: marimo's CDN defaults
    assert not (site / PYODIDE_DIR).exists()
    assert sorted(p.name for p in (site / WHEEL_DIR).iterdir()) == [WHEEL_NAME]


def test_an_offline_page_points_marimo_at_the_sites_runtime_and_lockfile(
    site: Path, tmp_path: Path
) -> None:
    page = tmp_path / "vol1" / "lab.html"
    page.parent.mkdir()
    page.write_text((site / "vol1" / "lab_02_ml_systems.html").read_text(encoding="utf-8"))
    point_page_offline(page)
    text = page.read_text(encoding="utf-8")
    attributes = dict(re.findall(r'(data-[a-z-]+-url)="([^"]*)"', text))
    # marimo resolves them against the page: <site>/volN/<lab>.html.
    assert (page.parent / attributes["data-pyodide-index-url"]).resolve() == (
        tmp_path / PYODIDE_DIR
    ).resolve()
    assert (page.parent / attributes["data-pyodide-lockfile-url"]).resolve() == (
        tmp_path / WHEEL_DIR / LOCKFILE_NAME
    ).resolve()
    with pytest.raises(ExportError, match="no single <marimo-wasm"):
        point_page_offline(page)  # already pointed: the bare element is gone


def test_the_lockfile_lists_a_wheel_with_its_modules_hash_and_pyodide_dependencies(
    site: Path,
) -> None:
    wheel = site / WHEEL_DIR / WHEEL_NAME
    lock = lockfile([wheel], {"python": "3.14.0"}, prefix="../wheels/")
    entry = lock["packages"]["labgen"]
    assert entry["file_name"] == f"../wheels/{WHEEL_NAME}"
    assert entry["sha256"] == hashlib.sha256(wheel.read_bytes()).hexdigest()
    assert {"labgen", "labs", "mlsys"} <= set(entry["imports"])
    assert entry["depends"] == []  # no other wheel given
    assert "pint" in missing_dependencies([wheel])["labgen"]
    assert (
        missing_dependencies([wheel], allowed=pyodide_dependencies(wheel_metadata(wheel)[1])) == {}
    )


def test_a_failed_offline_export_leaves_the_site_alone(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "vol1").mkdir(parents=True)
    kept = site / "vol1" / "lab_02_ml_systems.html"
    kept.write_text("an earlier export", encoding="utf-8")
    # No npm on the PATH and an empty cache: the runtime cannot be fetched.
    env = {**os.environ, "PATH": str(tmp_path / "empty"), "XDG_CACHE_HOME": str(tmp_path / "c")}
    result = subprocess.run(
        [sys.executable, "-m", "labgen", "export", "ch02", "--offline", "--out", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env=env,
        timeout=540,
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines()[-1].endswith("npm is not installed")
    assert "Traceback" not in result.stderr
    assert kept.read_text(encoding="utf-8") == "an earlier export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c", "site"]  # no scratch folder left
    assert list((tmp_path / "c" / "labgen").iterdir()) == []  # nor a half-fetched runtime
    assert sorted(p.name for p in site.rglob("*")) == ["lab_02_ml_systems.html", "vol1"]
