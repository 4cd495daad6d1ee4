"""The kit's number display: the fast ``to_compact`` picks exactly pint's unit and value, and a
Markdown text renders the same whether or not it was rendered before."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labs.core.format import format_quantity, readable, to_compact, unit_text
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
