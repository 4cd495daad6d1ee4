"""A Pyodide lockfile (``pyodide-lock.json``) that lists local wheels.

Pyodide loads a package by name from its lockfile: the file to fetch (relative to the runtime's
folder), its sha256, the modules it provides (so ``loadPackagesFromImports`` finds it from an
``import``) and the packages it depends on. This module writes those entries from the wheels
themselves: their METADATA (Requires-Dist, read with Pyodide's markers) and their file list.
No network, no Pyodide needed.
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Iterable, Mapping
from email.parser import Parser
from pathlib import Path
from typing import Any

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename

from labgen.browser import PYODIDE_MARKERS


def wheel_metadata(wheel: Path) -> tuple[list[str], list[str]]:
    """The top-level modules a wheel installs and the requirement strings of its METADATA."""
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
        metadata = Parser().parsestr(archive.read(metadata_name).decode("utf-8"))
    modules = set()
    for name in names:
        first, _, rest = name.partition("/")
        if first.endswith((".dist-info", ".data")):
            continue
        if rest:
            modules.add(first)
        elif first.endswith(".py"):
            modules.add(first.removesuffix(".py"))
    return sorted(modules), list(metadata.get_all("Requires-Dist") or [])


def pyodide_dependencies(requirements: Iterable[str]) -> list[str]:
    """The canonical names of ``requirements`` that apply in Pyodide (markers evaluated with
    ``PYODIDE_MARKERS``; extras never requested)."""
    names: list[str] = []
    for text in requirements:
        requirement = Requirement(text)
        if requirement.marker and not requirement.marker.evaluate(dict(PYODIDE_MARKERS)):
            continue
        name = canonicalize_name(requirement.name)
        if name not in names:
            names.append(name)
    return names


def lockfile(wheels: Iterable[Path], info: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """The lockfile of ``wheels``: ``info`` (the runtime's, from its own lockfile) and one entry
    per wheel, its ``file_name`` being ``prefix`` + the wheel's name (``prefix`` is the wheels'
    folder relative to the runtime's). A dependency that is not among ``wheels`` is left out:
    the caller checks completeness with ``missing_dependencies``."""
    by_name: dict[str, Path] = {}
    for wheel in wheels:
        name = canonicalize_name(parse_wheel_filename(wheel.name)[0])
        by_name[name] = wheel
    packages: dict[str, Any] = {}
    for name, wheel in sorted(by_name.items()):
        modules, requires = wheel_metadata(wheel)
        packages[name] = {
            "name": name,
            "version": str(parse_wheel_filename(wheel.name)[1]),
            "file_name": prefix + wheel.name,
            "install_dir": "site",
            "sha256": hashlib.sha256(wheel.read_bytes()).hexdigest(),
            "package_type": "package",
            "imports": modules,
            "depends": [d for d in pyodide_dependencies(requires) if d in by_name],
            "unvendored_tests": False,
        }
    return {"info": dict(info), "packages": packages}


def missing_dependencies(
    wheels: Iterable[Path], allowed: Iterable[str] = ()
) -> dict[str, list[str]]:
    """Package -> dependencies that Pyodide would need and that no wheel of ``wheels`` provides
    (names in ``allowed`` are not reported)."""
    wheels = list(wheels)
    present = {canonicalize_name(parse_wheel_filename(w.name)[0]) for w in wheels}
    present |= {canonicalize_name(name) for name in allowed}
    missing: dict[str, list[str]] = {}
    for wheel in wheels:
        _, requires = wheel_metadata(wheel)
        absent = [d for d in pyodide_dependencies(requires) if d not in present]
        if absent:
            missing[canonicalize_name(parse_wheel_filename(wheel.name)[0])] = absent
    return missing
