"""The bars a KAT asks the student to meet, checked live against the engine's numbers.

A spec's ``targets`` (the track's nemesis bar, an SLO, a frame budget) reach the lab as data;
this card says, for the design on screen, whether it meets each bar of the student's track, and
for a bar declared a wall (no setting of the KAT's controls can meet it, which ``labgen
validate`` proved) it says why that wall is the lesson. The kit compares; mlsys computes.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

import marimo as mo

from labs.core import style
from labs.core.cards import shown_value
from labs.core.format import format_quantity
from labs.core.labels import SERVING_FIELDS, field_label
from labs.core.markdown import render_safe_inline
from mlsys import Quantity


def target_met(value: Quantity, bar: Quantity, direction: str) -> bool:
    """Whether ``value`` meets ``bar`` (``at_most`` or ``at_least``), in the bar's unit."""
    magnitude = value.to(bar.units).magnitude
    return magnitude <= bar.magnitude if direction == "at_most" else magnitude >= bar.magnitude


def _value(profile: Any, serving: Any, field: str) -> Quantity:
    if field in SERVING_FIELDS:
        if serving is None:
            raise ValueError(f"targets: {field} needs the serving simulation (serving=...)")
        return getattr(serving.performance, field)
    return getattr(profile, field)


def _met(profile: Any, target: Mapping[str, Any], serving: Any) -> bool:
    """Whether the design meets one bar (a design that does not fit meets none)."""
    direction = "at_most" if target.get("at_most") else "at_least"
    value = _value(profile, serving, target["field"])
    fits = bool(getattr(profile, "feasible", True))
    return fits and target_met(value, Quantity(target[direction]), direction)


def _row(profile: Any, target: Mapping[str, Any], serving: Any) -> str:
    direction = "at_most" if target.get("at_most") else "at_least"
    bar = Quantity(target[direction])
    value = _value(profile, serving, target["field"])
    sign = "≤" if direction == "at_most" else "≥"
    label = field_label(target["field"])
    fits = bool(getattr(profile, "feasible", True))
    met = _met(profile, target, serving)
    state = "met" if met else ("cannot load" if not fits else "not met")
    bar, value = shown_value(target["field"], bar), shown_value(target["field"], value)
    name = target.get("guardrail")
    prefix = f"{render_safe_inline(name)}: " if name else ""
    text = (
        f"{prefix}<strong>{html.escape(label)} {sign} {html.escape(format_quantity(bar))}"
        f"</strong>: your design {html.escape(format_quantity(value))}, {state}."
    )
    if target.get("wall"):
        text += f" <em>No setting here meets it.</em> {render_safe_inline(target['wall'])}"
    kind = "met" if met else "missed"
    return f'<div data-target="{kind}" {style.attrs("lg-caption")}>{text}</div>'


def launch_decision(
    profile: Any, guardrails: Sequence[Mapping[str, Any]], *, serving: Any = None
) -> tuple[bool, list[str]]:
    """The launch review's decision: GO (True) only when the design fits and meets every
    guardrail; with the labels of the guardrails it fails, in the order given."""
    failed = [
        str(target.get("guardrail") or field_label(target["field"]))
        for target in guardrails
        if not _met(profile, target, serving)
    ]
    return not failed, failed


def _launch_row(profile: Any, guardrails: Sequence[Mapping[str, Any]], serving: Any) -> str:
    go, failed = launch_decision(profile, guardrails, serving=serving)
    total = len(guardrails)
    if go:
        word, tone = "GO", "good"
        reason = f"Every guardrail passes ({total} of {total})."
    else:
        word, tone = "NO-GO", "bad"
        listed = "; ".join(render_safe_inline(name) for name in failed)
        reason = f"{len(failed)} of {total} guardrails fail: {listed}."
        if not getattr(profile, "feasible", True):
            reason = f"The design cannot load, so {reason}"
    return (
        f'<div data-launch="{word.lower()}" {style.attrs(f"lg-verdict-{tone}")}>'
        f"<span {style.attrs(f'lg-verdict-word-{tone}')}>Launch: {word}</span> {reason}</div>"
    )


def TargetCheck(
    profile: Any,
    targets: Sequence[Mapping[str, Any]],
    *,
    serving: Any = None,
    launch: bool = False,
) -> mo.Html:
    """One line per bar of the student's track (``targets``: ``field``, ``at_most`` or
    ``at_least`` as a quantity string such as "7.5 ms", optional ``wall`` text and
    ``guardrail`` name): the bar, the design's value and whether it meets it; a design that
    does not fit meets nothing. Empty when the track has no bar in this KAT. ``serving`` (the
    KAT's serving simulation) gives the values of bars on its numbers, such as
    ``latency_p99``. With ``launch`` the bars are a launch review's guardrails, headed by the
    decision: GO only when every one passes."""
    if not targets:
        return mo.Html("")
    rows = "".join(_row(profile, target, serving) for target in targets)
    head = _launch_row(profile, targets, serving) if launch else ""
    return mo.Html(f"<div data-targets {style.attrs('lg-card')}>{head}{rows}</div>")
