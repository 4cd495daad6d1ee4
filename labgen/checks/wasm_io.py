"""LAB010 wasm-io: no file or network I/O, and only imports that run under Pyodide."""

from __future__ import annotations

import difflib
import re
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

import libcst as cst

from labgen.checking.check import Check
from labgen.checking.examples import Invalid, Valid
from labgen.checks._lab import argument, dotted, literal

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


def import_problem(module: str, available: frozenset[str] = frozenset()) -> str | None:
    """Why a lab may not import ``module`` (None when it may); ``available`` are more packages
    the browser has: those that provide instruments (a plugin's instruments run in labs by
    definition) and those the lab installs with micropip."""
    top = module.split(".", 1)[0]
    if top in IO_MODULES:
        return f"`{module}` does file, process or network I/O, which a lab in the browser cannot do"
    if top in NOT_IN_PYODIDE:
        return (
            f"`{module}` is not available in the browser (Pyodide has no threads, processes "
            "or terminals)"
        )
    if top in sys.stdlib_module_names or top in PYODIDE_PACKAGES or top in available:
        return None
    if top == "__future__":
        return None
    problem = (
        f"`{module}` is not available in the browser: Pyodide does not ship it and no "
        "`micropip.install` in the lab installs it"
    )
    if top != "mlsys" and difflib.get_close_matches(top, ["mlsys"], n=1, cutoff=0.7):
        problem += "; it is not mlsys either (the physics of every lab comes from `mlsys`)"
    return problem


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

    Code that only runs outside the browser is not judged: the body of
    `if sys.platform != "emscripten":`, and the `else`/`elif` of `== "emscripten"` (where a
    hand-written lab puts its path set-up for a local run). An I/O module imported at the top of
    a cell but used only there is fine too. Packages the lab installs with `micropip.install`
    (by name, or as a wheel file) are available in the browser. Messages say which problem it
    is: I/O the browser cannot do, or a package the browser does not have (and, for a name
    like `mlsysim`, that it is not mlsys either).

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
        Valid(
            """
            import marimo

            app = marimo.App()


            @app.cell
            async def _():
                import sys
                from pathlib import Path

                import marimo as mo

                if sys.platform == "emscripten":
                    import micropip

                    await micropip.install(["plotly", "pint>=0.23"], keep_going=False)
                    await micropip.install("../../wheels/mlsys-0.1.0-py3-none-any.whl")
                elif "mlsys" not in sys.modules:
                    import torch

                    torch.set_num_threads(1)
                    _root = Path(__file__).resolve().parents[2]
                    sys.path.insert(0, str(_root / "src"))
                else:
                    _here = mo.notebook_dir()

                import plotly.graph_objects as go

                return (go, mo)
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

                if sys.platform == "emscripten":
                    lab_here = mo.notebook_dir()
                else:
                    lab_here = mo.notebook_location()
                lab_folder = mo.notebook_location()
                return (lab_folder, lab_here)
            """,
            count=2,
        ),
        Invalid(
            """
            import marimo

            app = marimo.App()


            @app.cell
            def _():
                import mlsysim
                import scipy
                from pathlib import Path

                lab_specs = Path("h100.json").read_text()
                return (lab_specs, mlsysim, scipy)
            """,
            count=3,
        ),
    )

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self._installed = micropip_packages(context)
        # Imports of I/O modules judged at the end of the file, by where their names are used:
        # bound name -> (import node, problem, uses that run in the browser).
        self._pending: dict[str, tuple[cst.CSTNode, str, list[cst.Name]]] = {}

    def _pyodide_test(self, test: cst.BaseExpression) -> bool | None:
        """True for ``sys.platform == "emscripten"``, False for ``!=``, None for other tests."""
        if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
            return None
        target = test.comparisons[0]
        if not (
            isinstance(target.comparator, cst.SimpleString)
            and target.comparator.evaluated_value == "emscripten"
            and "sys.platform" in self.qualified_names(test.left)
        ):
            return None
        if isinstance(target.operator, cst.Equal):
            return True
        return False if isinstance(target.operator, cst.NotEqual) else None

    def _where(self, node: cst.CSTNode) -> str:
        """``"browser"`` inside a branch that runs only under Pyodide, ``"server"`` inside one
        that never does (``if sys.platform != "emscripten":``, or the ``else``/``elif`` of an
        ``== "emscripten"`` test), ``"both"`` elsewhere."""
        child = node
        for parent in self.context.ancestry(node):
            if isinstance(parent, cst.If) and child is not parent.test:
                in_body = child is parent.body
                pyodide = self._pyodide_test(parent.test)
                if pyodide is not None:
                    return "browser" if pyodide == in_body else "server"
            child = parent
        return "both"

    @property
    def _kits(self) -> frozenset[str]:
        return frozenset(i.component.split(".", 1)[0] for i in self.instruments)

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            self._judge_import(alias, dotted(alias.name), alias)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if node.relative or node.module is None:
            return
        self._judge_import(node, dotted(node.module), None)

    def _judge_import(self, node: cst.CSTNode, module: str, alias: cst.ImportAlias | None) -> None:
        problem = import_problem(module, self._kits | self._installed)
        if not problem or self._where(node) == "server":
            return
        cell = self.cell_of(node)
        bound = _bound_names(node, alias)
        read_elsewhere = any(bound & other.refs for other in self.cells if other is not cell)
        if module.split(".", 1)[0] in IO_MODULES and cell is not None and not read_elsewhere:
            # Importing an I/O module works under Pyodide; using it does not. Judge it by its
            # uses: when they all run only outside the browser, the lab is fine.
            for name in bound:
                self._pending[name] = (node, problem, [])
            return
        self.report(node, problem)

    def visit_Name(self, node: cst.Name) -> None:
        pending = self._pending.get(node.value)
        if pending is not None and self._where(node) != "server":
            parent = self.parent(node)
            if not isinstance(parent, cst.ImportAlias | cst.Import | cst.ImportFrom):
                pending[2].append(node)

    def leave_Module(self, original_node: cst.Module) -> None:
        reported: set[int] = set()
        for node, problem, uses in self._pending.values():
            if uses and id(node) not in reported:
                reported.add(id(node))
                self.report(node, problem)

    def visit_Call(self, node: cst.Call) -> None:
        for name in self.qualified_names(node.func):
            if name not in IO_CALLS:
                continue
            where = self._where(node)
            if where == "server" or (where == "browser" and name in PYODIDE_ONLY_CALLS):
                return
            self.report(
                node,
                f"`{dotted(node.func)}(...)` {IO_CALLS[name]}: labs run in the browser, "
                "with no local files",
            )
            return


#: Distributions whose import name differs from the name micropip installs them by.
_IMPORT_NAMES = {"scikit-learn": "sklearn", "pyyaml": "yaml", "pillow": "PIL"}
_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def micropip_packages(context: FileContext) -> frozenset[str]:
    """Top-level import names of the packages the lab installs with ``micropip.install``:
    requirement strings (``"plotly"``, ``"pint>=0.23"``) and wheel files or URLs
    (``"../wheels/mlsys-0.1.0-py3-none-any.whl"``)."""
    found = set()
    for call in context.calls_to("micropip.install"):
        arg = argument(call, 0, "requirements")
        if arg is None:
            continue
        values = arg.value.elements if isinstance(arg.value, cst.List | cst.Tuple) else [arg]
        for element in values:
            text = literal(element.value)
            if isinstance(text, str):
                found.add(_import_name(text))
    return frozenset(found - {""})


def _import_name(requirement: str) -> str:
    """``plotly`` for ``"plotly>=5"``; ``mlsys`` for ``".../mlsys-0.1.0-py3-none-any.whl"``."""
    text = requirement.strip()
    if text.endswith(".whl"):
        text = text.rsplit("/", 1)[-1].split("-", 1)[0]
    match = _REQUIREMENT.match(text)
    name = match[1].lower().replace("-", "_") if match else ""
    return _IMPORT_NAMES.get(name.replace("_", "-"), name)


def _bound_names(node: cst.CSTNode, alias: cst.ImportAlias | None) -> frozenset[str]:
    """The names an import binds (all of ``from m import a, b``)."""
    if alias is not None:
        if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
            return frozenset({alias.asname.name.value})
        return frozenset({dotted(alias.name).split(".")[0]})
    names = getattr(node, "names", ())
    if not isinstance(names, Sequence):
        return frozenset()
    return frozenset().union(*(_bound_names(node, item) for item in names))
