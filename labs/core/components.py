"""The components every lab imports (guide section 5; names fixed by docs/lab-contract.md).

Each lives in its own small module; this module is the one import path labs use.
"""

from __future__ import annotations

from labs.core.carbon import CarbonChart
from labs.core.cards import KatHeading, LabHeader, MetricCards, StepLabel
from labs.core.checkpoint import CheckpointCurve
from labs.core.comms import CommChart
from labs.core.histogram import P99Histogram
from labs.core.kvmemory import KvMemoryStack
from labs.core.markdown import SafeMarkdown
from labs.core.mathpeek import MathPeek
from labs.core.pareto import ParetoCurve
from labs.core.predictions import (
    LOCK_MESSAGE,
    PredictionComparison,
    PredictionInput,
    PredictionLock,
)
from labs.core.queueing import QueueCurve
from labs.core.roofline import Roofline
from labs.core.scaling import ScalingCurve
from labs.core.targets import TargetCheck
from labs.core.tracks import StakeholderReflection, TrackSelector
from labs.core.waterfall import OVERHEAD_LABEL, LatencyWaterfall

__all__ = [
    "LOCK_MESSAGE",
    "OVERHEAD_LABEL",
    "CarbonChart",
    "CheckpointCurve",
    "CommChart",
    "KatHeading",
    "KvMemoryStack",
    "LabHeader",
    "LatencyWaterfall",
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
    "StepLabel",
    "TargetCheck",
    "TrackSelector",
]
