"""Layer 1: a parallelism plan, how one step is split across a cluster (``mlsys.Parallelism``).

``dp * tp * pp`` must equal the cluster's device count (Narayanan et al. 2021: N = d x t x p).
Expert parallelism ``ep`` splits a mixture of experts' experts across ``ep`` of the ``dp``
replicas (so it divides ``dp``), as in Megatron-Core and DeepSpeed-MoE. ``microbatches`` is how
many microbatches each data-parallel replica runs per step (the pipeline's ``m``); ``zero`` the
ZeRO stage (0: none, 1: optimizer state, 2: + gradients, 3: + weights sharded over ``dp``);
``recompute`` re-runs each layer's forward pass in the backward pass instead of storing its
activations. ``virtual_stages`` (``v``) runs the interleaved 1F1B schedule (Narayanan et al.
2021, section 2.2.2): each device holds ``v`` non-adjacent chunks of the model instead of one
contiguous stage, which divides the pipeline bubble by ``v`` and multiplies the stage-to-stage
sends by ``v``. Llama 3 405B trained this way: its bubble ratio is ``(pp-1)/(v*m)`` (Dubey et al.
2024, section 3.3.2). Ranks are laid out tensor-parallel innermost, then data-parallel, then
pipeline (Megatron's order), so a tensor-parallel group sits inside one node when
``tp <= per_node``.
"""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Integral

from mlsys.models import ModelSpec


@dataclass(frozen=True)
class Parallelism:
    """Degrees of data (``dp``), tensor (``tp``), pipeline (``pp``) and expert (``ep``)
    parallelism, microbatches per step, ZeRO stage (0-3), activation recomputation and the
    model chunks (virtual pipeline stages) each device holds in an interleaved schedule."""

    dp: int = 1
    tp: int = 1
    pp: int = 1
    ep: int = 1
    microbatches: int = 1
    zero: int = 0
    recompute: bool = False
    virtual_stages: int = 1

    def __post_init__(self) -> None:
        for name in ("dp", "tp", "pp", "ep", "microbatches", "virtual_stages"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
                raise ValueError(f"{name}: expected a whole number >= 1, got {value!r}")
        if isinstance(self.zero, bool) or not isinstance(self.zero, Integral):
            raise ValueError(f"zero: expected a ZeRO stage 0, 1, 2 or 3, got {self.zero!r}")
        if not 0 <= self.zero <= 3:
            raise ValueError(f"zero: expected a ZeRO stage 0, 1, 2 or 3, got {self.zero!r}")
        if not isinstance(self.recompute, bool):
            raise ValueError(f"recompute: expected True or False, got {self.recompute!r}")
        if self.virtual_stages > 1 and self.pp == 1:
            raise ValueError(
                f"virtual_stages: an interleaved schedule splits a pipeline's stages into chunks, "
                f"so it needs pp > 1; got pp=1 with virtual_stages={self.virtual_stages}"
            )
        if self.dp % self.ep:
            raise ValueError(
                f"ep: expert parallelism splits experts across data-parallel replicas, so it must "
                f"divide dp={self.dp}; got ep={self.ep}"
            )

    @property
    def devices(self) -> int:
        """Devices the plan occupies: ``dp * tp * pp``."""
        return self.dp * self.tp * self.pp

    @property
    def model_parallel(self) -> int:
        """Ways each replica's weights are split: ``tp * pp``."""
        return self.tp * self.pp

    def check(self, devices: int, model: ModelSpec, batch_size: int) -> None:
        """Raise ValueError naming the parameter when this plan cannot run ``model`` with a
        global batch of ``batch_size`` on ``devices`` accelerators."""
        if self.devices != devices:
            raise ValueError(
                f"parallelism: dp*tp*pp = {self.dp}*{self.tp}*{self.pp} = {self.devices} "
                f"does not match the cluster's {devices} devices"
            )
        shape = model.transformer
        if shape is None:
            if self.tp > 1:
                raise ValueError(
                    f"tp: {model.name} is not a transformer; tensor parallelism splits attention "
                    "heads and FFN columns, so tp must be 1"
                )
            if self.pp > model.layers:
                raise ValueError(
                    f"pp: {model.name} has {model.layers} layers, fewer than pp={self.pp}"
                )
            if self.pp * self.virtual_stages > model.layers:
                raise ValueError(
                    f"virtual_stages: pp*virtual_stages = {self.pp}*{self.virtual_stages} chunks, "
                    f"more than {model.name}'s {model.layers} layers"
                )
        else:
            # KV heads split when tp divides them, and are replicated when they divide tp.
            kv_split = shape.n_kv_heads % self.tp == 0 or self.tp % shape.n_kv_heads == 0
            if shape.n_heads % self.tp or not kv_split:
                raise ValueError(
                    f"tp: {model.name} has {shape.n_heads} attention heads "
                    f"({shape.n_kv_heads} KV heads), which tp={self.tp} cannot split evenly"
                )
            if self.pp > shape.n_layers:
                raise ValueError(
                    f"pp: {model.name} has {shape.n_layers} layers, fewer than pp={self.pp} stages"
                )
            # The embedding and the output head may each fill a chunk of their own, as the
            # first and last chunks of Llama 3 405B do (Dubey et al. 2024, section 3.3.2).
            chunks = self.pp * self.virtual_stages
            if self.virtual_stages > 1 and chunks > shape.n_layers + 2:
                raise ValueError(
                    f"virtual_stages: pp*virtual_stages = {self.pp}*{self.virtual_stages} = "
                    f"{chunks} chunks, more than {model.name}'s {shape.n_layers} layers plus its "
                    "embedding and output head"
                )
        experts = shape.n_experts if shape is not None else 1
        if self.ep > 1 and experts == 1:
            raise ValueError(f"ep: {model.name} is dense (no experts); ep must be 1")
        if experts % self.ep:
            raise ValueError(
                f"ep: {model.name} has {experts} experts, which ep={self.ep} cannot split"
            )
        replicas = self.dp * self.microbatches
        if batch_size % replicas:
            raise ValueError(
                f"batch_size: the global batch of {batch_size} does not split into dp*microbatches"
                f" = {self.dp}*{self.microbatches} = {replicas} equal microbatches"
            )

    def microbatch_size(self, batch_size: int) -> int:
        """Sequences (samples) in one microbatch of a global batch of ``batch_size``."""
        return batch_size // (self.dp * self.microbatches)


def plans(
    devices: int, model: ModelSpec, batch_size: int, *, per_node: int = 8, zero: int = 0
) -> list[Parallelism]:
    """Every plan that runs ``model`` with a global batch of ``batch_size`` on ``devices``:
    each split into ``dp * tp * pp`` with tensor parallelism inside a node (``tp`` divides
    ``per_node``) and, for pipelines, as many microbatches as the batch allows up to 4 per
    stage (Narayanan et al. 2021 keep ``m >> p``). For sweeping a design space."""
    found = []
    for tp in (t for t in range(1, per_node + 1) if per_node % t == 0 and devices % t == 0):
        for pp in (p for p in range(1, devices // tp + 1) if (devices // tp) % p == 0):
            dp = devices // (tp * pp)
            if batch_size % dp:
                continue
            per_replica = batch_size // dp
            microbatches = max(
                m for m in range(1, min(per_replica, 4 * pp) + 1) if per_replica % m == 0
            )
            plan = Parallelism(dp=dp, tp=tp, pp=pp, microbatches=microbatches, zero=zero)
            try:
                plan.check(devices, model, batch_size)
            except ValueError:
                continue
            found.append(plan)
    return found


__all__ = ["Parallelism", "plans"]
