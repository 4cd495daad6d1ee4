"""Proofs, through the engine, that a lab can be played fairly on every track.

A valid spec can still ship a lab nobody can finish: a verdict that compares a batch size with a
latency, a right answer judged wrong, a later answer shown early, a target no setting reaches, a
lever that moves nothing. For every track (and for each way a student can start the lab: with no
ledger, or the Expert Preset's) this module plays each KAT through the same configuration logic
the lab runs (``labs.core.configuration``) and reports, at the spec's own YAML node:

- the stated configuration of each prediction solves, and a number answer lies inside the input's
  bounds in the unit the student types;
- a choice's right option is backed by the engine (its claim holds), or declared conceptual;
- no earlier KAT can show what a later KAT asks to predict (cards, instrument, math peek), at
  the later question's configuration;
- each declared target is reachable with the KAT's controls, or declared a wall and truly is one;
- every control shown offers two values, starts on its grid and moves a number the KAT shows,
  unless declared the lesson;
- text shared by every track names nothing only another track has.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pint.errors import UndefinedUnitError

from labgen.book import Chapter
from labgen.instruments import Instrument
from labgen.spec.diagnostics import DataPath, Finding
from labgen.spec.model import (
    BottleneckClaim,
    ChapterSpec,
    ChoicePrediction,
    CompareClaim,
    ConceptualClaim,
    FitsClaim,
    Kat,
    LargestClaim,
    NumberPrediction,
    PerTrack,
    SmallestClaim,
    for_track,
)
from labgen.spec.registries import default_registries
from labgen.spec.vocabulary import TRACK_TERMS
from labs.core import configuration as config
from labs.core.format import to_compact
from labs.core.labels import DEFAULT_CARD_FIELDS, SERVING_FIELDS
from mlsys import Models, Quantity, Systems, ureg
from mlsys.applications import application_of
from mlsys.ledger import TRACKS

#: Most configurations a target sweep tries per KAT and track (the grid is thinned past it).
MAX_SWEEP = 256
#: Grids this short are never thinned (a log2 slider from 1 to 1,024 has 11 steps).
SHORT_GRID = 12

#: Numbers that exist only when a design runs (times, rates, energy, the run's cost): a
#: question about one of them must state a design that fits its node. What a workload is
#: (its FLOP, intensity, checkpoint size) can be asked of any design.
RUN_FIELDS: frozenset[str] = frozenset(
    {
        "latency",
        "latency_compute",
        "latency_memory",
        "latency_overhead",
        "latency_communication",
        "latency_bubble",
        "throughput",
        "energy",
        "energy_per_sample",
        "power",
        "achieved_flops",
        "mfu",
        "scaling_efficiency",
        "goodput",
        "time_to_train",
        "training_cost",
        "run_energy",
        "carbon",
    }
)

#: Two displayed numbers count as the same answer when they agree this closely.
SAME_VALUE = 1e-6


@dataclass(frozen=True)
class Start:
    """How a student can start a KAT: the track's setting and the ledger's decisions."""

    track: str  # a track key, or "dam" in Lab 01
    label: str  # "track cloud_titan" or "track cloud_titan with the Expert Preset"
    setting: dict[str, Any]  # what labs.core.configuration calls a track
    decisions: dict[str, Any]


def _setting(model: str, system: str, inputs: Any) -> dict[str, Any]:
    values = {name: value for name, value in inputs if value is not None}
    return {"model": Models.get(model), "system": Systems.get(system), "inputs": values}


def starts(spec: ChapterSpec, chapter: Chapter) -> list[Start]:
    """Every way the KATs of ``spec`` start: each track with no ledger and with the Expert
    Preset's decisions (Volume 1); Lab 01's single D·A·M setting."""
    if spec.is_intro and spec.dam is not None:
        dam = spec.dam
        return [Start("dam", "dam", _setting(dam.model, dam.system, dam.inputs), {})]
    from labs.core.presets import expert_preset

    reads = {read.feeds: read.key for read in spec.ledger.reads if read.feeds}
    found = []
    for key, track in spec.tracks:
        setting = _setting(track.model, track.system, track.inputs)
        found.append(Start(key, f"track {key}", setting, {}))
        if reads:
            preset = expert_preset(chapter.number, key, volume=chapter.volume)
            decisions = config.ledger_inputs(preset, reads)
            if decisions:
                label = f"track {key} with the Expert Preset"
                found.append(Start(key, label, setting, decisions))
    return found


def controls_of(kat: Kat) -> list[dict[str, Any]]:
    """A KAT's controls as the lab receives them (plain data)."""
    return [control.model_dump(by_alias=True, exclude_none=True) for control in kat.controls]


def stated_overrides(prediction: Any, track: str) -> dict[str, Any]:
    """The ``at`` inputs a prediction fixes on ``track`` (empty when none)."""
    at = for_track(getattr(prediction, "at", None), track if track != "dam" else TRACKS[0])
    return {} if at is None else {k: v for k, v in at if v is not None}


def shown_fields(
    kat: Kat, instrument: Instrument | None, track: str | None = None
) -> tuple[str, ...]:
    """The profile fields a KAT shows after its prediction: its metric cards, what its
    instrument draws, the fields of its bars (of ``track`` only, when given: a track sees only
    its own) and the field its own prediction is judged against."""
    # A scorecard that names no metrics shows the kit's default cards.
    cards = kat.metrics or (DEFAULT_CARD_FIELDS if kat.instrument == "scorecard" else ())
    undeclared = instrument is None or instrument.shows is None
    # An instrument that does not say what it draws may show any quantity of the profile.
    drawn = default_registries().profile_fields if undeclared else instrument.shows
    # The target card shows the design's value of every field a bar is set on.
    bars = (
        target.field
        for target in kat.targets
        if target.field not in SERVING_FIELDS and track in (None, target.track)
    )
    fields = [*cards, *drawn, *bars]
    if isinstance(kat.prediction, NumberPrediction):
        fields.append(kat.prediction.compare_to)
    return tuple(dict.fromkeys(fields))


#: The fields of the feasibility row the kit shows beside every KAT's cards and instrument.
FEASIBILITY_ROW = ("memory_footprint", "memory_capacity")


def displayed(profile: Any, fields: Sequence[str], *, with_math: bool = True) -> list[Quantity]:
    """Every number a KAT's cards, instrument and math peek put on screen for ``profile``: the
    fields themselves and each value inside their derivations, and the feasibility row every
    KAT carries (footprint of capacity, "27.2 MB of 64 GB", with no derivation). A field the
    engine refuses on this design shows nothing (``check_controls`` reports it)."""
    names = (*fields, *FEASIBILITY_ROW)
    values = [value for name in names if (value := _field_of(profile, name)) is not None]
    math_ = profile.math if with_math else {}
    for name in fields:
        if name in math_:
            derivation = math_[name]
            values.append(derivation.result)
            values.extend(variable.value for variable in derivation.variables)
    return values


def _same(a: Quantity, b: Quantity) -> bool:
    if a.dimensionality != b.dimensionality:
        return False
    x, y = float(a.to_base_units().magnitude), float(b.to_base_units().magnitude)
    return math.isclose(x, y, rel_tol=SAME_VALUE, abs_tol=0.0) and y != 0.0


@dataclass(frozen=True)
class Question:
    """What a KAT asks on one start: the configuration (engine keywords), the numbers whose
    sight reveals the answer, and the answer itself (a quantity, an option, or None when the
    engine cannot judge it)."""

    inputs: dict[str, Any]
    reveals: tuple[tuple[str, dict[str, Any]], ...]  # (field, inputs) pairs
    answer: Any


#: How close two numbers must be for a claim that they are equal (the engine is exact; this
#: only absorbs floating-point noise and the rounding of a displayed number).
EQUAL_WITHIN = 0.01


def relation_holds(relation: str, left: Quantity, right: Quantity) -> bool:
    """Whether ``left`` relates to ``right`` as ``relation`` says (greater, less, equal within
    1 %, at_least, at_most)."""
    x = float(left.to_base_units().magnitude)
    y = float(right.to(left.units).to_base_units().magnitude)
    equal = math.isclose(x, y, rel_tol=EQUAL_WITHIN, abs_tol=1e-15)
    return {
        "greater": x > y and not equal,
        "less": x < y and not equal,
        "equal": equal,
        "at_least": x > y or equal,
        "at_most": x < y or equal,
    }[relation]


def _term_inputs(base: dict[str, Any], start: Start, at: Any) -> dict[str, Any]:
    if at is None:
        return base
    overrides = {k: v for k, v in at if v is not None}
    return config.engine_inputs(start.setting, {**_as_values(base), **overrides}, start.decisions)


def _as_values(inputs: Mapping[str, Any]) -> dict[str, Any]:
    # engine_inputs takes registry names for model and system (a cluster's node); solved
    # inputs hold the specs, and the plan and scenario the fleet parameters rebuild.
    values = {k: inputs[k] for k in _KEYWORDS if inputs.get(k) is not None}
    values["model"] = inputs["model"].name
    values["system"] = config.node_of(inputs).name
    return values


def question(kat: Kat, start: Start) -> Question | None:
    """The KAT's question on ``start``, solved by the engine (None for free text)."""
    prediction = kat.prediction
    if not isinstance(prediction, NumberPrediction | ChoicePrediction):
        return None
    inputs = config.stated_inputs(
        controls_of(kat),
        start.setting,
        start.decisions,
        stated_overrides(prediction, start.track),
    )
    if isinstance(prediction, NumberPrediction):
        profile = _solve(inputs)
        field = prediction.compare_to
        return Question(inputs, ((field, inputs),), getattr(profile, field))
    claim = prediction.claim
    if isinstance(claim, ConceptualClaim):
        return Question(inputs, (), None)
    if isinstance(claim, LargestClaim | SmallestClaim):
        mapping = claim.largest if isinstance(claim, LargestClaim) else claim.smallest
        profile = _solve(inputs)
        options = for_track(prediction.options, start.track if start.track != "dam" else TRACKS[0])
        values = {option: getattr(profile, mapping[option]) for option in options}
        pick = max if isinstance(claim, LargestClaim) else min
        best = pick(values, key=lambda option: values[option].to_base_units().magnitude)
        return Question(inputs, tuple((mapping[o], inputs) for o in options), best)
    if isinstance(claim, CompareClaim):
        left_inputs = _term_inputs(inputs, start, claim.left.at)
        right_inputs = _term_inputs(inputs, start, claim.right.at)
        left = getattr(_solve(left_inputs), claim.left.field)
        right = getattr(_solve(right_inputs), claim.right.field)
        holds = relation_holds(claim.relation, left, right)
        reveals = ((claim.left.field, left_inputs), (claim.right.field, right_inputs))
        return Question(inputs, reveals, bool(holds))
    profile = _solve(inputs)
    if isinstance(claim, FitsClaim):
        return Question(inputs, (("memory_footprint", inputs),), bool(profile.feasible))
    assert isinstance(claim, BottleneckClaim)
    reveals = (("latency_compute", inputs), ("latency_memory", inputs))
    return Question(inputs, reveals, profile.bottleneck)


# -- the proofs --------------------------------------------------------------------------------


def _where(start: Start, index: int) -> str:
    return f"{start.label}, KAT {index + 1}"


def _format(value: Any) -> str:
    if isinstance(value, Quantity):
        return f"{value.to_compact():.4g~P}"
    return repr(value)


def check_answer(kat: Kat, index: int, start: Start, asked: Question) -> Iterator[Finding]:
    """The right answer can be given: a number inside the input's bounds, in the input's unit;
    a choice whose claim the engine backs."""
    prediction = kat.prediction
    path: DataPath = ("kats", index, "prediction")
    if isinstance(prediction, NumberPrediction):
        answer = asked.answer
        unit = ureg.Unit(prediction.unit)
        if not answer.check(unit.dimensionality):
            yield Finding(
                (*path, "unit"),
                f"{_where(start, index)}: the prediction is typed in {prediction.unit!r} but "
                f"judged against {prediction.compare_to} ({answer.units:~P}); they cannot be "
                "compared",
            )
            return
        typed = answer.to(unit).magnitude
        if not prediction.min <= typed <= prediction.max:
            bound = "max" if typed > prediction.max else "min"
            yield Finding(
                (*path, bound),
                f"{_where(start, index)}: the engine's answer is {typed:.4g} {prediction.unit}, "
                f"outside the input's [{prediction.min:g}, {prediction.max:g}]: a student "
                "cannot type the right answer",
            )
        profile = _solve(asked.inputs)
        if not profile.feasible and prediction.compare_to in RUN_FIELDS:
            yield Finding(
                path,
                f"{_where(start, index)}: the question is about a design that cannot load "
                f"({_format(profile.memory_footprint)} of {_format(profile.memory_capacity)}): "
                f"its {prediction.compare_to} describes nothing that runs; state a "
                "configuration that fits (at: ...), or ask about its memory",
            )
        return
    assert isinstance(prediction, ChoicePrediction)
    claim = prediction.claim
    if isinstance(claim, ConceptualClaim):
        return
    answer = for_track(prediction.answer, start.track if start.track != "dam" else TRACKS[0])
    if isinstance(claim, LargestClaim | SmallestClaim):
        if asked.answer != answer:
            word = "largest" if isinstance(claim, LargestClaim) else "smallest"
            yield Finding(
                (*path, "answer"),
                f"{_where(start, index)}: the answer is {answer!r}, but the engine's "
                f"{word} at the stated configuration is {asked.answer!r}",
            )
    elif not asked.answer:
        yield Finding(
            (*path, "claim"),
            f"{_where(start, index)}: the claim backing {answer!r} does not hold in the "
            f"engine ({_claim_text(claim, asked)})",
        )


def _claim_text(claim: Any, asked: Question) -> str:
    if isinstance(claim, FitsClaim):
        return "the design fits" if not claim.fits else "the design does not fit"
    if isinstance(claim, BottleneckClaim):
        return f"the bottleneck is not {claim.bottleneck}"
    words = {
        "greater": "greater than",
        "less": "less than",
        "equal": "equal to",
        "at_least": "at least",
        "at_most": "at most",
    }
    return f"{claim.left.field} is not {words[claim.relation]} {claim.right.field}"


def reachable(
    kat: Kat, instrument: Instrument | None, start: Start, inputs: dict[str, Any]
) -> bool:
    """Whether the student can put KAT ``kat`` into configuration ``inputs`` with its controls
    (and its instrument's own sweep), from its starting values on ``start``."""
    controls = controls_of(kat)
    base = config.stated_inputs(controls, start.setting, start.decisions)
    free: dict[str, list[Any]] = {}
    for control in controls:
        if config.shown(control, start.setting):
            steps = config.slider_steps(
                control, start.setting, config.start_value(control, start.setting, start.decisions)
            )
            free[control["param"]] = steps
    # The instrument draws its own sweep whole (every batch size, interval or load on it).
    swept = instrument.sweeps if instrument is not None else None
    # Compared as the engine resolves them: an unset runtime is the system's default runtime,
    # an unset efficiency the node's calibrated one, an unset plan one device of each kind.
    wanted_all, have_all = resolved(inputs), resolved(base)
    for key, wanted in wanted_all.items():
        if wanted == have_all.get(key) or key == swept:
            continue
        if key not in free or wanted not in free[key]:
            return False
    return True


def resolved(inputs: Mapping[str, Any]) -> dict[str, Any]:
    """The inputs the engine actually solves for ``inputs`` (defaults filled in; model, system
    and runtime by name), so that two ways of writing one configuration compare equal."""
    profile = _solve(inputs)
    if inputs.get("parallelism") is not None:
        return _resolved_fleet(profile)
    solved = profile.inputs
    return {
        "model": solved.model.name,
        "system": solved.system.name,
        "batch_size": solved.batch_size,
        "precision": solved.precision,
        "efficiency": solved.efficiency,
        "seq_len": solved.seq_len,
        "phase": solved.phase,
        "runtime": solved.runtime.name,
    }


def _resolved_fleet(report: Any) -> dict[str, Any]:
    """``resolved`` for a step on a cluster: the node's inputs, the plan, the fabric and the
    run's scenario as the report holds them."""
    step, plan, scenario = report.step, report.parallelism, report.scenario
    cluster = step.system
    return {
        "model": step.model.name,
        "system": cluster.node.name,
        "batch_size": step.batch_size,
        "precision": step.precision,
        "efficiency": step.efficiency,
        "seq_len": step.seq_len,
        "phase": step.phase,
        "runtime": step.inputs.node.runtime.name,
        "dp": plan.dp,
        "tp": plan.tp,
        "pp": plan.pp,
        "microbatches": plan.microbatches,
        "zero": plan.zero,
        "fabric": cluster.scale_out.name,
        # Every other fleet parameter is a field of the run's scenario, under its own name.
        **{key: getattr(scenario, key) for key in config.SCENARIO_KEYWORDS},
    }


def check_reveals(
    kats: Sequence[Kat],
    instruments: Mapping[str, Instrument],
    start: Start,
    questions: Sequence[Question | None],
) -> Iterator[Finding]:
    """No KAT shows a number that a later KAT asks the student to predict: neither at the later
    question's own configuration (cards, instrument, math peek), nor anywhere its controls
    reach when the number does not depend on what differs (a footprint the node choice leaves
    unchanged)."""
    sweeps = _Sweeps(start)
    for later, asked in enumerate(questions):
        if asked is None or not asked.reveals:
            continue
        for earlier in range(later):
            kat = kats[earlier]
            instrument = instruments.get(kat.instrument)
            shown = _shown_at_question(kat, instrument, start, asked)
            if shown is None and len(asked.reveals) == 1:
                # One number asked: seeing it anywhere gives it away. A comparison's numbers
                # give nothing away unless seen at their own configurations (above).
                shown = _shown_anywhere(kat, instrument, asked, sweeps)
            if shown is not None:
                field, value = shown
                yield Finding(
                    ("kats", earlier, "metrics" if kat.metrics else "instrument"),
                    f"{_where(start, earlier)} shows {field} = {_format(value)} (cards, "
                    f"instrument or math peek), which KAT {later + 1} asks the student to "
                    "predict: show it later or ask about another configuration",
                )
                break


def _shown_at_question(
    kat: Kat, instrument: Instrument | None, start: Start, asked: Question
) -> tuple[str, Quantity] | None:
    """What the KAT shows of the question's numbers when set to the question's configuration,
    if every number of the question is on its page there."""
    fields = shown_fields(kat, instrument, start.track)
    peeks = instrument is None or instrument.peeks_profile
    shown_value = None
    for field, inputs in asked.reveals:
        if not reachable(kat, instrument, start, inputs):
            return None
        profile = _solve(inputs)
        target = getattr(profile, field)
        if not any(_same(value, target) for value in displayed(profile, fields, with_math=peeks)):
            return None
        shown_value = (field, target)
    return shown_value


#: Settings of an earlier KAT tried when looking for a number that does not move with them.
MAX_REVEAL_SWEEP = 64


class _Sweeps:
    """The feasible profiles each KAT's controls reach on one start, solved once."""

    def __init__(self, start: Start) -> None:
        self.start = start
        self._cache: dict[int, list[Any]] = {}

    def of(self, kat: Kat) -> list[Any]:
        """Profiles of the KAT over a thinned grid of its controls."""
        key = id(kat)
        if key not in self._cache:
            designs = _designs(kat, self.start, MAX_REVEAL_SWEEP)
            self._cache[key] = [profile for profile, _ in designs]
        return self._cache[key]


def _designs(kat: Kat, start: Start, limit: int) -> list[tuple[Any, dict[str, Any]]]:
    """``(profile, inputs)`` of every setting of the KAT's controls on ``start`` (a grid
    thinned to about ``limit``) that the engine solves."""
    return list(_solved_designs(kat, start, limit))


def _solved_designs(kat: Kat, start: Start, limit: int) -> Iterator[tuple[Any, dict[str, Any]]]:
    """``_designs``, one at a time, so a search can stop at the first design that answers."""
    controls = controls_of(kat)
    base = config.starting_values(controls, start.setting, start.decisions)
    for values in _sweep(controls, start, limit):
        inputs, key = _configured(start, {**base, **values})
        try:
            yield _solve(inputs, key), inputs
        except ValueError:
            continue


class _LazyDesigns:
    """The feasible designs of a KAT's sweep, solved only as far as a search reads them and
    then remembered: proving a bar reachable stops at the first design that meets it; only a
    bar nobody meets (or a declared wall) solves the whole grid."""

    def __init__(self, kat: Kat, start: Start, limit: int) -> None:
        self._pending = (d for d in _solved_designs(kat, start, limit) if d[0].feasible)
        self._seen: list[tuple[Any, dict[str, Any]]] = []

    def __iter__(self) -> Iterator[tuple[Any, dict[str, Any]]]:
        position = 0
        while True:
            if position < len(self._seen):
                yield self._seen[position]
                position += 1
                continue
            design = next(self._pending, None)
            if design is None:
                return
            self._seen.append(design)

    def all(self) -> list[tuple[Any, dict[str, Any]]]:
        """Every feasible design of the sweep (solving the rest)."""
        return list(self)


def _shown_anywhere(
    kat: Kat, instrument: Instrument | None, asked: Question, sweeps: _Sweeps
) -> tuple[str, Quantity] | None:
    """A question number the KAT shows as a card or instrument field at some setting of its
    controls (only fields it shows by name are swept: derivations are proven at the question's
    configuration)."""
    fields = set(shown_fields(kat, instrument)) | set(FEASIBILITY_ROW)
    wanted = []
    for field, inputs in asked.reveals:
        if field not in fields:
            return None
        wanted.append((field, getattr(_solve(inputs), field)))
    profiles = sweeps.of(kat)
    for field, target in wanted:
        if not any(_same(getattr(profile, field), target) for profile in profiles):
            return None
    return wanted[-1]


def _bar(target: Any) -> tuple[Quantity, str]:
    text = target.at_most if target.at_most is not None else target.at_least
    direction = "at_most" if target.at_most is not None else "at_least"
    return ureg.Quantity(text), direction


def _sweep(
    controls: list[dict[str, Any]], start: Start, limit: int = MAX_SWEEP
) -> Iterator[dict[str, Any]]:
    """Settings of the controls shown on the start's track: every combination of their grids,
    thinned evenly (ends kept) to about ``limit``."""
    grids = []
    for control in controls:
        if config.shown(control, start.setting):
            begin = config.start_value(control, start.setting, start.decisions)
            grids.append((control["param"], config.slider_steps(control, start.setting, begin)))
    # Short grids (a dropdown, a log2 slider) are kept whole: thinning 7 powers of two to 4
    # drops the one design that fits. Long linear sliders share what the budget leaves.
    short = [len(values) for _, values in grids if len(values) <= SHORT_GRID]
    long = [len(values) for _, values in grids if len(values) > SHORT_GRID]
    budget = max(1.0, limit / math.prod(short)) if short else float(limit)
    total = math.prod(long) if long else 1
    stride = max(1, math.ceil((total / budget) ** (1 / max(1, len(long)))))
    thinned = [
        (param, values if len(values) <= SHORT_GRID else values[::stride] + values[-1:])
        for param, values in grids
    ]
    for combo in itertools.product(*(values for _, values in thinned)):
        yield dict(zip((param for param, _ in thinned), combo, strict=True))


def check_targets(kat: Kat, index: int, start: Start) -> Iterator[Finding]:
    """Each target of the start's track is met by some setting of the KAT's controls, unless
    declared a wall (and then none may meet it)."""
    if start.track == "dam":
        return
    mine = [(p, t) for p, t in enumerate(kat.targets) if t.track == start.track]
    if not mine:
        return
    # One sweep serves every target of the track: feasible designs only, solved as far as
    # the searches need.
    designs = _LazyDesigns(kat, start, MAX_SWEEP)
    for position, target in mine:
        bar, direction = _bar(target)
        path: DataPath = ("kats", index, "targets", position)
        if target.field in SERVING_FIELDS:
            problem = _serving_target_problem(kat, target, direction)
            if problem:
                yield Finding((*path, "field"), f"{_where(start, index)}: {problem}")
                continue
            best = _best_p99(designs.all(), start.track, bar)
        elif target.wall is None and _any_meets(designs, target.field, direction, bar):
            continue  # reachable: no need to know the best design
        else:
            best = _best_field(designs.all(), target.field, direction, bar)
        met = best is not None and (best <= bar if direction == "at_most" else best >= bar)
        if met and target.wall is not None:
            yield Finding(
                (*path, "wall"),
                f"{_where(start, index)}: declared a wall, but the controls reach "
                f"{target.field} = {_format(best)} against the bar {_format(bar)}",
            )
        elif not met and target.wall is None:
            reached = "no setting fits the node" if best is None else f"the best is {_format(best)}"
            yield Finding(
                path,
                f"{_where(start, index)}: no setting of the KAT's controls brings "
                f"{target.field} {direction.replace('_', ' ')} {_format(bar)} ({reached}); "
                "widen the controls, or declare the wall as the lesson",
            )
    if kat.launch and not any(target.wall for _, target in mine):
        yield from _check_launch(kat, index, start, designs, [t for _, t in mine])


def _any_meets(designs: _LazyDesigns, field: str, direction: str, bar: Quantity) -> bool:
    """Whether some design meets ``bar`` on ``field`` (searching no further than the first)."""
    return any(_passes_all(profile, [(field, bar, direction)]) for profile, _ in designs)


@lru_cache(maxsize=256)
def _factor(source: Any, target: Any) -> float:
    """What pint multiplies a magnitude in ``source`` units by to express it in ``target``
    units (its own conversion, read once per pair: a sweep compares thousands of designs)."""
    return float(ureg.Quantity(1.0, source).to(target).magnitude)


def _passes_all(profile: Any, bars: Sequence[tuple[str, Quantity, str]]) -> bool:
    """Whether one design meets every bar (field, bar, direction) at once."""
    for field, bar, direction in bars:
        quantity = _field_of(profile, field)
        if quantity is None:
            return False
        value = quantity.magnitude * _factor(quantity.units, bar.units)
        if not (value <= bar.magnitude if direction == "at_most" else value >= bar.magnitude):
            return False
    return True


def _check_launch(
    kat: Kat,
    index: int,
    start: Start,
    designs: Iterable[tuple[Any, dict[str, Any]]],
    guardrails: Sequence[Any],
) -> Iterator[Finding]:
    """A launch review can say GO: one setting of the KAT's controls meets every guardrail of
    the track at once (each reachable alone is not enough: the levers pull against each
    other)."""
    bars = [(t.field, *_bar(t)) for t in guardrails]
    if any(_passes_all(profile, bars) for profile, _ in designs):
        return
    names = ", ".join(field for field, _, _ in bars)
    yield Finding(
        ("kats", index, "launch"),
        f"{_where(start, index)}: no single setting of the KAT's controls passes every "
        f"guardrail at once ({names}); the launch can never say GO: widen the controls, "
        "loosen a bar, or declare the failing guardrail a wall",
    )


def _best_field(
    designs: Sequence[tuple[Any, dict[str, Any]]], field: str, direction: str, bar: Quantity
) -> Quantity | None:
    """The best value of a profile field over the designs (lowest for at_most), in the bar's
    unit; None when no design fits the node."""
    values = [value for profile, _ in designs if (value := _field_of(profile, field)) is not None]
    if not values:
        return None
    # Compared as plain numbers in the field's own unit: one conversion, not one per point.
    unit = values[0].units
    pick = min if direction == "at_most" else max
    best = Quantity(pick(value.to(unit).magnitude for value in values), unit)
    return best.to(bar.units)


def _field_of(profile: Any, field: str) -> Quantity | None:
    """A design's value of ``field``, or None when the engine refuses to compute it there (a
    serving number of a plan with one replica split into prefill and decode): such a design
    meets no bar on that field."""
    try:
        return getattr(profile, field)
    except ValueError:
        return None


def _serving_target_problem(kat: Kat, target: Any, direction: str) -> str | None:
    if kat.instrument != "p99_histogram":
        return (
            f"a bar on {target.field} needs the serving simulation, which only the "
            "p99_histogram instrument runs in this KAT"
        )
    if direction != "at_most":
        return f"a bar on {target.field} is an upper bound (at_most)"
    return None


def _best_p99(
    designs: Sequence[tuple[Any, dict[str, Any]]], track: str, bar: Quantity
) -> Quantity | None:
    """The lowest P99 the serving simulation gives over the designs, searched cheapest first
    and stopping once one meets ``bar``; a design whose P99 floor (``_p99_floor``) is above the
    bar cannot meet it, so it is not simulated. None when no design is left to try."""
    rate = application_of(track).rate.to("1/s").magnitude
    hopeful = sorted(
        (d for d in designs if _p99_floor(d[0], rate) <= bar.to("s").magnitude),
        key=lambda d: d[0].latency.magnitude,
    )
    best = None
    for _, inputs in hopeful:
        p99 = _simulated_p99(track, _key(inputs)).to(bar.units)
        if best is None or p99 < best:
            best = p99
        if p99 <= bar:
            break
    if best is None and designs:
        # Every design is slower than the bar: its fastest batch bounds the P99 from below.
        best = min(profile.latency for profile, _ in designs).to(bar.units)
    return best


#: The scalar keywords that name one configuration: the engine's and the fleet's.
_KEYWORDS: tuple[str, ...] = (*config.ENGINE_KEYWORDS, *config.FLEET_KEYWORDS)
assert _KEYWORDS[:2] == ("model", "system"), "_key names these two first"


def _key(inputs: Mapping[str, Any]) -> tuple[Any, ...]:
    """``inputs`` as a hashable key (model and node by name, the fleet by its parameters)."""
    named = (inputs["model"].name, config.node_of(inputs).name)
    return named + tuple(map(inputs.get, _KEYWORDS[2:]))


#: Share of the P99 floor of a static batch trusted when deciding not to simulate a design:
#: the floor holds for the true distribution, and 20,000 simulated requests sit within a few
#: per cent of it.
P99_FLOOR_MARGIN = 0.9


def _p99_floor(profile: Any, rate: float) -> float:
    """A lower bound on a design's P99 (s) under static batching at ``rate`` arrivals per
    second: every request waits for its batch's service time, and the first request of each
    batch of ``b`` (a share ``1/b`` of all requests) also waits for the next arrival, an
    exponential gap, so P(response > S + t) >= e^(-rate t) / b and the P99 is at least
    S + ln(100 / b) / rate for b < 100."""
    service = profile.latency.to("s").magnitude
    batch = profile.batch_size
    if not 2 <= batch < 100 or rate <= 0:
        return service
    return service + P99_FLOOR_MARGIN * math.log(100 / batch) / rate


#: Most profiles ``_solve`` keeps (it starts afresh past it).
MAX_SOLVED = 65536
#: ``_key -> profile`` of every configuration solved in this process (see ``_solve``).
_SOLVED: dict[tuple[Any, ...], Any] = {}


def _from_key(key: tuple[Any, ...]) -> dict[str, Any]:
    """The engine keywords a ``_key`` stands for (model, node and fleet built again)."""
    values = {k: v for k, v in zip(_KEYWORDS, key, strict=True) if v is not None}
    setting = {"model": Models.get(key[0]), "system": Systems.get(key[1]), "inputs": {}}
    return config.engine_inputs(setting, values)


def _solve(inputs: Mapping[str, Any], key: tuple[Any, ...] | None = None) -> Any:
    """``Engine.solve`` on ``inputs``, once per configuration: the proofs of one spec meet the
    same design from several starts and KATs, and a profile never changes. ``key`` is
    ``_key(inputs)`` when the caller already has it. The keywords come from
    ``config.engine_inputs``, so they are what ``_from_key(key)`` would build again: they are
    solved as they are."""
    key = _key(inputs) if key is None else key
    found = _SOLVED.get(key)
    if found is None:
        found = config.solve_inputs(inputs)  # a ValueError is raised again on the next call
        if len(_SOLVED) >= MAX_SOLVED:
            _SOLVED.clear()
        _SOLVED[key] = found
    return found


def solved_count() -> int:
    """How many configurations ``_solve`` holds (the benchmark's count of engine solves)."""
    return len(_SOLVED)


def forget_solved() -> None:
    """Empty the proofs' memories of solved profiles and built configurations (so that a
    benchmark measures the proofs cold)."""
    _SOLVED.clear()
    _CONFIGURED.clear()
    _START_IDS.clear()
    _simulated_p99.cache_clear()


#: Most configurations ``_configured`` remembers (it starts afresh past it).
MAX_CONFIGURED = 65536
#: ``(start, the controls' values) -> (engine keywords, their _key)``: see ``_configured``.
_CONFIGURED: dict[tuple[Any, ...], tuple[dict[str, Any], tuple[Any, ...]]] = {}
#: ``id(start) -> (start, what identifies its setting and decisions)``; the start is held so
#: that its id is not reused while the entry lives.
_START_IDS: dict[int, tuple[Start, tuple[Any, ...]]] = {}


def _frozen(mapping: Mapping[str, Any]) -> tuple[tuple[str, type, Any], ...]:
    # Typed, so that 1, 1.0 and True stay three settings; TypeError for an unhashable value.
    frozen = tuple(sorted(((k, type(v), v) for k, v in mapping.items()), key=lambda i: i[0]))
    hash(frozen)
    return frozen


def _start_identity(start: Start) -> tuple[Any, ...]:
    """What ``engine_inputs`` reads of a start: its model and system (by registry name, as
    ``_key`` names them), its track's fixed inputs and the ledger's decisions."""
    held = _START_IDS.get(id(start))
    if held is not None and held[0] is start:
        return held[1]
    setting = start.setting
    identity = (
        setting["model"].name,
        setting["system"].name,
        _frozen(setting.get("inputs", {})),
        _frozen(start.decisions),
    )
    _START_IDS[id(start)] = (start, identity)
    return identity


def _configured(start: Start, values: Mapping[str, Any]) -> tuple[dict[str, Any], tuple[Any, ...]]:
    """``config.engine_inputs(start.setting, values, start.decisions)`` and its ``_key``, built
    once per configuration: a sweep meets the same setting of the controls from each KAT,
    proof and start, and building the fleet's cluster, plan and scenario again costs more than
    solving a cached design. The keywords returned are shared: read them, never change them."""
    try:
        memo = (_start_identity(start), _frozen(values))
        found = _CONFIGURED.get(memo)
    except TypeError:  # a value that cannot be hashed: built every time
        inputs = config.engine_inputs(start.setting, values, start.decisions)
        return inputs, _key(inputs)
    if found is None:
        if len(_CONFIGURED) >= MAX_CONFIGURED:
            _CONFIGURED.clear()
            _START_IDS.clear()
        inputs = config.engine_inputs(start.setting, dict(values), start.decisions)
        found = _CONFIGURED[memo] = (inputs, _key(inputs))
    return found


@lru_cache(maxsize=4096)
def _simulated_p99(track: str, key: tuple[Any, ...]) -> Quantity:
    """The serving simulation's P99 for one design (each is seeded and deterministic, and one
    takes tens of milliseconds: a design met again, from another start, is not simulated
    again)."""
    return config.serving_for(track, _from_key(key)).performance.latency_p99


def check_controls(
    kat: Kat, index: int, start: Start, instrument: Instrument | None
) -> Iterator[Finding]:
    """Every control shown on the track offers two values, starts on its grid, and moves a
    number the KAT shows (unless declared the lesson); the KAT has a control to act on."""
    controls = controls_of(kat)
    visible = [c for c in controls if config.shown(c, start.setting)]
    if not visible:
        yield Finding(
            ("kats", index, "controls"),
            f"{_where(start, index)}: no control offers two values on this track: the student "
            "has nothing to act on",
        )
        return
    if instrument is None or instrument.shows is None:
        return  # what a plugin's instrument draws is not declared: nothing to prove against
    fields = shown_fields(kat, instrument, start.track)
    base_values = config.starting_values(controls, start.setting, start.decisions)
    base = _solve(*_configured(start, base_values))
    for field in fields:
        try:
            getattr(base, field)
        except ValueError as error:
            yield Finding(
                ("kats", index, "metrics"),
                f"{_where(start, index)}: this KAT shows {field}, which the engine cannot "
                f"compute on this track ({error}); show it only where it exists",
            )
            return
    before = [getattr(base, field) for field in fields]
    for position, control in enumerate(controls):
        if control not in visible:
            continue
        path: DataPath = ("kats", index, "controls", position)
        begin = config.start_value(control, start.setting, start.decisions)
        if "options" not in control and start.decisions.get(control["param"]) is None:
            steps = config.grid(control, start.setting)
            if begin not in steps:
                yield Finding(
                    (*path, "default"),
                    f"{_where(start, index)}: {control['param']} starts at {begin!r}, off the "
                    "slider's steps: the student can never return to it",
                )
        if control.get("lesson"):
            continue
        moves = False
        for value in config.grid(control, start.setting):
            if value == begin:
                continue
            inputs, key = _configured(start, {**base_values, control["param"]: value})
            try:
                profile = _solve(inputs, key)
            except ValueError:
                continue
            # Field by field: the first number that moves settles it.
            if any(not _same(getattr(profile, f), b) for f, b in zip(fields, before, strict=True)):
                moves = True
                break
        if not moves:
            yield Finding(
                (*path, "param"),
                f"{_where(start, index)}: moving {control['param']} changes none of the numbers "
                f"this KAT shows ({', '.join(fields)}); hide it on this track or declare it "
                "the lesson (lesson: ...)",
            )


def _texts(kat: Kat) -> Iterator[tuple[DataPath, Any]]:
    prediction = kat.prediction
    yield ("prediction", "prompt"), prediction.prompt
    if isinstance(prediction, ChoicePrediction):
        yield ("prediction", "options"), prediction.options
        yield ("prediction", "answer"), prediction.answer
    yield ("reflection", "prompt"), kat.reflection.prompt


def _mentions(text: str, term: str) -> bool:
    if term.isupper():
        return re.search(rf"(?<![A-Za-z]){re.escape(term)}(?![A-Za-z])", text) is not None
    return re.search(rf"(?<![A-Za-z]){re.escape(term)}", text, re.IGNORECASE) is not None


def check_track_text(spec: ChapterSpec) -> Iterator[Finding]:
    """Text shared by every track names nothing only another track has (write it per track);
    Lab 01's KATs come before the track choice, so their text is never per track."""
    for index, kat in enumerate(spec.kats):
        for where, value in _texts(kat):
            path: DataPath = ("kats", index, *where)
            if isinstance(value, PerTrack):
                if spec.is_intro:
                    yield Finding(
                        path,
                        f"KAT {index + 1}: Lab 01's KATs come before the track choice; "
                        "their text cannot differ per track",
                    )
                continue
            if spec.is_intro:
                continue
            text = " ".join(value) if isinstance(value, list) else value
            for owner, terms in TRACK_TERMS.items():
                for term in terms:
                    if _mentions(text, term):
                        yield Finding(
                            path,
                            f"KAT {index + 1}: text shared by every track mentions "
                            f"{term!r}, which only {owner} has; write it per track "
                            f"({owner}: ..., others: ...)",
                        )
                        break


def _prose_before(spec: ChapterSpec, track: str, later: int) -> Iterator[tuple[DataPath, str]]:
    """Every text a student on ``track`` can read before KAT ``later`` (0-based) is answered:
    the overview, the track's briefing, the earlier KATs' words, the question itself, and the
    questions of the KATs after it (every prediction is on the page from the start; only the
    tasks behind them stay locked)."""
    yield ("objectives",), " ".join(spec.objectives)
    yield ("invariants",), " ".join(f"{i.name} {i.statement}" for i in spec.invariants)
    yield ("struggle",), f"{spec.struggle.summary} {spec.struggle.gain} {spec.struggle.cost}"
    if not spec.is_intro:
        own = getattr(spec.tracks, track)
        for name in ("scenario", "nemesis", "stakeholder_prompt"):
            yield ("tracks", track, name), getattr(own, name)
    elif spec.dam is not None:
        yield ("dam",), f"{spec.dam.data} {spec.dam.algorithm} {spec.dam.machine}"
    for index, kat in enumerate(spec.kats[: later + 1]):
        for where, value in _texts(kat):
            if index == later and where[0] == "reflection":
                continue  # the reflection unlocks with the answer
            text = for_track(value, track if track != "dam" else TRACKS[0])
            yield ("kats", index, *where), " ".join(text) if isinstance(text, list) else text
    for index, kat in enumerate(spec.kats[later + 1 :], start=later + 1):
        for where, value in _texts(kat):
            if where[0] != "prediction":
                continue  # a later reflection unlocks only after its own prediction
            text = for_track(value, track if track != "dam" else TRACKS[0])
            yield ("kats", index, *where), " ".join(text) if isinstance(text, list) else text


#: A number and the unit after it, as prose writes them ("about 18.5 ms", "1,024 GB").
_QUANTITY_IN_TEXT = re.compile(r"(?<![\w.,])(\d[\d,]*(?:\.\d+)?)\s?([A-Za-zµ][A-Za-z/µ]*)")
#: A number in the text this close to the answer would be judged right if typed: a leak.
LEAK_WITHIN = 0.01


def _close_quantity(text: str, dimensions: Any, target: float) -> str | None:
    """The first quantity written in ``text`` with the answer's ``dimensions`` and within 1 %
    of its ``target`` magnitude in base units (a rounded "about 18.5 ms" for 18.32 ms), or
    None."""
    for found, magnitude, written in _quantities_in(text):
        if written == dimensions and math.isclose(magnitude, target, rel_tol=LEAK_WITHIN):
            return found
    return None


def _states(text: str, spelling: str) -> bool:
    r"""Whether ``text`` writes ``spelling`` as a whole number: not the tail of another ("5 MB"
    is not in "1.5 MB") nor the head of a longer word (the regex ``(?<![\d.,])s(?!\w)``,
    without compiling one per spelling)."""
    at = text.find(spelling)
    while at >= 0:
        before = text[at - 1] if at else ""
        end = at + len(spelling)
        after = text[end] if end < len(text) else ""
        if not (before and (before.isdecimal() or before in ".,")) and not (
            after and (after.isalnum() or after == "_")
        ):
            return True
        at = text.find(spelling, at + 1)
    return False


#: Words after a number that pint does not know as units ("GPUs", "of"), learnt as met.
_NOT_UNITS: set[str] = set()


@lru_cache(maxsize=4096)
def _quantities_in(text: str) -> tuple[tuple[str, float, Any], ...]:
    """Every dimensioned quantity written in ``text``: (as written, magnitude in base units,
    dimensionality). Each text is parsed once: the proofs read it for every question."""
    found = []
    for match in _QUANTITY_IN_TEXT.finditer(text):
        number, unit = match.groups()
        if unit in _NOT_UNITS:
            continue
        try:
            value = ureg.Quantity(float(number.replace(",", "")), unit).to_base_units()
        except Exception as error:  # pint refuses words that are not units ("GPUs", "of")
            if isinstance(error, UndefinedUnitError):
                _NOT_UNITS.add(unit)  # refused once, refused always: not asked again
            continue
        if not value.dimensionless:
            found.append((match.group(0), float(value.magnitude), value.dimensionality))
    return tuple(found)


def _spellings(answer: Quantity, unit: str) -> set[str]:
    """How the answer would read in prose: in the prediction's unit and in readable units, at
    three and four significant figures."""
    spellings = set()
    for shown in (answer.to(ureg.Unit(unit)), to_compact(answer)):
        for digits in (3, 4):
            number = f"{float(shown.magnitude):.{digits}g}"
            if "e" in number:
                continue
            spellings.add(f"{number} {shown.units:~P}")
    return spellings


def check_prose(
    spec: ChapterSpec, start: Start, questions: Sequence[Question | None]
) -> Iterator[Finding]:
    """No text a student reads before a number prediction states its answer (the number with
    its unit, as the engine gives it)."""
    track = start.track
    for later, asked in enumerate(questions):
        prediction = spec.kats[later].prediction
        if asked is None or not isinstance(prediction, NumberPrediction):
            continue
        # Sorted: the spelling a message quotes does not depend on the process's hash seed.
        spellings = sorted(_spellings(asked.answer, prediction.unit))
        dimensions = asked.answer.dimensionality
        target = float(asked.answer.to_base_units().magnitude)
        for path, text in _prose_before(spec, track, later):
            found = next(
                (spelling for spelling in spellings if _states(text, spelling)), None
            ) or _close_quantity(text, dimensions, target)
            if found is not None:
                yield Finding(
                    path,
                    f"{_where(start, later)}: this text says {found!r}, the answer KAT "
                    f"{later + 1} asks the student to predict",
                )
                break


def check_pedagogy(
    spec: ChapterSpec, chapter: Chapter, instruments: Mapping[str, Instrument]
) -> Iterator[Finding]:
    """Every proof above, for every start of every KAT (see the module docstring)."""
    yield from check_track_text(spec)
    kats = list(spec.kats)
    for start in starts(spec, chapter):
        questions: list[Question | None] = []
        for index, kat in enumerate(kats):
            instrument = instruments.get(kat.instrument)
            try:
                asked = question(kat, start)
            except ValueError as error:
                yield Finding(
                    ("kats", index, "prediction"),
                    f"{_where(start, index)}: the stated configuration does not solve: {error}",
                )
                asked = None
            questions.append(asked)
            if asked is not None:
                yield from check_answer(kat, index, start, asked)
            yield from check_controls(kat, index, start, instrument)
            yield from check_targets(kat, index, start)
        yield from check_reveals(kats, instruments, start, questions)
        yield from check_prose(spec, start, questions)


def lab_start(spec: ChapterSpec, chapter: Chapter, track: str) -> Start:
    """The start a lab opens with on ``track`` before any upload: the Expert Preset's decisions
    where the lab reads the ledger (what ``LedgerPanel`` resolves to), else none."""
    candidates = [s for s in starts(spec, chapter) if s.track in (track, "dam")]
    return candidates[-1]


def as_typed(number: float) -> str:
    """``number`` as a student types it into a prediction box: six significant figures in plain
    digits ("6409790", "0.000545189"), never "6.40979e+06", which marimo's number box does not
    take."""
    if not number:
        return "0"
    digits = max(0, 5 - math.floor(math.log10(abs(number))))
    return f"{round(number, digits):.{digits}f}"


def typed_answers(spec: ChapterSpec, chapter: Chapter, track: str) -> dict[int, Any]:
    """What a student who knows the engine's answer types into each KAT on ``track`` (1-based
    KAT number -> a number in the prediction's unit, or the right option); free-text KATs are
    left out."""
    start = lab_start(spec, chapter, track)
    typed: dict[int, Any] = {}
    for index, kat in enumerate(spec.kats, start=1):
        prediction = kat.prediction
        if isinstance(prediction, NumberPrediction):
            asked = question(kat, start)
            assert asked is not None
            typed[index] = float(asked.answer.to(prediction.unit).magnitude)
        elif isinstance(prediction, ChoicePrediction):
            typed[index] = for_track(prediction.answer, track)
    return typed
