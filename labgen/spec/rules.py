"""Rules that relate several values of one spec, each reported at the exact YAML node.

Each rule takes the parts it needs (already validated by ``labgen.spec.model``) and yields
``Finding`` values. KATs are passed one by one, ``None`` for a KAT that failed the model, so one
broken KAT or section never hides the problems of the others.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from typing import Any

from pint.errors import PintError

import mlsys
from labgen.book import SLUGS_BY_VOLUME, Chapter, UnknownChapterError
from labgen.book import chapter as book_chapter
from labgen.spec.diagnostics import DataPath, Finding
from labgen.spec.engine_inputs import BY_NAME, FLEET_PARAMS, TRACK_OWN_PARAMS
from labgen.spec.inputs import Setting, StartProblem, kat_start, solve
from labgen.spec.model import (
    MAX_CHAPTER_NUMBER,
    ChoiceControl,
    ChoicePrediction,
    Dam,
    IntegerControl,
    Kat,
    Ledger,
    NumberPrediction,
    for_track,
    is_per_track,
)
from labgen.spec.registries import Registries, suggestion, unknown_name
from labgen.spec.units import parse_unit, unit_problem
from mlsys.ledger import TRACKS

#: Most positions a slider may have (a guard against absurd ranges, not a design limit).
MAX_SLIDER_POSITIONS = 1_000_000


# -- chapter -----------------------------------------------------------------------------------


def chapter_from_raw(raw: Any) -> tuple[Chapter | None, Finding | None]:
    """The book chapter named by a spec's raw ``chapter`` mapping, read even when other fields
    of it are broken, and a finding when its volume and number name no chapter."""
    if not isinstance(raw, dict):
        return None, None
    volume, number = raw.get("volume"), raw.get("number")
    if type(volume) is not int or type(number) is not int or volume not in SLUGS_BY_VOLUME:
        return None, None  # the model reports the wrong type or volume
    if not 1 <= number <= MAX_CHAPTER_NUMBER:
        return None, None  # the model reports a number no volume has
    try:
        return book_chapter(volume, number), None
    except UnknownChapterError as error:
        return None, Finding(("chapter", "number"), str(error))


def check_chapter(found: Chapter, slug: Any, file_parts: Sequence[str]) -> Iterator[Finding]:
    """The slug is the chapter's slug in the master list, and the file is saved as
    ``vol<V>/ch<NN>_<slug>.yaml`` (``file_parts``: the file path's parts)."""
    if isinstance(slug, str) and slug != found.slug:
        yield Finding(
            ("chapter", "slug"),
            f"Volume {found.volume} chapter {found.number} is {found.slug!r} in the master "
            f"list (labgen/book.py), not {slug!r}",
        )
    expected = tuple(found.spec_path.parts[-2:])
    if tuple(file_parts[-2:]) != expected:
        shown = "/".join(file_parts[-2:])
        yield Finding(
            ("chapter",),
            f"this spec is {found.key} ({found.slug}) and must be saved as "
            f"{'/'.join(expected)} under the chapters folder, not {shown}",
            at_key=True,
        )


def check_dam(chapter: Chapter, dam: Dam | None, has_dam_key: bool) -> Iterator[Finding]:
    """Lab 01 of Volume 1 has a ``dam`` section (D·A·M before the track choice); no other lab
    does."""
    intro = (chapter.volume, chapter.number) == (1, 1)
    if intro and dam is None and not has_dam_key:
        yield Finding(
            ("chapter",),
            "Lab 01 explores the D·A·M fundamentals before the track choice: add a 'dam' "
            "section (data, algorithm, machine, model, system)",
            at_key=True,
        )
    if not intro and has_dam_key:
        yield Finding(("dam",), "only Lab 01 (v1ch01) has a 'dam' section", at_key=True)


# -- instruments -------------------------------------------------------------------------------


def check_instruments(
    chapter: Chapter, instruments: Sequence[str], kats: Sequence[Kat | None], registries: Registries
) -> Iterator[Finding]:
    """Instruments appear only from their unlock chapter on; every KAT observes a declared
    instrument and every declared instrument is observed by some KAT."""
    for index, name in enumerate(instruments):
        instrument = registries.instruments.get(name)
        if instrument is not None and chapter.volume == 2 and not instrument.fleet:
            yield Finding(
                ("instruments", index),
                f"instrument {name!r} models one node; a Volume 2 lab works on a cluster "
                "(choose one that draws a fleet: see labgen/instruments.py)",
            )
            continue
        if instrument is None or instrument.unlocked_in(chapter):
            continue
        unlock = book_chapter(instrument.unlock_volume, instrument.unlock_chapter)
        yield Finding(
            ("instruments", index),
            f"instrument {name!r} unlocks in Volume {unlock.volume} chapter {unlock.number} "
            f"({unlock.slug}); this is chapter {chapter.number}, and labs never use an "
            "instrument before the book introduces it",
        )
    if any(name not in registries.instruments for name in instruments):
        return  # a misspelt declaration is reported by the model; guessing what it meant is not
    observed = {kat.instrument for kat in kats if kat is not None}
    for index, kat in enumerate(kats):
        if kat is not None and kat.instrument not in instruments:
            hint = suggestion(kat.instrument, instruments)
            yield Finding(
                ("kats", index, "instrument"),
                f"KAT {index + 1} observes {kat.instrument!r}, which is not declared in "
                f"instruments{hint}",
            )
    if None in kats:
        return  # an invalid KAT may be the one that observes it
    for index, name in enumerate(instruments):
        if name not in observed and registries.instruments[name].unlocked_in(chapter):
            yield Finding(
                ("instruments", index), f"instrument {name!r} is declared but no KAT observes it"
            )


# -- KATs on their own -------------------------------------------------------------------------


def _parse_unit(text: str) -> Any:
    # Only called on text _unit_problem accepted.
    return parse_unit(text)


_unit_problem = unit_problem


def _control_problems(path: DataPath, control: Any) -> Iterator[Finding]:
    if isinstance(control, ChoiceControl):
        if control.default not in control.options:
            hint = suggestion(control.default, control.options) or (
                f" ({', '.join(control.options)})"
            )
            yield Finding(
                (*path, "default"), f"default {control.default!r} is not one of the options{hint}"
            )
        return
    if control.min >= control.max:
        yield Finding(
            (*path, "max"), f"max ({control.max}) must be greater than min ({control.min})"
        )
        return
    if not control.min <= control.default <= control.max:
        yield Finding(
            (*path, "default"),
            f"default {control.default} is outside [{control.min}, {control.max}]",
        )
    if isinstance(control, IntegerControl):
        yield from _integer_steps(path, control)
    else:
        positions = (control.max - control.min) / control.step
        if positions > MAX_SLIDER_POSITIONS:
            yield Finding(
                (*path, "step"),
                f"step {control.step} gives more than {MAX_SLIDER_POSITIONS} positions",
            )
    canonical = BY_NAME[control.param].unit
    problem = _unit_problem(control.unit)
    if problem:
        yield Finding((*path, "unit"), problem)
    elif canonical and not _same_unit(control.unit, canonical):
        yield Finding(
            (*path, "unit"),
            f"{control.param} is counted in {canonical}; unit {control.unit!r} is not that unit",
        )


def _same_unit(unit: str, canonical: str) -> bool:
    one = mlsys.ureg.Quantity(1, _parse_unit(unit))
    try:
        return math.isclose(one.to(canonical).magnitude, 1.0)
    except PintError:
        return False


def _is_power_of_two(value: int) -> bool:
    return value >= 1 and value & (value - 1) == 0


def _integer_steps(path: DataPath, control: IntegerControl) -> Iterator[Finding]:
    if control.scale == "log2":
        if control.step != 1:
            yield Finding((*path, "step"), "step does not apply to scale log2 (values double)")
        for key in ("min", "max", "default"):
            value = getattr(control, key)
            if not _is_power_of_two(value):
                yield Finding((*path, key), f"{key} {value} is not a power of two (scale log2)")
        return
    if (control.max - control.min) % control.step:
        yield Finding(
            (*path, "max"),
            f"max {control.max} is not reached from min {control.min} in steps of {control.step}",
        )
    if (control.default - control.min) % control.step:
        yield Finding(
            (*path, "default"), f"default {control.default} is not on a step from min {control.min}"
        )
    if (control.max - control.min) // control.step > MAX_SLIDER_POSITIONS:
        yield Finding(
            (*path, "step"), f"step {control.step} gives more than {MAX_SLIDER_POSITIONS} positions"
        )


def _choice_problems(path: DataPath, prediction: ChoicePrediction) -> Iterator[Finding]:
    # Each track's answer is one of that track's options, and a largest/smallest claim names a
    # field for it.
    claim = prediction.claim
    mapping = getattr(claim, "largest", None) or getattr(claim, "smallest", None)
    reported: set[str] = set()
    for track in TRACKS:
        options = for_track(prediction.options, track)
        answer = for_track(prediction.answer, track)
        if answer not in options and answer not in reported:
            reported.add(answer)
            hint = suggestion(answer, options)
            where = f" on {track}" if is_per_track(prediction.options) else ""
            yield Finding(
                (*path, "answer"), f"answer {answer!r} is not one of the options{where}{hint}"
            )
        if mapping is not None and answer in options and answer not in mapping:
            reported.add(answer)
            yield Finding(
                (*path, "claim"),
                f"the claim names no field for the answer {answer!r} (options it leaves out "
                "are never the engine's pick)",
            )


def _prediction_problems(path: DataPath, prediction: Any) -> Iterator[Finding]:
    if isinstance(prediction, ChoicePrediction):
        yield from _choice_problems(path, prediction)
    if isinstance(prediction, NumberPrediction):
        if prediction.min >= prediction.max:
            yield Finding(
                (*path, "max"),
                f"max ({prediction.max}) must be greater than min ({prediction.min})",
            )
        problem = _unit_problem(prediction.unit)
        if problem:
            yield Finding((*path, "unit"), problem)


def check_kats(kats: Sequence[Kat | None]) -> Iterator[Finding]:
    """Each KAT on its own: answers among options, bounds in order, defaults in range, sliders
    on their steps, units known to mlsys.ureg and right for the parameter."""
    for index, kat in enumerate(kats):
        if kat is None:
            continue
        yield from _prediction_problems(("kats", index, "prediction"), kat.prediction)
        bound: set[str] = set()
        for position, control in enumerate(kat.controls):
            if control.param in bound:
                yield Finding(
                    ("kats", index, "controls", position, "param"),
                    f"another control of KAT {index + 1} already sets {control.param}",
                )
            bound.add(control.param)
            yield from _control_problems(("kats", index, "controls", position), control)


# -- ledger (within the spec) ------------------------------------------------------------------


def check_ledger(ledger: Ledger, kats: Sequence[Kat | None]) -> Iterator[Finding]:
    """Keys are unique; every write names a control of the KAT it comes from."""
    for section, entries in (("reads", ledger.reads), ("writes", ledger.writes)):
        seen: set[str] = set()
        for index, entry in enumerate(entries):
            if entry.key in seen:
                yield Finding(
                    ("ledger", section, index, "key"),
                    f"ledger key {entry.key!r} appears twice in {section}",
                )
            seen.add(entry.key)
    for index, write in enumerate(ledger.writes):
        kat_name, _, param = write.source.partition(".")
        number = int(kat_name.removeprefix("kat"))
        kat = kats[number - 1] if number <= len(kats) else None
        if kat is None:
            continue
        params = [control.param for control in kat.controls]
        if param not in params:
            hint = suggestion(param, params) or f" (its controls: {', '.join(params)})"
            yield Finding(
                ("ledger", "writes", index, "from"),
                f"KAT {number} has no control bound to {param!r}{hint}",
            )


# -- Volume 1 stays on one node ------------------------------------------------------------------


def _single_node_problem(name: str) -> str | None:
    if mlsys.Systems.get(name).single_node:
        return None
    return (
        f"system {name!r} is not a single node; Volume 1 labs stay on one node (the Node "
        "Invariant), fleets start in Volume 2"
    )


def check_single_node(
    chapter: Chapter, systems: Sequence[tuple[DataPath, str]], kats: Sequence[Kat | None]
) -> Iterator[Finding]:
    """In Volume 1, every system a track, the D·A·M section or a system control names is a
    single node (``SystemSpec.single_node``)."""
    if chapter.volume != 1:
        return
    for path, name in systems:
        problem = _single_node_problem(name)
        if problem:
            yield Finding(path, problem)
    for index, kat in enumerate(kats):
        for position, control in enumerate(kat.controls if kat is not None else ()):
            if isinstance(control, ChoiceControl) and control.param == "system":
                for option, name in enumerate(control.options):
                    if name in mlsys.Systems:
                        problem = _single_node_problem(name)
                        if problem:
                            yield Finding(
                                ("kats", index, "controls", position, "options", option), problem
                            )


def check_fleet_params(
    chapter: Chapter, kats: Sequence[Kat | None], settings: Sequence[Setting]
) -> Iterator[Finding]:
    """The node invariant, both ways: a Volume 1 lab sets no fleet parameter (it stays on one
    node), and every track of a Volume 2 lab sets one in its ``inputs`` (it works on a
    cluster: ``dp`` at least)."""
    if chapter.volume == 1:
        for setting in settings:
            for param in setting.inputs:
                if param in FLEET_PARAMS:
                    yield Finding(
                        setting.path_of(param),
                        f"{param} builds a cluster; Volume 1 labs stay on one node (the Node "
                        "Invariant), fleets start in Volume 2",
                    )
        for index, kat in enumerate(kats):
            for position, control in enumerate(kat.controls if kat is not None else ()):
                if control.param in FLEET_PARAMS:
                    yield Finding(
                        ("kats", index, "controls", position, "param"),
                        f"{control.param} builds a cluster; Volume 1 labs stay on one node",
                    )
        return
    for setting in settings:
        if not any(param in FLEET_PARAMS for param in setting.inputs):
            yield Finding(
                (*setting.path, "inputs"),
                f"{setting.label}: a Volume 2 lab works on a cluster: set its plan in the "
                "track's inputs (dp, and tp or pp where the plan splits the model)",
            )


def check_solve_keywords(
    kats: Sequence[Kat | None], settings: Sequence[Setting], registries: Registries
) -> Iterator[Finding]:
    """Every parameter a control or a track's inputs set is a keyword of the installed
    ``mlsys.Engine.solve`` (caught here, with a place, if mlsys ever drops one)."""
    # The fleet parameters are the lab's, not the engine's: they build its cluster and plan.
    known = (*registries.solve_keywords, *FLEET_PARAMS)
    for index, kat in enumerate(kats):
        for position, control in enumerate(kat.controls if kat is not None else ()):
            if control.param not in known:
                yield Finding(
                    ("kats", index, "controls", position, "param"),
                    f"{control.param} is not a keyword of the installed mlsys.Engine.solve "
                    f"({', '.join(known)})",
                )
    for setting in settings:
        for param in setting.inputs:
            if param not in known:
                yield Finding(
                    setting.path_of(param),
                    f"{param} is not a keyword of the installed mlsys.Engine.solve",
                )


def check_choice_options(kats: Sequence[Kat | None], registries: Registries) -> Iterator[Finding]:
    """Every option of a dropdown names an entry of its parameter's registry."""
    for index, kat in enumerate(kats):
        for position, control in enumerate(kat.controls if kat is not None else ()):
            if not isinstance(control, ChoiceControl):
                continue
            registry = BY_NAME[control.param].registry
            for option, name in enumerate(control.options):
                message = unknown_name(registry, name, registries)
                if message:
                    yield Finding(("kats", index, "controls", position, "options", option), message)


# -- the engine accepts every configuration the lab offers ------------------------------------------


def _failing_param(message: str) -> str | None:
    head = message.split(":", 1)[0].strip()
    return head if head in BY_NAME else None


class _EngineCheck:
    """Solves one KAT on one track at its starting values, and at each control's slider ends
    and dropdown options with the other controls at their starts."""

    def __init__(self, setting: Setting, index: int, kat: Kat) -> None:
        self.setting = setting
        self.index = index
        self.kat = kat
        self.prefix = f"{setting.label}, KAT {index + 1}"
        self.findings: list[Finding] = []

    def run(self) -> Any:
        start = kat_start(self.setting, self.index, self.kat)
        if isinstance(start, StartProblem):
            self.findings.append(Finding(start.path, start.message))
            return None
        bound = {c.control.param: c.position for c in start.controls}
        profile = self.attempt(start.values, bound, None)
        if profile is None:
            return None
        for item in start.controls:
            for value in item.offers:
                if value != item.start:
                    probe = (item.position, item.control, value)
                    self.attempt({**start.values, item.control.param: value}, bound, probe)
        return profile

    def attempt(
        self, values: dict[str, Any], bound: dict[str, int], probe: tuple[int, Any, Any] | None
    ) -> Any:
        try:
            return solve(values)
        except ValueError as error:
            message = str(error)
        except Exception as error:  # a fault in mlsys itself: report it, with its place
            message = f"mlsys.Engine.solve failed: {type(error).__name__}: {error}"
        param = _failing_param(message)
        if probe is not None:
            position, control, value = probe
            where = ("kats", self.index, "controls", position, *_value_key(control, value))
            self.add(where, f"{self.prefix}: with {control.param} = {value!r}: {message}")
        elif param in bound:
            where = ("kats", self.index, "controls", bound[param], "default")
            self.add(where, f"{self.prefix}: {message}")
        elif param is not None and (param in self.setting.inputs or param in TRACK_OWN_PARAMS):
            # Not the KAT's doing: one message for the track, however many KATs hit it.
            self.add(self.setting.path_of(param), f"{self.setting.label}: {message}")
        else:
            self.add(self.setting.path, f"{self.setting.label}: {message}")
        return None

    def add(self, path: DataPath, message: str) -> None:
        self.findings.append(Finding(path, message))


def _value_key(control: Any, value: Any) -> tuple[str | int, ...]:
    if isinstance(control, ChoiceControl):
        return ("options", control.options.index(value))
    return ("min",) if value == control.min else ("max",)


def check_engine(settings: Sequence[Setting], kats: Sequence[Kat | None]) -> Iterator[Finding]:
    """``Engine.solve`` accepts every configuration the lab can reach from its starting values
    by moving one control, on every track; a number prediction's unit converts to the
    PerformanceProfile field it is compared with."""
    unit_checked: set[int] = set()
    for setting in settings:
        for index, kat in enumerate(kats):
            if kat is None:
                continue
            check = _EngineCheck(setting, index, kat)
            profile = check.run()
            yield from check.findings
            prediction = kat.prediction
            if profile is None or not isinstance(prediction, NumberPrediction):
                continue
            if index in unit_checked:
                continue
            unit_checked.add(index)
            if prediction.compare_to is None or _unit_problem(prediction.unit):
                continue
            actual = getattr(profile, prediction.compare_to)
            if not actual.check(_parse_unit(prediction.unit)):
                yield Finding(
                    ("kats", index, "prediction", "unit"),
                    f"unit {prediction.unit!r} cannot be compared with {prediction.compare_to} "
                    f"(measured in {actual.units:~P})",
                )


# -- nemesis -----------------------------------------------------------------------------------


def nemesis_bar_spellings(value: float) -> tuple[str, ...]:
    """The ways a nemesis target (a magnitude, no unit) may be written in a spec's text:
    ``36864``, ``36,864``, ``0.45``, ``3.5``."""
    spellings = {f"{value:g}", f"{value:,g}"}
    if float(value).is_integer():
        spellings |= {f"{int(value)}", f"{int(value):,}"}
    return tuple(sorted(spellings))


def _states_number(text: str, spelling: str) -> bool:
    """Whether ``text`` contains the number ``spelling`` as a whole number: not inside a longer
    number (no digit, or digit and a decimal point or separator, on either side)."""
    pattern = rf"(?<!\d)(?<!\d[.,]){re.escape(spelling)}(?!\d)(?![.,]\d)"
    return re.search(pattern, text) is not None


def check_nemesis_bars(chapter: Chapter, tracks: dict[str, Any]) -> Iterator[Finding]:
    """Each track's ``nemesis`` text states that chapter's bar from ``mlsys.personas``: the
    Volume 1 table of the persona in a Volume 1 chapter, the fleet table (``Persona.fleet``) in
    a Volume 2 chapter (the tables are the one source of truth; the text must not drift)."""
    if chapter.volume not in (1, 2):
        return
    for key, track in tracks.items():
        if track is None or key not in TRACKS:
            continue  # an unknown track is reported by the model
        persona = mlsys.Personas.get(key)
        nemesis = persona.nemesis if chapter.volume == 1 else persona.fleet.nemesis
        bar = nemesis.targets[chapter.number - 1]
        spellings = nemesis_bar_spellings(bar)
        # Volume 2's fleet bars include one-digit numbers (4 hours, 8 J), so there a spelling
        # must stand as a whole number ("8 J", not the 8 of "18 J" or "0.8"); Volume 1 keeps
        # its substring match.
        states = _states_number if chapter.volume == 2 else str.__contains__
        if not any(states(track.nemesis, spelling) for spelling in spellings):
            yield Finding(
                ("tracks", key, "nemesis"),
                f"the text does not state this chapter's bar for {nemesis.name}: "
                f"{bar:g} {nemesis.unit} (mlsys.personas); write it as {spellings[-1]}",
            )
