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
