"""``labgen list``: every chapter of the book, with its spec and lab and whether they agree."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

import click
import yaml

from labgen import __version__
from labgen.book import CHAPTERS, Chapter
from labgen.config import set_option
from labgen.provenance import read_provenance, spec_digest, staleness
from labgen.spec.reading import SpecReadError, read_spec_bytes, spec_entry_exists
from labgen.spec.workspace import Workspace, open_workspace

#: The states a chapter can be in, from nothing to done.
STATES = ("no spec", "lab without spec", "not built", "stale", "up to date")


@dataclass(frozen=True)
class ChapterState:
    """One row of ``labgen list``: paths are POSIX, relative to the project root."""

    volume: int
    number: int
    key: str
    slug: str
    spec: str
    lab: str
    spec_present: bool
    lab_present: bool
    up_to_date: bool | None
    state: str
    reason: str | None
    conceptual: int = 0  # choice claims the engine cannot judge, declared in the spec


def conceptual_claims(data: bytes) -> int:
    """How many KATs of a spec declare their claim conceptual (the engine cannot judge it)."""
    try:
        document = yaml.load(data, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return 0
    kats = document.get("kats") if isinstance(document, dict) else None
    if not isinstance(kats, list):
        return 0
    return sum(
        1
        for kat in kats
        if isinstance(kat, dict)
        and isinstance(kat.get("prediction"), dict)
        and isinstance(kat["prediction"].get("claim"), dict)
        and "conceptual" in kat["prediction"]["claim"]
    )


def chapter_state(workspace: Workspace, chapter: Chapter) -> ChapterState:
    """Where ``chapter`` stands: spec present, lab generated, lab up to date with its spec and
    this labgen (judged by the lab's provenance header)."""
    spec_file, lab_file = workspace.spec_path(chapter), workspace.lab_path(chapter)
    spec, lab = workspace.relative(spec_file), workspace.relative(lab_file)
    spec_present, lab_present = spec_entry_exists(spec_file), lab_file.is_file()
    reason: str | None = None
    up_to_date: bool | None = None
    conceptual = 0
    if not spec_present:
        state = "lab without spec" if lab_present else "no spec"
    elif not lab_present:
        state = "not built"
    else:
        try:
            provenance = read_provenance(lab_file.read_text(encoding="utf-8", errors="replace"))
            data = read_spec_bytes(spec_file)
            reason = staleness(provenance, spec, spec_digest(data), __version__)
            conceptual = conceptual_claims(data)
        except OSError as error:
            reason = f"cannot read: {error.strerror}"
        except SpecReadError as error:
            reason = str(error)
        up_to_date = reason is None
        state = "up to date" if up_to_date else "stale"
    return ChapterState(
        chapter.volume,
        chapter.number,
        chapter.key,
        chapter.slug,
        spec,
        lab,
        spec_present,
        lab_present,
        up_to_date,
        state,
        reason,
        conceptual,
    )


def _summary(rows: list[ChapterState]) -> list[str]:
    lines = []
    for volume in sorted({row.volume for row in rows}):
        mine = [row for row in rows if row.volume == volume]
        done = sum(row.state == "up to date" for row in mine)
        specs = sum(row.spec_present for row in mine)
        verdict = "complete" if done == len(mine) else f"{done} of {len(mine)} labs up to date"
        lines.append(f"Volume {volume}: {verdict} ({specs} of {len(mine)} specs written)")
    conceptual = [row for row in rows if row.conceptual]
    if conceptual:
        where = ", ".join(f"{row.key} ({row.conceptual})" for row in conceptual)
        total = sum(row.conceptual for row in conceptual)
        lines.append(f"Conceptual claims (declared, not judged by the engine): {total}: {where}")
    return lines


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of chapter objects.")
@set_option
def list_chapters(as_json: bool, overrides: tuple[str, ...]) -> None:
    """List all 33 chapters with their state: spec present, lab generated, lab up to date."""
    workspace = open_workspace(overrides)
    rows = [chapter_state(workspace, chapter) for chapter in CHAPTERS]
    if as_json:
        data: list[dict[str, Any]] = [asdict(row) for row in rows]
        click.echo(json.dumps(data, indent=2))
        return
    width = max(len(row.slug) for row in rows)
    click.echo(f"{'CHAPTER':<8} {'SLUG':<{width}} {'SPEC':<4} {'LAB':<4} STATE")
    for row in rows:
        spec = "yes" if row.spec_present else "-"
        lab = "yes" if row.lab_present else "-"
        state = f"{row.state} ({row.reason})" if row.reason else row.state
        click.echo(f"{row.key:<8} {row.slug:<{width}} {spec:<4} {lab:<4} {state}")
    for line in _summary(rows):
        click.echo(line)
