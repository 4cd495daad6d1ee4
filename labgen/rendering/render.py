"""Render one chapter spec into the source of its marimo lab.

Jinja2 runs sandboxed with StrictUndefined (a missing value is an error), and its ``finalize``
refuses any output that is not ``Code``: spec text reaches the lab only through ``py()``, as a
Python literal. Cell bodies come from ``cells.j2`` and the instrument registry's macros; their
signatures are computed from the code (``labgen.rendering.cells``); ruff formats the result.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from labgen import __version__
from labgen.book import Chapter
from labgen.browser import BROWSER_REQUIREMENTS, WHEEL_DIR, WHEEL_NAME
from labgen.instruments import Instrument
from labgen.provenance import header_lines
from labgen.rendering.cells import Cell, analyse, link
from labgen.rendering.formatting import format_source
from labgen.rendering.literals import Code, Ref, identifier, py
from labgen.spec.engine_inputs import BY_NAME
from labgen.spec.model import ChapterSpec, PerTrack, is_per_track
from labgen.spec.pedagogy import shown_fields, stated_overrides
from mlsys import ureg
from mlsys.ledger import TRACKS
from mlsys.personas import Personas

#: Names a lab body may use, and the import that provides each (only the used ones are emitted).
KIT_IMPORTS: dict[str, str] = {
    "mo": "import marimo as mo",
    "Engine": "from mlsys import Engine",
    "FleetReport": "from mlsys import FleetReport",
    "Models": "from mlsys import Models",
    "Systems": "from mlsys import Systems",
    "LabHeader": "from labs.core.components import LabHeader",
    "KatHeading": "from labs.core.components import KatHeading",
    "StepLabel": "from labs.core.components import StepLabel",
    "MathPeek": "from labs.core.components import MathPeek",
    "MetricCards": "from labs.core.components import MetricCards",
    "LatencyWaterfall": "from labs.core.components import LatencyWaterfall",
    "ParetoCurve": "from labs.core.components import ParetoCurve",
    "P99Histogram": "from labs.core.components import P99Histogram",
    "Roofline": "from labs.core.components import Roofline",
    "ScalingCurve": "from labs.core.components import ScalingCurve",
    "CommChart": "from labs.core.components import CommChart",
    "CheckpointCurve": "from labs.core.components import CheckpointCurve",
    "QueueCurve": "from labs.core.components import QueueCurve",
    "KvMemoryStack": "from labs.core.components import KvMemoryStack",
    "CarbonChart": "from labs.core.components import CarbonChart",
    "PredictionComparison": "from labs.core.components import PredictionComparison",
    "TargetCheck": "from labs.core.components import TargetCheck",
    "PredictionInput": "from labs.core.components import PredictionInput",
    "PredictionLock": "from labs.core.components import PredictionLock",
    "SafeMarkdown": "from labs.core.components import SafeMarkdown",
    "StakeholderReflection": "from labs.core.components import StakeholderReflection",
    "TrackSelector": "from labs.core.components import TrackSelector",
    "EngineControls": "from labs.core.controls import EngineControls",
    "engine_inputs": "from labs.core.controls import engine_inputs",
    "ledger_inputs": "from labs.core.controls import ledger_inputs",
    "live_inputs": "from labs.core.controls import live_inputs",
    "stated_profile": "from labs.core.controls import stated_profile",
    "prediction_record": "from labs.core.predictions import prediction_record",
    "serving_for": "from labs.core.controls import serving_for",
    "serving_ledger": "from labs.core.controls import serving_ledger",
    "serving_slo": "from labs.core.controls import serving_slo",
    "sweep_batches": "from labs.core.controls import sweep_batches",
    "sweep_devices": "from labs.core.scaling import sweep_devices",
    "all_reduce_sweep": "from labs.core.comms import all_reduce_sweep",
    "checkpoint_sweep": "from labs.core.checkpoint import checkpoint_sweep",
    "queue_sweep": "from labs.core.queueing import queue_sweep",
    "kv_memory_sweep": "from labs.core.kvmemory import kv_memory_sweep",
    "carbon_sweep": "from labs.core.carbon import carbon_sweep",
    "LedgerPanel": "from labs.core.state import LedgerPanel",
    "record_design": "from labs.core.state import record_design",
}

#: The marimo release whose file format labs are written in (a constant, so that a lab's bytes
#: do not depend on the marimo installed where it is built).
MARIMO_FORMAT_VERSION = "0.25.2"


class RenderError(RuntimeError):
    """The spec is valid but the lab cannot be rendered (a template or registry problem)."""


def _finalize(value: Any) -> Any:
    if isinstance(value, Code):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise jinja2.TemplateError(
        f"a template printed a raw {type(value).__name__} ({str(value)[:40]!r}); "
        "pass spec values through py() so they become literals"
    )


def environment(extra_templates: dict[str, str] | None = None) -> ImmutableSandboxedEnvironment:
    """The sandboxed template environment: package templates plus plugin instrument macros."""
    loaders: list[jinja2.BaseLoader] = [jinja2.PackageLoader("labgen", "templates")]
    if extra_templates:
        loaders.insert(0, jinja2.DictLoader(dict(extra_templates)))
    return ImmutableSandboxedEnvironment(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_finalize,
    )


@dataclass(frozen=True)
class RenderedLab:
    """A lab's final source and the chapter it belongs to."""

    chapter: Chapter
    source: str


def _markdown_list(items: Iterable[str]) -> str:
    return "\n".join(f"- {item}" for item in items)


def _overview(spec: ChapterSpec) -> str:
    invariants = _markdown_list(f"**{i.name}.** {i.statement}" for i in spec.invariants)
    return (
        f"### What you will do\n{_markdown_list(spec.objectives)}\n\n"
        f"### The laws you will lean on\n{invariants}\n\n"
        f"### The struggle\n{spec.struggle.summary} "
        f"*Gain:* {spec.struggle.gain}. *Cost:* {spec.struggle.cost}."
    )


def _inputs(model: Any) -> dict[str, Any]:
    return {key: value for key, value in model.model_dump().items() if value is not None}


def _track_data(spec: ChapterSpec) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for persona in Personas.all():
        track = getattr(spec.tracks, persona.key)
        # A bold lead, not a heading: the scenario reads as the start of the task, one screen up.
        briefing = f"**{persona.name}: this chapter.** {track.scenario}"
        # Folded under the scenario, so the first task starts within one desktop screen.
        more = f"**Arch-nemesis.** {track.nemesis}\n\n{track.stakeholder_prompt}"
        data[persona.key] = {
            "model": Ref("Models", track.model),
            "system": Ref("Systems", track.system),
            "inputs": _inputs(track.inputs),
            "briefing": briefing,
            "more": more,
        }
    return data


def per_track(value: Any) -> Code:
    """A spec value as the lab reads it: a literal, or for a per-track value the literal mapping
    indexed by the student's track."""
    if isinstance(value, PerTrack):
        mapping = {track: value.of(track) for track in TRACKS}
        return Code(f"{py(mapping)}[track_selector.value]")
    return py(value)


def _prediction(kat: Any) -> Code:
    p = kat.prediction
    if p.kind == "text":
        return Code(f"PredictionInput.text({per_track(p.prompt)})")
    if p.kind == "choice":
        return Code(f"PredictionInput.choice({per_track(p.prompt)}, {per_track(p.options)})")
    return Code(
        f"PredictionInput.number({per_track(p.prompt)}, low={py(float(p.min))}, "
        f"high={py(float(p.max))}, unit={py(p.unit)})"
    )


def _answer(kat: Any, name: str) -> Code | None:
    """The engine's answer a prediction is judged against (None for free text)."""
    p = kat.prediction
    if p.kind == "number":
        return Code(f"{name}_expected.{identifier(p.compare_to)}")
    if p.kind == "choice":
        return per_track(p.answer)
    return None


def _verdict(kat: Any, name: str) -> Code:
    """The verdict on the prediction, then the check of the track's bars (when the KAT has
    any) against the design on screen."""
    p = kat.prediction
    answer = _answer(kat, name)
    setting = _judged_at(kat)
    if p.kind == "number":
        verdict = (
            f"PredictionComparison({name}_locked, {answer}, unit={py(p.unit)}, "
            f"design={name}_expected{setting})"
        )
    elif p.kind == "choice":
        verdict = f"PredictionComparison({name}_locked, {answer}, design={name}_expected{setting})"
    else:
        verdict = f"PredictionComparison({name}_locked, {name}_profile.latency)"
    targets = _targets(kat)
    if targets is None:
        return Code(verdict)
    # The P99 histogram's KAT has the serving simulation, so its bars may name the P99.
    serving = f", serving={name}_serving" if kat.instrument == "p99_histogram" else ""
    launch = ", launch=True" if kat.launch else ""
    return Code(f"mo.vstack([{verdict}, TargetCheck({name}_profile, {targets}{serving}{launch})])")


def _targets(kat: Any) -> Code | None:
    """The bars of the KAT per track, as data for ``TargetCheck`` (None when there are none)."""
    if not kat.targets:
        return None
    data: dict[str, list[dict[str, str]]] = {track: [] for track in TRACKS}
    for target in kat.targets:
        entry = {"field": target.field}
        entry |= {"at_most": target.at_most} if target.at_most else {"at_least": target.at_least}
        if target.wall:
            entry["wall"] = target.wall
        if target.guardrail:
            entry["guardrail"] = target.guardrail
        data[target.track].append(entry)
    return Code(f"{py(data)}[track_selector.value]")


def _judged_at(kat: Any) -> str:
    """``, judged_at=...`` naming the question's stated setting per track in the words of the
    KAT's own controls ("Number format: fp8; Grid region: US average"), or "" when the
    question states none."""
    if getattr(kat.prediction, "at", None) is None:
        return ""
    labels = {control.param: control.label for control in kat.controls}

    def words(track: str) -> str | None:
        fixed = stated_overrides(kat.prediction, track)
        parts = [
            f"{labels.get(param) or _input_name(param)}: {_stated_value(param, value)}"
            for param, value in fixed.items()
        ]
        return "; ".join(parts) or None

    if not is_per_track(kat.prediction.at):
        return f", judged_at={py(words(TRACKS[0]))}"
    data = {track: words(track) for track in TRACKS}
    return f", judged_at={py(data)}[track_selector.value]"


def _input_name(param: str) -> str:
    """An engine input named in words when no control of the KAT labels it: the head of its
    description ("data-parallel replicas of the model" for dp)."""
    if param not in BY_NAME:
        return param.replace("_", " ")
    head = BY_NAME[param].description.split(" (")[0].split(",")[0].split(":")[0]
    return head[:1].upper() + head[1:]


def _stated_value(param: str, value: Any) -> str:
    """A stated input as a student reads it: thousands separated, with the input's unit when
    it has one ("1,024", "9 minute", "US average")."""
    number = isinstance(value, int | float) and not isinstance(value, bool)
    text = f"{value:,}" if number else str(value)
    unit = BY_NAME[param].unit if param in BY_NAME else None
    if number and unit and unit not in ("dimensionless", "sample", "token"):
        text = f"{text} {ureg.Unit(unit):~P}"
    return text


def _stated(prediction: Any) -> Code:
    """The inputs the question fixes, as data for ``stated_profile``: one mapping (or None),
    or per track, picked by the track the student chose."""
    at = getattr(prediction, "at", None)
    if not is_per_track(at):
        return py(stated_overrides(prediction, TRACKS[0]) or None)
    data = {track: stated_overrides(prediction, track) or None for track in TRACKS}
    return Code(f"{py(data)}[track_selector.value]")


def _record(kat: Any, name: str) -> Code | None:
    answer = _answer(kat, name)
    if answer is None:
        return None
    unit = f", unit={py(kat.prediction.unit)}" if kat.prediction.kind == "number" else ""
    return Code(f"prediction_record({py(str(name))}, {name}_locked, {answer}{unit})")


def _controls(kat: Any) -> list[dict[str, Any]]:
    return [control.model_dump(by_alias=True, exclude_none=True) for control in kat.controls]


class _Renderer:
    def __init__(
        self, spec: ChapterSpec, chapter: Chapter, instruments: dict[str, Instrument], env: Any
    ):
        self.spec, self.chapter, self.instruments = spec, chapter, instruments
        self.cells_module = env.get_template("cells.j2").module
        self.instruments_module = env.get_template("instruments.j2").module
        self.env = env
        self.intro = spec.is_intro

    def macro(self, module: Any, name: str, *args: Any) -> str:
        return str(getattr(module, name)(*args)).strip("\n")

    def kat_context(self, index: int, kat: Any) -> dict[str, Any]:
        name = identifier(f"kat{index}")
        reads = "{}" if self.intro else "lab_decisions"
        instrument = self.instruments.get(kat.instrument)
        return {
            "name": name,
            "number": py(index),
            "total": py(len(self.spec.kats)),
            "title": py(kat.title),
            # Each lock names its step, so the locks of a lab tell apart.
            "act_label": py(f"KAT {index} · Step 2 of 4: Act"),
            "reflect_label": py(f"KAT {index} · Step 4 of 4: Reflect"),
            "prediction": _prediction(kat),
            "controls": py(_controls(kat)),
            "setup": Code("dam_setup" if self.intro else "active_track"),
            "decisions": Code(reads),
            "verdict": _verdict(kat, name),
            "judged": kat.prediction.kind != "text",
            # Volume 2 solves a step on a cluster and reports the run around it.
            "fleet": self.chapter.volume == 2,
            "at": _stated(kat.prediction),
            # The math peek derives exactly the numbers this KAT shows, nothing a later KAT asks.
            "peek": py(list(shown_fields(kat, instrument))),
            "record": _record(kat, name),
            # The spec's chosen profile numbers, shown as cards beside the instrument.
            "fields": py(list(kat.metrics) or None),
            # The cards beside the instrument; with no metrics, the fit card alone, so every
            # instrument says whether the design fits the node's memory.
            "metrics": Code(f"MetricCards({name}_profile, fields={py(list(kat.metrics))}), "),
            "reflection": per_track(kat.reflection.prompt),
        }

    def observe(self, kat: Any, context: dict[str, Any]) -> str:
        instrument = self.instruments.get(kat.instrument)
        if instrument is None:
            raise RenderError(f"instrument {kat.instrument!r} is not registered")
        module = self.instruments_module
        if instrument.template is not None or not hasattr(module, instrument.macro):
            module = _plugin_module(self.env, instrument)
        # The shared Engine.solve block is rendered here and handed over as Code, so that
        # instrument macros never print a string they did not get from labgen.
        with_solve = {**context, "solve": Code(self.macro(self.cells_module, "solve", context))}
        return self.macro(module, instrument.macro, with_solve)

    def bodies(self) -> list[tuple[str, bool]]:
        spec, c = self.spec, self.cells_module
        chapter_info = spec.chapter
        header = {
            "volume": py(chapter_info.volume),
            "number": py(chapter_info.number),
            "slug": py(chapter_info.slug),
            "title": py(chapter_info.title),
            "reading": py(chapter_info.reading.section),
            "overview": py(_overview(spec)),
        }
        bodies: list[tuple[str, bool]] = [
            (
                self.macro(
                    c, "setup", py(list(BROWSER_REQUIREMENTS)), py(WHEEL_DIR), py(WHEEL_NAME)
                ),
                True,
            )
        ]
        bodies.append((self.macro(c, "header", header), False))
        reads = {read.feeds: read.key for read in spec.ledger.reads if read.feeds}
        kats = [self.kat_context(i, kat) for i, kat in enumerate(spec.kats, start=1)]
        selector_label = py(
            "**Your call to adventure.** You have seen the D·A·M fundamentals; now choose the track you will follow from Lab 1 to Lab 16:"
            if self.intro
            else "**Choose your track.** It reskins every scenario and engine input of this lab:"
        )
        tracks = [
            (self.macro(c, "track_selector", selector_label, not self.intro), False),
            (self.macro(c, "tracks", py(_track_data(spec))), False),
            (self.macro(c, "active_track", py(reads), not self.intro), False),
        ]
        if self.intro:
            dam = spec.dam
            text = (
                f"## D·A·M: the three axes of every ML system\n"
                f"- **Data.** {dam.data}\n- **Algorithm.** {dam.algorithm}\n- **Machine.** {dam.machine}"
            )
            setup = {
                "model": Ref("Models", dam.model),
                "system": Ref("Systems", dam.system),
                "inputs": _inputs(dam.inputs),
            }
            bodies.append((self.macro(c, "dam", {"setup": py(setup), "text": py(text)}), False))
        else:
            bodies.append(
                (
                    self.macro(c, "ledger_panel", py(chapter_info.number), py(chapter_info.volume)),
                    False,
                )
            )
            bodies.extend(tracks)
        for kat, context in zip(spec.kats, kats, strict=True):
            bodies.append((self.macro(c, "predict", context), False))
            bodies.append((self.macro(c, "act", context), False))
            bodies.append((self.observe(kat, context), False))
            if not self.intro:
                bodies.append((self.macro(c, "reflect", context), False))
        if self.intro:
            bodies.extend(tracks)
            bodies.extend((self.macro(c, "reflect", context), False) for context in kats)
        bodies.append((self.macro(c, "ledger_record", self.record_context(kats)), False))
        return bodies

    def record_context(self, kats: Sequence[dict[str, Any]]) -> dict[str, Any]:
        design_parts = []
        for write in self.spec.ledger.writes:
            kat_name, _, param = write.source.partition(".")
            design_parts.append(f"{py(write.key)}: {identifier(kat_name)}_inputs[{py(param)}]")
        reflections = ", ".join(f"{py(str(k['name']))}: {k['name']}_reflection.value" for k in kats)
        records = ", ".join(str(k["record"]) for k in kats if k["record"] is not None)
        return {
            "chapter_id": py(self.chapter.number),
            "volume": py(self.chapter.volume),
            "design": Code("{" + ", ".join(design_parts) + "}"),
            "reflections": Code("{" + reflections + "}"),
            "base": Code("None" if self.intro else "lab_start.ledger"),
            "predictions": Code(f"[{records}]"),
        }


def _plugin_module(env: Any, instrument: Instrument) -> Any:
    """The template module holding a plugin instrument's macro (``instruments/<id>.j2``)."""
    try:
        module = env.get_template(f"instruments/{instrument.id}.j2").module
    except jinja2.TemplateNotFound:
        raise RenderError(
            f"instrument {instrument.id!r} brings no macro {instrument.macro!r}"
        ) from None
    except jinja2.TemplateSyntaxError as error:
        raise RenderError(
            f"instrument {instrument.id!r}: its template does not parse, line {error.lineno}: "
            f"{error.message}"
        ) from None
    if not hasattr(module, instrument.macro):
        raise RenderError(
            f"instrument {instrument.id!r}: its template defines no macro {instrument.macro!r}"
        )
    return module


def _component_imports(instruments: Iterable[Instrument]) -> dict[str, str]:
    """Name -> import of the component of each plugin instrument in ``instruments`` (built-in
    components are in KIT_IMPORTS). A component whose name a kit import already takes is an
    error: the lab would silently import the kit's."""
    found: dict[str, str] = {}
    for instrument in instruments:
        module, _, name = instrument.component.rpartition(".")
        statement = f"from {module} import {name}"
        taken = KIT_IMPORTS.get(name) or found.get(name)
        if taken is not None and taken != statement:
            raise RenderError(
                f"instrument {instrument.id!r}: its component name {name!r} is taken by "
                f"`{taken}`; give the component another name"
            )
        if name not in KIT_IMPORTS:
            found[name] = statement
    return found


def _imports(cells: list[Cell], plugin_imports: dict[str, str]) -> str:
    """The lab's import cell body: each used name's import, in isort's order."""
    table = {**KIT_IMPORTS, **plugin_imports}
    used = {name for cell in cells for name in cell.reads} | {"mo"}
    unknown = sorted(name for name in used if name not in table and not _defined(cells, name))
    if unknown:
        raise RenderError(f"template uses names with no import: {', '.join(unknown)}")
    # Group "from module import name" lines per module, plain imports first (isort's order).
    plain: set[str] = set()
    grouped: dict[str, set[str]] = {}
    for name in used:
        if name not in table or _defined(cells, name):
            continue
        statement = table[name]
        if statement.startswith("from "):
            module, _, imported = statement[len("from ") :].partition(" import ")
            grouped.setdefault(module, set()).add(imported)
        else:
            plain.add(statement)
    # Third-party (marimo, installed plugins) first, then the project's packages, a blank line
    # between (isort).
    plugin_modules = {statement.split()[1] for statement in plugin_imports.values()}
    from_lines = {
        module: f"from {module} import {', '.join(sorted(names))}"
        for module, names in sorted(grouped.items())
    }
    third_party = sorted(plain) + [
        line for module, line in from_lines.items() if module in plugin_modules
    ]
    first_party = [line for module, line in from_lines.items() if module not in plugin_modules]
    return "\n".join(third_party) + "\n\n" + "\n".join(first_party)


def _defined(cells: list[Cell], name: str) -> bool:
    return any(name in cell.defines for cell in cells)


def render_lab(
    spec: ChapterSpec,
    chapter: Chapter,
    *,
    spec_path: str,
    spec_digest: str,
    instruments: dict[str, Instrument],
    extra_templates: dict[str, str] | None = None,
) -> RenderedLab:
    """The formatted source of ``chapter``'s lab from its valid ``spec`` (read from
    ``spec_path``, relative to the project, whose bytes hash to ``spec_digest``)."""
    env = environment(extra_templates)
    try:
        renderer = _Renderer(spec, chapter, instruments, env)
        cells = [analyse(body, is_async) for body, is_async in renderer.bodies()]
        used = [instruments[kat.instrument] for kat in spec.kats]
        imports = _imports(cells, _component_imports(used))
        # Referencing pyodide_ready orders the imports after the Pyodide set-up cell.
        cells.insert(1, analyse(f"pyodide_ready  # import after the set-up cell\n{imports}"))
        link(cells)
        skeleton = env.get_template("lab.py.j2")
        text = skeleton.render(
            header=[
                Code(line) for line in header_lines(spec_path, spec_digest, __version__, chapter)
            ],
            marimo_version=py(MARIMO_FORMAT_VERSION),
            cells=[_cell_view(cell) for cell in cells],
        )
    except (jinja2.TemplateError, ValueError, SyntaxError) as error:
        raise RenderError(f"cannot render {chapter.lab_name}: {error}") from error
    return RenderedLab(chapter, format_source(text, chapter.lab_path.name))


def _cell_view(cell: Cell) -> dict[str, Any]:
    body = "\n".join(f"    {line}" if line.strip() else "" for line in cell.body.splitlines())
    returns = f"({', '.join(cell.defines)},)" if cell.defines else ""
    return {
        "is_async": cell.is_async,
        "args": Code(", ".join(cell.args)),
        "body": Code(body),
        "returns": Code(returns),
    }
