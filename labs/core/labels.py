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

#: Numbers a bar may name that the serving simulation computes, not ``Engine.solve``: a target
#: on them needs the KAT's P99 histogram, which runs the simulation.
SERVING_FIELDS: Mapping[str, str] = MappingProxyType({"latency_p99": "P99 latency"})

#: Fields that are a chance or a share of one, shown in percent on cards and bars ("47.4 %",
#: not "0.474"), as the chapters and the labs' prompts speak of them.
SHARE_FIELDS: frozenset[str] = frozenset(
    {
        "participation",
        "tail_probability",
        "sdc_probability",
        "detectable_regression",
        "serving_utilization",
        "goodput",
        "scaling_efficiency",
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
        "memory_gradients": "Gradients",
        "memory_optimizer": "Optimizer state",
        "model_flops": "Model FLOP per step",
        "memory_kv_cache": "KV cache",
        "memory_capacity": "Node memory",
        # A step on a cluster and its run (Volume 2: mlsys.FleetReport).
        "latency_communication": "Communication time",
        "latency_bubble": "Pipeline bubble",
        "scaling_efficiency": "Scaling efficiency",
        "mfu": "MFU",
        "devices": "Devices",
        "mtbf": "MTBF",
        "checkpoint_size": "Checkpoint size",
        "checkpoint_write": "Checkpoint write time",
        "checkpoint_interval": "Checkpoint interval",
        "optimal_checkpoint_interval": "Young-Daly interval",
        "goodput": "Goodput",
        "time_to_train": "Time to train",
        "training_cost": "Training cost",
        "queue_wait": "Queue wait",
        # The facility (FleetReport: power, energy and carbon of the run).
        "pue": "PUE",
        "facility_power": "Peak facility power",
        "rack_power": "Rack power",
        "run_energy": "Energy of the run",
        "carbon": "Carbon of the run",
        "embodied_carbon": "Embodied carbon",
        # Serving at scale (FleetReport on a prefill or decode step).
        "ttft": "Time to first token",
        "ttft_p99": "P99 time to first token",
        "tpot": "Time per output token",
        "request_latency": "Request latency",
        "kv_per_token": "KV cache per token",
        "kv_per_replica": "KV cache per replica",
        "kv_per_device": "KV cache per device",
        "serving_weights": "Weights per device",
        "kv_capacity": "Sequences the KV cache holds",
        "replicas": "Serving replicas",
        "serving_utilization": "Replica utilisation",
        "in_flight": "Requests in flight",
        "serving_capacity": "Token capacity",
        "serving_throughput": "Tokens served",
        "cost_per_million_tokens": "Cost per million tokens",
        # Federated rounds over a device fleet (FleetReport on a one-device step).
        "participation": "Participation",
        "eligible_devices": "Eligible devices",
        "round_time": "Round time",
        "straggler_time": "Straggler time",
        "bytes_per_round": "Bytes per round",
        "round_energy": "Energy per client per round",
        # Operations at scale (mlsys.Operations through FleetReport).
        "error_budget": "Error budget",
        "canary_duration": "Canary duration",
        "ab_samples_per_arm": "A/B samples per arm",
        "ab_duration": "A/B test duration",
        "detectable_regression": "Detectable regression",
        "tail_probability": "Fan-out tail probability",
        # Trust costs: privacy, robustness, responsible engineering (mlsys.TrustCosts).
        "dp_noise_sigma": "DP-SGD noise multiplier",
        "dp_training_time": "Training time with DP-SGD",
        "adversarial_training_time": "Adversarial training time",
        "responsible_training_time": "Fairness-aware training time",
        "dp_training_cost": "Training cost with DP-SGD",
        "adversarial_training_cost": "Adversarial training cost",
        "responsible_training_cost": "Fairness-aware training cost",
        "dp_training_carbon": "Carbon of the DP-SGD run",
        "adversarial_training_carbon": "Carbon of the adversarial run",
        "responsible_training_carbon": "Carbon of the fairness-aware run",
        "sdc_events": "Silent data corruptions expected",
        "sdc_probability": "Chance of a silent data corruption",
        "monitored_latency": "Latency with monitoring",
        "explanation_latency": "Explanation latency",
        **SERVING_FIELDS,
    }
)

#: The numbers the default cards show (``bottleneck`` is a word, not a number).
DEFAULT_CARD_FIELDS: tuple[str, ...] = tuple(f for f in PROFILE_METRICS if f != "bottleneck")


def field_label(name: str) -> str:
    """The label a student reads for profile field ``name`` ("Compute time")."""
    return FIELD_LABELS.get(name, name.replace("_", " ").capitalize())


#: How a dropdown option reads, for the parameters whose values are codes ("int8" -> "INT8").
_OPTION_WORDS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "precision": MappingProxyType(
            {
                "fp32": "FP32",
                "tf32": "TF32",
                "fp16": "FP16",
                "bf16": "BF16",
                "fp8": "FP8",
                "int8": "INT8",
                "int4": "INT4",
            }
        ),
        "runtime": MappingProxyType(
            {"compiled": "Compiled graph", "eager": "Eager", "interpreter": "Interpreter"}
        ),
        "phase": MappingProxyType(
            {"prefill": "Prefill", "decode": "Decode", "train": "Training", "infer": "Inference"}
        ),
    }
)


def option_label(param: str, value: object) -> str:
    """What a student reads for one option of control ``param``: a model's or system's display
    name from its registry ("Llama-3-8B", "NVIDIA Jetson AGX Orin 64GB"), a number format in
    capitals ("INT8"); anything else as it is."""
    from mlsys import Models, Systems  # the registries; imported late to keep this table light

    registry = {"model": Models, "system": Systems}.get(param)
    if registry is not None and isinstance(value, str) and value in registry:
        return registry.get(value).title
    if hasattr(value, "title") and hasattr(value, "name"):  # a ModelSpec or SystemSpec
        return str(value.title)
    words = _OPTION_WORDS.get(param, {})
    return words.get(value, str(value)) if isinstance(value, str) else str(value)


def spec_title(spec: object) -> str:
    """The display name of a registry entry (a ModelSpec or SystemSpec), else its ``name``."""
    return str(getattr(spec, "title", None) or getattr(spec, "name", spec))
