"""Helpers that read a component the way the browser receives it: through marimo's formatter."""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from typing import Any

import marimo as mo
import pytest

from mlsys import Engine, Models, Systems

_VEGA = re.compile(r"data-mime='([^']*)' data-data='([^']*)'")
_LABEL = re.compile(r"data-labels?='([^']*)'")


def _page_html(component: Any) -> str:
    return mo.as_html(component).text


def _vega_specs(component: Any) -> list[dict[str, Any]]:
    specs = []
    for mime, data in _VEGA.findall(_page_html(component)):
        if "vegalite" in json.loads(html.unescape(mime)):
            specs.append(json.loads(json.loads(html.unescape(data))))
    return specs


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _text_of(fragment: str) -> str:
    parser = _Text()
    parser.feed(fragment)
    return " ".join(" ".join(parser.parts).split())


def _labels(component: Any) -> list[str]:
    """The label HTML of every UI element inside ``component``, decoded from its attribute."""
    found: list[str] = []
    for raw in _LABEL.findall(_page_html(component)):
        decoded = json.loads(html.unescape(raw))  # one label, or a list (accordion, tabs)
        found.extend(item for item in (decoded if isinstance(decoded, list) else [decoded]) if item)
    return found


def _visible_text(component: Any) -> str:
    """The text a student reads: element content plus UI-element labels (marimo ships labels
    as HTML inside a JSON attribute)."""
    page = _page_html(component)
    return " ".join([_text_of(page), *(_text_of(label) for label in _labels(component))])


#: A colour written into a chart: hex or rgb(a) (the kit names colours by role, never inline).
_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}|#[0-9A-Fa-f]{3}|rgba?\([^)]*\)")


def _colours_in(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set().union(set(), *(_colours_in(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(set(), *(_colours_in(v) for v in value))
    if isinstance(value, str) and _COLOUR.fullmatch(value.strip()):
        return {value}
    return set()


def _layer_data(spec: dict[str, Any]) -> list[list[dict[str, Any]]]:
    # altair may hoist inline data into top-level named datasets; resolve the names.
    datasets = spec.get("datasets", {})

    def rows(data: dict[str, Any] | None) -> list[dict[str, Any]]:
        data = data or spec.get("data") or {}
        return data["values"] if "values" in data else datasets.get(data.get("name"), [])

    return [rows(layer.get("data")) for layer in spec.get("layer", [spec])]


@pytest.fixture
def page_html():
    """``page_html(component)``: the HTML marimo sends to the page."""
    return _page_html


@pytest.fixture
def vega_specs():
    """``vega_specs(component)``: every Vega-Lite spec inside the rendered component."""
    return _vega_specs


@pytest.fixture
def labels():
    """``labels(component)``: the decoded label HTML of each UI element in the component."""
    return _labels


@pytest.fixture
def visible_text():
    """``visible_text(component)``: the words a student sees, whitespace collapsed."""
    return _visible_text


@pytest.fixture
def layer_data():
    """``layer_data(spec)``: the inline data rows of each layer of a Vega-Lite spec."""
    return _layer_data


@pytest.fixture(scope="session")
def resnet_profile():
    """A real engine profile: ResNet-50 at batch 8 on one H100, compiled runtime."""
    return Engine.solve(
        model=Models.ResNet50, system=Systems.H100, batch_size=8, precision="fp16", efficiency=0.5
    )


@pytest.fixture
def chart_colours():
    """``chart_colours(spec)``: every colour written anywhere in a Vega-Lite spec (or part)."""
    return _colours_in
