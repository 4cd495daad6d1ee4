"""Model twins: parameter counts, FLOPs and activation sizes, each with its source.

Counting conventions (see ``mlsys.units``): FLOPs count 2 per multiply-accumulate. Activation
figures are element counts per sample: ``activation_traffic_elements`` sums every intermediate
tensor a forward pass writes (each is written once and read once), ``peak_activation_elements``
is the largest pair of tensors alive at once (what must fit in memory besides the weights).
Transformers carry their shape instead; their FLOPs, traffic and KV cache follow from it and the
sequence length (see ``mlsys.formulas``).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from mlsys.registry import Registry

#: Phases ``Engine.solve`` knows: a transformer's prefill (the whole prompt at once) and decode
#: (one token per step, reading the KV cache), and a training step of any model.
PHASES: tuple[str, ...] = ("prefill", "decode", "train")


@dataclass(frozen=True)
class TransformerShape:
    """Hyperparameters of a transformer: widths in elements, ``max_seq_len`` in tokens."""

    n_layers: int
    d_model: int
    n_heads: int
    n_kv_heads: int
    d_ff: int
    vocab: int
    decoder: bool
    gated_ffn: bool
    default_seq_len: int
    max_seq_len: int
    n_experts: int = 1
    experts_per_token: int = 1

    @property
    def head_dim(self) -> int:
        """Width of one attention head (elements)."""
        return self.d_model // self.n_heads

    @property
    def kv_dim(self) -> int:
        """Width of the keys (or values) of one token in one layer (elements)."""
        return self.n_kv_heads * self.head_dim


@dataclass(frozen=True)
class ModelSpec:
    """A model twin. ``params`` in parameters, ``flops_per_sample`` in FLOP (non-transformers),
    activation figures in elements per sample, ``layers`` in weight layers (for dispatch tax)."""

    name: str
    title: str
    family: str
    params: float
    layers: int
    sources: MappingProxyType[str, str]
    flops_per_sample: float = 0.0
    activation_traffic_elements: float = 0.0
    peak_activation_elements: float = 0.0
    transformer: TransformerShape | None = None
    sample: str = "sample"
    estimates: tuple[str, ...] = ()

    @property
    def is_transformer(self) -> bool:
        """Whether FLOPs depend on sequence length and phase (prefill/decode)."""
        return self.transformer is not None

    @property
    def embedding_params(self) -> float:
        """Parameters of the input embedding table (a lookup, no FLOPs)."""
        shape = self.transformer
        return float(shape.vocab * shape.d_model) if shape else 0.0

    @property
    def phases(self) -> tuple[str, ...]:
        """Phases ``Engine.solve`` accepts for this model: a training step ("train") for every
        model; prefill and decode for decoder transformers, prefill for encoders. Without a
        phase, the engine solves inference (decode for decoders)."""
        prefill, decode, train = PHASES
        shape = self.transformer
        if shape is None:
            return (train,)
        return (prefill, decode, train) if shape.decoder else (prefill, train)

    @property
    def active_dense_params(self) -> float:
        """Weights each token multiplies through: all but the input embedding and, in a mixture
        of experts, the experts a token is not routed to."""
        shape = self.transformer
        if shape is None:
            return self.params
        ffn = (3 if shape.gated_ffn else 2) * shape.d_model * shape.d_ff
        skipped = shape.n_layers * (shape.n_experts - shape.experts_per_token) * ffn
        return self.params - self.embedding_params - skipped

    def __repr__(self) -> str:
        return f"<Model {self.name}: {self.title}>"


def _model(**kwargs) -> ModelSpec:
    kwargs["sources"] = MappingProxyType(dict(kwargs.get("sources", {})))
    return ModelSpec(**kwargs)


# ResNet-50 feature maps, summed over its conv outputs (224x224 input, torchvision layout):
# stem 112^2x64 + pool 56^2x64, stage 1 3x56^2x384 + shortcut 56^2x256, stage 2 4x28^2x768 +
# 56^2x128 + shortcut, stage 3 6x14^2x1536 + ..., stage 4 3x7^2x3072 + ... ~ 10.8 M elements.
MODELS: dict[str, ModelSpec] = {
    "ResNet50": _model(
        name="ResNet50",
        title="ResNet-50 (224x224)",
        family="cnn",
        params=25_557_032,
        flops_per_sample=8.2e9,
        activation_traffic_elements=10.8e6,
        peak_activation_elements=1.6e6,
        layers=54,
        sample="image",
        sources={
            "params": "torchvision model card: 25,557,032 parameters",
            "flops_per_sample": "torchvision model card: 4.09 GMAC = 8.2 GFLOP",
            "activation_traffic_elements": "derived from the torchvision architecture (sum of conv outputs)",
        },
    ),
    "MobileNetV2": _model(
        name="MobileNetV2",
        title="MobileNetV2 (1.0, 224x224)",
        family="cnn",
        params=3_504_872,
        flops_per_sample=0.6e9,
        activation_traffic_elements=6.9e6,
        peak_activation_elements=1.5e6,
        layers=53,
        sample="image",
        sources={
            "params": "torchvision model card: 3,504,872 parameters",
            "flops_per_sample": "torchvision model card: ~300 MMAC = 600 MFLOP",
        },
        estimates=("activation_traffic_elements", "peak_activation_elements"),
    ),
    "MobileNetV1": _model(
        name="MobileNetV1",
        title="MobileNetV1 (1.0, 224x224)",
        family="cnn",
        params=4.2e6,
        flops_per_sample=1.138e9,
        activation_traffic_elements=5.1e6,
        peak_activation_elements=1.2e6,
        layers=28,
        sample="image",
        sources={"params": "Howard et al. 2017, Table 8: 4.2 M parameters, 569 MMAC"},
        estimates=("activation_traffic_elements", "peak_activation_elements"),
    ),
    "DSCNN": _model(
        name="DSCNN",
        title="DS-CNN keyword spotter (MLPerf Tiny)",
        family="cnn",
        params=23_756,
        flops_per_sample=5.4e6,
        activation_traffic_elements=80e3,
        peak_activation_elements=16e3,
        layers=13,
        sample="utterance",
        sources={
            "params": "MLPerf Tiny reference / NXP eIQ model zoo: 23,756 parameters",
            "flops_per_sample": "MLPerf Tiny reference: ~2.7 MMAC on a 49x10 MFCC input",
            "activation_traffic_elements": "derived: 10 tensors of 25x5x64 plus input and head",
        },
    ),
    "ARFilterNet": _model(
        name="ARFilterNet",
        title="AR filter net (face mesh + segmentation, 256x256)",
        family="cnn",
        params=2.1e6,
        flops_per_sample=1.2e9,
        activation_traffic_elements=6.0e6,
        peak_activation_elements=1.0e6,
        layers=60,
        sample="frame",
        sources={"all": "synthetic twin of a MobileNetV2-style AR pipeline per camera frame"},
        estimates=(
            "params",
            "flops_per_sample",
            "activation_traffic_elements",
            "peak_activation_elements",
        ),
    ),
    "TinyLSTM": _model(
        name="TinyLSTM",
        title="TinyLSTM speech enhancer (one 10 ms frame)",
        family="rnn",
        params=0.46e6,
        flops_per_sample=0.92e6,
        activation_traffic_elements=12e3,
        peak_activation_elements=4e3,
        layers=6,
        sample="frame",
        sources={
            "params": "Fedorov et al. 2020, TinyLSTMs for hearing aids: ~0.46 M parameters (estimate)"
        },
        estimates=("flops_per_sample", "activation_traffic_elements", "peak_activation_elements"),
    ),
    "BERTBase": _model(
        name="BERTBase",
        title="BERT-base",
        family="transformer",
        params=110e6,
        layers=12 * 6,
        sample="sequence",
        transformer=TransformerShape(12, 768, 12, 12, 3072, 30522, False, False, 128, 512),
        sources={"params": "Devlin et al. 2018: 110 M parameters, 12 layers, hidden 768, 12 heads"},
    ),
    "BERTLarge": _model(
        name="BERTLarge",
        title="BERT-large",
        family="transformer",
        params=340e6,
        layers=24 * 6,
        sample="sequence",
        transformer=TransformerShape(24, 1024, 16, 16, 4096, 30522, False, False, 384, 512),
        sources={
            "params": "Devlin et al. 2018: 340 M parameters, 24 layers, hidden 1024, 16 heads"
        },
    ),
    "Llama3_8B": _model(
        name="Llama3_8B",
        title="Llama-3-8B",
        family="transformer",
        params=8.03e9,
        layers=32 * 7,
        sample="sequence",
        transformer=TransformerShape(32, 4096, 32, 8, 14336, 128256, True, True, 2048, 8192),
        sources={
            "params": "Meta model card / config.json: 8.03 B, 32 layers, hidden 4096, 8 KV heads"
        },
    ),
    "Llama3_70B": _model(
        name="Llama3_70B",
        title="Llama-3-70B",
        family="transformer",
        params=70.6e9,
        layers=80 * 7,
        sample="sequence",
        transformer=TransformerShape(80, 8192, 64, 8, 28672, 128256, True, True, 2048, 8192),
        sources={
            "params": "Meta model card / config.json: 70.6 B, 80 layers, hidden 8192, 8 KV heads"
        },
    ),
    "Llama3_405B": _model(
        name="Llama3_405B",
        title="Llama-3.1-405B",
        family="transformer",
        params=405e9,
        layers=126 * 7,
        sample="sequence",
        transformer=TransformerShape(126, 16384, 128, 8, 53248, 128256, True, True, 8192, 131072),
        sources={
            "params": "Dubey et al. 2024 (The Llama 3 Herd of Models), Table 3: 405 B, 126 layers, "
            "model dimension 16,384, FFN 53,248, 128 heads, 8 KV heads, vocabulary 128K"
        },
    ),
    "GPT3_175B": _model(
        name="GPT3_175B",
        title="GPT-3 175B",
        family="transformer",
        params=175e9,
        layers=96 * 6,
        sample="sequence",
        transformer=TransformerShape(96, 12288, 96, 96, 49152, 50257, True, False, 2048, 2048),
        sources={
            "params": "Brown et al. 2020 (Language Models are Few-Shot Learners), Table 2.1: "
            "175 B, 96 layers, d_model 12,288, 96 heads, context 2,048"
        },
    ),
    "Mixtral8x7B": _model(
        name="Mixtral8x7B",
        title="Mixtral 8x7B (mixture of experts)",
        family="transformer",
        params=46.7e9,
        layers=32 * 7,
        sample="sequence",
        transformer=TransformerShape(
            32, 4096, 32, 8, 14336, 32000, True, True, 2048, 32768, n_experts=8, experts_per_token=2
        ),
        sources={
            "params": "Jiang et al. 2024 (Mixtral of Experts), Table 1: 46.7 B total, 12.9 B "
            "active, 32 layers, dim 4,096, FFN 14,336, 32 heads, 8 KV heads, 8 experts, top 2"
        },
    ),
}

Models: Registry[ModelSpec] = Registry("model", MODELS)

__all__ = ["ModelSpec", "Models", "TransformerShape"]
