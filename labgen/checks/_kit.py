"""What the lab kit (``labs.core``) defines, read from its source without importing it.

Importing the kit would import marimo and altair into every checker process; its modules'
top-level names are all a check needs to tell whether an import names something real.
"""

from __future__ import annotations

import ast
import importlib.util
import re
from functools import cache
from pathlib import Path

#: The kit's package; ``from labs.core... import X`` is checked against its source.
KIT_PACKAGE = "labs.core"


def is_kit(module: str) -> bool:
    """Whether ``module`` is the kit or one of its modules."""
    return module == KIT_PACKAGE or module.startswith(KIT_PACKAGE + ".")


@cache
def defined_names(module: str) -> frozenset[str] | None:
    """Names bound at the top level of ``module`` (and its submodules, for a package), or
    None when its source cannot be found or read."""
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
        return None
    try:
        tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return None
    found = {name for statement in tree.body for name in _bound(statement)}
    found |= _exported(tree)
    for folder in spec.submodule_search_locations or ():
        found |= {path.stem for path in Path(folder).glob("*.py") if path.stem != "__init__"}
    return frozenset(found)


def split_module(qualified: str) -> tuple[str, str] | None:
    """``("labs.core.style", "ACCENT")`` for ``labs.core.style.ACCENT.lower``: the deepest
    module of the kit the dotted name goes through (found as a file, never imported) and the
    name it reads from it; None when the name reads nothing from a module of the kit."""
    parts = qualified.split(".")
    if not is_kit(qualified) or len(parts) < 3:
        return None
    module, rest = KIT_PACKAGE, parts[2:]
    while rest and _is_submodule(module, rest[0]):
        module, rest = f"{module}.{rest[0]}", rest[1:]
    return (module, rest[0]) if rest else None


@cache
def _is_submodule(package: str, name: str) -> bool:
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return False
    folders = (spec.submodule_search_locations or ()) if spec is not None else ()
    return any(
        (Path(folder) / f"{name}.py").is_file() or (Path(folder) / name / "__init__.py").is_file()
        for folder in folders
    )


def _exported(tree: ast.Module) -> set[str]:
    """The names listed in ``__all__`` (a package may provide them lazily, by ``__getattr__``)."""
    found: set[str] = set()
    for statement in tree.body:
        if isinstance(statement, ast.Assign | ast.AnnAssign):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            value = statement.value
            if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets) and isinstance(
                value, ast.List | ast.Tuple
            ):
                found |= {
                    item.value
                    for item in value.elts
                    if isinstance(item, ast.Constant) and isinstance(item.value, str)
                }
    return found


def _bound(statement: ast.stmt) -> list[str]:
    if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return [statement.name]
    if isinstance(statement, ast.Import | ast.ImportFrom):
        return [(alias.asname or alias.name).split(".")[0] for alias in statement.names]
    targets: list[ast.expr] = []
    if isinstance(statement, ast.Assign):
        targets = statement.targets
    elif isinstance(statement, ast.AnnAssign | ast.AugAssign):
        targets = [statement.target]
    names = []
    for target in targets:
        for node in ast.walk(target):
            if isinstance(node, ast.Name):
                names.append(node.id)
    if isinstance(statement, ast.If | ast.Try):
        for inner in [*statement.body, *statement.orelse, *getattr(statement, "finalbody", [])]:
            names.extend(_bound(inner))
    return names


#: A return annotation that names something marimo displays (``mo.Html``, ``mo.ui.radio``,
#: a chart).
_DISPLAY_ANNOTATION = re.compile(r"\bmo\b|\bmarimo\b|Html|VegaLite|Chart")


@cache
def _return_annotations() -> dict[str, str]:
    """Function name -> its return annotation, for every function at the top level of a kit
    module."""
    found: dict[str, str] = {}
    try:
        spec = importlib.util.find_spec(KIT_PACKAGE)
    except (ImportError, ValueError):
        return found
    for folder in (spec.submodule_search_locations or ()) if spec else ():
        for path in sorted(Path(folder).glob("*.py")):
            try:
                tree = ast.parse(path.read_text(encoding="utf-8"))
            except (OSError, SyntaxError, ValueError):
                continue
            for statement in tree.body:
                if isinstance(statement, ast.FunctionDef) and statement.returns is not None:
                    found.setdefault(statement.name, ast.unparse(statement.returns))
    return found


def returns_display(name: str) -> bool:
    """Whether the kit callable ``name`` is annotated to return something marimo displays
    (``LabHeader -> mo.Html``; not ``PredictionLock``, which returns the locked value)."""
    annotation = _return_annotations().get(name)
    return annotation is not None and _DISPLAY_ANNOTATION.search(annotation) is not None
