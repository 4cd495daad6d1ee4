"""Layer 3: the fields a node's ``PerformanceProfile`` and a cluster's ``FleetProfile`` share.

Both hold their resolved inputs (``inputs``) and the solve's raw floats in SI base units
(``_raw``), and wrap a field in a pint quantity of ``mlsys.ureg`` the first time it is read.
``ProfileFields`` reads them once for both: each profile class adds only what it alone has (a
cluster's plan, communication, bubble and MFU; each class's ``bottleneck`` and ``__repr__``).

A profile class provides ``_device_spec()`` (the ``SystemSpec`` of one device, whose memory the
footprint must fit in), ``_node_inputs()`` (the engine's resolved inputs of one device:
``precision``, ``efficiency``, ``seq_len``, ``phase``, ``runtime``) and ``_derivations()`` (its
``Math``); its ``inputs`` expose ``model``, ``system`` and ``batch_size``. Its ``_raw`` holds
``latency``, ``t_compute``, ``t_memory``, ``t_overhead``, ``throughput``, ``energy``,
``footprint``, ``flops``, ``bytes``, ``intensity``, ``achieved`` and the footprint's parts
``weights_bytes``, ``gradient_bytes``, ``optimizer_bytes``, ``activation_bytes``, ``kv_bytes``.
"""

from __future__ import annotations

from typing import Any

from mlsys.cluster import Cluster
from mlsys.derivation import Math
from mlsys.hardware import SystemSpec
from mlsys.models import ModelSpec
from mlsys.units import (
    BYTE,
    FLOP_PER_BYTE,
    FLOP_PER_SECOND,
    FLOP_UNIT,
    JOULE,
    MILLISECOND,
    SAMPLE_PER_SECOND,
    SECOND,
    TOKEN_PER_SECOND,
    WATT,
    Quantity,
)


class ProfileFields:
    """The fields every profile has. On a cluster a time is one device's share of the step, the
    footprint and its parts are one device's, and work, traffic and energy are the cluster's."""

    __slots__ = ("_cache", "_raw", "inputs")

    def __init__(self, inputs: Any, raw: dict[str, Any]) -> None:
        self.inputs = inputs
        self._raw = raw
        self._cache: dict[str, Any] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # Each profile class lists every field in its own namespace, in this class's order, so
        # that ``vars(PerformanceProfile)`` names them all (labgen's spec registry reads it).
        super().__init_subclass__(**kwargs)
        for name, member in vars(ProfileFields).items():
            if isinstance(member, property) and name not in vars(cls):
                setattr(cls, name, member)

    def _device_spec(self) -> SystemSpec:
        raise NotImplementedError

    def _node_inputs(self) -> Any:
        raise NotImplementedError

    def _derivations(self) -> Math:
        raise NotImplementedError

    def _quantity(self, key: str, scale: float, unit: Any) -> Quantity:
        cached = self._cache.get(key)
        if cached is None:
            cached = self._cache[key] = Quantity(self._raw[key] * scale, unit)
        return cached

    # -- inputs, for display and for tools ---------------------------------------------------
    @property
    def model(self) -> ModelSpec:
        """The model solved."""
        return self.inputs.model

    @property
    def system(self) -> SystemSpec | Cluster:
        """What it ran on: a node's ``SystemSpec`` or a ``Cluster``."""
        return self.inputs.system

    @property
    def batch_size(self) -> Any:
        """Samples per batch (sequences for transformers); on a cluster the global batch."""
        return self.inputs.batch_size

    @property
    def precision(self) -> str:
        """Number format of weights, activations and arithmetic."""
        return self._node_inputs().precision

    @property
    def efficiency(self) -> Any:
        """Fraction of dense peak compute each device achieves (0, 1]."""
        return self._node_inputs().efficiency

    @property
    def phase(self) -> str | None:
        """``train``, ``prefill`` or ``decode`` (None: inference of a non-transformer)."""
        return self._node_inputs().phase

    @property
    def seq_len(self) -> int | None:
        """Context length in tokens for transformers, None otherwise."""
        return self._node_inputs().seq_len

    @property
    def runtime(self) -> str:
        """Name of the runtime whose dispatch tax is counted."""
        return self._node_inputs().runtime.name

    # -- the contract's fields ---------------------------------------------------------------
    @property
    def latency(self) -> Quantity:
        """End-to-end latency of one batch; on a cluster the wall time of one step (ms)."""
        return self._quantity("latency", 1e3, MILLISECOND)

    @property
    def latency_compute(self) -> Quantity:
        """Time the arithmetic needs at the achieved efficiency (ms)."""
        return self._quantity("t_compute", 1e3, MILLISECOND)

    @property
    def latency_memory(self) -> Quantity:
        """Time the memory system needs to move every byte (ms)."""
        return self._quantity("t_memory", 1e3, MILLISECOND)

    @property
    def latency_overhead(self) -> Quantity:
        """The dispatch tax: fixed runtime cost plus kernel launches (ms)."""
        return self._quantity("t_overhead", 1e3, MILLISECOND)

    @property
    def throughput(self) -> Quantity:
        """Samples per second (tokens per second when decoding)."""
        unit = TOKEN_PER_SECOND if self.phase == "decode" else SAMPLE_PER_SECOND
        return self._quantity("throughput", 1.0, unit)

    @property
    def energy(self) -> Quantity:
        """Energy of one batch; on a cluster of one step on every device and link (J)."""
        return self._quantity("energy", 1.0, JOULE)

    @property
    def energy_per_sample(self) -> Quantity:
        """Energy of one sample, or one token when decoding (J)."""
        return self.energy / self.inputs.batch_size

    @property
    def memory_footprint(self) -> Quantity:
        """Bytes resident while running: weights, training state, activations and KV cache
        (byte)."""
        return self._quantity("footprint", 1.0, BYTE)

    @property
    def flops(self) -> Quantity:
        """Work of one batch (FLOP, 2 per MAC; on a cluster every device's, recomputation
        included)."""
        return self._quantity("flops", 1.0, FLOP_UNIT)

    @property
    def bytes_moved(self) -> Quantity:
        """Memory traffic of one batch (byte; on a cluster every device's)."""
        return self._quantity("bytes", 1.0, BYTE)

    @property
    def arithmetic_intensity(self) -> Quantity:
        """FLOP per byte moved (compare with ``system.ridge_point(precision)``)."""
        return self._quantity("intensity", 1.0, FLOP_PER_BYTE)

    @property
    def achieved_flops(self) -> Quantity:
        """FLOP/s one device achieves end to end (work over latency): where it sits under the
        roofline."""
        return self._quantity("achieved", 1.0, FLOP_PER_SECOND)

    @property
    def power(self) -> Quantity:
        """Average power while running (W)."""
        return (self.energy / self._quantity("latency", 1.0, SECOND)).to(WATT)

    @property
    def memory_weights(self) -> Quantity:
        """Bytes of the weights at the chosen precision (byte)."""
        return self._quantity("weights_bytes", 1.0, BYTE)

    @property
    def memory_activations(self) -> Quantity:
        """Bytes of the activations held while running (byte)."""
        return self._quantity("activation_bytes", 1.0, BYTE)

    @property
    def memory_kv_cache(self) -> Quantity:
        """Bytes of the KV cache of every token in flight; zero for non-transformers (byte)."""
        return self._quantity("kv_bytes", 1.0, BYTE)

    @property
    def memory_capacity(self) -> Quantity:
        """The memory of one device, which the footprint must fit in (byte)."""
        return Quantity(float(self._device_spec().ram_bytes), BYTE)

    @property
    def feasible(self) -> Any:
        """Whether the footprint fits in one device's memory."""
        return bool(self._raw["footprint"] <= self._device_spec().ram_bytes)

    @property
    def footprint_breakdown(self) -> dict[str, Quantity]:
        """Footprint by part: weights, gradients and optimizer state (zero outside training),
        activations and KV cache (byte)."""
        raw = self._raw
        return {
            "weights": Quantity(raw["weights_bytes"], BYTE),
            "gradients": Quantity(raw["gradient_bytes"], BYTE),
            "optimizer": Quantity(raw["optimizer_bytes"], BYTE),
            "activations": Quantity(raw["activation_bytes"], BYTE),
            "kv_cache": Quantity(raw["kv_bytes"], BYTE),
        }

    @property
    def math(self) -> Math:
        """The formula and variable values behind each field, for MathPeek."""
        cached = self._cache.get("math")
        if cached is None:
            cached = self._cache["math"] = self._derivations()
        return cached


__all__ = ["ProfileFields"]
