"""The instrument registry: which lab instruments exist and the chapter that unlocks each.

This module holds the built-in instruments; plugins add theirs through the
``labgen_instruments`` hook (see ``labgen.hookspecs``). Everything that gates instruments
(spec validation, the build, the ``instrument-gating`` check) reads from here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from labgen.book import Chapter, UnknownChapterError, chapter


@dataclass(frozen=True)
class Instrument:
    """A lab instrument.

    ``component`` is the dotted import path of the labs.core component (or a plugin's) that draws
    it; ``macro`` names the Jinja2 macro that emits its cell; ``chart`` says whether it is a chart
    card (chart cards must be accompanied by a MathPeek, guide section 6.2).

    ``template`` is Jinja2 source defining ``macro``, for instruments that plugins add (the
    built-in macros live in ``labgen/templates/instruments.j2``). The macro is rendered in the
    build's sandbox with one argument, the KAT context ``k`` (``k.name``, ``k.solve``,
    ``k.setup``, ``k.verdict``, ``k.metrics``, ...), and may print only those values; the lab
    imports ``component`` by its dotted path.
    """

    id: str
    unlock_chapter: int
    component: str
    macro: str
    title: str
    chart: bool = True
    unlock_volume: int = 1
    template: str | None = None
    #: PerformanceProfile fields the instrument draws (beyond the KAT's metric cards), and the
    #: Engine.solve parameter it sweeps on its own (the Pareto curve draws every batch size):
    #: what `labgen validate` reads to prove no KAT shows a later KAT's answer early. None (a
    #: plugin that does not say) is read as "may show any field", never as "shows nothing".
    shows: tuple[str, ...] | None = None
    sweeps: str | None = None
    #: Whether its MathPeek derives the KAT's profile (the P99 histogram's derives the serving
    #: simulation instead).
    peeks_profile: bool = True
    #: Whether it draws a step on a cluster (Volume 2); False for instruments that model one
    #: node only (the batch sweep of the Pareto curve, the single-node serving simulation).
    fleet: bool = True

    def unlocked_in(self, chapter: Chapter) -> bool:
        """Whether this instrument may appear in ``chapter`` (Volume 2 has all Volume 1 ones)."""
        if chapter.volume > self.unlock_volume:
            return True
        return chapter.volume == self.unlock_volume and chapter.number >= self.unlock_chapter


_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_DOTTED = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)+$")


def instrument_problem(candidate: object) -> str | None:
    """Why ``candidate`` (something a ``labgen_instruments`` hook returned) cannot be an
    instrument, or None: the wrong type, an id that is not snake_case, an unlock chapter the
    book does not have, a component that is not a dotted ``module.Name`` path, a macro that is
    not an identifier, or a template that is not text."""
    if not isinstance(candidate, Instrument):
        return f"{candidate!r} is not a labgen.instruments.Instrument"
    label = f"instrument {candidate.id!r}"
    if not isinstance(candidate.id, str) or not _ID.match(candidate.id):
        return f"{label}: the id must be snake_case, such as energy_bar"
    try:
        chapter(candidate.unlock_volume, candidate.unlock_chapter)
    except (UnknownChapterError, TypeError):
        return (
            f"{label}: Volume {candidate.unlock_volume} has no chapter "
            f"{candidate.unlock_chapter} to unlock it"
        )
    if not isinstance(candidate.component, str) or not _DOTTED.match(candidate.component):
        return f"{label}: component {candidate.component!r} must be a dotted path, module.Name"
    if not isinstance(candidate.macro, str) or not candidate.macro.isidentifier():
        return f"{label}: macro {candidate.macro!r} must be a Jinja2 macro name"
    if candidate.template is not None and not isinstance(candidate.template, str):
        return f"{label}: template must be Jinja2 source text"
    return None


_KIT = "labs.core.components"

BUILTIN_INSTRUMENTS: tuple[Instrument, ...] = (
    Instrument(
        "scorecard",
        1,
        f"{_KIT}.MetricCards",
        "instrument_scorecard",
        "Metric cards",
        chart=False,
        shows=(),
    ),
    Instrument(
        "waterfall",
        2,
        f"{_KIT}.LatencyWaterfall",
        "instrument_waterfall",
        "Latency waterfall",
        shows=("latency", "latency_compute", "latency_memory", "latency_overhead"),
        # On a cluster the same chart adds communication and bubble: fleet_waterfall says so.
        fleet=False,
    ),
    Instrument(
        "pareto",
        9,
        f"{_KIT}.ParetoCurve",
        "instrument_pareto",
        "Pareto curve",
        shows=("latency", "throughput"),
        sweeps="batch_size",
    ),
    Instrument(
        "roofline",
        11,
        f"{_KIT}.Roofline",
        "instrument_roofline",
        "Roofline",
        shows=("arithmetic_intensity", "achieved_flops"),
    ),
    Instrument(
        "p99_histogram",
        13,
        f"{_KIT}.P99Histogram",
        "instrument_p99_histogram",
        "P99 histogram",
        shows=("latency",),
        peeks_profile=False,
        fleet=False,
    ),
    # Volume 2: instruments of a step on a cluster and of its run (a FleetReport).
    Instrument(
        # The waterfall of a step on a cluster: the node's bars plus communication and bubble.
        # A separate entry, not a longer `shows` on `waterfall`: a single-node profile has no
        # such fields, and every proof reads each field of `shows` off the KAT's profile.
        "fleet_waterfall",
        1,
        f"{_KIT}.LatencyWaterfall",
        "instrument_fleet_waterfall",
        "Step waterfall",
        unlock_volume=2,
        shows=(
            "latency",
            "latency_compute",
            "latency_memory",
            "latency_overhead",
            "latency_communication",
            "latency_bubble",
        ),
    ),
    Instrument(
        "scaling_curve",
        1,
        f"{_KIT}.ScalingCurve",
        "instrument_scaling_curve",
        "Scaling curve",
        unlock_volume=2,
        shows=("latency", "scaling_efficiency"),
        sweeps="dp",
    ),
    Instrument(
        # Prints each algorithm's all-reduce time at the gradient payload (Collectives, not a
        # profile field) and the payload, which equals one device's `memory_weights` whenever
        # ZeRO does not shard the weights (stage < 3). Its math peek derives the collectives.
        "comm_chart",
        3,
        f"{_KIT}.CommChart",
        "instrument_comm_chart",
        "All-reduce time",
        unlock_volume=2,
        shows=("memory_weights",),
        peeks_profile=False,
    ),
    Instrument(
        "checkpoint_curve",
        7,
        f"{_KIT}.CheckpointCurve",
        "instrument_checkpoint_curve",
        "Checkpoint U-curve",
        unlock_volume=2,
        shows=(
            "goodput",
            "checkpoint_interval",
            "optimal_checkpoint_interval",
            "mtbf",
            "checkpoint_write",
        ),
        sweeps="checkpoint_interval",
    ),
    Instrument(
        "queue_curve",
        8,
        f"{_KIT}.QueueCurve",
        "instrument_queue_curve",
        "Queue wait",
        unlock_volume=2,
        shows=("queue_wait",),
        sweeps="queue_load",
    ),
    Instrument(
        # One device of a serving replica: weights, live KV cache and what the layout loses,
        # one bar per batch (1 ... 1024 and the design's), against the device memory. Prints
        # the design's weights and KV cache per device (x tp: per replica) and the sequences
        # that fit; draws every serving batch.
        "kv_memory",
        10,
        f"{_KIT}.KvMemoryStack",
        "instrument_kv_memory",
        "KV-cache memory",
        unlock_volume=2,
        shows=(
            "memory_capacity",
            "serving_weights",
            "kv_per_device",
            "kv_per_replica",
            "kv_capacity",
        ),
        sweeps="serving_batch",
    ),
    Instrument(
        # The run's carbon on every grid region: operational (facility energy x intensity)
        # stacked under the embodied carbon amortised over the run, the design's region marked.
        # Prints the design's carbon, embodied carbon and facility energy; draws every region.
        "carbon_chart",
        15,
        f"{_KIT}.CarbonChart",
        "instrument_carbon_chart",
        "Carbon by region",
        unlock_volume=2,
        shows=("carbon", "embodied_carbon", "run_energy"),
        sweeps="region",
    ),
)
