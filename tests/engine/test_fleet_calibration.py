"""Fleet physics against public figures, with default efficiencies (the node's calibrated one).

Each case names its source, the figure, and how the model reproduces it. The factor off is
max(predicted/actual, actual/predicted). Goal (issue 13): typical (geometric mean) <= 1.35,
every case within 2x. The one collective calibration factor (``COLLECTIVE_LINK_EFFICIENCY``)
was SET by the nccl-tests case, so that case checks the arithmetic, not the model.

Llama 3 405B runs the plan of Dubey et al. 2024 (Table 4 and section 3.3.2): TP8 inside a node,
PP16, DP64 or DP128, 8,192-token sequences, 16M tokens per step (2,048 sequences, one per
microbatch: 32 or 16 microbatches per replica), and the interleaved schedule with ``V`` model
chunks per device, bubble ratio ``(PP-1)/(V*M)``. ``V = 8`` follows from the paper: the first
chunk of the first stage holds only the embedding once one Transformer layer is taken off it, so
a chunk is one layer and 126 layers plus the embedding and output chunks make 16 x 8 = 128
chunks. With the plain 1F1B schedule (V = 1) the 16K-GPU case was 2.33x off (bubble = 94 % of
busy time); it is within 2x with the paper's own schedule and the H100's default efficiency
(0.39, set by an inference benchmark; Llama 3's 400-430 TFLOP/s per GPU imply more, which is
why both Llama 3 cases still come out low).
"""

import math
from types import MappingProxyType

import pytest

from mlsys import (
    Cluster,
    Collectives,
    Engine,
    Models,
    Parallelism,
    Reliability,
    Sustainability,
    Systems,
    ureg,
)
from mlsys.models import ModelSpec, TransformerShape

CLUSTERS = Systems.Clusters
TYPICAL = 1.35
WORST = 2.0


def megatron_gpt(name: str, params: float, layers: int, hidden: int, heads: int, seq: int):
    """A GPT of Narayanan et al. 2021 / Shoeybi et al. 2019 (Table 1): FFN 4h, vocab 51,200."""
    shape = TransformerShape(layers, hidden, heads, heads, 4 * hidden, 51200, True, False, seq, seq)
    return ModelSpec(
        name=name,
        title=name,
        family="transformer",
        params=params,
        layers=layers * 6,
        sources=MappingProxyType({"params": "Narayanan et al. 2021 / Shoeybi et al. 2019"}),
        sample="sequence",
        transformer=shape,
    )


def per_gpu_tflops(step) -> float:
    # Megatron counts hardware FLOP (recomputation included), as achieved_flops does.
    return step.achieved_flops.to("TFLOP/s").magnitude


def train(model, system, batch, plan, **kwargs):
    # Every run below trained in 16-bit mixed precision.
    return Engine.solve(
        model=model,
        system=system,
        batch_size=batch,
        precision="fp16",
        phase="train",
        parallelism=plan,
        **kwargs,
    )


def nccl_a100_bus_bandwidth():
    r = Collectives.all_reduce(size=8 * ureg.GB, system=Cluster(node=Systems.A100, count=8))
    return r.bus_bandwidth.to("GB/s").magnitude


def megatron_145b():
    model = megatron_gpt("GPT-145.6B", 145.6e9, 80, 12288, 96, 2048)
    system = Cluster(node=Systems.A100, count=1536, scale_out=CLUSTERS.Selene_A100.scale_out)
    plan = Parallelism(tp=8, pp=8, dp=24, microbatches=96, recompute=True)
    return per_gpu_tflops(train(model, system, 2304, plan))


def megatron_1t():
    model = megatron_gpt("GPT-1T", 1008e9, 128, 25600, 160, 2048)
    plan = Parallelism(tp=8, pp=64, dp=6, microbatches=512, recompute=True)
    return per_gpu_tflops(train(model, CLUSTERS.Selene_A100, 3072, plan))


def opt_175b():
    # OPT: FSDP (ZeRO-3) with Megatron TP 8 over 992 GPUs, ~2M-token batches of 2,048 tokens.
    plan = Parallelism(tp=8, dp=124, zero=3, recompute=True)
    return per_gpu_tflops(train(Models.GPT3_175B, CLUSTERS.OPT_A100, 992, plan))


def megatron_2019_8b():
    model = megatron_gpt("GPT-8.3B", 8.3e9, 72, 3072, 32, 1024)
    plan = Parallelism(tp=8, dp=64, recompute=True)
    step = train(model, CLUSTERS.DGX2H_V100, 512, plan)
    return step.achieved_flops.to("PFLOP/s").magnitude * 512


#: Model chunks per device in Llama 3 405B's interleaved schedule (derived in the docstring).
LLAMA3_VIRTUAL_STAGES = (126 + 2) // 16


def llama3_405b(devices: int, dp: int, virtual_stages: int = LLAMA3_VIRTUAL_STAGES):
    system = Cluster(node=Systems.H100, count=devices, scale_out=CLUSTERS.Llama3_RoCE.scale_out)
    plan = Parallelism(
        tp=8, pp=16, dp=dp, microbatches=2048 // dp, zero=1, virtual_stages=virtual_stages
    )
    return train(Models.Llama3_405B, system, 2048, plan, seq_len=8192).mfu


def book_mtbf_10k():
    fleet = Cluster(node=Systems.H100, count=10_000, per_node=8)
    return Reliability.solve(system=fleet, duration=1 * ureg.day).mtbf.to("hour").magnitude


def llama3_interruptions():
    return Reliability.solve(system=CLUSTERS.Llama3_RoCE, duration=54 * ureg.day).interruptions


def opt_restarts():
    return Reliability.solve(system=CLUSTERS.OPT_A100, duration=60 * ureg.day).interruptions


def bloom_operational_carbon():
    # Luccioni et al. 2022: 433 MWh on the French grid (57 g/kWh) -> 24.7 t; PUE in the figure.
    run = Sustainability.solve(energy=433 * ureg.MWh, region="France", pue=1.0)
    return run.operational_carbon.to("tonne").magnitude


#: (name, source and figure, predict, actual)
CASES = [
    (
        "nccl_a100_busbw",
        "nccl-tests all_reduce_perf 8x A100 NVLink3: busBW ~230-250 GB/s (sets the factor)",
        nccl_a100_bus_bandwidth,
        240.0,
    ),
    (
        "megatron_145b",
        "Narayanan et al. 2021 Table 1: 145.6B, 1,536 A100, TP8 PP8: 148 TFLOP/s per GPU",
        megatron_145b,
        148.0,
    ),
    (
        "megatron_1t",
        "Narayanan et al. 2021 Table 1: 1T, 3,072 A100, TP8 PP64: 163 TFLOP/s per GPU",
        megatron_1t,
        163.0,
    ),
    (
        "opt_175b",
        "Zhang et al. 2022 (OPT-175B): 992 A100 80GB, ~147 TFLOP/s per GPU",
        opt_175b,
        147.0,
    ),
    (
        "megatron_2019_8b",
        "Shoeybi et al. 2019: 8.3B on 512 V100 (TP8 x DP64): 15.1 PFLOP/s sustained",
        megatron_2019_8b,
        15.1,
    ),
    (
        "llama3_405b_8k",
        "Dubey et al. 2024 Table 4: 405B, 8,192 H100, TP8 PP16 (V=8) DP64, 16M tokens: MFU 43 %",
        lambda: llama3_405b(8192, 64),
        0.43,
    ),
    (
        "llama3_405b_16k",
        "Dubey et al. 2024 Table 4: 405B, 16,384 H100, TP8 PP16 (V=8) DP128, 16M tokens: MFU 41 %",
        lambda: llama3_405b(16384, 128),
        0.41,
    ),
    (
        "book_mtbf_10k",
        "Book assumption sheet worked example: 10,000 GPUs -> MTBF 3.69 h",
        book_mtbf_10k,
        3.69,
    ),
    (
        "llama3_interruptions",
        "Dubey et al. 2024 Table 5: 419 unexpected interruptions in 54 days on 16,384 H100",
        llama3_interruptions,
        419.0,
    ),
    (
        "opt_restarts",
        "OPT-175B logbook: at least 35 manual restarts in about two months on 992 A100",
        opt_restarts,
        35.0,
    ),
    (
        "bloom_carbon",
        "Luccioni et al. 2022: BLOOM 433 MWh, 24.7 tCO2e operational (French grid)",
        bloom_operational_carbon,
        24.7,
    ),
]


def factor_off(predicted: float, actual: float) -> float:
    return max(predicted / actual, actual / predicted)


@pytest.mark.parametrize(
    ("name", "source", "predict", "actual"), [pytest.param(*case, id=case[0]) for case in CASES]
)
def test_each_public_figure_within_2x(name, source, predict, actual):
    predicted = predict()
    assert factor_off(predicted, actual) <= WORST, f"{source}: predicted {predicted:.4g}"


def test_typical_factor_off_is_at_most_1_35():
    factors = [factor_off(predict(), actual) for _, _, predict, actual in CASES]
    typical = math.exp(sum(math.log(x) for x in factors) / len(factors))
    assert typical <= TYPICAL, f"typical {typical:.3f}, worst {max(factors):.3f}"


def test_the_interleaved_schedule_is_what_brings_llama3_16k_within_2x():
    # Plain 1F1B at pp=16 with 16 microbatches idles 15/16 of a stage's busy time: 2.33x off.
    plain = factor_off(llama3_405b(16384, 128, virtual_stages=1), 0.41)
    interleaved = factor_off(llama3_405b(16384, 128), 0.41)
    assert plain > WORST >= interleaved
