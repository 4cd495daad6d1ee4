"""Where each KAT's ``Engine.solve`` inputs come from, for one track: one source for the
validator (which solves them) and the build (which renders them).

For a track and a KAT, the engine gets the track's ``model`` and ``system``, the track's
``inputs``, and the values of the KAT's controls that apply to the track (a control bound to
``seq_len`` or ``phase`` applies only where the model is a transformer). A control offers, on that track, the dropdown
options the track's system can run (precision, runtime) or its slider range, and *starts* at the
track's input for its parameter when the track sets one, else at its ``default``. At run time a
ledger read that ``feeds`` the parameter replaces that start when the recorded value is one the
control offers. In Lab 01 the D·A·M section plays the part of the track.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import mlsys
from labgen.spec.diagnostics import DataPath
from labgen.spec.engine_inputs import BY_NAME, TRACK_OWN_PARAMS
from labgen.spec.model import ChapterSpec, ChoiceControl, Kat
from labs.core.configuration import allowed_choices


@dataclass(frozen=True)
class Setting:
    """Where engine inputs come from for one track (``key`` its track id, or ``dam`` in Lab 01):
    registry names for ``model`` and ``system`` and the fixed ``inputs`` it sets."""

    key: str
    label: str
    path: DataPath
    model: str
    system: str
    inputs: dict[str, Any]

    def path_of(self, param: str) -> DataPath:
        """Data path of the place this setting gives ``param``."""
        if param in TRACK_OWN_PARAMS:
            return (*self.path, param)
        return (*self.path, "inputs", param)


@dataclass(frozen=True)
class ControlStart:
    """One control on one track: the values it ``offers`` there (dropdown options, or a slider's
    ``(min, max)``) and the value it ``start``s at (before any ledger value)."""

    position: int
    control: Any
    offers: tuple[Any, ...]
    start: Any
    start_from: str  # "track" or "default"


@dataclass(frozen=True)
class KatStart:
    """A KAT on one track: every starting Engine.solve input (registry names for model and
    system) and each control's offer."""

    values: dict[str, Any]
    controls: tuple[ControlStart, ...]


@dataclass(frozen=True)
class StartProblem:
    """Why a KAT cannot start on a track, and where (a data path)."""

    path: DataPath
    message: str


def _set_values(inputs: Any) -> dict[str, Any]:
    return {name: value for name, value in inputs if value is not None}


def settings_of(spec: ChapterSpec) -> list[Setting]:
    """The settings a spec's KATs run in: the ``dam`` section in Lab 01, else the four tracks."""
    if spec.is_intro and spec.dam is not None:
        dam = spec.dam
        return [Setting("dam", "dam", ("dam",), dam.model, dam.system, _set_values(dam.inputs))]
    return [
        Setting(key, f"track {key}", ("tracks", key), t.model, t.system, _set_values(t.inputs))
        for key, t in spec.tracks
    ]


def offers(control: Any, system: Any, model: Any, inputs: Any = None) -> tuple[Any, ...]:
    """What a control offers on a track running ``model`` on ``system`` (mlsys specs) with the
    track's fixed ``inputs``: the dropdown options the track can use (precisions and runtimes
    its system runs, only training formats for a training cluster; ``decode`` only for decoder
    transformers), or the slider's ``(min, max)``."""
    if isinstance(control, ChoiceControl):
        track = {"system": system, "model": model, "inputs": dict(inputs or {})}
        return tuple(allowed_choices(control.param, control.options, track))
    return (control.min, control.max)


def allows(control: Any, value: Any, system: Any, model: Any, inputs: Any = None) -> bool:
    """Whether the control can show ``value`` on the track (see ``offers``)."""
    if isinstance(control, ChoiceControl):
        return value in offers(control, system, model, inputs)
    return control.min <= value <= control.max


def describe_offer(control: Any, system: Any, model: Any, inputs: Any = None) -> str:
    """``offers fp32, int8`` or ``ranges over [1, 256]``, for messages."""
    if isinstance(control, ChoiceControl):
        offered = offers(control, system, model, inputs)
        return f"offers {', '.join(map(str, offered)) or 'nothing'}"
    return f"ranges over [{control.min}, {control.max}]"


def applies(control: Any, model: Any) -> bool:
    """Whether a control appears on a track running ``model`` (a ``mlsys.ModelSpec``): not a
    transformer-only one on another model, nor a phase dropdown none of whose phases the model
    has (prefill and decode on a CNN)."""
    if control.param == "phase":
        return any(option in model.phases for option in control.options)
    return not BY_NAME[control.param].transformer_only or model.is_transformer


def kat_start(setting: Setting, kat_index: int, kat: Kat) -> KatStart | StartProblem:
    """The starting inputs of KAT ``kat_index`` (0-based) in ``setting``, or why there are none.

    ``controls`` lists only the controls that apply to the setting's model.
    """
    system = mlsys.Systems.get(setting.system)
    model = mlsys.Models.get(setting.model)
    values: dict[str, Any] = {"model": setting.model, "system": setting.system, **setting.inputs}
    prefix = f"{setting.label}, KAT {kat_index + 1}"
    if not any(applies(control, model) for control in kat.controls):
        return StartProblem(
            ("kats", kat_index, "controls"),
            f"{prefix}: no control applies to {model.name}, which is not a transformer "
            "(seq_len exists only for transformers); add a control for every track",
        )
    starts = []
    for position, control in enumerate(kat.controls):
        if not applies(control, model):
            continue
        here = ("kats", kat_index, "controls", position)
        offered = offers(control, system, model, setting.inputs)
        if not offered:
            return StartProblem(
                (*here, "options"),
                f"{prefix}: none of the {control.param} options can be used with "
                f"{model.name} on {system.name}",
            )
        given = values.get(control.param)
        if given is not None:
            if not allows(control, given, system, model, setting.inputs):
                return StartProblem(
                    setting.path_of(control.param),
                    f"{prefix}: {control.param} starts at {given!r}, but the control "
                    f"{describe_offer(control, system, model, setting.inputs)}",
                )
            starts.append(ControlStart(position, control, offered, given, "track"))
        elif allows(control, control.default, system, model, setting.inputs):
            values[control.param] = control.default
            starts.append(ControlStart(position, control, offered, control.default, "default"))
        else:
            return StartProblem(
                (*here, "default"),
                f"{prefix}: default {control.param} {control.default!r} cannot be used with "
                f"{model.name} on {system.name} (the control "
                f"{describe_offer(control, system, model, setting.inputs)}); set "
                f"{'.'.join(map(str, setting.path_of(control.param)))} for this track",
            )
    return KatStart(values, tuple(starts))


def solve(values: dict[str, Any]) -> Any:
    """``Engine.solve`` on starting values (registry names resolved), through the lab's own
    configuration code, so fleet parameters build the same cluster and plan the lab builds;
    raises what it raises (a ValueError naming the parameter for a plan that cannot run)."""
    from labs.core import configuration

    model, system = mlsys.Models.get(values["model"]), mlsys.Systems.get(values["system"])
    if not any(key in configuration.FLEET_KEYWORDS for key in values):
        # One node: the engine itself judges every keyword (a phase the model lacks, say).
        return mlsys.Engine.solve(**{**values, "model": model, "system": system})
    others = {k: v for k, v in values.items() if k not in ("model", "system")}
    setting = {"model": model, "system": system, "inputs": {}}
    return configuration.solve_inputs(configuration.engine_inputs(setting, others))
