"""The kit's number display: the fast ``to_compact`` picks exactly pint's unit and value, and a
Markdown text renders the same whether or not it was rendered before."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labs.core.format import format_quantity, readable, split_quantity, to_compact, unit_text
from labs.core.markdown import render_safe_html
from mlsys import Quantity

#: Units the kit shows, simple and compound, prefixed or not, and a few that are not SI.
UNITS = [
    "ms", "s", "us", "ns", "GB", "MB", "B", "kB", "FLOP", "GFLOP", "TFLOP/s", "FLOP/s",
    "FLOP/byte", "J", "mJ", "W", "mW", "B/s", "GB/s", "sample/s", "token/s", "sample",
    "dimensionless", "1/s", "J/sample", "gram", "kg", "hour", "minute", "byte/sample",
]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(
    unit=st.sampled_from(UNITS),
    exponent=st.floats(min_value=-15, max_value=18),
    exact=st.integers(min_value=-12, max_value=15),
    pick_exact=st.booleans(),
    sign=st.sampled_from([1.0, -1.0]),
)
def test_to_compact_is_pints(unit, exponent, exact, pick_exact, sign):
    magnitude = sign * (10.0**exact if pick_exact else 10.0**exponent)
    quantity = Quantity(magnitude, unit)
    expected, got = quantity.to_compact(), to_compact(quantity)
    assert got.units == expected.units
    assert got.magnitude == expected.magnitude


@pytest.mark.parametrize(
    ("quantity", "shown"),
    [
        (Quantity(0.00443, "s"), "4.43 ms"),
        (Quantity(80e9, "B"), "80 GB"),
        (Quantity(989e12, "FLOP/s"), "989 TFLOP/s"),
        (Quantity(0.5, "FLOP/byte"), "0.5 FLOP/B"),
        (Quantity(1234.0, "sample/s"), "1,234 samples/s"),
        (Quantity(90.0, "s"), "90 s"),
        (Quantity(0.0, "ms"), "0 ms"),
    ],
)
def test_quantities_read_as_before(quantity, shown):
    assert format_quantity(quantity) == shown
    assert unit_text(readable(quantity)) == shown.split(" ", 1)[1]


def test_markdown_renders_the_same_the_second_time():
    text = "**Predict** $T = W / R$ and <script>x</script>"
    first = render_safe_html(text)
    assert render_safe_html(text) == first
    assert "<script" not in first
    assert "<strong>Predict</strong>" in first


# -- durations and money read in the unit a person would say (issue 14) ----------------------


@pytest.mark.parametrize(
    ("quantity", "shown"),
    [
        # 1,865,111 s / 86,400 s per day = 21.59 days, not a 7-digit count of seconds.
        (Quantity(1_865_111.0, "s"), "21.6 days"),
        # 2.97e-6 day x 86,400 s = 0.2566 s: a fraction of a second, not "2.97 µd".
        (Quantity(2.97e-6, "day"), "257 ms"),
        (Quantity(229.342, "day"), "229 days"),
        (Quantity(119.0, "s"), "119 s"),
        (Quantity(120.0, "s"), "2 min"),
        (Quantity(0.5, "hour"), "30 min"),
        (Quantity(26.698, "minute"), "26.7 min"),  # a Young-Daly interval
        (Quantity(150.0, "minute"), "2.5 h"),
        (Quantity(36.0577, "hour"), "36.1 h"),  # an MTBF, not "129,808 s"
        (Quantity(1.0, "day"), "24 h"),
        (Quantity(48.0, "hour"), "2 days"),
        (Quantity(1e-5, "hour"), "36 ms"),
        (Quantity(0.0, "day"), "0 days"),
        # Money: a million and more in words, less with thousands separators.
        (Quantity(12_600_000.0, "USD"), "12.6 million USD"),
        (Quantity(11_272_627.0, "USD"), "11.3 million USD"),
        (Quantity(4.2e9, "USD"), "4.2 billion USD"),
        (Quantity(3_500.0, "USD"), "3,500 USD"),
        (Quantity(13.5, "MUSD"), "13.5 million USD"),  # a target bar, not "13.5 Mdollar"
        (Quantity(2.0, "USD/hour"), "2 USD/h"),
        # Rates per hour stay per hour; counts of a billion and more in words.
        (Quantity(0.000853, "1/hour"), "0.000853 1/h"),
        (Quantity(7.06e10, "dimensionless"), "70.6 billion"),
        (Quantity(1.5e13, "dimensionless"), "15 trillion"),
        (Quantity(2_097_152.0, "dimensionless"), "2,097,152"),
    ],
)
def test_durations_and_money_read_as_a_person_says_them(quantity, shown):
    assert format_quantity(quantity) == shown


def test_no_duration_reads_in_micro_days_or_seven_digit_seconds():
    for exponent in range(-9, 10):
        for unit in ("s", "ms", "minute", "hour", "day"):
            number, unit_shown = split_quantity(Quantity(3.7 * 10.0**exponent, unit))
            assert unit_shown in {"ps", "ns", "µs", "ms", "s", "min", "h", "days"}, unit_shown
            if unit_shown != "days":
                assert float(number.replace(",", "")) < 1000


@pytest.mark.parametrize(
    ("tonnes", "shown"),
    [
        (426.0, "426 t"),  # Cloud Titan's 15T-token run on the US average grid
        (1_628.0, "1,628 t"),  # Lab 15's run on a coal grid
        (0.00185, "1.85 kg"),  # a retrain of ResNet-50 on 64 H100s
        (5.71e-5, "57.1 g"),
        (6.8e-8, "68 mg"),
    ],
)
def test_carbon_reads_in_tonnes_kilograms_or_grams_never_micro_tonnes(tonnes, shown):
    assert format_quantity(Quantity(tonnes, "t")) == shown


def test_no_mass_reads_in_a_prefixed_tonne():
    for exponent in range(-9, 7):
        number, unit_shown = split_quantity(Quantity(3.7 * 10.0**exponent, "t"))
        assert unit_shown in {"µg", "mg", "g", "kg", "t"}, unit_shown
        assert float(number.replace(",", "").split()[0]) >= 1
        if unit_shown != "t":
            assert float(number.replace(",", "")) < 1000


def test_a_runs_cards_and_math_peek_say_the_same_readable_units():
    # Cloud Titan's run: 1,024 H100s, Llama-3-70B, 15 trillion tokens (Lab 07's budget).
    from labs.core.configuration import engine_inputs, solve_inputs
    from mlsys import Models, Systems

    track = {"model": Models.Llama3_70B, "system": Systems.H100, "inputs": {}}
    values = {"dp": 128, "tp": 8, "zero": 1, "batch_size": 512, "seq_len": 4096}
    values |= {"precision": "fp16", "train_tokens": 15e12, "checkpoint_interval": 30}
    run = solve_inputs(engine_inputs(track, values, {}))
    days = run.time_to_train.to("day").magnitude
    assert 100 < days < 1000  # by hand: 15e12 / 2.1e6 tokens per step x 2.73 s / 0.984 = 229 days
    assert format_quantity(run.time_to_train) == f"{days:.0f} days"
    assert format_quantity(run.mtbf).endswith(" h")
    assert format_quantity(run.optimal_checkpoint_interval).endswith(" min")
    assert format_quantity(run.training_cost).endswith(" million USD")
    peek = {v.symbol: format_quantity(v.value) for v in run.math["training_cost"].variables}
    assert peek["T_{train}"] == format_quantity(run.time_to_train)
    interval = {v.symbol: format_quantity(v.value) for v in run.math["goodput"].variables}
    assert interval["MTBF"] == format_quantity(run.mtbf)


@pytest.mark.parametrize(
    ("quantity", "shown"),
    [
        # Tiny Pioneer's 16 H100s step 4,096 frames in 114.3 us: 35.8 million frames a second.
        (Quantity(35_836_388.0, "sample/s"), "35.8 million samples/s"),
        (Quantity(999_999.0, "sample/s"), "999,999 samples/s"),
        (Quantity(2.0e6, "token/s"), "2 million tokens/s"),
    ],
)
def test_counts_of_a_million_and_more_read_in_words(quantity, shown):
    assert format_quantity(quantity) == shown


def test_an_unbounded_wait_reads_as_infinity():
    # A serving fleet past saturation: the queue grows without bound (FleetReport.ttft_p99).
    assert format_quantity(Quantity(float("inf"), "ms")) == "∞ ms"
    assert format_quantity(Quantity(float("inf"), "day")) == "∞ days"
