"""The mlsys layer order (seed 001): each module imports only modules of its own or a lower
layer, and mlsys imports nothing beyond pint and the standard library (no numpy: the browser has
none)."""

import ast
import sys
from pathlib import Path

import pytest

import mlsys

PACKAGE = Path(mlsys.__file__).resolve().parent

#: Layer of every mlsys module. A new module must be placed here before its tests pass.
LAYERS = {
    "units": 1,
    "memo": 1,
    "derivation": 1,
    "registry": 1,
    "constants": 1,
    "formulas": 1,
    "hardware": 1,
    "models": 1,
    "builder": 1,
    "comparison": 1,
    "fabrics": 1,
    "cluster": 1,
    "parallelism": 1,
    "fleet_constants": 1,
    "fleet_formulas": 1,
    "ledger": 2,
    "fleet_ledger": 2,
    "engine": 3,
    "northstar": 3,
    "collectives": 3,
    "fleet_step": 3,
    "profile_fields": 3,
    "reliability": 3,
    "personas": 4,
    "applications": 5,
    "simulations": 5,
    "fleet_simulations": 5,
    "fleet_report": 5,
}
#: The package's __init__ re-exports every layer: nothing inside mlsys may import it.
TOP = 6
THIRD_PARTY = {"pint"}
#: Allowed only inside a `try:` that catches ImportError (the browser has none of them): numpy
#: for Engine.sweep's fast path in CPython.
OPTIONAL_THIRD_PARTY = {"numpy"}


def optional_imports(source: str) -> set[str]:
    """Top-level packages imported inside a `try:` whose handlers catch ImportError."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Try) and any(
            isinstance(handler.type, ast.Name)
            and handler.type.id in {"ImportError", "ModuleNotFoundError"}
            for handler in node.handlers
        ):
            for statement in node.body:
                for inner in ast.walk(statement):
                    if isinstance(inner, ast.Import):
                        found |= {alias.name.split(".")[0] for alias in inner.names}
                    elif isinstance(inner, ast.ImportFrom) and inner.module and not inner.level:
                        found.add(inner.module.split(".")[0])
    return found


def module_imports(source: str, package_modules: set[str]) -> tuple[set[str], set[str]]:
    """(mlsys modules imported, other top-level packages imported) by ``source``, anywhere in it."""
    internal: set[str] = set()
    external: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "mlsys":
                    internal.add(parts[1] if len(parts) > 1 else "__init__")
                else:
                    external.add(parts[0])
        elif isinstance(node, ast.ImportFrom):
            if node.level > 0 or (node.module or "").split(".")[0] == "mlsys":
                parts = (node.module or "").split(".")
                sub = (
                    parts[1]
                    if parts[0] == "mlsys" and len(parts) > 1
                    else (parts[0] if node.level else "")
                )
                if sub:
                    internal.add(sub)
                else:
                    # `from mlsys import x`: a submodule when x is one, else the package itself.
                    for alias in node.names:
                        internal.add(alias.name if alias.name in package_modules else "__init__")
            else:
                external.add((node.module or "").split(".")[0])
    return internal, external


def layer_of(name: str) -> int:
    return TOP if name == "__init__" else LAYERS[name]


MODULES = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__")


def test_every_module_has_a_layer():
    assert set(MODULES) == set(LAYERS), "place new mlsys modules in LAYERS"


@pytest.mark.parametrize("name", MODULES)
def test_module_imports_only_its_own_layer_or_lower(name):
    internal, _ = module_imports((PACKAGE / f"{name}.py").read_text("utf-8"), set(MODULES))
    higher = sorted(m for m in internal if layer_of(m) > LAYERS[name])
    assert not higher, f"mlsys.{name} (layer {LAYERS[name]}) imports higher layers: {higher}"


@pytest.mark.parametrize("name", [*MODULES, "__init__"])
def test_module_imports_nothing_beyond_pint_and_the_standard_library(name):
    source = (PACKAGE / f"{name}.py").read_text("utf-8")
    _, external = module_imports(source, set(MODULES))
    external -= optional_imports(source) & OPTIONAL_THIRD_PARTY
    foreign = sorted(external - THIRD_PARTY - set(sys.stdlib_module_names) - {"__future__"})
    assert not foreign, f"mlsys.{name} imports {foreign}"


def test_the_checker_sees_violations_it_must_catch():
    modules = set(MODULES)
    source = (
        "import json\nfrom mlsys import formulas as f\nfrom mlsys import Engine\n"
        "def late():\n    from mlsys.simulations import ResourceSimulation\n    import pandas\n"
        "from . import personas\n"
    )
    internal, external = module_imports(source, modules)
    assert internal == {"formulas", "__init__", "simulations", "personas"}
    assert external == {"json", "pandas"}
    guarded = "try:\n    import numpy\nexcept ImportError:\n    numpy = None\nimport pandas\n"
    assert optional_imports(guarded) == {"numpy"}
    assert max(layer_of(m) for m in internal) == TOP
