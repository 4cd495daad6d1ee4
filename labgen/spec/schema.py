"""The JSON Schema of chapter specs, for editors (yaml-language-server) and other tools.

Generated from the pydantic models; string fields that name registry entries (models, systems,
precisions, instruments, ...) get an ``enum`` of the names known when the schema is generated,
so editors complete them. Specs point at the schema with a modeline on their first line.
"""

from __future__ import annotations

import json
from typing import Any

from labgen.spec.model import ChapterSpec
from labgen.spec.registries import Registries, default_registries

#: File name of the schema in the chapters folder; specs in ``vol1/`` and ``vol2/`` refer to it.
SCHEMA_FILE = "spec.schema.json"
#: First line of every spec: tells yaml-language-server which schema checks the file.
MODELINE = f"# yaml-language-server: $schema=../{SCHEMA_FILE}"
_DIALECT = "https://json-schema.org/draft/2020-12/schema"
_MARKER = "x-registry"


def _with_enums(node: Any, registries: Registries) -> Any:
    if isinstance(node, dict):
        result = {key: _with_enums(value, registries) for key, value in node.items()}
        kind = result.pop(_MARKER, None)
        if kind is not None:
            result["enum"] = list(registries.names(kind))
        return result
    if isinstance(node, list):
        return [_with_enums(item, registries) for item in node]
    return node


def spec_json_schema(registries: Registries | None = None) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a chapter spec, with registry names as enums."""
    schema = ChapterSpec.model_json_schema(by_alias=True, mode="validation")
    schema = _with_enums(schema, registries or default_registries())
    return {"$schema": _DIALECT, **schema, "title": "labgen chapter spec"}


def schema_text(registries: Registries | None = None) -> str:
    """The schema as the text ``labgen schema`` prints: indented JSON, stable, newline-ended."""
    return json.dumps(spec_json_schema(registries), indent=2, ensure_ascii=False) + "\n"
