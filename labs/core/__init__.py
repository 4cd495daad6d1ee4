"""labs.core: the UI kit every lab imports (guide section 5).

``labs.core.components`` holds the components (also importable from ``labs.core`` itself),
``labs.core.state`` the design ledger panel, ``labs.core.style`` the palette and CSS. The kit
draws; mlsys computes: no number shown by a component is computed here, and nothing here reads
files or the network (labs run in the browser under Pyodide).
"""

from labs.core.components import (
    LabHeader,
    LatencyWaterfall,
    MathPeek,
    MetricCards,
    P99Histogram,
    ParetoCurve,
    PredictionComparison,
    PredictionInput,
    PredictionLock,
    Roofline,
    SafeMarkdown,
    StakeholderReflection,
    TrackSelector,
)
from labs.core.state import LedgerPanel, record_design

__all__ = [
    "LabHeader",
    "LatencyWaterfall",
    "LedgerPanel",
    "MathPeek",
    "MetricCards",
    "P99Histogram",
    "ParetoCurve",
    "PredictionComparison",
    "PredictionInput",
    "PredictionLock",
    "Roofline",
    "SafeMarkdown",
    "StakeholderReflection",
    "TrackSelector",
    "record_design",
]
