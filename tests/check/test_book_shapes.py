"""Every finding on labs in the shapes of the textbook's Lab 08 (Volume 1) and Lab 03 (Volume 2),
and nothing else: the precision of `labgen check` on hand-written labs, finding by finding.

The fixtures in ``fixtures/book_shapes`` were written for these tests after reading the book's
hand-written labs (no code copied): a header that states Act I's answer in bold, a later act's
banner and a collapsed math peek that state it again, a judge that branches on a saved
comparison (``_correct = p.value == "48gb"``), an answer given in another unit ("9-second"
above a "~9,000 ms" option), callouts built in ``if`` branches and thrown away, private names
returned, a set-up cell that installs the wheel with micropip, builder functions that show each
part's widgets through a list. Each expected finding is named by a snippet of its line; the
structure rules of generated labs (LAB014, LAB015) are left out.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from labgen.checking.testing import check_source
from labgen.checks import builtin_checks

SHAPES = Path(__file__).parent / "fixtures" / "book_shapes"
#: Rules about the shape of a generated lab (KAT names, track selector, ledger calls).
STRUCTURE = ("LAB014", "LAB015")

EXPECTED = {
    "vol1/lab_08_model_train.py": [
        ("LAB010", "from pathlib import Path"),  # the path set-up runs in the browser too
        ("LAB010", "import plotly.graph_objects as go"),  # never installed
        ("LAB003", "from labs.core.style import COLORS, LAB_CSS"),  # not in this kit
        ("LAB002", "GPU_RAM_GB = 80"),
        ("LAB002", "PHONE_RAM_GB = 8"),
        ("LAB002", "FIBER_SPEED_KM_S = 200_000"),  # a physical constant
        ("LAB018", '<strong style="color: white;">48 GB</strong>'),  # the header
        ("LAB001", "_weights_gb = act1_params.value * _bytes"),
        ("LAB001", '_moments_gb = act1_params.value * 4 * MOMENTS["adam"]'),
        ("LAB001", "_static_gb = _weights_gb + _grads_gb + _moments_gb"),
        ("LAB012", 'marker_color="#6366f1"'),
        ("LAB012", "1px solid #e2e8f0"),
        ("LAB012", "color: #94a3b8;"),
        ("LAB016", "return (_static_gb, _weights_gb)"),
        ("LAB016", "return (_static_gb, _weights_gb)"),
        ("LAB017", 'mo.callout(mo.md(f"**Correct.** The floor'),  # built in an `if`, lost
        ("LAB017", 'mo.callout(mo.md(f"The floor is'),
        ("LAB018", "At 3B parameters that is 48 GB"),  # the math peek, open to all
        ("LAB018", "fixed the static floor at 48 GB"),  # Act II's banner
        ("LAB018", "costs in throughput: about 4% per step"),  # judged by `_close and ...`
        ("LAB001", "_throughput = 1.0 / (1.0 + _overhead)"),
        ("LAB017", "act2_checkpointing = mo.ui.checkbox("),  # built, never placed
    ],
    "vol2/lab_03_communication.py": [
        ("LAB018", "9-second AllReduce"),  # "~9,000 ms" said in seconds
        ("LAB003", "{style.ACCENT}; padding"),  # no such colour in the kit
        ("LAB018", "take ~9 seconds"),
        ("LAB001", "_t_total_ms = 2 * (_n - 1)"),
        ("LAB002", "160e9"),  # the gradients' bytes typed in
        ("LAB003", '{style.ACCENT};">'),
        ("LAB001", "{_t_total_ms / 1000:.1f} seconds</div>"),
        ("LAB001", 'f"**AllReduce takes {_t_total_ms / 1000'),
    ],
}


def _line_of(text: str, snippet: str) -> int:
    lines = [i for i, line in enumerate(text.splitlines(), 1) if snippet in line]
    assert len(lines) == 1, f"snippet {snippet!r} is on lines {lines}"
    return lines[0]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_findings_are_exactly_the_defects(name: str) -> None:
    text = (SHAPES / name).read_text(encoding="utf-8")
    found = Counter(
        (d.code, d.line)
        for d in check_source(text, builtin_checks(), path=f"labs/{name}")
        if d.code not in STRUCTURE
    )
    expected = Counter((code, _line_of(text, snippet)) for code, snippet in EXPECTED[name])
    assert found - expected == Counter(), "false positives"
    assert expected - found == Counter(), "missed"


def test_legitimate_shapes_are_left_alone() -> None:
    """Lines a naive rule would flag, named so a regression says which."""
    text = (SHAPES / "vol1/lab_08_model_train.py").read_text(encoding="utf-8")
    found = {
        d.line for d in check_source(text, builtin_checks(), path="labs/vol1/lab_08_model_train.py")
    }
    for snippet in (
        "SLO_P99_MS = 100",  # a promise, not hardware
        "SPIKE_FACTOR = 10",
        'BYTES_PER_VALUE = {"fp32": 4',  # a format's size
        '"Cloud (80 GB HBM)": "cloud"',  # a context switch, not a prediction
        '"D) 48 GB: weights, gradients and both Adam moments"',  # the option itself
        "_items.append(mo.callout(",  # shown through the list
        '"B) 32x slower',  # a wrong option's claim
        '"C) About 4% slower',  # the right option itself
        "_overhead = 0.04",
        '"Fewer bits per value means fewer bytes."',
    ):
        assert _line_of(text, snippet) not in found, snippet
    text = (SHAPES / "vol2/lab_03_communication.py").read_text(encoding="utf-8")
    found = {
        d.line
        for d in check_source(text, builtin_checks(), path="labs/vol2/lab_03_communication.py")
    }
    for snippet in (
        'await micropip.install("../../wheels/mlsys',
        "_root = Path(__file__).resolve().parents[2]",  # only outside the browser
        "import plotly.graph_objects as go",  # installed with micropip
        "Starting from the 9 s ring",  # shown only once Part A is answered
        '"B) Hierarchical: ~5-6x"',  # a range claims no number
        "items.append(pA_gpus)",
    ):
        assert _line_of(text, snippet) not in found, snippet
