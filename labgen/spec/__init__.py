"""Chapter specs: the typed YAML format a lab is built from, and its validation.

Public API::

    from labgen.spec import ChapterSpec, check_spec_file, load_spec
    result = check_spec_file(path)      # SpecCheck: .problems (located), .spec, .digest
    spec = load_spec(path)              # ChapterSpec, or SpecInvalidError listing all problems

The names are imported on first use, so that importing one submodule (the spec index, the
validate cache) does not load the spec model, the engine and pint's unit registry.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from labgen.spec.diagnostics import SpecProblem
    from labgen.spec.index import SpecIndex, index_specs, spec_files
    from labgen.spec.model import ChapterSpec
    from labgen.spec.registries import Registries, build_registries, default_registries
    from labgen.spec.validate import (
        SpecCheck,
        SpecInvalidError,
        check_spec_bytes,
        check_spec_file,
        load_spec,
    )

#: Where each public name lives.
_HOMES = {
    "SpecProblem": "diagnostics",
    "SpecIndex": "index",
    "index_specs": "index",
    "spec_files": "index",
    "ChapterSpec": "model",
    "Registries": "registries",
    "build_registries": "registries",
    "default_registries": "registries",
    "SpecCheck": "validate",
    "SpecInvalidError": "validate",
    "check_spec_bytes": "validate",
    "check_spec_file": "validate",
    "load_spec": "validate",
}

__all__ = [
    "ChapterSpec",
    "Registries",
    "SpecCheck",
    "SpecIndex",
    "SpecInvalidError",
    "SpecProblem",
    "build_registries",
    "check_spec_bytes",
    "check_spec_file",
    "default_registries",
    "index_specs",
    "load_spec",
    "spec_files",
]


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'labgen.spec' has no attribute {name!r}")
    return getattr(importlib.import_module(f"labgen.spec.{home}"), name)
