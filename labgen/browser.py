"""What a lab needs to run in the browser (Pyodide), in one place.

A generated lab's set-up cell installs, under Pyodide, the packages below and then this
distribution's own wheel (mlsys and labs.core live in it) from ``WHEEL_PATH``, a path relative to
the exported page. ``labgen export`` lays the site out so that the path resolves: the pages of
Volume N in ``<site>/volN/`` and the wheel in ``<site>/wheels/``.
"""

from __future__ import annotations

from labgen import __version__

#: The distribution's wheel (pure Python: one wheel serves every platform, Pyodide included).
WHEEL_NAME = f"labgen-{__version__}-py3-none-any.whl"

#: The folder of the exported site that holds the wheel, beside the ``volN`` folders.
WHEEL_DIR = "wheels"

#: Where the wheel is, relative to an exported lab's page (``<site>/volN/<lab>.html``). The lab
#: resolves it from ``marimo.notebook_location()``: Pyodide runs in a worker under ``assets/``,
#: so a plain relative URL would resolve from there.
WHEEL_PATH = f"../{WHEEL_DIR}/{WHEEL_NAME}"

#: Distributions the lab runtime (mlsys and labs.core) imports, installed by micropip before the
#: wheel (which is installed without its dependencies: the build tools in it never run in the
#: browser). All are pure-Python wheels from PyPI; there is no numpy (Pyodide 314 has no numpy
#: build, so mlsys and labs.core do without it).
BROWSER_REQUIREMENTS: tuple[str, ...] = (
    "pint",
    "altair",
    "markdown",
    "pymdown-extensions",
)

#: Top-level import name -> distribution, where the two differ.
IMPORT_NAMES: dict[str, str] = {"pymdownx": "pymdown-extensions"}

# -- the offline site (``labgen export --offline``) -----------------------------------------------
# Everything a page loads, served from the site itself: the Pyodide runtime from the npm package
# ``pyodide`` at the version the installed marimo pins, and one wheel folder with a Pyodide
# lockfile listing every wheel (marimo's own packages, the labs' and labgen's) with its sha256.

#: The npm package that holds the Pyodide runtime (pyodide.mjs, pyodide.asm.wasm, the stdlib).
PYODIDE_NPM_PACKAGE = "pyodide"

#: The runtime files a page loads from the site's ``pyodide/`` folder.
PYODIDE_RUNTIME_FILES: tuple[str, ...] = (
    "pyodide.mjs",
    "pyodide.asm.mjs",
    "pyodide.asm.wasm",
    "python_stdlib.zip",
)

#: The folder of the offline site that holds the runtime, beside ``wheels/`` and ``volN/``.
PYODIDE_DIR = "pyodide"

#: The Pyodide lockfile of the offline site, in ``wheels/`` beside the wheels it lists.
LOCKFILE_NAME = "pyodide-lock.json"

#: What marimo 0.25's WebAssembly worker loads through the lockfile before the notebook runs
#: (``loadPyodide({packages: [...]})`` in marimo/_static/assets/worker-*.js), and the modules it
#: imports for its editor tooling (``loadNotebookDeps``: docutils, pygments, jedi, pyodide_http).
MARIMO_BOOT_REQUIREMENTS: tuple[str, ...] = (
    "micropip",
    "msgspec",
    "marimo-base",
    "markdown",
    "pymdown-extensions",
    "narwhals",
    "packaging",
    "docutils",
    "pygments",
    "jedi",
    "pyodide-http",
)

#: Pins the browser needs beyond the labs' own: jsonschema 4.18+ needs rpds-py, a Rust extension
#: with no Pyodide wheel on PyPI; 4.17 needs only pure-Python wheels (attrs, pyrsistent), and
#: altair accepts it (jsonschema>=3.0).
BROWSER_CONSTRAINTS: tuple[str, ...] = ("jsonschema<4.18",)

#: Distributions with a C extension, no Pyodide wheel on PyPI and an official pure-Python mode:
#: built once from their PyPI source distribution with the extension off (name -> environment
#: that switches it off). Both are needed: ``import marimo`` imports yaml (marimo 0.25.2,
#: marimo/_data/data_source_discovery/plugins/pyiceberg.py), and ``import altair`` imports jinja2,
#: which imports markupsafe. Pyodide's own builds of both exist (its pyodide-lock.json names
#: pyyaml 6.0.3 and markupsafe 3.0.3 cp314 wheels) but are published only on Pyodide's CDN: the
#: npm package ``pyodide`` holds the runtime without them, and no registry reachable here has them.
PURE_FROM_SOURCE: dict[str, dict[str, str]] = {
    "pyyaml": {"PYYAML_FORCE_LIBYAML": "0"},
    # MarkupSafe falls back to its pure-Python module when its C speedups fail to compile.
    "markupsafe": {"CC": "false"},
}

#: The platform tag of Pyodide 314's binary wheels (msgspec publishes one on PyPI).
PYODIDE_WHEEL_PLATFORM = "pyemscripten_2026_0_wasm32"
#: uv's name for the Pyodide platform when it resolves the browser's packages (the 2025 target
#: evaluates the same markers: sys_platform emscripten, platform_machine wasm32).
UV_PYODIDE_PLATFORM = "wasm32-pyodide2025"
#: Python of Pyodide 314 (its lockfile's ``info.python``).
PYODIDE_PYTHON = "3.14"

#: Marker values of the Pyodide interpreter, for reading the wheels' Requires-Dist.
PYODIDE_MARKERS: dict[str, str] = {
    "python_version": "3.14",
    "python_full_version": "3.14.0",
    "sys_platform": "emscripten",
    "platform_system": "Emscripten",
    "platform_machine": "wasm32",
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
    "os_name": "posix",
    "extra": "",
}


def browser_requirements(marimo_version: str) -> tuple[str, ...]:
    """Everything the offline site's lockfile must hold, as requirement strings: marimo's boot
    packages (marimo-base pinned to ``marimo_version``, the marimo that exports the pages), the
    labs' packages and the browser constraints."""
    boot = tuple(
        f"marimo-base=={marimo_version}" if name == "marimo-base" else name
        for name in MARIMO_BOOT_REQUIREMENTS
    )
    return (*boot, *BROWSER_REQUIREMENTS, *BROWSER_CONSTRAINTS)
