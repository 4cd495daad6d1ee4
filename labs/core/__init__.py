"""labs.core: the UI kit every lab imports (guide section 5).

``labs.core.components`` holds the components (also importable from ``labs.core`` itself),
``labs.core.state`` the design ledger panel, ``labs.core.style`` the palette and CSS. The kit
draws; mlsys computes: no number shown by a component is computed here, and nothing here reads
files or the network (labs run in the browser under Pyodide).
"""

from importlib import import_module
from typing import Any

#: Where each name of the kit lives. Imported on first use, so that the pure-data modules
#: (``labs.core.configuration``, ``labs.core.presets``) load without marimo.
_HOMES = {
    "CarbonChart": "labs.core.components",
    "CheckpointCurve": "labs.core.components",
    "CommChart": "labs.core.components",
    "KvMemoryStack": "labs.core.components",
    "LabHeader": "labs.core.components",
    "LatencyWaterfall": "labs.core.components",
    "MathPeek": "labs.core.components",
    "MetricCards": "labs.core.components",
    "P99Histogram": "labs.core.components",
    "ParetoCurve": "labs.core.components",
    "PredictionComparison": "labs.core.components",
    "PredictionInput": "labs.core.components",
    "PredictionLock": "labs.core.components",
    "QueueCurve": "labs.core.components",
    "Roofline": "labs.core.components",
    "SafeMarkdown": "labs.core.components",
    "ScalingCurve": "labs.core.components",
    "StakeholderReflection": "labs.core.components",
    "TrackSelector": "labs.core.components",
    "LedgerPanel": "labs.core.state",
    "record_design": "labs.core.state",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'labs.core' has no attribute {name!r}")
    return getattr(import_module(home), name)


__all__ = [
    "CarbonChart",
    "CheckpointCurve",
    "CommChart",
    "KvMemoryStack",
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
    "QueueCurve",
    "Roofline",
    "SafeMarkdown",
    "ScalingCurve",
    "StakeholderReflection",
    "TrackSelector",
    "record_design",
]
