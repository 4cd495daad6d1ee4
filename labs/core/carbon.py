"""The carbon-by-region chart (Volume 2, Lab 15): the same run's carbon on every grid.

Each bar is the design's run rebuilt with one grid ``region`` (``FleetReport`` with the
scenario's region replaced): the operational carbon (facility energy x the grid's intensity)
stacked under the devices' embodied carbon amortised over the run. The energy and the embodied
share do not depend on the grid; the operational share scales with its intensity, so a clean
grid leaves the embodied carbon the larger part.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import marimo as mo

from labs.core import vega
from labs.core.charts import CHART_HEIGHT, card, data_table, empty_state, legend, note
from labs.core.format import format_number, format_quantity, readable_mass, unit_text
from mlsys import FleetReport, Quantity
from mlsys.constants import GRID_CARBON_INTENSITY

#: The stacked parts of a bar, bottom to top: (part, label, colour role in ``style.ROLE``).
PARTS: tuple[tuple[str, str, str], ...] = (
    ("operational", "Operational (energy x grid)", "bad"),
    ("embodied", "Embodied (manufacturing, amortised)", "frontier"),
)


def _tonnes(quantity: Any) -> float:
    return float(quantity.to("tonne").magnitude)


def carbon_sweep(profile: Any) -> list[dict[str, Any]]:
    """The run of ``profile`` (a ``FleetReport``) on every grid of
    ``mlsys.constants.GRID_CARBON_INTENSITY``: one row per region and part (``operational``,
    ``embodied``), in order of the grid's intensity, with ``region``, ``intensity``
    (gCO2/kWh), ``order`` (stacking position), ``part``, ``label``, ``tonnes`` (CO2e),
    ``total`` (the bar: ``FleetReport.carbon``) and ``design`` (the scenario's own region).
    Empty when the run never ends (its carbon is infinite)."""
    if not profile.time_to_train.magnitude < float("inf"):
        return []
    rows = []
    ranked = sorted(GRID_CARBON_INTENSITY.items(), key=lambda item: (item[1].value, item[0]))
    for region, intensity in ranked:
        if region == profile.scenario.region:
            report = profile
        else:
            report = FleetReport(profile.step, replace(profile.scenario, region=region))
        total = _tonnes(report.carbon)
        embodied = _tonnes(report.embodied_carbon)
        parts = {"operational": max(0.0, total - embodied), "embodied": embodied}
        for order, (part, label, _) in enumerate(PARTS):
            rows.append(
                {
                    "region": region,
                    "intensity": float(intensity.value),
                    "order": order,
                    "part": part,
                    "label": label,
                    "tonnes": parts[part],
                    "total": total,
                    "design": region == profile.scenario.region,
                }
            )
    return rows


def CarbonChart(
    rows: list[dict[str, Any]], design: Any, *, title: str = "Carbon by region"
) -> mo.Html:
    """The carbon card of a ``carbon_sweep``: the run's carbon (tonne CO2e) on every grid,
    operational stacked under embodied, grids from cleanest to dirtiest; the design's region
    (``design``, a ``FleetReport``) marked with a diamond above its bar. The caption gives the
    design's carbon, its embodied part and the run's facility energy."""
    if not rows:
        return card(
            title,
            None,
            empty_state("This run never ends (no goodput), so it has no carbon to draw."),
            kind="carbon_chart",
        )
    # One unit for the whole chart, the one the largest bar reads best in (t, kg or g), so a
    # 20-billion-window TinyLSTM run reads "148 g", not "148µ" of a tonne.
    peak = max(abs(row["total"]) for row in rows) or 1.0
    unit = unit_text(readable_mass(Quantity(peak, "tonne"))) or "t"
    factor = Quantity(1.0, "tonne").to(unit).magnitude
    rows = [{**row, "amount": row["tonnes"] * factor, "bar": row["total"] * factor} for row in rows]
    mine = next(row for row in rows if row["design"])
    regions = list(dict.fromkeys(row["region"] for row in rows))
    labels = [label for _, label, _ in PARTS]
    x_enc = {
        "field": "region",
        "type": "nominal",
        "title": "Grid region (cleanest to dirtiest)",
        "sort": regions,
        "axis": {"labelAngle": -40, "labelOverlap": False},
    }
    bars = {
        "mark": {"type": "bar"},
        "encoding": {
            "x": x_enc,
            "y": {
                "field": "amount",
                "type": "quantitative",
                "stack": "zero",
                "title": f"Carbon of the run ({unit} CO2e)",
                "axis": {"tickCount": 5, "format": ",.3~r"},
            },
            "color": {
                "field": "label",
                "type": "nominal",
                "scale": vega.colour_scale([role for _, _, role in PARTS], labels),
                # No label limit: "Embodied (manufacturing, amortised)" was cut short.
                "legend": {
                    "title": None,
                    "orient": "bottom",
                    "direction": "vertical",
                    "labelLimit": 0,
                },
            },
            "order": {"field": "order", "type": "quantitative"},
            "tooltip": [
                {"field": "region", "type": "nominal", "title": "Region"},
                {"field": "intensity", "type": "quantitative", "title": "gCO2/kWh"},
                {"field": "label", "type": "nominal", "title": "Part"},
                {
                    "field": "amount",
                    "type": "quantitative",
                    "title": f"{unit} CO2e",
                    "format": ",.3~g",
                },
                {
                    "field": "bar",
                    "type": "quantitative",
                    "title": f"Bar ({unit})",
                    "format": ",.3~g",
                },
            ],
        },
    }
    marker = vega.design_marker(
        {"region": mine["region"], "bar": mine["bar"]},
        x_enc,
        {"field": "bar", "type": "quantitative"},
    )
    marker["mark"]["yOffset"] = -8
    cleanest = next(row for row in rows if row["part"] == "operational")
    chart = vega.layered(
        [bars, marker],
        data=rows,
        height=CHART_HEIGHT,
        description=(
            f"Carbon of the same run on {len(regions)} grids, operational under embodied: "
            f"your region {mine['region']} emits {format_number(mine['bar'])} {unit} CO2e; "
            f"{cleanest['region']} {format_number(cleanest['bar'])} {unit}"
        ),
    )
    captions = [
        legend(
            [
                (
                    "design",
                    "Your region (diamond)",
                    f"{mine['region']}, {format_number(mine['intensity'])} gCO2/kWh",
                ),
                ("bad", "Carbon of your run", format_quantity(design.carbon)),
            ]
        ),
        legend(
            [
                ("frontier", "Embodied carbon", format_quantity(design.embodied_carbon)),
                ("muted", "Facility energy of the run", format_quantity(design.run_energy)),
            ]
        ),
        note(
            "The energy is the same on every grid; only the operational part follows the "
            "grid's carbon intensity. On a clean grid the devices' manufacturing carbon is "
            "what remains."
        ),
        data_table(
            (
                "Region",
                "gCO2/kWh",
                *(f"{label} ({unit})" for label in labels),
                f"Total ({unit} CO2e)",
            ),
            (
                (
                    region,
                    format_number(next(r["intensity"] for r in rows if r["region"] == region)),
                    *(
                        format_number(
                            next(
                                r["amount"]
                                for r in rows
                                if r["region"] == region and r["part"] == p
                            )
                        )
                        for p, _, _ in PARTS
                    ),
                    format_number(next(r["bar"] for r in rows if r["region"] == region)),
                )
                for region in regions
            ),
            summary=f"The numbers behind this chart ({unit} CO2e)",
        ),
    ]
    return card(title, chart, *captions, kind="carbon_chart")
