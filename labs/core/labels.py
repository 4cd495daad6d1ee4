"""What a student reads for each engine number: one table of human labels, no widgets.

The metric cards, the chart captions and ``labgen validate`` (which must know what a scorecard
shows) all read from here, so a field is named the same everywhere and the validator's idea of
the page is the page's.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

#: The profile fields the metric cards show when a lab names none, with their card labels.
PROFILE_METRICS: Mapping[str, str] = MappingProxyType(
    {
        "latency": "Latency",
        "throughput": "Throughput",
        "energy": "Energy per batch",
        "memory_footprint": "Memory footprint",
        "bottleneck": "Bound by",
    }
)

#: The card label of every profile field a card can show.
FIELD_LABELS: Mapping[str, str] = MappingProxyType(
    {
        **PROFILE_METRICS,
        "latency_compute": "Compute time",
        "latency_memory": "Memory time",
        "latency_overhead": "Dispatch overhead",
        "energy_per_sample": "Energy per sample",
        "flops": "Operations (FLOP)",
        "bytes_moved": "Bytes moved",
        "arithmetic_intensity": "Arithmetic intensity",
        "achieved_flops": "Achieved FLOP/s",
        "power": "Average power",
        "memory_weights": "Weights",
        "memory_activations": "Activations",
        "memory_kv_cache": "KV cache",
        "memory_capacity": "Node memory",
    }
)

#: The numbers the default cards show (``bottleneck`` is a word, not a number).
DEFAULT_CARD_FIELDS: tuple[str, ...] = tuple(f for f in PROFILE_METRICS if f != "bottleneck")


def field_label(name: str) -> str:
    """The label a student reads for profile field ``name`` ("Compute time")."""
    return FIELD_LABELS.get(name, name.replace("_", " ").capitalize())
