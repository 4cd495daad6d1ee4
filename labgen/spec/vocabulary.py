"""Words the spec format prescribes: the action verbs a learning objective may start with.

An objective names something the student will *do* in the lab and the instructor can observe
(the applying, analysing and evaluating levels of Bloom's revised taxonomy). Verbs of inner
states (understand, know, learn, appreciate) cannot be observed, so they are refused with a
reason rather than merely missing from the list.
"""

from __future__ import annotations

#: Verbs an objective may start with, alphabetical.
ACTION_VERBS: tuple[str, ...] = (
    "Analyze",
    "Apply",
    "Assess",
    "Calculate",
    "Choose",
    "Compare",
    "Compute",
    "Contrast",
    "Critique",
    "Decide",
    "Decompose",
    "Derive",
    "Design",
    "Determine",
    "Diagnose",
    "Distinguish",
    "Estimate",
    "Evaluate",
    "Explain",
    "Identify",
    "Interpret",
    "Justify",
    "Locate",
    "Measure",
    "Model",
    "Optimize",
    "Predict",
    "Prioritize",
    "Quantify",
    "Rank",
    "Select",
    "Size",
    "Trace",
)

#: Verbs of inner states, refused with an explanation.
UNOBSERVABLE_VERBS: frozenset[str] = frozenset(
    {"understand", "know", "learn", "appreciate", "realize", "grasp", "see", "explore"}
)
