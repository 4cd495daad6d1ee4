"""A new chapter spec to fill in: every section present, every decision marked TODO.

Values an author must decide are ``TODO`` strings, which validation rejects until they are
replaced; everything the book's structure already knows (volume, number, slug, the four tracks'
north-star model and system, the instruments unlocked so far, the ledger keys earlier chapters
wrote) is filled in or listed in a comment.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from labgen.book import Chapter
from labgen.spec.index import LedgerWriteRef
from labgen.spec.registries import Registries
from labgen.spec.schema import MODELINE
from mlsys.ledger import TRACKS
from mlsys.personas import Persona, Personas


def _q(text: str) -> str:
    # JSON strings are valid YAML double-quoted scalars, so any text is emitted safely.
    return json.dumps(text, ensure_ascii=False)


#: Each scaffolded KAT asks about another number (judged field, unit, input bounds), so no KAT
#: starts out showing the next one's answer.
_QUESTIONS: dict[int, tuple[str, str, str, str]] = {
    1: ("latency", "ms", "0.0001", "100000"),
    2: ("power", "W", "0.000001", "100000"),
    3: ("energy", "J", "0.000000001", "10000"),
}


def _kat(number: int) -> list[str]:
    field, unit, low, high = _QUESTIONS[number]
    return [
        f"  - title: {_q(f'TODO: what KAT {number} investigates')}",
        "    prediction:",
        "      kind: number",
        f"      prompt: {_q('TODO: the question answered before anything unlocks')}",
        f"      min: {low}",
        f"      max: {high}",
        f"      unit: {unit}",
        f"      compare_to: {field}",
        "    controls:",
        "      - param: batch_size",
        "        label: Batch size",
        "        min: 1",
        "        max: 256",
        "        default: 1",
        "        scale: log2",
        "        unit: sample",
        f"    instrument: {_q('TODO')}",
        "    reflection:",
        f"      prompt: {_q('TODO: what the student justifies to the stakeholder')}",
    ]


def _nemesis_todo(persona: Persona, chapter: Chapter) -> str:
    # Volume 2 tracks face their fleet nemesis (mlsys.personas, Persona.fleet).
    nemesis = persona.nemesis if chapter.volume == 1 else persona.fleet.nemesis
    bar = nemesis.targets[chapter.number - 1]
    return f"TODO: how {nemesis.name} shows up here; this chapter's bar is {bar:g} {nemesis.unit}"


def _track(key: str, chapter: Chapter) -> list[str]:
    persona = Personas.get(key)
    if chapter.volume == 1:
        mission, system, precision = persona.mission, persona.system.name, persona.precision
    else:
        # Volume 2 starts each track on its training cluster's node, in a training format.
        fleet = persona.fleet
        mission, system, precision = fleet.mission, fleet.cluster.node.name, "fp16"
    return [
        f"  {key}:  # {persona.name}: {mission}",
        f"    model: {persona.model.name}",
        f"    system: {system}",
        f"    scenario: {_q('TODO: the situation of this track in this chapter')}",
        f"    nemesis: {_q(_nemesis_todo(persona, chapter))}",
        f"    stakeholder_prompt: {_q(f'TODO: what the {persona.stakeholder.role} asks')}",
        # The north star's number format, so the track's design starts on a node it fits; a
        # Volume 2 track works on a cluster (its plan starts at one data-parallel replica).
        "    inputs:",
        f"      precision: {precision}",
        *(["      dp: 1"] if chapter.volume == 2 else []),
    ]


def _dam() -> list[str]:
    return [
        "dam:  # Lab 01 only: D·A·M before the track choice",
        f"  data: {_q('TODO: the data axis')}",
        f"  algorithm: {_q('TODO: the algorithm axis')}",
        f"  machine: {_q('TODO: the machine axis')}",
        f"  model: {_q('TODO: a model from mlsys.Models')}",
        f"  system: {_q('TODO: a system from mlsys.Systems')}",
    ]


def scaffold_spec(
    chapter: Chapter, registries: Registries, earlier_writes: Mapping[str, LedgerWriteRef]
) -> str:
    """The text of a new spec for ``chapter`` (deterministic for the same inputs)."""
    unlocked = [i.id for i in registries.instruments.values() if i.unlocked_in(chapter)]
    written = ", ".join(f"{key} ({ref.chapter.key})" for key, ref in sorted(earlier_writes.items()))
    lines = [
        MODELINE,
        f"# Spec for {chapter.key} ({chapter.slug}). Replace every TODO, then run",
        "# `labgen validate` and `labgen build`. Format: docs/spec-format.md.",
        "chapter:",
        f"  volume: {chapter.volume}",
        f"  number: {chapter.number}",
        f"  slug: {chapter.slug}",
        f"  title: {_q('TODO: the lab title')}",
        "  reading:",
        f"    section: {_q('TODO: the book section read before the lab')}",
        "objectives:  # exactly three, each starting with an action verb",
        *(
            f"  - {_q(f'TODO: objective {n} (Predict, Quantify, Diagnose, ...)')}"
            for n in (1, 2, 3)
        ),
        "invariants:",
        f"  - name: {_q('TODO: a law of the chapter')}",
        f"    statement: {_q('TODO: the law in a sentence, with its formula')}",
        "struggle:",
        f"  summary: {_q('TODO: the zero-sum trade-off of the chapter')}",
        f"  gain: {_q('TODO: what the lever wins')}",
        f"  cost: {_q('TODO: what it costs')}",
        f"instruments: [{_q('TODO')}]  # unlocked here: {', '.join(unlocked)}",
        "ledger:",
        f"  reads: []  # written by earlier chapters: {written or 'nothing yet'}",
        "  writes: []",
    ]
    if (chapter.volume, chapter.number) == (1, 1):
        lines += _dam()
    lines.append("tracks:")
    for key in TRACKS:
        lines += _track(key, chapter)
    lines.append("kats:  # exactly three: Predict, Act, Observe, Reflect")
    for number in (1, 2, 3):
        lines += _kat(number)
    return "\n".join(lines) + "\n"
