"""The four persona tracks (guide section 3.1): choosing one, and writing to its stakeholder
(guide section 6.3). Everything a track says comes from ``mlsys.personas``."""

from __future__ import annotations

import html
from typing import Any

import marimo as mo

from labs.core import style
from labs.core.markdown import render_safe_html, safe_label
from mlsys.personas import Persona, Personas


def persona_of(persona: Persona | str) -> Persona:
    """A ``Persona``, given one or its track key ("cloud_titan"); KeyError listing the keys."""
    return persona if isinstance(persona, Persona) else Personas.get(persona)


def track_option(persona: Persona) -> str:
    """How a track reads in the selector: "Cloud Titan · LLM Architect"."""
    return f"{persona.name} · {persona.title}"


def TrackSelector(value: str | None = None, *, label: str | None = None) -> mo.ui.radio:
    """The four tracks as a radio group; ``.value`` is the chosen track key ("cloud_titan",
    "edge_guardian", "mobile_nomad", "tiny_pioneer"), which labs use to reskin their scenario
    and engine inputs. ``value`` preselects a track key (default: the first track, so a lab
    always has one); ``label`` replaces the default heading (spec Markdown)."""
    personas = Personas.all()
    options = {track_option(p): p.key for p in personas}
    chosen = persona_of(value) if value is not None else personas[0]
    missions = "".join(
        f"<li><strong>{html.escape(p.name)}</strong>: {html.escape(p.mission)}</li>"
        for p in personas
    )
    heading = (
        safe_label(label)
        if label is not None
        else (
            '<div class="lg-label"><strong>Choose your track.</strong> Its north star stays '
            f"the same from Lab 1 to Lab 16:<ul>{missions}</ul></div>"
        )
    )
    return mo.ui.radio(options=options, value=track_option(chosen), label=heading)


def _stakeholders(who: Persona, volume: int) -> tuple[Any, ...]:
    # Volume 2 answers to the fleet's stakeholders: the track's own and a fleet-scale one.
    return (who.stakeholder,) if volume == 1 else tuple(who.fleet.stakeholders)


def _addressed(who: Persona, volume: int) -> str:
    return " and the ".join(s.role for s in _stakeholders(who, volume))


def stakeholder_heading(persona: Persona | str, *, volume: int = 1) -> str:
    """HTML naming the track's stakeholder and what they care about ("To the CFO ..."); in
    Volume 2 the fleet's stakeholders ("To the CFO and the SRE Lead ...")."""
    who = persona_of(persona)
    cares = " ".join(f"<em>{html.escape(s.cares_about)}</em>" for s in _stakeholders(who, volume))
    return (
        f"<div {style.attrs('lg-stakeholder')}><strong>To the "
        f"{html.escape(_addressed(who, volume))}</strong> ({html.escape(who.name)} track). "
        f"{cares}</div>"
    )


def StakeholderReflection(
    persona: Persona | str, prompt: str, *, placeholder: str | None = None, volume: int = 1
) -> mo.ui.text_area:
    """The reflection box of a KAT, addressed to the track's stakeholder (guide section 4,
    Reflect; in Volume 2 the fleet's stakeholders). ``persona`` is an
    ``mlsys.personas.Persona`` or a track key; ``prompt`` is spec Markdown. ``.value`` is the
    student's text ("" until written), ready for ``record_design``.
    """
    who = persona_of(persona)
    heading = stakeholder_heading(who, volume=volume)
    label = f'<div class="lg-label">{heading}{render_safe_html(prompt)}</div>'
    hint = placeholder or f"Justify your choice to the {_addressed(who, volume)} in their terms."
    return mo.ui.text_area(placeholder=hint, label=label, full_width=True)
