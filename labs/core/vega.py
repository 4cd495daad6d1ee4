"""Vega-Lite specs written as plain data, for the charts that redraw on every control move.

Building a layered chart with altair costs 100-300 ms in CPython (its objects deep-copy the data
and validate the schema at each step), more under Pyodide. The Volume 2 instruments redraw a
sweep on every move, so they write the same Vega-Lite as plain dicts here, in microseconds; the
kit's tests validate every spec against altair's schema (``SpecChart.to_dict``). The theme, the
accessible description and the absent action menu are the same as ``charts.finish`` gives.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import altair as alt

from labs.core import style
from labs.core.charts import VegaLite


class SpecChart:
    """A Vega-Lite spec (a dict) with the two methods ``charts.VegaLite`` reads."""

    def __init__(self, spec: Mapping[str, Any]) -> None:
        self.spec = dict(spec)

    def to_dict(self, validate: bool = True) -> dict[str, Any]:
        """The spec, validated against altair's Vega-Lite schema unless ``validate`` is False."""
        if validate:
            alt.Root.validate(self.spec)
        return self.spec

    def to_json(self, validate: bool = False) -> str:
        """The spec as JSON (what the page receives)."""
        return json.dumps(self.to_dict(validate=validate))


def layered(
    layers: Sequence[Mapping[str, Any]],
    *,
    description: str,
    height: float,
    data: Sequence[Mapping[str, Any]] | None = None,
    resolve: Mapping[str, Any] | None = None,
    padding: Mapping[str, float] | None = None,
) -> VegaLite:
    """A layered chart as wide as its card: ``layers`` (Vega-Lite layer dicts, each with its own
    ``data`` or sharing ``data``), the kit's config, and ``description`` as its alt text
    (``padding``: extra room around the plot in pixels, e.g. for labels above it)."""
    spec: dict[str, Any] = {
        "$schema": alt.SCHEMA_URL,
        "description": description,
        "width": "container",
        "height": height,
        "layer": [dict(layer) for layer in layers],
        "config": style.chart_config(),
        # As charts.finish: no vega-embed action menu (its summary has no accessible name).
        "usermeta": {"embedOptions": {"actions": False}},
    }
    if data is not None:
        spec["data"] = {"values": [dict(row) for row in data]}
    if resolve is not None:
        spec["resolve"] = dict(resolve)
    if padding is not None:
        spec["padding"] = dict(padding)
    return VegaLite(SpecChart(spec))


def design_marker(
    row: Mapping[str, Any], x_enc: Mapping[str, Any], y_enc: Mapping[str, Any]
) -> dict[str, Any]:
    """The layer marking the student's design on a chart: one filled diamond in the design
    colour at ``row`` (its fields read through the chart's ``x_enc`` and ``y_enc``)."""
    return {
        "data": values([row]),
        "mark": {
            "type": "point",
            "shape": "diamond",
            "size": 220,
            "filled": True,
            "stroke": style.WHITE,
            "color": style.ROLE["design"],
            "opacity": 1,
        },
        "encoding": {"x": dict(x_enc), "y": dict(y_enc)},
    }


def values(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Inline data for one layer."""
    return {"values": [dict(row) for row in rows]}


def colour_scale(roles: Sequence[str], labels: Sequence[str]) -> dict[str, Any]:
    """A colour scale mapping each label to the colour of its role in ``style.ROLE``."""
    return {"domain": list(labels), "range": [style.ROLE[role] for role in roles]}


def log_axis(title: str, field: str, *, base: float = 10, **axis: Any) -> dict[str, Any]:
    """A quantitative encoding of ``field`` on a log scale, few ticks (readable on a phone)."""
    return {
        "field": field,
        "type": "quantitative",
        "title": title,
        "scale": {"type": "log", "base": base},
        "axis": {"tickCount": 5, "format": "~g", "labelOverlap": "greedy", **axis},
    }
