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

#: Words that belong to one track's world: text shared by every track must not use them (a KV
#: cache means nothing to a hearable's LSTM), so `labgen validate` asks for per-track text.
#: Matched at the start of a word (so "token" also finds "tokens"); all-capital terms match
#: case-sensitively and as whole words.
TRACK_TERMS: dict[str, tuple[str, ...]] = {
    "cloud_titan": ("LLM", "KV cache", "KV-cache", "Llama", "H100", "token", "decode"),
    "edge_guardian": ("vehicle", "camera", "Orin", "AV"),
    "mobile_nomad": ("glasses", "AR filter", "Snapdragon", "smartphone"),
    "tiny_pioneer": ("hearable", "microcontroller", "MCU", "STM32"),
}
