"""Build model twins from hyperparameters, for the model-design lab.

Parameters and FLOPs are computed, not typed in, and every violated rule is reported at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from mlsys.models import ModelSpec, TransformerShape

#: More experts than this is outside any published mixture-of-experts design.
MAX_EXPERTS = 256


class ArchitectureError(ValueError):
    """Every rule an architecture breaks, one per line in the message and in ``problems``."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("invalid architecture:\n" + "\n".join(f"- {p}" for p in problems))


def transformer_params(shape: TransformerShape, tied_embeddings: bool = False) -> float:
    """Parameter count of a transformer (biases ignored): attention, (mixture of) FFNs, norms,
    input embedding and, unless tied, the output head."""
    d, kv = shape.d_model, shape.kv_dim
    attention = 2 * d * d + 2 * d * kv
    ffn = (3 if shape.gated_ffn else 2) * d * shape.d_ff
    router = d * shape.n_experts if shape.n_experts > 1 else 0
    per_layer = attention + shape.n_experts * ffn + router + 2 * d
    embeddings = shape.vocab * d * (1 if tied_embeddings else 2)
    return float(shape.n_layers * per_layer + embeddings + d)


@dataclass(frozen=True)
class ConvStage:
    """One stage of a CNN: ``blocks`` 3x3 conv blocks of ``channels``, the first with ``stride``."""

    channels: int
    blocks: int
    stride: int = 2


def build_transformer(
    name: str,
    *,
    d_model: int,
    n_layers: int,
    n_heads: int,
    n_kv_heads: int | None = None,
    d_ff: int | None = None,
    vocab: int = 32_000,
    decoder: bool = True,
    gated_ffn: bool = True,
    n_experts: int = 1,
    experts_per_token: int = 1,
    max_seq_len: int = 4096,
    default_seq_len: int = 2048,
    tied_embeddings: bool = False,
) -> ModelSpec:
    """A transformer twin from its hyperparameters (widths in elements, lengths in tokens).

    Raises ArchitectureError listing every broken rule: positive sizes, ``d_model`` divisible by
    ``n_heads`` and by 8, ``n_heads`` divisible by ``n_kv_heads``, 1 to 256 experts with
    1 <= ``experts_per_token`` <= ``n_experts``, ``default_seq_len`` <= ``max_seq_len``.
    """
    n_kv_heads = n_heads if n_kv_heads is None else n_kv_heads
    d_ff = 4 * d_model if d_ff is None else d_ff
    problems: list[str] = []
    sizes = {
        "d_model": d_model,
        "n_layers": n_layers,
        "n_heads": n_heads,
        "n_kv_heads": n_kv_heads,
        "d_ff": d_ff,
        "vocab": vocab,
        "max_seq_len": max_seq_len,
        "default_seq_len": default_seq_len,
    }
    for key, value in sizes.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            problems.append(f"{key} must be a positive whole number, got {value!r}")
    if not problems:
        if d_model % n_heads:
            problems.append(f"d_model ({d_model}) must be divisible by n_heads ({n_heads})")
        if d_model % 8:
            problems.append(f"d_model ({d_model}) must be divisible by 8 (tensor-core tiles)")
        if n_heads % n_kv_heads:
            problems.append(f"n_heads ({n_heads}) must be divisible by n_kv_heads ({n_kv_heads})")
        if default_seq_len > max_seq_len:
            problems.append(
                f"default_seq_len ({default_seq_len}) exceeds max_seq_len ({max_seq_len})"
            )
    if not isinstance(n_experts, int) or not 1 <= n_experts <= MAX_EXPERTS:
        problems.append(f"n_experts must be between 1 and {MAX_EXPERTS}, got {n_experts!r}")
    elif not isinstance(experts_per_token, int) or not 1 <= experts_per_token <= n_experts:
        problems.append(
            f"experts_per_token must be between 1 and n_experts ({n_experts}), got {experts_per_token!r}"
        )
    if problems:
        raise ArchitectureError(problems)
    shape = TransformerShape(
        n_layers,
        d_model,
        n_heads,
        n_kv_heads,
        d_ff,
        vocab,
        decoder,
        gated_ffn,
        default_seq_len,
        max_seq_len,
        n_experts,
        experts_per_token,
    )
    return ModelSpec(
        name=name,
        title=f"{name} (built: {n_layers} layers, d_model {d_model})",
        family="transformer",
        params=transformer_params(shape, tied_embeddings),
        layers=n_layers * (7 if gated_ffn else 6),
        sources=MappingProxyType({"all": "computed by mlsys.builder from hyperparameters"}),
        sample="sequence",
        transformer=shape,
    )


def build_cnn(
    name: str,
    *,
    input_size: int,
    input_channels: int = 3,
    stem_channels: int = 32,
    stages: tuple[ConvStage, ...] = (ConvStage(64, 2), ConvStage(128, 2), ConvStage(256, 2)),
    num_classes: int = 1000,
    depthwise: bool = False,
) -> ModelSpec:
    """A plain CNN twin: a stride-2 3x3 stem, then stages of 3x3 conv blocks (depthwise-separable
    when ``depthwise``), global pooling and a classifier. FLOPs count 2 per MAC.

    Raises ArchitectureError listing every broken rule (positive sizes, strides of 1 or 2, a
    feature map that does not shrink below one pixel).
    """
    problems: list[str] = []
    for key, value in {
        "input_size": input_size,
        "input_channels": input_channels,
        "stem_channels": stem_channels,
        "num_classes": num_classes,
    }.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            problems.append(f"{key} must be a positive whole number, got {value!r}")
    if not stages:
        problems.append("stages must hold at least one ConvStage")
    for index, stage in enumerate(stages):
        if stage.channels < 1 or stage.blocks < 1:
            problems.append(f"stages[{index}] needs channels >= 1 and blocks >= 1")
        if stage.stride not in (1, 2):
            problems.append(f"stages[{index}].stride must be 1 or 2, got {stage.stride}")
    if problems:
        raise ArchitectureError(problems)
    size = (input_size + 1) // 2
    if size < 1:
        raise ArchitectureError([f"input_size {input_size} leaves no feature map"])
    macs = params = 0.0
    traffic = peak = 0.0

    def conv(c_in: int, c_out: int, spatial: int) -> None:
        nonlocal macs, params, traffic, peak
        weights = 9 * c_in + c_in * c_out if depthwise and c_in > 3 else 9 * c_in * c_out
        params += weights
        macs += weights * spatial * spatial
        out = c_out * spatial * spatial
        traffic += out
        peak = max(peak, out + c_in * spatial * spatial)

    conv(input_channels, stem_channels, size)
    channels = stem_channels
    for index, stage in enumerate(stages):
        size = (size + 1) // 2 if stage.stride == 2 else size
        if size < 1:
            raise ArchitectureError([f"stages[{index}] shrinks the feature map below one pixel"])
        for _ in range(stage.blocks):
            conv(channels, stage.channels, size)
            channels = stage.channels
    params += channels * num_classes + num_classes
    macs += channels * num_classes
    layers = 1 + sum(s.blocks for s in stages) + 1
    return ModelSpec(
        name=name,
        title=f"{name} (built: {layers} layers, {input_size}x{input_size})",
        family="cnn",
        params=params,
        layers=layers,
        sources=MappingProxyType({"all": "computed by mlsys.builder from hyperparameters"}),
        flops_per_sample=2.0 * macs,
        activation_traffic_elements=traffic,
        peak_activation_elements=peak,
    )
