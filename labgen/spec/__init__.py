"""Chapter specs: the typed YAML format a lab is built from, and its validation.

Public API::

    from labgen.spec import ChapterSpec, check_spec_file, load_spec
    result = check_spec_file(path)      # SpecCheck: .problems (located), .spec, .digest
    spec = load_spec(path)              # ChapterSpec, or SpecInvalidError listing all problems
"""

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
