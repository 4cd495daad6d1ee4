"""Constants carry their sources and units; applications are runnable workloads."""

import pytest

from mlsys import Application, Applications, Engine, Models, Systems, ureg
from mlsys import constants as c

TABLES = {
    "GRID_CARBON_INTENSITY": c.GRID_CARBON_INTENSITY,
    "ENERGY_PER_OPERATION": c.ENERGY_PER_OPERATION,
    "CLOUD_GPU_USD_PER_HOUR": c.CLOUD_GPU_USD_PER_HOUR,
    "ELECTRICITY_USD_PER_KWH": c.ELECTRICITY_USD_PER_KWH,
    "NODE_MTBF_HOURS": c.NODE_MTBF_HOURS,
    "NODE_MTTR_HOURS": c.NODE_MTTR_HOURS,
    "RUNTIME_JITTER_FRACTION": c.RUNTIME_JITTER_FRACTION,
}


@pytest.mark.parametrize("table", TABLES.values(), ids=TABLES.keys())
def test_every_constant_has_a_source_a_unit_and_a_positive_value(table):
    for name, value in table.items():
        assert value.source.strip(), name
        assert value.value > 0, name
        assert value.quantity.magnitude == value.value
        # An estimate says so in its source text, so a reader of the code sees it too.
        assert value.estimate == value.source.startswith("estimate"), name


def test_units_have_the_right_dimensions():
    assert c.GRID_CARBON_INTENSITY["Quebec"].quantity.to("kgCO2/MWh").magnitude == pytest.approx(
        2.0
    )
    assert c.ENERGY_PER_OPERATION["dram_read_32bit"].quantity.to("nJ").magnitude == pytest.approx(
        0.64
    )
    assert c.CLOUD_GPU_USD_PER_HOUR["H100"].quantity.to("USD/s").magnitude == pytest.approx(
        2.49 / 3600
    )
    assert c.DATACENTER_PUE.quantity.dimensionless


def test_grid_intensities_of_the_reference_facts():
    grid = {k: v.value for k, v in c.GRID_CARBON_INTENSITY.items()}
    assert grid["Quebec"] <= 2.0
    assert (grid["Ontario"], grid["California"], grid["Alberta"]) == (30.0, 175.0, 670.0)
    assert (grid["US average"], grid["World average"]) == (367.0, 436.0)
    assert (
        grid["Quebec"] < grid["Ontario"] < grid["California"] < grid["US average"] < grid["Alberta"]
    )


def test_data_movement_costs_orders_of_magnitude_more_than_arithmetic():
    e = {k: v.value for k, v in c.ENERGY_PER_OPERATION.items()}
    assert e["dram_read_32bit"] / e["int32_add"] == pytest.approx(6400)
    assert e["int8_mult"] < e["fp16_mult"] < e["int32_mult"] < e["fp32_mult"]


def test_grid_lookup_ignores_case_and_refuses_unknown_regions_listing_known_ones():
    assert c.grid_intensity("quebec") is c.GRID_CARBON_INTENSITY["Quebec"]
    assert c.grid_intensity(" US Average ") is c.GRID_CARBON_INTENSITY["US average"]
    with pytest.raises(
        ValueError,
        match=r"region: unknown grid 'Atlantis'; known regions: Quebec, Ontario, California, Alberta, US average, World average",
    ):
        c.grid_intensity("Atlantis")
    with pytest.raises(ValueError, match=r"region: unknown grid 42"):
        c.grid_intensity(42)


def test_tables_keyed_by_the_registries_name_real_entries():
    for name in c.CLOUD_GPU_USD_PER_HOUR:
        assert Systems.get(name).device_class == "datacenter_gpu"
    classes = {system.device_class for system in Systems}
    assert classes == set(c.NODE_MTBF_HOURS) == set(c.NODE_MTTR_HOURS)
    runtimes = {name for system in Systems for name in system.runtimes}
    assert runtimes <= set(c.RUNTIME_JITTER_FRACTION)


def test_h100_mtbf_is_derived_from_the_llama3_interruptions():
    # 16,384 GPUs x 54 days x 24 h / 419 unexpected interruptions = 50,677 h per GPU.
    assert c.NODE_MTBF_HOURS["datacenter_gpu"].value == pytest.approx(50_677.2, rel=1e-5)


# -- applications -------------------------------------------------------------------------------


def test_the_issues_applications_exist_with_a_model_system_slo_and_rate():
    for name in ("Doorbell", "AutoDrive", "ARFilter", "LLMChat", "Hearable"):
        app = Applications.get(name)
        assert isinstance(app, Application)
        assert app.slo.check("[time]")
        assert app.slo.magnitude > 0
        assert app.rate.check("1/[time]")
        assert app.rate.magnitude > 0
        assert app.rationale
    assert Applications.ARFilter.period.to("ms").magnitude == pytest.approx(1000 / 60)
    assert Applications.ARFilter.slo.to("ms").magnitude == pytest.approx(1000 / 60)


def test_every_application_runs_feasibly_on_its_system():
    for app in Applications:
        kwargs = {"seq_len": app.prompt_tokens, "phase": "prefill"} if app.prompt_tokens else {}
        profile = Engine.solve(
            model=app.model,
            system=app.system,
            batch_size=app.batch_size,
            precision=app.precision,
            **kwargs,
        )
        assert profile.feasible, app.name


def test_unknown_application_suggests_a_name():
    with pytest.raises(KeyError, match=r"unknown application 'DoorBell'; did you mean 'Doorbell'"):
        Applications.get("DoorBell")


def test_an_llm_application_must_say_its_prompt_and_answer_lengths():
    with pytest.raises(
        ValueError, match="prompt_tokens and output_tokens are required exactly for decoder models"
    ):
        Application(
            "X", "x", "x", Models.Llama3_8B, Systems.H100, "fp16", 1 * ureg.s, 1 / ureg.s, "r"
        )
    with pytest.raises(
        ValueError, match="prompt_tokens and output_tokens are required exactly for decoder models"
    ):
        Application(
            "X",
            "x",
            "x",
            Models.ResNet50,
            Systems.H100,
            "fp16",
            1 * ureg.s,
            1 / ureg.s,
            "r",
            prompt_tokens=5,
            output_tokens=5,
        )


def test_an_application_on_a_system_that_cannot_run_its_precision_is_refused():
    with pytest.raises(ValueError, match="cannot run fp16"):
        Application("X", "x", "x", Models.DSCNN, Systems.Tiny, "fp16", 1 * ureg.s, 1 / ureg.s, "r")
