"""LAB010 wasm-io: no file or network I/O, and only imports that run under Pyodide."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import libcst as cst

from labgen.checking.check import Check
from labgen.checking.examples import Invalid, Valid
from labgen.checks._lab import dotted

if TYPE_CHECKING:
    from labgen.checking.context import FileContext

#: Modules that read or write files, spawn processes or talk to the network.
IO_MODULES: frozenset[str] = frozenset(
    {
        "os", "pathlib", "io", "shutil", "subprocess", "socket", "socketserver", "ssl",
        "select", "selectors", "urllib", "http", "ftplib", "smtplib", "poplib", "imaplib",
        "xmlrpc", "webbrowser", "sqlite3", "dbm", "shelve", "tempfile", "glob", "fileinput",
        "filecmp", "zipfile", "tarfile", "mmap", "pty", "fcntl", "requests", "httpx",
        "aiohttp", "urllib3", "aiofiles",
    }
)  # fmt: skip
#: Standard-library modules that Pyodide leaves out or that cannot work in a browser tab.
NOT_IN_PYODIDE: frozenset[str] = frozenset(
    {
        "multiprocessing", "threading", "concurrent", "tkinter", "turtle", "turtledemo",
        "curses", "readline", "idlelib", "venv", "ensurepip", "msvcrt", "winreg", "winsound",
        "resource", "termios", "tty", "pwd", "grp",
    }
)  # fmt: skip
#: Packages outside the standard library that a lab may import (all run under Pyodide).
PYODIDE_PACKAGES: frozenset[str] = frozenset(
    {"marimo", "mlsys", "labs", "micropip", "pyodide", "js", "altair", "pint", "numpy", "pandas"}
)
#: Calls that read files, the network or the server's disk.
IO_CALLS: dict[str, str] = {
    "builtins.open": "opens a file",
    "builtins.input": "waits on standard input, which a browser lab does not have",
    "builtins.__import__": "imports a module chosen at run time",
    "importlib.import_module": "imports a module chosen at run time",
    "marimo.ui.file_browser": "browses the server's disk",
    "marimo.notebook_dir": "reads the server's disk layout",
    "marimo.notebook_location": "reads the server's disk layout",
}
#: Calls that are I/O on a server but are the browser's own way under Pyodide: allowed inside an
#: ``if sys.platform == "emscripten":`` block (there ``notebook_location`` is the page's URL).
PYODIDE_ONLY_CALLS: frozenset[str] = frozenset({"marimo.notebook_location"})


def import_problem(module: str, kits: frozenset[str] = frozenset()) -> str | None:
    """Why a lab may not import ``module`` (None when it may); ``kits`` are the packages
    that provide instruments (a plugin's instruments run in labs by definition)."""
    top = module.split(".", 1)[0]
    if top in IO_MODULES:
        return f"`{module}` does file, process or network I/O, which a lab in the browser cannot do"
    if top in NOT_IN_PYODIDE:
        return f"`{module}` does not work under Pyodide (no threads, processes or terminals)"
    if top in sys.stdlib_module_names or top in PYODIDE_PACKAGES or top in kits:
        return None
    if top == "__future__":
        return None
    return (
        f"`{module}` is not known to run under Pyodide; labs import only the standard library, "
        f"{', '.join(sorted(PYODIDE_PACKAGES))}"
    )


class WasmIo(Check):
    """A lab reads files or the network, or imports something the browser cannot run.

    ## What it does
    Reports imports of modules that do I/O (`os`, `pathlib`, `io`, `shutil`, `subprocess`,
    `socket`, `urllib`, `requests`, `sqlite3` ...), of standard modules Pyodide cannot run
    (`threading`, `multiprocessing`, `tkinter` ...) and of any third-party package outside the
    Pyodide-safe set (marimo, mlsys, labs, micropip, altair, pint, numpy, pandas, and the
    packages that provide plugin instruments); and calls to `open`, `input`, dynamic imports
    and marimo's server-side file browser. `mo.notebook_location()` is allowed inside an
    `if sys.platform == "emscripten":` block, where it is the URL of the page (how a lab's
    set-up cell finds the wheel the site serves).

    ## Why is this bad
    Labs are WASM-first (guide section 5): they run in the student's browser under Pyodide,
    where there is no local disk, no subprocess and no arbitrary network. Data belongs in mlsys
    as Python values. A lab that opens a file works on the author's laptop and fails for every
    student.

    ## Example
    ```python
    @app.cell
    def _():
        import json
        from pathlib import Path

        lab_specs = json.loads(Path("h100.json").read_text())
        return (lab_specs,)
    ```

    ## Use instead
    ```python
    @app.cell
    def _(Systems):
        lab_system = Systems.H100
        return (lab_system,)
    ```
    A student's ledger arrives through `mo.ui.file` (a browser upload), never a path.
    """

    code = "LAB010"
    name = "wasm-io"

    VALID = (
        Valid(
            """
            import marimo

            app = marimo.App()


            @app.cell
            async def _():
                import sys

                if sys.platform == "emscripten":
                    import marimo as mo
                    import micropip

                    site = mo.notebook_location().parent
                    await micropip.install(str(site.joinpath("wheels", "labgen.whl")))
                return


            @app.cell
            def _():
                import json

                import marimo as mo

                from mlsys import Systems

                lab_upload = mo.ui.file(filetypes=[".json"])
                return (Systems, json, lab_upload, mo)
            """
        ),
    )
    INVALID = (
        Invalid(
            """
            import marimo

            app = marimo.App()


            @app.cell
            def _():
                import os
                from pathlib import Path

                import requests

                return (Path, os, requests)


            @app.cell
            def _():
                with open("h100.json") as _handle:
                    lab_text = _handle.read()
                return (lab_text,)
            """,
            count=4,
        ),
        Invalid(
            """
            import marimo

            app = marimo.App()


            @app.cell
            def _():
                import threading

                import torch

                return (threading, torch)
            """,
            count=2,
        ),
        Invalid(
            """
            import marimo

            app = marimo.App()


            @app.cell
            def _():
                import sys

                import marimo as mo

                if sys.platform != "emscripten":
                    lab_folder = mo.notebook_location()
                lab_here = mo.notebook_dir()
                return (lab_folder, lab_here)
            """,
            count=2,
        ),
    )

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self._guards: list[bool] = []  # per enclosing `if`: does it test for Pyodide?

    def _is_pyodide_guard(self, test: cst.BaseExpression) -> bool:
        if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
            return False
        target = test.comparisons[0]
        return (
            isinstance(target.operator, cst.Equal)
            and isinstance(target.comparator, cst.SimpleString)
            and target.comparator.evaluated_value == "emscripten"
            and "sys.platform" in self.qualified_names(test.left)
        )

    def visit_If(self, node: cst.If) -> None:
        self._guards.append(self._is_pyodide_guard(node.test))

    def leave_If(self, original_node: cst.If) -> None:
        self._guards.pop()

    @property
    def _kits(self) -> frozenset[str]:
        return frozenset(i.component.split(".", 1)[0] for i in self.instruments)

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            problem = import_problem(dotted(alias.name), self._kits)
            if problem:
                self.report(alias, problem)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if node.relative or node.module is None:
            return
        problem = import_problem(dotted(node.module), self._kits)
        if problem:
            self.report(node, problem)

    def visit_Call(self, node: cst.Call) -> None:
        for name in self.qualified_names(node.func):
            if name in PYODIDE_ONLY_CALLS and any(self._guards):
                return
            if name in IO_CALLS:
                self.report(
                    node,
                    f"`{dotted(node.func)}(...)` {IO_CALLS[name]}: labs run in the browser, "
                    "with no local files",
                )
                return
