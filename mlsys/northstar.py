"""The four tracks' north-star metrics, computed from a profile (guide section 3.1).

Cloud Titan: decode tokens/s of Llama-3-70B on one H100 and samples per dollar. Edge Guardian:
latency against a 10 ms safety loop. Mobile Nomad: frame time against 60 FPS and sustained power
against the glasses' thermal budget. Tiny Pioneer: latency against 10 ms, SRAM fit, and
duty-cycled average power against 1 mW.
"""

from __future__ import annotations

from dataclasses import dataclass

from mlsys import formulas as f
from mlsys.engine import PerformanceProfile
from mlsys.units import Quantity


@dataclass(frozen=True)
class DeadlineVerdict:
    """Whether one inference fits a deadline, and by how much (``slack`` negative when missed)."""

    latency: Quantity
    deadline: Quantity
    met: bool
    slack: Quantity


@dataclass(frozen=True)
class ThermalVerdict:
    """Sustained power at a frame rate against a thermal budget.

    When ``throttled``, the node can only sustain ``sustained_rate`` (the rate at which its
    average power equals the budget).
    """

    power: Quantity
    budget: Quantity
    throttled: bool
    requested_rate: Quantity
    sustained_rate: Quantity


def meets_deadline(profile: PerformanceProfile, deadline: Quantity) -> DeadlineVerdict:
    """Compare one batch's latency with ``deadline`` (a time quantity)."""
    slack = (deadline - profile.latency).to("ms")
    return DeadlineVerdict(profile.latency, deadline.to("ms"), bool(slack.magnitude >= 0), slack)


def frame_rate(profile: PerformanceProfile) -> Quantity:
    """Frames per second the node completes back to back (1 / latency per frame)."""
    return (profile.throughput).to("sample/second")


def samples_per_dollar(profile: PerformanceProfile, usd_per_hour: Quantity) -> Quantity:
    """Samples (tokens when decoding) per US dollar of node rental at ``usd_per_hour``."""
    per_hour = usd_per_hour.to("USD/hour").magnitude
    return Quantity(
        f.samples_per_dollar(profile.throughput.to("sample/second").magnitude, per_hour),
        "sample/USD",
    )


def average_power(profile: PerformanceProfile, rate: Quantity, idle: str = "sleep") -> Quantity:
    """Average power (W) when one batch runs ``rate`` times per second and the node idles in
    between, asleep (``idle="sleep"``, duty cycling) or awake (``idle="static"``)."""
    system = profile.system
    idle_w = system.sleep_w if idle == "sleep" else system.static_w
    if idle not in ("sleep", "static"):
        raise ValueError(f"idle: expected 'sleep' or 'static', got {idle!r}")
    watts = f.average_power(
        profile.energy.to("joule").magnitude,
        rate.to("1/second").magnitude,
        profile.latency.to("second").magnitude,
        idle_w,
    )
    return Quantity(watts, "watt")


def thermal_check(
    profile: PerformanceProfile, rate: Quantity, budget: Quantity | None = None
) -> ThermalVerdict:
    """Sustained power at ``rate`` batches per second against ``budget`` (default: the system's
    thermal budget). The node stays awake between frames."""
    limit = (budget if budget is not None else profile.system.thermal_budget).to("watt")
    busy_rate = (1 / profile.latency).to("1/second")
    requested = rate.to("1/second")
    achievable = min(requested, busy_rate)
    power = average_power(profile, achievable, idle="static")
    throttled = bool(power.magnitude > limit.magnitude) or requested > busy_rate
    if power.magnitude > limit.magnitude:
        # Dynamic energy per frame is fixed; the budget above static power buys this many frames.
        dynamic_j = (
            profile.energy.to("joule").magnitude
            - profile.system.static_w * profile.latency.to("second").magnitude
        )
        spare_w = max(limit.magnitude - profile.system.static_w, 0.0)
        sustained = Quantity(spare_w / dynamic_j if dynamic_j > 0 else 0.0, "1/second")
    else:
        sustained = achievable
    return ThermalVerdict(power, limit, throttled, requested, sustained)


def fits_memory(profile: PerformanceProfile) -> Quantity:
    """Headroom of the footprint in the system's memory (byte; negative when it does not fit)."""
    return (profile.system.ram - profile.memory_footprint).to("byte")
