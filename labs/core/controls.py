"""The Act step's controls: spec controls bound to ``Engine.solve`` parameters.

A lab passes its controls as data (from the spec, as Python literals), the active track and the
decisions its ledger reads; this module makes the sliders and dropdowns and turns their values
into the keywords of ``Engine.solve``. Labs do no arithmetic and no lookups of their own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import marimo as mo

from labs.core.markdown import safe_label
from mlsys import Engine, Models, Systems

#: Every keyword of Engine.solve a lab passes, in the order it passes them.
ENGINE_KEYWORDS: tuple[str, ...] = (
    "model",
    "system",
    "batch_size",
    "precision",
    "efficiency",
    "seq_len",
    "phase",
    "runtime",
)


#: Engine.solve keywords that only transformers take.
TRANSFORMER_ONLY: frozenset[str] = frozenset({"seq_len"})


def _allowed_choices(param: str, options: Sequence[str], track: Mapping[str, Any]) -> list[str]:
    """Options a track can use: precisions and runtimes its system cannot run are left out,
    and phases only where the model takes them (train for every model, decode for decoders)."""
    system, model = track["system"], track["model"]
    if param == "precision":
        return [o for o in options if o in system.precisions]
    if param == "runtime":
        return [o for o in options if o in system.runtimes]
    if param == "phase":
        return [o for o in options if o in model.phases]
    return list(options)


def _powers_of_two(low: int, high: int) -> list[int]:
    steps, value = [], low
    while value <= high:
        steps.append(value)
        value *= 2
    return steps


def _start(
    control: Mapping[str, Any],
    track: Mapping[str, Any],
    ledger: Mapping[str, Any],
    allowed: Sequence[Any] | None,
) -> Any:
    """The control's starting value: the ledger's decision, else the track's input, else the
    spec default; a candidate the control cannot show is passed over."""
    param = control["param"]
    own = track[param].name if param in ("model", "system") else track.get("inputs", {}).get(param)
    for candidate in (ledger.get(param), own, control["default"]):
        if candidate is None:
            continue
        if allowed is not None:
            if candidate in allowed:
                return candidate
        elif control["min"] <= candidate <= control["max"]:
            return candidate
    return allowed[0] if allowed else control["min"]


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
        param, label = control["param"], safe_label(control["label"])
        if param in TRANSFORMER_ONLY and track["model"].transformer is None:
            continue  # a context length means nothing to a CNN or an RNN

        if "options" in control:
            allowed = _allowed_choices(param, control["options"], track)
            if not allowed:
                continue  # nothing this track's node can run: the engine default applies
            elements[param] = mo.ui.dropdown(
                options=allowed, value=_start(control, track, decided, allowed), label=label
            )
        elif control.get("scale") == "log2":
            steps = _powers_of_two(control["min"], control["max"])
            elements[param] = mo.ui.slider(
                steps=steps,
                value=_start(control, track, decided, steps),
                label=label,
                show_value=True,
            )
        else:
            elements[param] = mo.ui.slider(
                start=control["min"],
                stop=control["max"],
                step=control.get("step", 1),
                value=_start(control, track, decided, None),
                label=label,
                show_value=True,
            )
    # A batch, not a dictionary: it renders as a plain form (one control per line) and its
    # value is the same {param: value} mapping.
    template = "".join(f"<div class='lg-control'>{{{param}}}</div>" for param in elements)
    return mo.ui.batch(mo.Html(f"<div data-controls>{template}</div>"), elements)


def usable(param: str, value: Any, track: Mapping[str, Any]) -> bool:
    """Whether ``value`` is a valid ``param`` for the track's model and system (a decision made
    on another node, such as fp16 for a microcontroller, is not)."""
    model, system = track["model"], track["system"]
    if value is None:
        return False
    if param == "precision":
        return value in system.precisions
    if param == "runtime":
        return value in system.runtimes
    if param == "phase":
        return value in model.phases
    if param == "seq_len":
        shape = model.transformer
        return shape is not None and isinstance(value, int) and 1 <= value <= shape.max_seq_len
    if param == "batch_size":
        return isinstance(value, int) and not isinstance(value, bool) and value >= 1
    if param == "efficiency":
        return isinstance(value, int | float) and 0 < value <= 1
    if param == "model":
        return isinstance(value, str) and value in Models
    if param == "system":
        return isinstance(value, str) and value in Systems
    return False


def engine_inputs(
    track: Mapping[str, Any],
    values: Mapping[str, Any] | None = None,
    decisions: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Keywords for ``Engine.solve``: the track's model, system and fixed inputs, overridden by
    the earlier labs' ``decisions`` the track can use, overridden by the controls' ``values``.
    Model and system names are looked up in the registries; unset keywords are None (the
    engine's documented defaults); ``batch_size`` defaults to 1."""
    picked = values or {}
    # Decisions are judged against the node and model this KAT actually runs (a system or
    # model dropdown may have replaced the track's own).
    target = dict(track)
    for key, registry in (("model", Models), ("system", Systems)):
        if isinstance(picked.get(key), str):
            target[key] = registry.get(picked[key])
    carried = {k: v for k, v in (decisions or {}).items() if usable(k, v, target)}
    chosen = {**track.get("inputs", {}), **carried, **picked}
    model = chosen.get("model", track["model"])
    system = chosen.get("system", track["system"])
    inputs = {key: chosen.get(key) for key in ENGINE_KEYWORDS}
    inputs["model"] = Models.get(model) if isinstance(model, str) else model
    inputs["system"] = Systems.get(system) if isinstance(system, str) else system
    inputs["batch_size"] = chosen.get("batch_size") or 1
    if inputs["model"].transformer is None:
        inputs["seq_len"] = None  # only transformers take a context length
    if inputs["phase"] not in (None, *inputs["model"].phases):
        inputs["phase"] = None  # e.g. "prefill" for a CNN: inference, the engine's default
    return inputs


def ledger_inputs(ledger: Any, reads: Mapping[str, str]) -> dict[str, Any]:
    """Decisions an earlier lab recorded, keyed by the Engine.solve parameter they feed:
    ``reads`` maps parameter -> ledger key; keys the ledger lacks are left out."""
    found = {}
    for param, key in reads.items():
        value = ledger.get(key, None)
        if value is not None:
            found[param] = value
    return found


def sweep_batches(
    track: Mapping[str, Any],
    values: Mapping[str, Any] | None = None,
    decisions: Mapping[str, Any] | None = None,
    *,
    largest: int = 1024,
) -> Any:
    """``Engine.sweep`` over batch sizes 1, 2, 4, ... ``largest`` with the track's and controls'
    other inputs: the points of a Pareto curve (every field an array)."""
    inputs = engine_inputs(track, values, decisions)
    inputs["batch_size"] = _powers_of_two(1, largest)
    return Engine.sweep(**inputs)


def serving_ledger(
    track_key: str,
    track: Mapping[str, Any],
    values: Mapping[str, Any] | None = None,
    decisions: Mapping[str, Any] | None = None,
) -> Any:
    """The serving simulation of the track's application (its request rate and SLO) on the
    track's model and node with the controls' ``values``: a SystemLedger with P50, P99 and the
    latency samples (ms) a P99Histogram draws."""
    from dataclasses import replace

    from mlsys import ServingSimulation
    from mlsys.applications import application_of

    inputs = engine_inputs(track, values, decisions)
    application = replace(application_of(track_key), model=inputs["model"], system=inputs["system"])
    choice = {
        key: inputs[key]
        for key in ("system", "batch_size", "precision", "efficiency", "runtime")
        if inputs[key] is not None
    }
    return ServingSimulation(application).evaluate(choice)


def serving_slo(track_key: str) -> Any:
    """The latency objective of the track's application (a time quantity), for the SLO line."""
    from mlsys.applications import application_of

    return application_of(track_key).slo
