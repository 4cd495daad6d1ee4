"""LAB015 lab-structure: four tracks that reskin the lab; three KATs, each complete."""

from __future__ import annotations

import importlib
from functools import lru_cache

import libcst as cst

from labgen.checking.cells import Cell
from labgen.checking.check import Check
from labgen.checking.context import FileContext
from labgen.checking.examples import Invalid, Valid
from labgen.checks._flow import locks
from labgen.checks._lab import (
    CONTROL_MODULES,
    LAB_HEADER,
    MO_UI,
    PREDICTION_INPUT,
    STAKEHOLDER_REFLECTION,
    TRACK_SELECTOR,
    kat_numbers,
    literal,
)

#: The number of Key Analysis Tasks every lab has (guide section 8, step 5).
KAT_COUNT = 3


@lru_cache(maxsize=1)
def track_keys() -> tuple[str, ...]:
    """The four track keys, from the one list mlsys keeps (``mlsys.ledger.TRACKS``)."""
    return tuple(importlib.import_module("mlsys.ledger").TRACKS)


_LAB_STRUCTURE_EXAMPLE = """
import marimo

app = marimo.App()


@app.cell
def _():
    import marimo as mo

    from labs.core.components import (
        LabHeader, LatencyWaterfall, MathPeek, PredictionInput, PredictionLock,
        StakeholderReflection, TrackSelector,
    )
    from mlsys import Engine, Models, Systems

    return (
        Engine, LabHeader, LatencyWaterfall, MathPeek, Models, PredictionInput,
        PredictionLock, StakeholderReflection, Systems, TrackSelector, mo,
    )


@app.cell
def _(TrackSelector):
    track_selector = TrackSelector()
    track_selector
    return (track_selector,)


@app.cell
def _(Models, Systems, track_selector):
    lab_tracks = {
        "cloud_titan": {"model": Models.Llama3_70B, "system": Systems.H100},
        "edge_guardian": {"model": Models.ResNet50, "system": Systems.Edge},
        "mobile_nomad": {"model": Models.ARFilterNet, "system": Systems.Glasses},
        "tiny_pioneer": {"model": Models.DSCNN, "system": Systems.Tiny},
    }
    active_track = lab_tracks[track_selector.value]
    return (active_track,)
"""

_KAT = """

@app.cell
def _(PredictionInput):
    katN_prediction = PredictionInput.number("Latency?", low=0.1, high=100.0, unit="ms")
    katN_prediction
    return (katN_prediction,)


@app.cell
def _(PredictionLock, katN_prediction, mo):
    PredictionLock(katN_prediction)
    katN_batch_size = mo.ui.slider(1, 64, label="Batch size")
    katN_batch_size
    return (katN_batch_size,)


@app.cell
def _(Engine, LatencyWaterfall, MathPeek, active_track, katN_batch_size, mo):
    katN_profile = Engine.solve(
        model=active_track["model"], system=active_track["system"],
        batch_size=katN_batch_size.value,
    )
    mo.vstack([LatencyWaterfall(katN_profile), MathPeek(katN_profile.math)])
    return (katN_profile,)


@app.cell
def _(StakeholderReflection, active_track, katN_profile, track_selector):
    katN_reflection = StakeholderReflection(track_selector.value, "Justify it.")
    katN_reflection
    return (katN_reflection,)
"""

_COMPLETE_LAB = _LAB_STRUCTURE_EXAMPLE + "".join(
    _KAT.replace("katN_", f"kat{n}_") for n in range(1, KAT_COUNT + 1)
)

_SELECTOR_CELL = """

@app.cell
def _(TrackSelector):
    track_selector = TrackSelector()
    track_selector
    return (track_selector,)
"""
#: Lab 1: the fundamentals first, the track choice after the KATs' instruments.
_OPENING_LAB = _COMPLETE_LAB.replace(_SELECTOR_CELL, "") + _SELECTOR_CELL
_LAB_01 = "generated_labs/vol1/lab_01_ml_intro.py"


class LabStructure(Check):
    """A lab lacks the four reskinning tracks or the three complete KATs.

    ## What it does
    In every lab (a file with a chapter, or a `LabHeader`):
    * a `TrackSelector` whose choice some other cell reads, and a table keyed by exactly the
      four tracks (`cloud_titan`, `edge_guardian`, `mobile_nomad`, `tiny_pioneer`, from
      `mlsys.ledger.TRACKS`); Lab 1 of Volume 1 instead builds the fundamentals first, so its
      track choice comes after every KAT's instrument (the stakeholder reflections may follow);
    * exactly three KATs, named by their globals `kat1_*`, `kat2_*`, `kat3_*`, each with a
      prediction (`PredictionInput` or a marimo input), a lock on it, a control to act with
      (from `marimo.ui` or `labs.core.controls`), an instrument that observes, and a
      `StakeholderReflection`.

    ## Why is this bad
    The structural matrix (guide section 3) and the pedagogical gearbox (section 4) are what
    make a lab a lab: every persona track sees its own scenario, and every task goes predict,
    act, observe, reflect. A missing phase turns a task into a demo; a missing track strands a
    quarter of the students.

    ## Example
    ```python
    @app.cell
    def _(PredictionInput):
        kat1_prediction = PredictionInput.text("What dominates?")
        kat1_prediction
        return (kat1_prediction,)
    # ... and no lock, control, instrument or reflection for KAT 1, no KAT 2 or 3
    ```

    ## Use instead
    Three KATs shaped like the one in docs/lab-contract.md: `katN_prediction`, a cell with
    `PredictionLock(katN_prediction)` and a `mo.ui` control, a cell drawing the instrument with
    its MathPeek, and `katN_reflection = StakeholderReflection(...)`.
    """

    code = "LAB015"
    name = "lab-structure"

    VALID = (
        Valid(_COMPLETE_LAB),
        Valid(_OPENING_LAB, path=_LAB_01),
        Valid("print('not a lab')\n", path="scratch/notes.py"),
    )
    INVALID = (
        Invalid(_LAB_STRUCTURE_EXAMPLE + _KAT.replace("katN_", "kat1_"), count=1),
        Invalid(
            _COMPLETE_LAB.replace(
                '        "tiny_pioneer": {"model": Models.DSCNN, "system": Systems.Tiny},\n', ""
            ).replace('StakeholderReflection(track_selector.value, "Justify it.")', "None"),
            count=4,
        ),
        Invalid(_COMPLETE_LAB, path=_LAB_01, count=1),
    )

    @classmethod
    def prepare(cls) -> None:
        """Read the track keys from mlsys once, before files are checked."""
        track_keys()

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self._dicts: list[cst.Dict] = []

    def leave_Module(self, original_node: cst.Module) -> None:
        if self.chapter is None and not self.context.calls_to(LAB_HEADER):
            return
        self._tracks()
        self._kats()

    # -- tracks -------------------------------------------------------------------------------

    def _tracks(self) -> None:
        selectors = self.context.calls_to(TRACK_SELECTOR)
        if not selectors:
            self.report(None, "no `TrackSelector`: the lab cannot reskin itself per track")
            return
        selector_cell = self.cell_of(selectors[0])
        opening = self.chapter is not None and (self.chapter.volume, self.chapter.number) == (1, 1)
        if opening:
            observing = [
                c for c in self.cells if kat_numbers(c.defs | c.refs) and self._observes(c)
            ]
            if selector_cell is not None and any(c.index > selector_cell.index for c in observing):
                self.report(
                    selectors[0],
                    "Lab 1 establishes the fundamentals first: the track choice comes after "
                    "every KAT's instrument (the reflections may follow it)",
                )
            return
        if selector_cell is not None and not self.dataflow.children(selector_cell):
            self.report(
                selectors[0],
                "no cell reads the track choice: the lab does not reskin when the track changes",
            )
        self._track_table()

    def _track_table(self) -> None:
        tracks = set(track_keys())
        tables = [node for node in self._dicts if self._keys(node) & tracks]
        if not tables:
            self.report(
                None,
                f"no table of the four tracks (a dict keyed by {', '.join(track_keys())})",
            )
        for table in tables:
            keys = self._keys(table)
            missing, extra = sorted(tracks - keys), sorted(keys - tracks)
            if missing or extra:
                detail = "; ".join(
                    part
                    for part in (
                        f"missing {', '.join(missing)}" if missing else "",
                        f"unknown {', '.join(extra)}" if extra else "",
                    )
                    if part
                )
                self.report(table, f"the track table must have exactly the four tracks ({detail})")

    def visit_Dict(self, node: cst.Dict) -> None:
        self._dicts.append(node)

    @staticmethod
    def _keys(node: cst.Dict) -> set[str]:
        return {
            key
            for element in node.elements
            if isinstance(element, cst.DictElement) and isinstance(key := literal(element.key), str)
        }

    # -- KATs -----------------------------------------------------------------------------------

    def _kats(self) -> None:
        defined: dict[int, list[tuple[Cell, str]]] = {}
        for cell in self.cells:
            for name in sorted(cell.defs):
                for number in kat_numbers([name]):
                    defined.setdefault(number, []).append((cell, name))
        for number in sorted(defined):
            if number > KAT_COUNT or number < 1:
                cell, name = defined[number][0]
                self.report(
                    cell.def_nodes[name],
                    f"`{name}` belongs to KAT {number}, but a lab has exactly {KAT_COUNT} KATs",
                )
        missing = [n for n in range(1, KAT_COUNT + 1) if n not in defined]
        if missing:
            self.report(
                None,
                f"KAT{'s' if len(missing) > 1 else ''} {', '.join(map(str, missing))} missing: a "
                f"lab has {KAT_COUNT} KATs whose globals are named kat1_*, kat2_*, kat3_*",
            )
        locked = {lock.prediction for lock in locks(self.context)}
        for number in range(1, KAT_COUNT + 1):
            if number in defined:
                self._kat(number, defined[number], locked)

    def _kat(self, number: int, names: list[tuple[Cell, str]], locked: set[str]) -> None:
        prefix = f"kat{number}_"
        first_cell, first_name = names[0]
        bound = {name: list(cell.values.get(name, ())) for cell, name in names}
        phases = {
            "prediction (PredictionInput)": any(
                self._made_by(values, PREDICTION_INPUT)
                or ("predict" in name and self._made_by(values, MO_UI))
                for name, values in bound.items()
            ),
            "lock on its prediction": any(p.startswith(prefix) for p in locked),
            "control to act with (mo.ui.* or labs.core.controls)": any(
                "predict" not in name and self._makes_control(values)
                for name, values in bound.items()
            ),
            "instrument to observe with": any(
                self._observes(cell)
                for cell in self.cells
                if number in kat_numbers(cell.defs | cell.refs)
            ),
            "StakeholderReflection": any(
                self._made_by(values, STAKEHOLDER_REFLECTION) for values in bound.values()
            ),
        }
        lacking = [phase for phase, present in phases.items() if not present]
        if lacking:
            self.report(
                first_cell.def_nodes[first_name],
                f"KAT {number} has no {', no '.join(lacking)}: every KAT goes predict, act, "
                "observe, reflect",
            )

    def _made_by(self, values: list[cst.BaseExpression], target: str) -> bool:
        """Whether one of ``values`` is a call to ``target`` or to something inside it."""
        return any(
            isinstance(value, cst.Call)
            and any(
                name == target or name.startswith(target + ".")
                for name in self.qualified_names(value.func)
            )
            for value in values
        )

    def _makes_control(self, values: list[cst.BaseExpression]) -> bool:
        """Whether one of ``values`` creates a control (by the module it comes from)."""
        return any(
            isinstance(value, cst.Call)
            and any(
                name.startswith(module + ".")
                for name in self.context.raw_qualified_names(value.func)
                for module in CONTROL_MODULES
            )
            for value in values
        )

    def _observes(self, cell: Cell) -> bool:
        components = self.context.instrument_components
        return any(
            not components.keys().isdisjoint(self.qualified_names(call.func))
            for call in self.context.calls.get(cell, ())
        )
