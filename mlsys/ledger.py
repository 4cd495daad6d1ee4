"""Layer 2: the two ledgers of mlsys.

``SystemLedger`` is the universal scorecard every simulation returns: one node's performance,
sustainability, economics and reliability, each a typed section (a section a simulation does not
evaluate raises a clear error when read, never a silent None).

``DesignLedger`` is the student's record across labs (guide section 7): the chapter, the track,
the current design and the reflections, plus a schema version and a per-chapter history so a
later lab can read an earlier decision (narrative persistence, guide section 2). It is immutable:
``record`` returns a new ledger, which suits marimo's dataflow. Its JSON is deterministic (sorted
keys) and ``from_json`` refuses corrupt, foreign, hand-edited or future documents with a
``LedgerError`` that says exactly what is wrong; it never resets silently.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any

from mlsys.derivation import Math
from mlsys.units import Quantity

#: Identifies a design-ledger document among other JSON.
SCHEMA = "mlsys.design_ledger"
#: The document layout this mlsys writes. Version 2 added each chapter's prediction records.
SCHEMA_VERSION = 2
#: Every layout this mlsys reads (version 1 ledgers have no prediction records).
READABLE_VERSIONS: tuple[int, ...] = (1, 2)
#: The four narrative tracks of guide section 3.1, in the book's order. ``mlsys.personas`` builds
#: one persona per key; the ledger refuses any other track.
TRACKS: tuple[str, ...] = ("cloud_titan", "edge_guardian", "mobile_nomad", "tiny_pioneer")
#: The book's volumes (Volume 1: the node, Volume 2: the fleet).
VOLUMES: tuple[int, ...] = (1, 2)

_TOP_FIELDS = (
    "schema",
    "schema_version",
    "volume",
    "chapter_id",
    "track",
    "current_design",
    "reflections",
    "history",
)
_RECORD_FIELDS = ("volume", "chapter_id", "track", "design", "reflections")
_REFLECTION_FIELDS = ("task", "text")
_PREDICTION_FIELDS = ("task", "kind", "predicted", "answer", "unit", "ratio", "revised")
#: How far a recorded ratio may sit from predicted / answer before the record is refused.
_RATIO_TOLERANCE = 1e-9


class LedgerError(ValueError):
    """A design ledger (or a value recorded in one) is invalid; the message names the field."""


# -- the design ledger ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Reflection:
    """One justification a student wrote to a stakeholder: the task it answers and its text."""

    task: str
    text: str

    def to_dict(self) -> dict[str, str]:
        """The JSON form ``{"task": ..., "text": ...}``."""
        return {"task": self.task, "text": self.text}


@dataclass(frozen=True)
class PredictionRecord:
    """What a student predicted in one task and what the engine answered there.

    ``kind`` is ``number`` (``predicted`` and ``answer`` in ``unit``, ``ratio`` =
    predicted / answer) or ``choice`` (option texts; ``ratio`` None). ``predicted`` is the first
    prediction, locked when the task unlocked; ``revised`` the last value the student changed it
    to afterwards, or None.
    """

    task: str
    kind: str
    predicted: Any
    answer: Any
    unit: str | None = None
    ratio: float | None = None
    revised: Any = None

    @classmethod
    def number(
        cls, task: str, predicted: float, answer: float, unit: str, revised: float | None = None
    ) -> PredictionRecord:
        """A number prediction (``predicted`` and ``answer`` in ``unit``), its ratio computed."""
        record = cls(task, "number", float(predicted), float(answer), unit, None, revised)
        return _prediction(record.to_dict() | {"ratio": float(predicted) / float(answer)}, "")

    @classmethod
    def choice(
        cls, task: str, predicted: str, answer: str, revised: str | None = None
    ) -> PredictionRecord:
        """A choice prediction: the option picked first and the right option."""
        return _prediction(
            {
                "task": task,
                "kind": "choice",
                "predicted": predicted,
                "answer": answer,
                "unit": None,
                "ratio": None,
                "revised": revised,
            },
            "",
        )

    @property
    def correct(self) -> bool:
        """Whether the first prediction matched (a number within 10 % of the answer)."""
        if self.kind == "choice":
            return self.predicted == self.answer
        return self.ratio is not None and abs(self.ratio - 1.0) <= 0.10

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of this record."""
        return {name: getattr(self, name) for name in _PREDICTION_FIELDS}


@dataclass(frozen=True, eq=False)
class ChapterRecord:
    """What a student decided in one chapter: design parameters and reflections.

    ``design`` is read-only; use ``DesignLedger.decisions_of`` for a plain, editable copy.
    """

    volume: int
    chapter_id: int
    track: str
    design: Mapping[str, Any]
    reflections: tuple[Reflection, ...]
    predictions: tuple[PredictionRecord, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of this record (plain dicts and lists)."""
        return {
            "volume": self.volume,
            "chapter_id": self.chapter_id,
            "track": self.track,
            "design": _thaw(self.design),
            "reflections": [r.to_dict() for r in self.reflections],
            "predictions": [p.to_dict() for p in self.predictions],
        }

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ChapterRecord) and self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]  # holds a mapping


class DesignLedger:
    """The student's design record across labs (guide section 7), immutable.

    The guide's fields describe the latest chapter recorded: ``chapter_id``, ``track``,
    ``reflections``; ``current_design`` is every chapter's design merged in the order they were
    recorded, so the latest decision about a parameter wins and earlier decisions persist
    (``get("data_format")`` in chapter 13 sees what chapter 4 chose). Recording a chapter again
    replaces that chapter's earlier record.
    """

    __slots__ = ("_records",)

    def __init__(self, records: Iterable[ChapterRecord] = ()) -> None:
        checked: list[ChapterRecord] = []
        seen: set[tuple[int, int]] = set()
        for index, record in enumerate(records):
            if not isinstance(record, ChapterRecord):
                raise LedgerError(
                    f"records[{index}]: expected a ChapterRecord, got {type(record).__name__}"
                )
            key = (record.volume, record.chapter_id)
            if key in seen:
                raise LedgerError(
                    f"records[{index}]: volume {key[0]} chapter {key[1]} is recorded twice"
                )
            seen.add(key)
            checked.append(record)
        self._records: tuple[ChapterRecord, ...] = tuple(checked)

    # -- writing ---------------------------------------------------------------------------------
    def record(
        self,
        chapter_id: int,
        track: str,
        design: Mapping[str, Any],
        reflections: Iterable[Reflection | Mapping[str, Any]] = (),
        *,
        volume: int = 1,
        predictions: Iterable[PredictionRecord | Mapping[str, Any]] = (),
    ) -> DesignLedger:
        """A new ledger with this chapter's decisions recorded (this ledger is unchanged).

        ``design`` maps parameter names to JSON values: str, int, float (finite), bool, None, and
        lists or str-keyed dicts of those. Store a physical value as a number in a key that names
        its unit (``"deadline_ms": 10``). ``reflections`` are ``Reflection``s or ``{"task", "text"}``
        mappings; ``predictions`` are ``PredictionRecord``s (or their JSON form). Raises
        LedgerError naming the offending argument.
        """
        new = _make_record(volume, chapter_id, track, design, reflections, "", predictions)
        kept = [r for r in self._records if (r.volume, r.chapter_id) != (volume, chapter_id)]
        return DesignLedger([*kept, new])

    # -- the guide's fields (the latest chapter recorded) ----------------------------------------
    @property
    def latest(self) -> ChapterRecord | None:
        """The chapter recorded last, or None for an empty ledger."""
        return self._records[-1] if self._records else None

    @property
    def chapter_id(self) -> int | None:
        """Number of the chapter recorded last (None when nothing is recorded)."""
        return self.latest.chapter_id if self.latest else None

    @property
    def volume(self) -> int | None:
        """Volume of the chapter recorded last (None when nothing is recorded)."""
        return self.latest.volume if self.latest else None

    @property
    def track(self) -> str | None:
        """Track of the chapter recorded last (None when nothing is recorded)."""
        return self.latest.track if self.latest else None

    @property
    def reflections(self) -> list[dict[str, str]]:
        """Reflections of the chapter recorded last, as ``{"task", "text"}`` dicts."""
        return [r.to_dict() for r in self.latest.reflections] if self.latest else []

    @property
    def current_design(self) -> dict[str, Any]:
        """Every chapter's design merged in recording order (latest decision wins); a copy."""
        merged: dict[str, Any] = {}
        for record in self._records:
            merged.update(_thaw(record.design))
        return merged

    # -- reading earlier decisions ---------------------------------------------------------------
    @property
    def records(self) -> tuple[ChapterRecord, ...]:
        """Every chapter record, in the order they were recorded."""
        return self._records

    def chapters(self, *, volume: int = 1) -> tuple[int, ...]:
        """Chapter numbers of ``volume`` that have a record, ascending."""
        return tuple(sorted(r.chapter_id for r in self._records if r.volume == volume))

    def has(self, chapter_id: int, *, volume: int = 1) -> bool:
        """Whether ``chapter_id`` of ``volume`` has a record."""
        return self._find(chapter_id, volume) is not None

    def get(self, key: str, default: Any = None) -> Any:
        """The current value of design parameter ``key`` (see ``current_design``), else ``default``."""
        for record in reversed(self._records):
            if key in record.design:
                return _thaw(record.design[key])
        return default

    def decisions_of(self, chapter_id: int, *, volume: int = 1) -> dict[str, Any]:
        """The design recorded in ``chapter_id`` of ``volume`` (a copy); KeyError if none."""
        return _thaw(self._require(chapter_id, volume).design)

    def reflections_of(self, chapter_id: int, *, volume: int = 1) -> list[dict[str, str]]:
        """The reflections recorded in ``chapter_id`` of ``volume``; KeyError if none."""
        return [r.to_dict() for r in self._require(chapter_id, volume).reflections]

    def _find(self, chapter_id: int, volume: int) -> ChapterRecord | None:
        for record in self._records:
            if record.chapter_id == chapter_id and record.volume == volume:
                return record
        return None

    def _require(self, chapter_id: int, volume: int) -> ChapterRecord:
        record = self._find(chapter_id, volume)
        if record is None:
            recorded = ", ".join(str(c) for c in self.chapters(volume=volume)) or "none"
            raise KeyError(
                f"volume {volume} chapter {chapter_id} has no recorded decisions "
                f"(recorded chapters: {recorded})"
            )
        return record

    # -- JSON ------------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The document: the guide's four fields, ``volume``, schema markers and the history."""
        return {
            "schema": SCHEMA,
            "schema_version": SCHEMA_VERSION,
            "volume": self.volume,
            "chapter_id": self.chapter_id,
            "track": self.track,
            "current_design": self.current_design,
            "reflections": self.reflections,
            "history": [r.to_dict() for r in self._records],
        }

    def to_json(self) -> str:
        """Deterministic JSON text (sorted keys, two-space indent, UTF-8 characters kept)."""
        return json.dumps(
            self.to_dict(), sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False
        )

    @classmethod
    def from_json(cls, text: str | bytes | bytearray) -> DesignLedger:
        """Read a ledger written by ``to_json``; LedgerError saying what is wrong otherwise."""
        if isinstance(text, bytes | bytearray):
            try:
                text = bytes(text).decode("utf-8")
            except UnicodeDecodeError as error:
                raise LedgerError(f"design ledger is not UTF-8 text (byte {error.start})") from None
        if not isinstance(text, str):
            raise LedgerError(
                f"design ledger: expected JSON text (str or bytes), got {type(text).__name__}"
            )
        if not text.strip():
            raise LedgerError("design ledger is empty (expected a JSON object)")
        try:
            document = json.loads(
                text, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constants
            )
        except json.JSONDecodeError as error:
            raise LedgerError(
                f"design ledger is not valid JSON: {error.msg} at line {error.lineno} "
                f"column {error.colno}"
            ) from None
        return cls.from_dict(document)

    @classmethod
    def from_dict(cls, document: Any) -> DesignLedger:
        """Read a ledger document (the parsed JSON); LedgerError saying what is wrong otherwise."""
        if not isinstance(document, dict):
            raise LedgerError(f"design ledger must be a JSON object, got {_json_type(document)}")
        schema = document.get("schema")
        if schema != SCHEMA:
            found = (
                "has no 'schema' field" if "schema" not in document else f"has schema {schema!r}"
            )
            raise LedgerError(f"not a design ledger: the document {found}, expected {SCHEMA!r}")
        version = document.get("schema_version")
        if isinstance(version, bool) or not isinstance(version, int):
            raise LedgerError(
                f"schema_version: expected an integer, got {_json_type(version)}"
                if "schema_version" in document
                else "schema_version: missing"
            )
        if version > max(READABLE_VERSIONS):
            raise LedgerError(
                f"schema_version {version} was written by a newer mlsys; this one reads "
                f"version {SCHEMA_VERSION}"
            )
        if version not in READABLE_VERSIONS:
            raise LedgerError(
                f"schema_version {version} is not supported; this mlsys reads versions "
                f"{', '.join(map(str, READABLE_VERSIONS))}"
            )
        _check_fields(document, _TOP_FIELDS, "design ledger")
        history = document["history"]
        if not isinstance(history, list):
            raise LedgerError(f"history: expected a list, got {_json_type(history)}")
        records: list[ChapterRecord] = []
        seen: dict[tuple[int, int], int] = {}
        for index, entry in enumerate(history):
            where = f"history[{index}]"
            if not isinstance(entry, dict):
                raise LedgerError(f"{where}: expected an object, got {_json_type(entry)}")
            fields = _RECORD_FIELDS if version == 1 else (*_RECORD_FIELDS, "predictions")
            _check_fields(entry, fields, where)
            record = _make_record(
                entry["volume"],
                entry["chapter_id"],
                entry["track"],
                entry["design"],
                entry["reflections"],
                f"{where}.",
                entry.get("predictions", ()),
            )
            key = (record.volume, record.chapter_id)
            if key in seen:
                raise LedgerError(
                    f"{where}: volume {key[0]} chapter {key[1]} is already recorded in "
                    f"history[{seen[key]}]"
                )
            seen[key] = index
            records.append(record)
        ledger = cls(records)
        # The guide's top-level fields are views of the history: a mismatch means the file was
        # edited by hand or truncated, and trusting either side would hide that.
        expected = ledger.to_dict()
        for name in ("volume", "chapter_id", "track", "current_design", "reflections"):
            if document[name] != expected[name]:
                where, found, wanted = _first_difference(name, document[name], expected[name])
                raise LedgerError(
                    f"{where}: {found!r} does not match the history, which gives {wanted!r} "
                    "(the ledger was edited by hand or is corrupt)"
                )
        return ledger

    # -- plumbing --------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._records)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DesignLedger) and self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        if not self._records:
            return "<DesignLedger empty>"
        chapters = ", ".join(f"v{r.volume}ch{r.chapter_id:02d}" for r in self._records)
        return f"<DesignLedger {self.track}: {chapters}>"


def _make_record(
    volume: Any,
    chapter_id: Any,
    track: Any,
    design: Any,
    reflections: Any,
    prefix: str,
    predictions: Any = (),
) -> ChapterRecord:
    if isinstance(volume, bool) or not isinstance(volume, int) or volume not in VOLUMES:
        raise LedgerError(
            f"{prefix}volume: expected one of {', '.join(map(str, VOLUMES))}, got {volume!r}"
        )
    if isinstance(chapter_id, bool) or not isinstance(chapter_id, int) or chapter_id < 1:
        raise LedgerError(
            f"{prefix}chapter_id: expected a chapter number (int >= 1), got {chapter_id!r}"
        )
    if not isinstance(track, str) or track not in TRACKS:
        raise LedgerError(f"{prefix}track: expected one of {', '.join(TRACKS)}, got {track!r}")
    if not isinstance(design, Mapping):
        raise LedgerError(
            f"{prefix}design: expected a mapping of parameter names to values, got "
            f"{type(design).__name__}"
        )
    frozen_design = _freeze(design, f"{prefix}design")
    if isinstance(reflections, str | bytes) or not isinstance(reflections, Iterable):
        raise LedgerError(
            f"{prefix}reflections: expected a list of {{task, text}} entries, got "
            f"{type(reflections).__name__}"
        )
    parsed = tuple(
        _reflection(item, f"{prefix}reflections[{i}]") for i, item in enumerate(reflections)
    )
    if isinstance(predictions, str | bytes) or not isinstance(predictions, Iterable):
        raise LedgerError(
            f"{prefix}predictions: expected a list of prediction records, got "
            f"{type(predictions).__name__}"
        )
    records = tuple(
        _prediction(item, f"{prefix}predictions[{i}]") for i, item in enumerate(predictions)
    )
    return ChapterRecord(volume, chapter_id, track, frozen_design, parsed, records)


def _prediction(item: Any, where: str) -> PredictionRecord:
    """A prediction record checked field by field; a ratio that does not equal predicted /
    answer means the file was edited by hand, and is refused."""
    if isinstance(item, PredictionRecord):
        item = item.to_dict()
    if not isinstance(item, Mapping):
        raise LedgerError(
            f"{where}: expected a prediction record object, got {type(item).__name__}"
        )
    _check_fields(item, _PREDICTION_FIELDS, where)
    dot = f"{where}." if where else ""
    if not isinstance(item["task"], str) or not item["task"]:
        raise LedgerError(f"{dot}task: expected a task name such as 'kat1'")
    kind = item["kind"]
    if kind == "choice":
        for name in ("predicted", "answer"):
            if not isinstance(item[name], str):
                raise LedgerError(
                    f"{dot}{name}: expected the option's text, got {_json_type(item[name])}"
                )
        if item["revised"] is not None and not isinstance(item["revised"], str):
            raise LedgerError(f"{dot}revised: expected an option's text or null")
        if item["ratio"] is not None or item["unit"] is not None:
            raise LedgerError(f"{dot}ratio: a choice has no ratio or unit")
        return PredictionRecord(
            item["task"], kind, item["predicted"], item["answer"], None, None, item["revised"]
        )
    if kind != "number":
        raise LedgerError(f"{dot}kind: expected 'number' or 'choice', got {kind!r}")
    values = {}
    for name in ("predicted", "answer", "ratio"):
        value = item[name]
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise LedgerError(f"{dot}{name}: expected a finite number, got {_json_type(value)}")
        values[name] = float(value)
    revised = item["revised"]
    if revised is not None and (isinstance(revised, bool) or not isinstance(revised, int | float)):
        raise LedgerError(f"{dot}revised: expected a number or null, got {_json_type(revised)}")
    if not isinstance(item["unit"], str):
        raise LedgerError(
            f"{dot}unit: expected a unit such as 'ms', got {_json_type(item['unit'])}"
        )
    if values["answer"] == 0.0 or not math.isclose(
        values["ratio"], values["predicted"] / values["answer"], rel_tol=_RATIO_TOLERANCE
    ):
        raise LedgerError(
            f"{dot}ratio: {values['ratio']!r} is not predicted / answer "
            "(the ledger was edited by hand or is corrupt)"
        )
    return PredictionRecord(
        item["task"],
        kind,
        values["predicted"],
        values["answer"],
        item["unit"],
        values["ratio"],
        None if revised is None else float(revised),
    )


def _reflection(item: Any, where: str) -> Reflection:
    if isinstance(item, Reflection):
        item = item.to_dict()
    if not isinstance(item, Mapping):
        raise LedgerError(
            f"{where}: expected {{'task': ..., 'text': ...}}, got {type(item).__name__}"
        )
    _check_fields(item, _REFLECTION_FIELDS, where)
    for name in _REFLECTION_FIELDS:
        if not isinstance(item[name], str):
            raise LedgerError(f"{where}.{name}: expected a string, got {_json_type(item[name])}")
    return Reflection(item["task"], item["text"])


def _freeze(value: Any, where: str) -> Any:
    """Validate a JSON value and make it read-only (dicts -> mapping proxies, lists -> tuples)."""
    if type(value).__module__ == "numpy" and hasattr(value, "item"):
        value = value.item()  # a numpy scalar from a widget, without importing numpy
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise LedgerError(f"{where}: {value!r} is not a finite number (JSON has no NaN/inf)")
        return value
    if isinstance(value, Quantity):
        raise LedgerError(
            f"{where}: {value:~P} is a quantity; store its magnitude in a key that names the unit "
            "(e.g. 'deadline_ms': 10)"
        )
    if isinstance(value, Mapping):
        frozen = {}
        for key, item in value.items():
            if not isinstance(key, str) or not key:
                raise LedgerError(f"{where}: keys must be non-empty strings, got {key!r}")
            frozen[key] = _freeze(item, f"{where}[{key!r}]")
        return MappingProxyType(frozen)
    if isinstance(value, list | tuple):
        return tuple(_freeze(item, f"{where}[{i}]") for i, item in enumerate(value))
    raise LedgerError(
        f"{where}: {type(value).__name__} is not a JSON value (use str, int, float, bool, None, "
        "lists and dicts of those)"
    )


def _thaw(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _thaw(item) for key, item in value.items()}
    if isinstance(value, tuple):
        return [_thaw(item) for item in value]
    return value


def _first_difference(where: str, found: Any, wanted: Any) -> tuple[str, Any, Any]:
    """The deepest path at which two JSON values differ, with the two values there."""
    if isinstance(found, dict) and isinstance(wanted, dict):
        for key in sorted(set(found) | set(wanted)):
            if found.get(key, _ABSENT) != wanted.get(key, _ABSENT):
                return _first_difference(
                    f"{where}[{key!r}]", found.get(key, _ABSENT), wanted.get(key, _ABSENT)
                )
    if isinstance(found, list) and isinstance(wanted, list) and len(found) == len(wanted):
        for index, (a, b) in enumerate(zip(found, wanted, strict=True)):
            if a != b:
                return _first_difference(f"{where}[{index}]", a, b)
    return where, found, wanted


class _Absent:
    def __repr__(self) -> str:
        return "nothing"


_ABSENT = _Absent()


def _check_fields(mapping: Mapping[str, Any], expected: tuple[str, ...], where: str) -> None:
    missing = [name for name in expected if name not in mapping]
    if missing:
        raise LedgerError(f"{where}: missing field {', '.join(repr(m) for m in missing)}")
    unknown = sorted(str(name) for name in mapping if name not in expected)
    if unknown:
        raise LedgerError(
            f"{where}: unknown field {', '.join(repr(u) for u in unknown)} "
            f"(known: {', '.join(expected)})"
        )


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, int | float):
        return f"a number ({value!r})"
    return names.get(type(value), type(value).__name__)


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise LedgerError(f"design ledger: the key {key!r} appears twice in one object")
        result[key] = value
    return result


def _no_constants(name: str) -> Any:
    raise LedgerError(f"design ledger: {name} is not a JSON number")


# -- the system ledger (what every simulation returns) --------------------------------------------


class NotEvaluated:
    """Stands in for a section a simulation does not compute; reading any field explains why."""

    __slots__ = ("_section", "_simulation")

    def __init__(self, section: str, simulation: str) -> None:
        self._section = section
        self._simulation = simulation

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        raise AttributeError(
            f"{self._simulation} does not evaluate {self._section} (asked for "
            f"{self._section}.{name}); use a simulation that does"
        )

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return f"<{self._section}: not evaluated by {self._simulation}>"


@dataclass(frozen=True)
class Performance:
    """Performance of one node on one request (or batch) of the application.

    ``latency`` is the service time of one request (ms) and ``throughput`` what the node sustains
    back to back (sample/s, token/s when decoding). The queueing fields are set by simulations
    that model a request load: ``utilization`` (fraction of time busy), ``latency_p50`` and
    ``latency_p99`` (ms, including queueing; infinite when the node is overloaded) and
    ``latency_samples_ms`` (plain floats in ms, one per simulated request, for the P99
    histogram: pint holds a sequence only over numpy, which the browser does not have).
    """

    latency: Quantity
    throughput: Quantity
    bottleneck: str
    feasible: bool
    memory_footprint: Quantity
    utilization: float | None = None
    latency_p50: Quantity | None = None
    latency_p99: Quantity | None = None
    latency_samples_ms: tuple[float, ...] | None = None


@dataclass(frozen=True)
class Sustainability:
    """Energy and operational carbon over ``horizon`` for ``nodes`` identical nodes.

    ``carbon_kg`` is a plain float in kilograms of CO2-equivalent (so ``f"{carbon_kg} kg"`` reads
    right); ``carbon`` gives it as a quantity. ``average_power`` is per node (W, duty-cycled),
    ``energy`` the total (J), ``grid_intensity`` in gCO2/kWh.
    """

    energy: Quantity
    carbon_kg: float
    average_power: Quantity
    energy_per_sample: Quantity
    grid_intensity: Quantity
    region: str
    horizon: Quantity
    nodes: int
    pue: float = 1.0

    @property
    def carbon(self) -> Quantity:
        """Operational carbon as a quantity (kgCO2, mlsys's carbon-mass unit)."""
        return Quantity(self.carbon_kg, "kgCO2")

    @property
    def carbon_kg_per_node(self) -> float:
        """Operational carbon of one node over the horizon (kg CO2e)."""
        return self.carbon_kg / self.nodes


@dataclass(frozen=True)
class Economics:
    """What the work costs over the horizon: ``cost`` (USD, all nodes), ``samples_per_dollar``
    (sample/USD) and the ``basis`` of the cost ("rental" of a cloud node per hour, or
    "electricity" for a device its owner already bought)."""

    cost: Quantity
    samples_per_dollar: Quantity
    basis: str
    samples: Quantity


@dataclass(frozen=True)
class Reliability:
    """One node against its deadline and its failures.

    ``deadline_miss_rate`` is the fraction of requests finishing after ``deadline`` while the
    node is up; ``availability`` the fraction of time it is up (MTBF / (MTBF + MTTR));
    ``effective_miss_rate`` counts a request made while the node is down as missed too.
    """

    deadline: Quantity
    deadline_miss_rate: float
    availability: float
    mtbf: Quantity
    mttr: Quantity
    effective_miss_rate: float


@dataclass(frozen=True)
class SystemLedger:
    """The universal scorecard of one evaluated choice.

    Sections: ``performance`` (always), ``sustainability``, ``economics``, ``reliability`` (a
    ``NotEvaluated`` stand-in when the simulation does not compute them). ``math`` holds the
    formula and values behind each number the simulation computed (for MathPeek); ``profile`` is
    the engine's PerformanceProfile behind ``performance``; ``choice`` the resolved inputs.
    """

    simulation: str
    application: str
    persona: str | None
    choice: Mapping[str, Any]
    performance: Performance
    sustainability: Sustainability | NotEvaluated
    economics: Economics | NotEvaluated
    reliability: Reliability | NotEvaluated
    math: Math = field(default_factory=lambda: Math({}))
    profile: Any = None

    def metrics(self) -> dict[str, Any]:
        """Every evaluated scalar as ``"section.field" -> value`` (for metric cards)."""
        result: dict[str, Any] = {}
        for section_name in ("performance", "sustainability", "economics", "reliability"):
            section = getattr(self, section_name)
            if isinstance(section, NotEvaluated):
                continue
            for item in fields(section):
                value = getattr(section, item.name)
                if value is None or item.name == "latency_samples_ms":
                    continue
                result[f"{section_name}.{item.name}"] = value
        return result

    def __repr__(self) -> str:
        return (
            f"<SystemLedger {self.simulation} of {self.application}: "
            f"latency {self.performance.latency:.3g~P}>"
        )


__all__ = [
    "SCHEMA",
    "SCHEMA_VERSION",
    "TRACKS",
    "VOLUMES",
    "ChapterRecord",
    "DesignLedger",
    "Economics",
    "LedgerError",
    "NotEvaluated",
    "Performance",
    "Reflection",
    "Reliability",
    "Sustainability",
    "SystemLedger",
]
