"""Fleet constants carry a source and unit; estimates and calibrations say so."""

import pytest

from mlsys import Fabrics, Models, Systems
from mlsys import fleet_constants as fc

TABLES = {
    "COMPONENT_MTTF_HOURS": fc.COMPONENT_MTTF_HOURS,
    "RECOVERY_SECONDS": fc.RECOVERY_SECONDS,
    "PUE": fc.PUE,
    "RESPONSIBLE_COSTS": fc.RESPONSIBLE_COSTS,
    "KV_CACHE_WASTE": fc.KV_CACHE_WASTE,
    "SERVER_POWER_W": fc.SERVER_POWER_W,
}
SINGLES = {
    name: getattr(fc, name)
    for name in (
        "SDC_PER_GPU_HOUR",
        "CHECKPOINT_WRITE_BPS",
        "WATER_L_PER_KWH",
        "EMBODIED_KG_PER_GPU",
        "HARDWARE_LIFETIME_HOURS",
        "GPU_USD_PER_HOUR",
        "COLLECTIVE_LINK_EFFICIENCY",
        "DP_SGD_STEP_SLOWDOWN",
        "PGD_ATTACK_STEPS",
        "AIR_COOLED_RACK_LIMIT_W",
    )
}
EVERY = {
    **{f"{t}[{k}]": v for t, table in TABLES.items() for k, v in table.items()},
    **SINGLES,
}


@pytest.mark.parametrize("name", EVERY)
def test_every_fleet_constant_has_a_source_a_unit_and_a_positive_value(name):
    value = EVERY[name]
    assert value.source.strip()
    assert value.value > 0
    assert value.quantity.magnitude == value.value
    assert value.estimate == value.source.startswith("estimate")


def test_the_one_calibration_factor_names_the_figure_that_set_it():
    factor = fc.COLLECTIVE_LINK_EFFICIENCY
    assert factor.source.startswith("calibrated:")
    assert "nccl-tests" in factor.source
    # 0.8 x NVLink3's 300 GB/s each way is the ~240 GB/s bus bandwidth nccl-tests reports.
    assert factor.value * Fabrics.NVLink3.bandwidth.to("GB/s").magnitude == pytest.approx(240)


def test_units_of_the_fleet_constants():
    assert fc.CHECKPOINT_WRITE_BPS.quantity.to("GB/s").magnitude == pytest.approx(100)
    assert fc.COMPONENT_MTTF_HOURS["gpu"].quantity.to("day").magnitude == pytest.approx(50_000 / 24)
    assert fc.WATER_L_PER_KWH.quantity.to("L/MWh").magnitude == pytest.approx(1800)
    assert fc.GPU_USD_PER_HOUR.quantity.to("USD/day").magnitude == pytest.approx(48)


def test_fleet_models_are_sourced_and_the_moe_knows_its_active_parameters():
    for name in ("GPT3_175B", "Llama3_405B", "Mixtral8x7B"):
        model = Models.get(name)
        assert model.sources["params"].strip()
    mixtral = Models.Mixtral8x7B
    active = mixtral.active_dense_params + mixtral.embedding_params
    # Jiang et al. 2024: 12.9 B active of 46.7 B.
    assert active / 1e9 == pytest.approx(12.9, abs=0.05)
    assert mixtral.transformer.n_experts == 8


def test_fabric_generations_are_ordered_by_bandwidth():
    up = [Fabrics.get(n).bandwidth for n in ("NVLink2", "NVLink3", "NVLink4", "NVLink5")]
    out = [Fabrics.get(n).bandwidth for n in ("InfiniBandHDR", "InfiniBandNDR", "InfiniBandXDR")]
    assert up == sorted(up)
    assert out == sorted(out)
    # The book's NVLink-to-NIC cliff (~18x) compares 900 GB/s bidirectional with a 50 GB/s NIC;
    # each way it is 450 vs 50 GB/s, 9x.
    cliff = Fabrics.NVLink4.bandwidth / Fabrics.InfiniBandNDR.bandwidth
    assert cliff.to("").magnitude == pytest.approx(9)
    assert Fabrics.RoCE400.latency > Fabrics.InfiniBandNDR.latency
    assert Systems.Clusters.Llama3_RoCE.count == 16_384
    assert Fabrics.NVLink4.crossover.to("kB").magnitude == pytest.approx(450)
