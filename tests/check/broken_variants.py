"""The broken variants of the clean fixture labs, and the exact findings each must produce.

Each variant is one realistic mistake (or a few) made to a clean lab, built in memory from the
clean fixtures so the corpus never drifts from them: ``broken_variants()`` maps a name to the
lab's text, its path under ``generated_labs/`` and the count of diagnostics per rule.
"""

from __future__ import annotations

import pathlib
from dataclasses import dataclass

CLEAN = pathlib.Path(__file__).resolve().parent / "fixtures" / "generated_labs" / "vol1"
clean02 = (CLEAN / "lab_02_ml_systems.py").read_text(encoding="utf-8")
clean13 = (CLEAN / "lab_13_model_serving.py").read_text(encoding="utf-8")


@dataclass(frozen=True)
class Variant:
    """A broken lab: ``text``, ``relpath`` under generated_labs/, and rule code -> count."""

    text: str
    relpath: str
    expect: dict[str, int]


def sub(text: str, old: str, new: str, count: int = 1) -> str:
    """``text`` with ``old`` replaced by ``new`` (which must be there ``count`` times)."""
    assert text.count(old) >= count, old
    return text.replace(old, new, count)


variants = {}

# 1. Hallucinated API names (the guide's "Agents MUST NOT hallucinate method names").
t = clean02
t = sub(t, "    kat1_profile = Engine.solve(", "    kat1_profile = Engine.simulate(")
t = sub(t, '"model": Models.Llama3_70B,', '"model": Models.Llama3_70b,')
t = sub(
    t,
    '        batch_size=1,\n        precision="fp16",\n        efficiency=kat2_efficiency.value,',
    '        batch=1,\n        precision="bf16",\n        efficiency=kat2_efficiency.value,',
)
variants["hallucinated_api"] = (t, "vol1/lab_02_ml_systems.py", {"LAB003": 4})

# 2. Arithmetic in the lab.
t = clean02
t = sub(
    t,
    """    mo.vstack([MetricCards(kat2_profile), MathPeek(kat2_profile.math)])""",
    """    kat2_overhead_share = kat2_profile.latency_overhead / kat2_profile.latency * 100
    mo.vstack(
        [
            MetricCards(kat2_profile),
            MathPeek(kat2_profile.math),
            mo.md(f"Overhead: {kat2_overhead_share:.0f} % of {kat2_profile.latency * 1000} ms"),
        ]
    )""",
)
variants["arithmetic"] = (t, "vol1/lab_02_ml_systems.py", {"LAB001": 2})

# 3. The KAT 2 lock forgotten: its result shows before its prediction.
t = clean02
t = sub(t, "    PredictionLock(kat2_prediction)\n", "")
t = sub(t, "def _(PredictionLock, kat2_prediction, mo):", "def _(mo):")
variants["unlocked"] = (t, "vol1/lab_02_ml_systems.py", {"LAB007": 2, "LAB015": 1})

# 4. A later chapter's instrument, without its MathPeek.
t = clean02
t = sub(t, "        MetricCards,\n", "        MetricCards,\n        ParetoCurve,\n")
t = sub(
    t,
    "        PredictionLock,\n        StakeholderReflection,\n        Systems,",
    "        ParetoCurve,\n        PredictionLock,\n        StakeholderReflection,\n        Systems,",
)
t = sub(
    t,
    "def _(Engine, LatencyWaterfall, MathPeek, active_track, kat3_precision, mo):",
    "def _(Engine, ParetoCurve, active_track, kat3_precision, mo):",
)
t = sub(
    t,
    "    mo.vstack([LatencyWaterfall(kat3_profile), MathPeek(kat3_profile.math)])",
    "    mo.vstack([ParetoCurve(kat3_profile)])",
)
variants["gating_and_peek"] = (t, "vol1/lab_02_ml_systems.py", {"LAB005": 1, "LAB008": 2})

# 5. File I/O, a second unit registry, a colour and a bare magnitude.
t = clean02
t = sub(
    t,
    "# ---- KAT 1: Predict ----",
    """@app.cell
def _(active_track, mo):
    from pathlib import Path

    import pint

    lab_notes = Path("notes.md").read_text()
    lab_units = pint.UnitRegistry()
    mo.md(f"<span style='color: #006395'>{lab_notes}</span> {active_track['model'].parameters.magnitude}")
    return (lab_units,)


# ---- KAT 1: Predict ----""",
)
variants["io_units_palette"] = (
    t,
    "vol1/lab_02_ml_systems.py",
    {"LAB010": 1, "LAB011": 3, "LAB012": 1},
)

# 6. A reused global, and the ledger written under another chapter.
t = clean02
t = sub(
    t,
    "    kat3_reflection = StakeholderReflection(",
    "    kat2_reflection = StakeholderReflection(",
)
t = sub(
    t,
    "    kat3_reflection\n    return (kat3_reflection,)",
    "    kat2_reflection\n    return (kat2_reflection,)",
)
t = sub(t, "chapter_id=2,", "chapter_id=3,")
variants["duplicate_and_ledger"] = (
    t,
    "vol1/lab_02_ml_systems.py",
    {"LAB004": 1, "LAB007": 1, "LAB014": 1, "LAB015": 1},
)

# 7. Hand-typed hardware figures.
t = clean02
t = sub(
    t,
    '"scenario": "Your serving node answers chat requests one token at a time.",',
    '"scenario": "Your H100 streams weights at 3.35 TB/s and answers one token at a time.",',
)
t = sub(
    t,
    "    active_track = lab_tracks[track_selector.value]\n",
    "    active_track = lab_tracks[track_selector.value]\n    lab_peak_flops = 989e12\n",
)
t = sub(t, "    return (active_track,)\n", "    return (active_track, lab_peak_flops)\n")
variants["magic_constants"] = (t, "vol1/lab_02_ml_systems.py", {"LAB002": 2})

# 8. A waterfall told to hide the dispatch tax (fixable).
t = clean13
t = sub(
    t,
    "            kit.LatencyWaterfall(kat1_profile),",
    "            kit.LatencyWaterfall(kat1_profile, show_overhead=False),",
)
variants["hidden_overhead"] = (t, "vol1/lab_13_model_serving.py", {"LAB006": 1})

# 9. The lab's file name misspells its slug; the header declares another chapter (fixable).
t = clean13
t = sub(
    t,
    '        number=13,\n        slug="model_serving",',
    '        number=12,\n        slug="perf_bench",',
)
variants["header_mismatch"] = (t, "vol1/lab_13_model_serving.py", {"LAB009": 2})
# A file named without the lab_XX_ pattern (a wrong slug alone is judged with the folder's
# other files: tests/check/test_tree.py).
variants["misnamed_file"] = (clean13, "vol1/lab13_model_serving.py", {"LAB009": 1})

# 10. A file that does not parse (the build was interrupted).
t = clean02[: clean02.index("# ---- KAT 2: Predict ----")] + "@app.cell\ndef _(PredictionInput:\n"
variants["truncated"] = (t, "vol1/lab_02_ml_systems.py", {"LAB000": 1})

# 11. Volume 1 reaching for the fleet.
t = clean13
t = sub(
    t,
    "        batch_size=1,\n        efficiency=kat1_efficiency.value,",
    "        batch_size=1,\n        efficiency=kat1_efficiency.value,\n        num_nodes=8,",
)
variants["fleet_in_volume_1"] = (t, "vol1/lab_13_model_serving.py", {"LAB003": 1, "LAB013": 1})


def broken_variants() -> dict[str, Variant]:
    """Every broken variant by name."""
    return {
        name: Variant(text, relpath, expect) for name, (text, relpath, expect) in variants.items()
    }
