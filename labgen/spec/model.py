"""The chapter spec format: pydantic models, one per section, every field documented.

These models check the shape of a spec and every single value against the registries (model and
system names, precisions, instrument ids, objective verbs). Rules that relate several values
(a default inside its range, a system that can run a precision, an instrument's unlock chapter,
ledger keys written by earlier chapters) live in ``labgen.spec.rules`` and
``labgen.spec.project_rules``, which report each problem at the exact YAML node.

Field descriptions become the JSON Schema's descriptions (``labgen schema``).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationInfo,
    create_model,
    model_validator,
)
from pydantic_core import PydanticCustomError

from labgen.book import SLUGS_BY_VOLUME
from labgen.spec.engine_inputs import (
    BY_NAME,
    CHOICE_PARAMS,
    FRACTION_PARAMS,
    INTEGER_PARAMS,
    TRACK_OWN_PARAMS,
)
from labgen.spec.registries import Registries, default_registries, suggestion, unknown_name
from labgen.spec.vocabulary import ACTION_VERBS, UNOBSERVABLE_VERBS
from labs.core.labels import SERVING_FIELDS
from mlsys.ledger import TRACKS
from mlsys.personas import Personas


def _fail(message: str) -> PydanticCustomError:
    # The message travels in the context so that braces in user text are never format fields.
    return PydanticCustomError("spec", "{message}", {"message": message})


def registries_of(info: ValidationInfo) -> Registries:
    """The registries passed as validation context (``{"registries": ...}``), or the defaults."""
    context = info.context
    if isinstance(context, dict) and isinstance(context.get("registries"), Registries):
        return context["registries"]
    return default_registries()


def _registry_name(kind: str) -> Any:
    def check(value: str, info: ValidationInfo) -> str:
        message = unknown_name(kind, value, registries_of(info))
        if message:
            raise _fail(message)
        return value

    return AfterValidator(check)


def _not_blank(value: str) -> str:
    if not value.strip():
        raise _fail("must not be blank")
    return value


def _objective(value: str) -> str:
    first = re.split(r"[\s,:;]+", value.strip(), maxsplit=1)[0]
    if first.lower() in UNOBSERVABLE_VERBS:
        raise _fail(
            f"objective starts with {first!r}, which nobody can observe; start with an action "
            "verb the lab lets the student do (Predict, Quantify, Diagnose, ...)"
        )
    if first.capitalize() not in ACTION_VERBS:
        hint = suggestion(first, ACTION_VERBS) or " (see docs/spec-format.md for the list)"
        raise _fail(f"objective must start with an action verb; {first!r} is not one{hint}")
    return value


def _unique(what: str) -> Any:
    def check(values: list[Any]) -> list[Any]:
        seen: set[Any] = set()
        for value in values:
            key = value if isinstance(value, str | int) else repr(value)
            if key in seen:
                raise _fail(f"{what} {value!r} is listed twice")
            seen.add(key)
        return values

    return AfterValidator(check)


#: Sections whose length the format fixes: key -> (count, what the items are called).
EXACT_COUNTS: dict[str, tuple[int, str]] = {"objectives": (3, "objectives"), "kats": (3, "KATs")}


def exact_count_problem(key: str, values: Any) -> str | None:
    """The message when list section ``key`` does not hold exactly its fixed count, else None."""
    count, what = EXACT_COUNTS[key]
    if isinstance(values, list) and len(values) != count:
        return f"expected exactly {count} {what}, found {len(values)}"
    return None


def _exactly(key: str) -> Any:
    def check(values: list[Any]) -> list[Any]:
        message = exact_count_problem(key, values)
        if message:
            raise _fail(message)
        return values

    return AfterValidator(check)


def _exact_schema(key: str) -> dict[str, Any]:
    count = EXACT_COUNTS[key][0]
    return {"minItems": count, "maxItems": count}


Text = Annotated[str, AfterValidator(_not_blank)]


def _name_of(kind: str) -> Any:
    # A registry name: checked against the registries at validation time (with a did-you-mean)
    # and listed as an enum in the JSON Schema (see labgen.spec.schema).
    return Annotated[str, _registry_name(kind), Field(json_schema_extra={"x-registry": kind})]


ModelName = _name_of("models")
SystemName = _name_of("systems")
PrecisionName = _name_of("precisions")
PhaseName = _name_of("phases")
RuntimeName = _name_of("runtimes")
FabricName = _name_of("fabrics")
RegionName = _name_of("regions")
CoolingName = _name_of("coolings")
ServingModeName = _name_of("serving_modes")
RoutingName = _name_of("routings")
KvCacheName = _name_of("kv_caches")
InstrumentId = _name_of("instruments")
ProfileField = _name_of("profile_fields")
LedgerKey = Annotated[
    str,
    Field(
        pattern=r"^[a-z][a-z0-9_]*$",
        max_length=40,
        description="A design-ledger key: lower_snake_case, at most 40 characters.",
    ),
]
EngineParam = Literal[tuple(BY_NAME)]  # type: ignore[valid-type]


class SpecModel(BaseModel):
    """Base of every spec section: unknown keys rejected, no type coercion, values frozen."""

    model_config = ConfigDict(
        extra="forbid", strict=True, frozen=True, allow_inf_nan=False, populate_by_name=True
    )


#: The highest chapter number of any volume (Volume 2 has 17).
MAX_CHAPTER_NUMBER = max(len(slugs) for slugs in SLUGS_BY_VOLUME.values())
#: Most bars one KAT sets for one track (a launch review's guardrails included).
MAX_TARGETS_PER_TRACK = 6


# -- chapter ---------------------------------------------------------------------------------


class Reading(SpecModel):
    """Where in the book the student reads before the lab."""

    section: Text = Field(
        max_length=200,
        description="The book section the lab accompanies, as a reader finds it "
        "(e.g. 'Chapter 5, The forward pass: FLOPs and bytes').",
    )
    url: str | None = Field(
        default=None,
        pattern=r"^https://\S+$",
        description="Optional https link to that section of the online book.",
    )


class ChapterInfo(SpecModel):
    """Which chapter this spec is: must match the master slug list and the file name."""

    volume: Literal[1, 2] = Field(description="Volume 1 (Foundations, one node) or 2 (Scale).")
    number: int = Field(
        ge=1, le=MAX_CHAPTER_NUMBER, description="Chapter number in its volume (1-based)."
    )
    slug: str = Field(
        pattern=r"^[a-z][a-z0-9_]*$",
        description="The chapter's slug in the master list (labgen/book.py), e.g. nn_compute.",
    )
    title: Text = Field(max_length=120, description="The lab's title as the header shows it.")
    reading: Reading = Field(description="Pointer to the book section read before the lab.")


# -- chapter content ---------------------------------------------------------------------------


class Invariant(SpecModel):
    """A law of the chapter the student will lean on in reflections (e.g. the Iron Law)."""

    name: Text = Field(max_length=80, description="Short name, e.g. 'Iron Law of latency'.")
    statement: Text = Field(
        max_length=600, description="The law in one or two sentences, with its formula if any."
    )


class Struggle(SpecModel):
    """The chapter's zero-sum trade-off: what one lever buys and what it costs."""

    summary: Text = Field(max_length=500, description="The trade-off in one or two sentences.")
    gain: Text = Field(max_length=120, description="What pushing the lever wins (e.g. throughput).")
    cost: Text = Field(max_length=120, description="What it costs in return (e.g. latency).")


# -- ledger -----------------------------------------------------------------------------------


class LedgerRead(SpecModel):
    """A design decision this lab takes from an earlier chapter's lab."""

    key: LedgerKey = Field(description="Ledger key written by an earlier chapter's spec.")
    feeds: EngineParam | None = Field(  # type: ignore[valid-type]
        default=None,
        description="Engine.solve parameter whose starting value the recorded decision sets: "
        "the initial value of every control bound to it, or the fixed input when no control is. "
        "Omit to only show the decision in the ledger panel.",
    )


class LedgerWrite(SpecModel):
    """A design decision this lab records for later chapters."""

    key: LedgerKey = Field(description="Ledger key under which the decision is recorded.")
    source: str = Field(
        alias="from",
        pattern=r"^kat[1-3]\.[a-z_]+$",
        description="Where the value comes from: 'kat<N>.<param>', the final value of the "
        "control bound to <param> in KAT N (e.g. kat2.precision).",
    )
    label: Text = Field(max_length=60, description="How the ledger panel names the decision.")


class Ledger(SpecModel):
    """The design ledger: decisions read from earlier labs and written for later ones."""

    reads: list[LedgerRead] = Field(
        default_factory=list, description="Decisions taken from earlier chapters."
    )
    writes: list[LedgerWrite] = Field(
        default_factory=list, description="Decisions this lab records."
    )


# -- tracks -----------------------------------------------------------------------------------


def _input_field(name: str) -> tuple[Any, Any]:
    entry = BY_NAME[name]
    described = f"Fixed value of {name} ({entry.description}) for this track; also the starting value of a control bound to {name}."
    if entry.kind == "integer":
        return int | None, Field(default=None, ge=entry.minimum, description=described)
    if entry.kind == "fraction":
        return float | None, Field(default=None, gt=0, le=1, description=described)
    types = {
        "precisions": PrecisionName,
        "phases": PhaseName,
        "runtimes": RuntimeName,
        "fabrics": FabricName,
        "regions": RegionName,
        "coolings": CoolingName,
        "serving_modes": ServingModeName,
        "routings": RoutingName,
        "kv_caches": KvCacheName,
    }
    return types[entry.registry] | None, Field(default=None, description=described)  # type: ignore[index]


EngineInputs = create_model(  # type: ignore[call-overload]
    "EngineInputs",
    __base__=SpecModel,
    __doc__="Engine.solve inputs fixed for one track (all optional; unset ones take the "
    "engine's defaults for the track's system and model).",
    **{name: _input_field(name) for name in BY_NAME if name not in TRACK_OWN_PARAMS},
)


class Track(SpecModel):
    """How the lab reskins itself for one persona track."""

    model: ModelName = Field(description="Model twin from mlsys.Models, e.g. Llama3_70B.")
    system: SystemName = Field(description="Node from mlsys.Systems, e.g. H100.")
    scenario: Text = Field(max_length=1500, description="The track's situation in this chapter.")
    nemesis: Text = Field(
        max_length=600,
        description="How the track's arch-nemesis constraint shows up (and tightens) here.",
    )
    stakeholder_prompt: Text = Field(
        max_length=600, description="What the track's stakeholder asks the student to justify."
    )
    inputs: EngineInputs = Field(  # type: ignore[valid-type]
        default_factory=EngineInputs,
        description="Optional Engine.solve inputs for this track (overrides and control starts).",
    )


def _track_field(key: str) -> tuple[Any, Any]:
    persona = Personas.get(key)
    return Track, Field(description=f"{persona.name} ({persona.title}): {persona.mission}")


Tracks = create_model(  # type: ignore[call-overload]
    "Tracks",
    __base__=SpecModel,
    __doc__="Exactly the four persona tracks (guide section 3.1).",
    **{key: _track_field(key) for key in TRACKS},
)


# -- per-track values ---------------------------------------------------------------------------

T = TypeVar("T")

#: The key of a per-track mapping that covers every track not named in it.
OTHER_TRACKS = "others"


class PerTrack(SpecModel, Generic[T]):
    """A value written per track: a key per track (``cloud_titan``, ...) and ``others`` for the
    tracks not named. Every track must be covered, so text for one track never reaches
    another."""

    cloud_titan: T | None = Field(default=None, description="The Cloud Titan track's value.")
    edge_guardian: T | None = Field(default=None, description="The Edge Guardian track's value.")
    mobile_nomad: T | None = Field(default=None, description="The Mobile Nomad track's value.")
    tiny_pioneer: T | None = Field(default=None, description="The Tiny Pioneer track's value.")
    others: T | None = Field(default=None, description="The value of every track not named.")

    @model_validator(mode="after")
    def _covers_every_track(self) -> PerTrack[T]:
        missing = [key for key in TRACKS if getattr(self, key) is None]
        if missing and self.others is None:
            raise _fail(f"no value for {', '.join(missing)}: name every track or add 'others'")
        if not missing and self.others is not None:
            raise _fail("'others' is never used: every track is named")
        return self

    def of(self, track: str) -> T:
        """The value for ``track`` (a track key)."""
        own = getattr(self, track, None)
        return own if own is not None else self.others  # type: ignore[return-value]


def for_track(value: Any, track: str) -> Any:
    """``value`` as ``track`` sees it: a ``PerTrack`` value's entry, or the value itself."""
    return value.of(track) if isinstance(value, PerTrack) else value


def is_per_track(value: Any) -> bool:
    """Whether ``value`` differs per track (a ``PerTrack``)."""
    return isinstance(value, PerTrack)


def _shared_or_per_track(value: Any) -> str:
    return "per_track" if isinstance(value, dict | PerTrack) else "shared"


def per_track_or(kind: Any) -> Any:
    """``kind`` for every track, or a ``PerTrack`` of it (a YAML mapping), each reported in its
    own words when wrong."""
    return Annotated[
        Annotated[kind, Tag("shared")] | Annotated[PerTrack[kind], Tag("per_track")],
        Discriminator(_shared_or_per_track),
    ]


TrackText = Annotated[
    per_track_or(Text),
    Field(description="Text for every track, or a mapping of track key (and 'others') to text."),
]


def _stated_field(name: str) -> tuple[Any, Any]:
    if name in TRACK_OWN_PARAMS:
        kind = ModelName if name == "model" else SystemName
        return kind | None, Field(default=None, description=f"The {name} the question is about.")
    return _input_field(name)


StatedInputs = create_model(  # type: ignore[call-overload]
    "StatedInputs",
    __base__=SpecModel,
    __doc__="Engine.solve inputs that the question fixes, over the KAT's starting controls "
    "(e.g. {batch_size: 8} or {model: Llama3_8B}).",
    **{name: _stated_field(name) for name in BY_NAME},
)


#: The keys of a per-track mapping (``others`` covers the tracks not named).
_PER_TRACK_KEYS = frozenset((*TRACKS, "others"))


def _stated_shared_or_per_track(value: Any) -> str:
    # A mapping keyed only by tracks is per track; any other mapping is one set of inputs.
    if isinstance(value, PerTrack):
        return "per_track"
    if isinstance(value, dict) and value and set(value) <= _PER_TRACK_KEYS:
        return "per_track"
    return "shared"


StatedAt = Annotated[
    Annotated[StatedInputs, Tag("shared")] | Annotated[PerTrack[StatedInputs], Tag("per_track")],
    Discriminator(_stated_shared_or_per_track),
    Field(
        description="Inputs the question fixes over the KAT's starting controls, for every "
        "track ({batch_size: 8}) or per track ({cloud_titan: {dp: 1024}, others: {dp: 64}}), "
        "so the numbers a prompt states are the configuration the answer is judged at."
    ),
]


# -- claims ------------------------------------------------------------------------------------


class Term(SpecModel):
    """One number of a claim: a PerformanceProfile field at the stated configuration, or at the
    stated configuration changed by ``at``."""

    field: ProfileField = Field(description="PerformanceProfile field, e.g. latency.")
    at: StatedInputs | None = Field(  # type: ignore[valid-type]
        default=None, description="Inputs changed from the stated configuration for this term."
    )


class LargestClaim(SpecModel):
    """The right option is the one whose field is the largest at the stated configuration."""

    largest: dict[str, ProfileField] = Field(
        description="Each option mapped to the PerformanceProfile field it names."
    )


class SmallestClaim(SpecModel):
    """The right option is the one whose field is the smallest at the stated configuration."""

    smallest: dict[str, ProfileField] = Field(
        description="Each option mapped to the PerformanceProfile field it names."
    )


class CompareClaim(SpecModel):
    """The answer holds when ``left`` relates to ``right`` as ``relation`` says."""

    left: Term = Field(description="The left number.")
    relation: Literal["greater", "less", "equal", "at_least", "at_most"] = Field(
        description="greater (>), less (<), equal (within 1 %), at_least (>=), at_most (<=)."
    )
    right: Term = Field(description="The right number.")


class FitsClaim(SpecModel):
    """The answer holds when the design at the stated configuration fits (or does not fit) the
    node's memory (``fits: false`` for a design that cannot load)."""

    fits: bool = Field(description="Whether the stated design fits the node's memory.")


class BottleneckClaim(SpecModel):
    """The answer holds when the stated configuration's bottleneck is ``bottleneck``."""

    bottleneck: Literal["Compute", "Memory"] = Field(description="The roofline regime.")


class ConceptualClaim(SpecModel):
    """A claim the engine cannot judge (a definition, a process): declared, with its reason;
    ``labgen list`` counts them."""

    conceptual: Text = Field(max_length=300, description="Why the engine cannot judge this answer.")


_CLAIM_KEYS = {
    "largest": "largest",
    "smallest": "smallest",
    "relation": "compare",
    "fits": "fits",
    "bottleneck": "bottleneck",
    "conceptual": "conceptual",
}


def _claim_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        for key, kind in _CLAIM_KEYS.items():
            if key in value:
                return kind
        return None
    for kind, model in _CLAIM_MODELS.items():
        if isinstance(value, model):
            return kind
    return None


_CLAIM_MODELS: dict[str, type[SpecModel]] = {
    "largest": LargestClaim,
    "smallest": SmallestClaim,
    "compare": CompareClaim,
    "fits": FitsClaim,
    "bottleneck": BottleneckClaim,
    "conceptual": ConceptualClaim,
}

Claim = Annotated[
    Annotated[LargestClaim, Tag("largest")]
    | Annotated[SmallestClaim, Tag("smallest")]
    | Annotated[CompareClaim, Tag("compare")]
    | Annotated[FitsClaim, Tag("fits")]
    | Annotated[BottleneckClaim, Tag("bottleneck")]
    | Annotated[ConceptualClaim, Tag("conceptual")],
    Discriminator(
        _claim_kind,
        custom_error_type="claim",
        custom_error_message="a claim is one of: largest, smallest, left/relation/right, fits, "
        "bottleneck, conceptual",
    ),
]


# -- KATs --------------------------------------------------------------------------------------


class TextPrediction(SpecModel):
    """A free-text hypothesis."""

    kind: Literal["text"] = Field(description="Free text.")
    prompt: TrackText = Field(description="The question the student answers first.")


class ChoicePrediction(SpecModel):
    """A multiple-choice hypothesis with exactly one right answer."""

    kind: Literal["choice"] = Field(description="Pick one of several options.")
    prompt: TrackText = Field(description="The question the student answers first.")
    options: per_track_or(Options) = Field(  # type: ignore[valid-type]
        description="Two to six distinct options, for every track or per track."
    )
    answer: TrackText = Field(description="The one right option (one of the track's options).")
    claim: Claim = Field(
        description="What the engine must show for the answer to be right, on every track: "
        "largest/smallest (options mapped to fields), left/relation/right, fits, bottleneck; "
        "or conceptual with the reason the engine cannot judge it."
    )
    at: StatedAt | None = Field(  # type: ignore[valid-type]
        default=None,
        description="Inputs the question fixes over the KAT's starting controls (the stated "
        "configuration the answer is judged at), for every track or per track.",
    )


Options = Annotated[list[Text], _unique("option"), Field(min_length=2, max_length=6)]


class NumberPrediction(SpecModel):
    """A numeric hypothesis within bounds, in a unit."""

    kind: Literal["number"] = Field(description="A bounded number.")
    prompt: TrackText = Field(description="The question the student answers first.")
    min: float = Field(description="Smallest value the input accepts (in unit).")
    max: float = Field(description="Largest value the input accepts (in unit).")
    unit: Text = Field(
        max_length=40, description="Unit of the answer, parsed by mlsys.ureg (e.g. ms, GB)."
    )
    compare_to: ProfileField = Field(
        description="PerformanceProfile field the prediction is judged against (e.g. latency); "
        "unit must have its dimension.",
    )
    at: StatedAt | None = Field(  # type: ignore[valid-type]
        default=None,
        description="Inputs the question fixes over the KAT's starting controls (the stated "
        "configuration the answer is judged at), for every track or per track.",
    )


Prediction = Annotated[
    TextPrediction | ChoicePrediction | NumberPrediction, Field(discriminator="kind")
]


class IntegerControl(SpecModel):
    """A slider over whole numbers bound to an integer Engine.solve parameter."""

    param: Literal[INTEGER_PARAMS] = Field(  # type: ignore[valid-type]
        description="Engine.solve parameter the slider sets."
    )
    label: Text = Field(max_length=60, description="Slider label.")
    min: int = Field(
        ge=0, description="Smallest value (in unit); at least 1 except for the ZeRO stage (0)."
    )
    max: int = Field(ge=0, description="Largest value (in unit).")
    default: int = Field(ge=0, description="Starting value unless a track or the ledger sets one.")
    step: int = Field(default=1, ge=1, description="Step between values (linear scale only).")
    scale: Literal["linear", "log2"] = Field(
        default="linear",
        description="linear: min, min+step, ...; log2: powers of two from min to max.",
    )
    unit: Text = Field(description="Unit of the values (sample for batch_size, token for seq_len).")
    lesson: Text | None = Field(
        default=None,
        max_length=300,
        description="Declare that this lever moving nothing the KAT shows is the lesson, and why.",
    )


class FractionControl(SpecModel):
    """A slider over a fraction in (0, 1] bound to a fractional Engine.solve parameter."""

    param: Literal[FRACTION_PARAMS] = Field(  # type: ignore[valid-type]
        description="Engine.solve parameter the slider sets."
    )
    label: Text = Field(max_length=60, description="Slider label.")
    min: float = Field(gt=0, le=1, description="Smallest value, in (0, 1].")
    max: float = Field(gt=0, le=1, description="Largest value, in (0, 1].")
    default: float = Field(gt=0, le=1, description="Starting value unless a track sets one.")
    step: float = Field(default=0.05, gt=0, le=1, description="Step between values.")
    unit: Text = Field(default="dimensionless", description="Always dimensionless.")
    lesson: Text | None = Field(
        default=None,
        max_length=300,
        description="Declare that this lever moving nothing the KAT shows is the lesson, and why.",
    )


class ChoiceControl(SpecModel):
    """A dropdown over registry names bound to an Engine.solve parameter."""

    param: Literal[CHOICE_PARAMS] = Field(  # type: ignore[valid-type]
        description="Engine.solve parameter the dropdown sets."
    )
    label: Text = Field(max_length=60, description="Dropdown label.")
    options: Annotated[list[str], _unique("option")] = Field(
        min_length=2,
        max_length=12,
        description="Names from the parameter's registry (precision: mlsys.PRECISIONS, model: "
        "mlsys.Models, ...). Precision and runtime options a track's system cannot run are "
        "not offered on that track.",
    )
    default: str = Field(description="Starting option unless a track or the ledger sets one.")
    lesson: Text | None = Field(
        default=None,
        max_length=300,
        description="Declare that this lever moving nothing the KAT shows is the lesson, and why.",
    )


Control = Annotated[IntegerControl | FractionControl | ChoiceControl, Field(discriminator="param")]


class Reflection(SpecModel):
    """The Reflect step: the student justifies the choice to the track's stakeholder."""

    prompt: TrackText = Field(
        description="What the student explains, using the chapter's invariants (the track's "
        "stakeholder is addressed by the lab).",
    )


def _target_field(value: str, info: ValidationInfo) -> str:
    if value in SERVING_FIELDS:
        return value
    message = unknown_name("profile_fields", value, registries_of(info))
    if message:
        raise _fail(f"{message}, or one of the serving simulation's: {', '.join(SERVING_FIELDS)}")
    return value


TargetField = Annotated[str, AfterValidator(_target_field)]


class Target(SpecModel):
    """A bar the KAT asks one track to meet, such as the nemesis budget or an SLO."""

    track: Literal[TRACKS] = Field(description="The track the target applies to.")  # type: ignore[valid-type]
    field: TargetField = Field(
        description="PerformanceProfile field judged, e.g. latency; or latency_p99, the serving "
        "simulation's P99 (a KAT whose instrument is the P99 histogram)."
    )
    at_most: Text | None = Field(
        default=None, max_length=40, description="Upper bar with its unit, e.g. '7.5 ms'."
    )
    at_least: Text | None = Field(
        default=None, max_length=40, description="Lower bar with its unit, e.g. '60 1/s'."
    )
    wall: Text | None = Field(
        default=None,
        max_length=400,
        description="Declare the bar unreachable on purpose (the wall is the lesson) and say "
        "why; the lab shows this sentence.",
    )
    guardrail: Text | None = Field(
        default=None,
        max_length=80,
        description="Name of the guardrail this bar is, and where the volume built it (e.g. "
        "'Lab 10: the latency objective'); shown before the bar on a launch review.",
    )

    @model_validator(mode="after")
    def _one_bar(self) -> Target:
        if (self.at_most is None) == (self.at_least is None):
            raise _fail("give exactly one of at_most or at_least")
        return self


class Kat(SpecModel):
    """One Key Analysis Task: Predict, then Act, then Observe, then Reflect."""

    title: Text = Field(max_length=120, description="What the task investigates.")
    prediction: Prediction = Field(description="The hypothesis typed before anything unlocks.")
    controls: list[Control] = Field(
        min_length=1,
        max_length=4,
        description="One to four controls, each bound to a different Engine.solve parameter.",
    )
    instrument: InstrumentId = Field(description="Instrument id observed (one of instruments).")
    metrics: Annotated[list[ProfileField], _unique("metric")] = Field(
        default_factory=list,
        max_length=6,
        description="PerformanceProfile fields shown as numbers beside the instrument, in this "
        "order (e.g. flops, bytes_moved, arithmetic_intensity).",
    )
    reflection: Reflection = Field(description="The Reflect step.")
    targets: list[Target] = Field(
        default_factory=list,
        max_length=MAX_TARGETS_PER_TRACK * len(TRACKS),
        description="Targets the prompt or reflection asks the student to meet, per track (at "
        f"most {MAX_TARGETS_PER_TRACK} a track): `labgen validate` proves each reachable with "
        "the KAT's controls, unless it declares the wall as the lesson.",
    )
    launch: bool = Field(
        default=False,
        description="The KAT is a launch review: its targets are the guardrails, every track has "
        "at least two, and the lab says GO only when the design passes all of them at once "
        "(`labgen validate` proves one setting of the controls does, unless a guardrail is a "
        "declared wall).",
    )

    @model_validator(mode="after")
    def _guardrails_per_track(self) -> Kat:
        counts = dict.fromkeys(TRACKS, 0)
        for target in self.targets:
            counts[target.track] += 1
        crowded = [track for track, count in counts.items() if count > MAX_TARGETS_PER_TRACK]
        if crowded:
            raise _fail(
                f"targets: at most {MAX_TARGETS_PER_TRACK} bars a track "
                f"({', '.join(crowded)} has more)"
            )
        if self.launch:
            short = [track for track, count in counts.items() if count < 2]
            if short:
                raise _fail(
                    "launch: a launch review needs at least two guardrails (targets) on every "
                    f"track; {', '.join(short)} has fewer"
                )
            simulated = sorted({t.field for t in self.targets if t.field in SERVING_FIELDS})
            if simulated:
                raise _fail(
                    "launch: a launch review's guardrails are the design's own numbers; "
                    f"{', '.join(simulated)} needs the serving simulation"
                )
        return self


# -- Lab 01 --------------------------------------------------------------------------------------


class Dam(SpecModel):
    """Lab 01 only: the D·A·M fundamentals explored before the track choice ends the lab."""

    data: Text = Field(max_length=800, description="D: what the data axis means in this lab.")
    algorithm: Text = Field(max_length=800, description="A: what the algorithm axis means.")
    machine: Text = Field(max_length=800, description="M: what the machine axis means.")
    model: ModelName = Field(description="Model every student explores before choosing a track.")
    system: SystemName = Field(description="System every student explores before choosing a track.")
    inputs: EngineInputs = Field(  # type: ignore[valid-type]
        default_factory=EngineInputs, description="Optional Engine.solve inputs for the KATs."
    )


# -- the spec ----------------------------------------------------------------------------------


class ChapterSpec(SpecModel):
    """A chapter spec: everything `labgen build` needs to write one lab."""

    chapter: ChapterInfo = Field(description="Which chapter this is.")
    objectives: Annotated[
        list[Annotated[Text, AfterValidator(_objective)]], _exactly("objectives")
    ] = Field(
        description="Exactly three learning objectives, each starting with an action verb.",
        json_schema_extra=_exact_schema("objectives"),
    )
    invariants: list[Invariant] = Field(
        min_length=1, max_length=6, description="The chapter's laws the lab leans on."
    )
    struggle: Struggle = Field(description="The chapter's zero-sum trade-off.")
    instruments: Annotated[list[InstrumentId], _unique("instrument")] = Field(
        min_length=1, description="Instrument ids the lab uses (each unlocked by this chapter)."
    )
    ledger: Ledger = Field(
        default_factory=Ledger,
        description="Design-ledger reads and writes (narrative persistence).",
    )
    dam: Dam | None = Field(
        default=None,
        description="Lab 01 only (required there, refused elsewhere): the D·A·M fundamentals.",
    )
    tracks: Tracks = Field(  # type: ignore[valid-type]
        description="The four persona tracks: cloud_titan, edge_guardian, mobile_nomad, tiny_pioneer."
    )
    kats: Annotated[list[Kat], _exactly("kats")] = Field(
        description="Exactly three sequential Key Analysis Tasks.",
        json_schema_extra=_exact_schema("kats"),
    )

    @property
    def is_intro(self) -> bool:
        """Whether this is Lab 01 of Volume 1 (D·A·M first, track choice last)."""
        return (self.chapter.volume, self.chapter.number) == (1, 1)


#: Top-level sections in the order a spec is written (and the scaffold emits them).
SECTIONS: tuple[str, ...] = tuple(ChapterSpec.model_fields)
