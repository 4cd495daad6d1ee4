"""labgen's built-in rules, one module each, registered as the ``labgen.checks`` plugin.

Importing this package is cheap: rule modules (and LibCST) are imported only when the
``labgen_checks`` hook is called, which a run whose files are all cached never does.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

from labgen.hookspecs import hookimpl
from labgen.instruments import BUILTIN_INSTRUMENTS, Instrument

if TYPE_CHECKING:
    from labgen.checking.check import Check

#: "module:class" of every built-in rule, in code order.
BUILTIN_RULES: tuple[str, ...] = (
    "syntax_error:SyntaxErrorRule",
    "engine_only_math:EngineOnlyMath",
    "magic_constant:MagicConstant",
    "unknown_api:UnknownApi",
    "duplicate_definition:DuplicateDefinition",
    "math_peek:MathPeekRule",
    "waterfall_overhead:WaterfallOverhead",
    "prediction_lock:PredictionLockRule",
    "instrument_gating:InstrumentGating",
    "slug_parity:SlugParity",
    "wasm_io:WasmIo",
    "units:Units",
    "palette:Palette",
    "node_invariant:NodeInvariant",
    "ledger_update:LedgerUpdate",
    "lab_structure:LabStructure",
    "private_across_cells:PrivateAcrossCells",
    "output_never_shown:OutputNeverShown",
    "answer_before_prediction:AnswerBeforePrediction",
    "verdict_on_controls:VerdictOnControls",
    "unused_noqa:UnusedNoqa",
    "internal_error:InternalError",
)


def builtin_checks() -> list[type[Check]]:
    """Import and return every built-in check class."""
    found = []
    for entry in BUILTIN_RULES:
        module_name, _, class_name = entry.partition(":")
        module = importlib.import_module(f"{__name__}.{module_name}")
        found.append(getattr(module, class_name))
    return found


@hookimpl
def labgen_checks() -> Sequence[type[Check]]:
    """The built-in rules."""
    return builtin_checks()


@hookimpl
def labgen_instruments() -> Sequence[Instrument]:
    """The built-in instruments (labgen.instruments)."""
    return BUILTIN_INSTRUMENTS
