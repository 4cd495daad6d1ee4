"""The JSON Schema: it validates every spec in chapters/, agrees with the validator on shape,
and the copy the specs' modeline points at is current.

Validation uses the ``jsonschema`` package (installed with altair) rather than a round trip
through pydantic, so the schema is checked by an independent implementation.
"""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest
import yaml

import mlsys
from labgen.spec import default_registries
from labgen.spec.schema import MODELINE, SCHEMA_FILE, schema_text, spec_json_schema

ROOT = Path(__file__).resolve().parents[2]
SPECS = sorted((ROOT / "chapters").glob("vol*/*.yaml"))
DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = spec_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_the_project_has_specs() -> None:
    assert ROOT / "chapters/vol1/ch05_nn_compute.yaml" in SPECS


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.name)
def test_every_project_spec_validates_against_the_schema(validator, spec: Path) -> None:
    errors = list(validator.iter_errors(yaml.safe_load(spec.read_text(encoding="utf-8"))))
    assert errors == []


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.name)
def test_every_project_spec_carries_the_modeline(spec: Path) -> None:
    assert spec.read_text(encoding="utf-8").splitlines()[0] == MODELINE


def test_the_committed_schema_is_current() -> None:
    assert (ROOT / "chapters" / SCHEMA_FILE).read_text(encoding="utf-8") == schema_text()


def test_the_fixture_validates(validator) -> None:
    assert list(validator.iter_errors(yaml.safe_load((DATA / "valid_ch05.yaml").read_text()))) == []


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ('  title: "A test lab"', '  titel: "A test lab"', ["chapter"]),
        ("    model: ResNet50", "    model: ResNet5O", ["tracks", "edge_guardian", "model"]),
        ("  - Explain the trade-off.\n", "", ["objectives"]),
        ("      kind: choice", "      kind: choise", ["kats", 1, "prediction"]),
        ("instruments: [waterfall]", "instruments: [waterfal]", ["instruments", 0]),
        ("        scale: log2", "        scale: log10", ["kats", 1, "controls", 0]),
    ],
)
def test_the_schema_rejects_what_the_validator_rejects(validator, old, new, where) -> None:
    text = (DATA / "valid_ch05.yaml").read_text().replace(old, new, 1)
    errors = list(validator.iter_errors(yaml.safe_load(text)))
    assert errors
    assert any(list(e.absolute_path)[: len(where)] == where for e in errors), [
        e.message for e in errors
    ]


def test_registry_names_are_enums() -> None:
    defs = spec_json_schema()["$defs"]
    assert defs["Track"]["properties"]["model"]["enum"] == list(mlsys.Models.names())
    assert defs["Track"]["properties"]["system"]["enum"] == list(mlsys.Systems.names())
    assert defs["Kat"]["properties"]["instrument"]["enum"] == list(default_registries().instruments)
    assert "x-registry" not in schema_text()


def test_every_field_is_described() -> None:
    def walk(node, path):
        if isinstance(node, dict):
            for name, prop in node.get("properties", {}).items():
                assert prop.get("description"), f"{path}.{name} has no description"
            for key, value in node.items():
                walk(value, f"{path}.{key}")
        elif isinstance(node, list):
            for item in node:
                walk(item, path)

    walk(spec_json_schema(), "$")


def test_schema_text_is_deterministic() -> None:
    assert schema_text() == schema_text()
