"""Text cards: the lab header and the metric cards (the scorecard instrument)."""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from typing import Any

import marimo as mo

from labs.core import style
from labs.core.format import format_quantity, split_quantity
from labs.core.labels import PROFILE_METRICS, SHARE_FIELDS, field_label
from labs.core.markdown import render_safe_inline


def LabHeader(volume: int, number: int, slug: str, title: str, reading: str) -> mo.Html:
    """The lab's title block: "Volume 1 · Lab 02 · ml_systems", the title, and the reading
    pointer (``title`` and ``reading`` are spec Markdown, rendered safely)."""
    for name, value in (("volume", volume), ("number", number)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name}: expected a positive int, got {value!r}")
    eyebrow = f"Volume {volume} · Lab {number:02d} · {html.escape(slug)}"
    return mo.Html(
        f'<header data-lab="v{volume}ch{number:02d}" {style.attrs("lg-header")}>'
        f"<div {style.attrs('lg-eyebrow')}>{eyebrow}</div>"
        f"<div {style.attrs('lg-title')}>{render_safe_inline(title)}</div>"
        f"<div {style.attrs('lg-reading')}><strong>Reading:</strong> {render_safe_inline(reading)}</div>"
        "</header>"
    )


def _metrics_of(source: Any, fields: Iterable[str] | None) -> list[tuple[str, Any]]:
    if isinstance(source, Mapping):
        return [(str(label), value) for label, value in source.items()]
    if hasattr(source, "metrics") and callable(source.metrics):  # a SystemLedger
        metrics = source.metrics()
        names = list(fields) if fields is not None else list(metrics)
        # The same human labels as a profile's cards ("Compute time", not "Latency compute").
        return [(field_label(name.split(".")[-1]), metrics[name]) for name in names]
    names = list(fields) if fields is not None else list(PROFILE_METRICS)
    return [(field_label(name), shown_value(name, getattr(source, name))) for name in names]


def shown_value(field: str, value: Any) -> Any:
    """``value`` of ``field`` as a card shows it: a chance or share (``SHARE_FIELDS``) in
    percent, anything else unchanged."""
    if field in SHARE_FIELDS and hasattr(value, "to"):
        return value.to("percent")
    return value


def _memory_figures(design: Any) -> tuple[str, str]:
    """A design's footprint and its node's memory, in readable units ("141 GB", "80 GB")."""
    return format_quantity(design.memory_footprint), format_quantity(design.memory_capacity)


def fit_text(design: Any) -> str:
    """ "141 GB does not fit in 80 GB" or "12.3 GB fits in 80 GB": a design's footprint against
    its node's memory, in readable units."""
    need, have = _memory_figures(design)
    return f"{need} fits in {have}" if design.feasible else f"{need} does not fit in {have}"


def fit_card(profile: Any) -> str:
    """The card that says whether a design fits its node's memory ("141 GB does not fit in
    80 GB"), marked so a design that cannot load is never read as one that runs."""
    need, have = _memory_figures(profile)
    if profile.feasible:
        label, text, kind, name = "Fits in memory", f"{need} of {have}", "fits", "lg-card"
    else:
        label, text = "Does not fit: cannot load", f"{need} > {have}"
        kind, name = "does-not-fit", "lg-verdict-bad"
    return (
        f'<div data-fit="{kind}" {style.attrs(name)}>'
        f"<div {style.attrs('lg-caption')}>{html.escape(label)}</div>"
        f"<div {style.attrs('lg-value')}>{html.escape(text)}</div></div>"
    )


def MetricCards(source: Any, *, fields: Iterable[str] | None = None) -> mo.Html:
    """A row of metric cards, each a label and a value with its unit ("Latency 4.43 ms").

    ``source`` is a ``PerformanceProfile`` (default fields: latency, throughput, energy, memory
    footprint, bottleneck, fit), a ``SystemLedger`` (its ``metrics()``), or a mapping of card
    label to value (quantities, numbers, strings, booleans). ``fields`` picks and orders the
    profile fields or ledger metric names to show. A profile always gets a last card saying
    whether the design fits the node's memory.
    """
    cards = []
    for label, value in _metrics_of(source, fields):
        number, unit = split_quantity(value)
        unit_html = f" <span {style.attrs('lg-caption')}>{html.escape(unit)}</span>" if unit else ""
        cards.append(
            f'<div data-metric="{html.escape(label)}" {style.attrs("lg-card")}>'
            f"<div {style.attrs('lg-caption')}>{html.escape(label)}</div>"
            f"<div {style.attrs('lg-value')}>{html.escape(number)}{unit_html}</div></div>"
        )
    if hasattr(source, "feasible") and hasattr(source, "memory_capacity"):
        cards.append(fit_card(source))
    return mo.Html(f"<div {style.attrs('lg-metrics')}>{''.join(cards)}</div>")


#: The four steps of every KAT (guide section 4), in order.
STEPS: tuple[str, ...] = ("Predict", "Act", "Observe", "Reflect")


def KatHeading(number: int, total: int, title: str, *, step: str = "Predict") -> mo.Html:
    """The task card that opens a KAT: "KAT 1 of 3", its title (spec Markdown, rendered safely)
    and the four steps with ``step`` marked as where the student is."""
    if step not in STEPS:
        raise ValueError(f"step: expected one of {', '.join(STEPS)}, got {step!r}")
    items = "".join(
        f'<li aria-current="step" {style.attrs("lg-step-current")}>{n}. {name}</li>'
        if name == step
        else f"<li {style.attrs('lg-step')}>{n}. {name}</li>"
        for n, name in enumerate(STEPS, start=1)
    )
    return mo.Html(
        f'<section data-kat="{int(number)}" {style.attrs("lg-kat")}>'
        # One row: which task, and the steps (they wrap under it on a phone).
        f"<div {style.attrs('lg-kat-row')}><div {style.attrs('lg-eyebrow')}>KAT {int(number)}"
        f' of {int(total)}</div><ol aria-label="Steps of this task" {style.attrs("lg-steps")}>'
        f"{items}</ol></div>"
        f"<h2 {style.attrs('lg-kat-title')}>{render_safe_inline(title)}</h2></section>"
    )


def StepLabel(step: str, number: int | None = None) -> mo.Html:
    """A small label saying which step of a KAT a cell is ("KAT 2 · Step 3 of 4: Observe")."""
    if step not in STEPS:
        raise ValueError(f"step: expected one of {', '.join(STEPS)}, got {step!r}")
    where = f"KAT {int(number)} · " if number is not None else ""
    return mo.Html(
        f"<div {style.attrs('lg-step-label')}>{where}Step {STEPS.index(step) + 1} of "
        f"{len(STEPS)}: {step}</div>"
    )
