"""The energy_bar card: the energy of one batch, and the power drawn against the TDP."""

from __future__ import annotations

import html
from typing import Any

import marimo as mo
from labs.core import style
from labs.core.format import split_quantity


def power_share(profile: Any) -> float:
    """The average power of ``profile`` (a PerformanceProfile) as a fraction of its system's
    thermal design power, between 0 and 1 (dimensionless)."""
    share = profile.power.to("watt").magnitude / profile.system.tdp_w
    return min(max(float(share), 0.0), 1.0)


def EnergyBar(profile: Any) -> mo.Html:
    """A card with the energy of one batch and a bar of the average power drawn, against the
    system's TDP (the bar is full at the TDP). Colours come from ``labs.core.style``."""
    energy, energy_unit = split_quantity(profile.energy)
    power, power_unit = split_quantity(profile.power)
    tdp, tdp_unit = split_quantity(profile.system.tdp_w * profile.power.units)
    share = power_share(profile)
    role = "bad" if share >= 0.9 else "good"
    bar = (
        f'<div style="background: {style.PAPER}; border-radius: 4px; height: 0.9rem;">'
        f'<div data-share="{share:.3f}" style="background: {style.ROLE[role]}; '
        f'width: {share * 100:.1f}%; height: 100%; border-radius: 4px;"></div></div>'
    )
    caption = f"Average power {power} {power_unit} of a {tdp} {tdp_unit} TDP"
    return mo.Html(
        f'<div data-instrument="energy_bar" {style.attrs("lg-card")}>'
        f"<div {style.attrs('lg-card-title')}>Energy per batch</div>"
        f"<div {style.attrs('lg-value')}>{html.escape(f'{energy} {energy_unit}')}</div>"
        f"{bar}<div {style.attrs('lg-caption')}>{html.escape(caption)}</div></div>"
    )
