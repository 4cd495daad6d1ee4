"""The Act step's controls: spec controls bound to ``Engine.solve`` parameters.

A lab passes its controls as data (from the spec, as Python literals), the active track and the
decisions its ledger reads; this module makes the sliders and dropdowns and turns their values
into the keywords of ``Engine.solve``. Labs do no arithmetic and no lookups of their own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import SimpleNamespace
from typing import Any

import marimo as mo

from labs.core import style
from labs.core.configuration import (
    ENGINE_KEYWORDS,
    engine_inputs,
    grid,
    ledger_inputs,
    live_inputs,
    powers_of_two,
    serving_for,
    shown,
    slider_steps,
    solve_inputs,
    start_value,
    stated_profile,
    usable,
)
from labs.core.labels import option_label
from labs.core.markdown import render_safe_inline, safe_label
from mlsys import Engine

__all__ = [
    "ENGINE_KEYWORDS",
    "EngineControls",
    "engine_inputs",
    "ledger_inputs",
    "live_inputs",
    "serving_for",
    "serving_ledger",
    "serving_slo",
    "stated_profile",
    "sweep_batches",
    "usable",
]


def EngineControls(
    controls: Sequence[Mapping[str, Any]],
    track: Mapping[str, Any],
    ledger: Mapping[str, Any] | None = None,
) -> mo.ui.batch:
    """The Act step's widgets, one per spec control, as a marimo batch keyed by parameter.

    ``controls`` are spec controls (``param``, ``label`` and either ``min``/``max``/``default``
    with optional ``step``/``scale``, or ``options``/``default``); ``track`` is the active track
    (``model``, ``system``, ``inputs``); ``ledger`` maps parameters to decisions read from earlier
    labs. Integer sliders count samples or tokens, fraction sliders are dimensionless.
    """
    decided = dict(ledger or {})
    elements: dict[str, Any] = {}
    for control in controls:
        if not shown(control, track):
            continue  # nothing to choose here (one option, or a context length for a CNN)
        param, label = control["param"], safe_label(control["label"])
        start = start_value(control, track, decided)
        if "options" in control:
            # Display names shown, registry ids returned: the engine never sees a label.
            options = {option_label(param, option): option for option in grid(control, track)}
            elements[param] = mo.ui.dropdown(
                options=options, value=option_label(param, start), label=label
            )
        else:
            elements[param] = mo.ui.slider(
                steps=slider_steps(control, track, start), value=start, label=label, show_value=True
            )
    # A batch, not a dictionary: it renders as a plain form (one control per line) and its
    # value is the same {param: value} mapping.
    lessons = {
        c["param"]: c["lesson"] for c in controls if c.get("lesson") and c["param"] in elements
    }
    template = "".join(
        f"<div class='lg-control'>{{{param}}}{_lesson(lessons.get(param))}</div>"
        for param in elements
    )
    return mo.ui.batch(mo.Html(f"<div data-controls>{template}</div>"), elements)


def _lesson(text: str | None) -> str:
    """A lever declared the lesson says so under the control (``labgen validate`` proved it
    moves nothing the KAT shows on some track)."""
    if not text:
        return ""
    return f"<div data-lesson {style.attrs('lg-caption')}>{render_safe_inline(text)}</div>"


def sweep_batches(
    track: Mapping[str, Any],
    values: Mapping[str, Any] | None = None,
    decisions: Mapping[str, Any] | None = None,
    *,
    largest: int = 1024,
) -> Any:
    """``Engine.sweep`` over batch sizes 1, 2, 4, ... ``largest`` with the track's and controls'
    other inputs: the points of a Pareto curve (every field an array). On a cluster, the global
    batches the plan splits evenly: ``dp * microbatches`` times 1, 2, 4, ... (11 points), each
    solved as the lab solves it, with the same fields (tuples of quantities)."""
    inputs = engine_inputs(track, values, decisions)
    if inputs.get("parallelism") is not None:
        return _fleet_batches(track, values or {}, decisions, inputs["parallelism"])
    inputs["batch_size"] = powers_of_two(1, largest)
    return Engine.sweep(**{key: inputs[key] for key in ENGINE_KEYWORDS})


#: Doublings of the smallest even global batch a fleet's Pareto curve draws.
FLEET_BATCH_DOUBLINGS = 10


def _fleet_batches(
    track: Mapping[str, Any],
    values: Mapping[str, Any],
    decisions: Mapping[str, Any] | None,
    plan: Any,
) -> SimpleNamespace:
    smallest = plan.dp * plan.microbatches
    reports = []
    for k in range(FLEET_BATCH_DOUBLINGS + 1):
        chosen = {**values, "batch_size": smallest * 2**k}
        try:
            reports.append(solve_inputs(engine_inputs(track, chosen, decisions)))
        except ValueError:
            continue  # a batch the plan cannot split (a pipeline deeper than the batch)
    return SimpleNamespace(
        latency=tuple(r.latency for r in reports),
        throughput=tuple(r.throughput for r in reports),
        energy=tuple(r.energy for r in reports),
        memory_footprint=tuple(r.memory_footprint for r in reports),
        feasible=tuple(bool(r.feasible) for r in reports),
        batch_size=tuple(r.batch_size for r in reports),
        efficiency=tuple(r.step.efficiency for r in reports),
    )


def serving_ledger(
    track_key: str,
    track: Mapping[str, Any],
    values: Mapping[str, Any] | None = None,
    decisions: Mapping[str, Any] | None = None,
) -> Any:
    """The serving simulation of the track's application on the track's model and node with the
    controls' ``values`` (see ``serving_for``, which takes solved keywords)."""
    return serving_for(track_key, engine_inputs(track, values, decisions))


def serving_slo(track_key: str) -> Any:
    """The latency objective of the track's application (a time quantity), for the SLO line."""
    from mlsys.applications import application_of

    return application_of(track_key).slo
