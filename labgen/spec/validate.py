"""Validate one spec file: parse with positions, check the shape, run every rule, locate all.

``check_spec_file`` is what ``labgen validate`` and ``labgen build`` call. It reports every
problem it can find in one pass, each at the YAML node it concerns, and never raises for bad
input. When a section is broken, its valid parts (single KATs and tracks) still go through the
rules, so one typo never hides the other problems of the file.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError, create_model

from labgen.book import Chapter
from labgen.errors import LabgenError
from labgen.provenance import spec_digest
from labgen.spec import rules
from labgen.spec.diagnostics import (
    DataPath,
    Finding,
    SpecProblem,
    display_path,
    findings_from_pydantic,
    unique_findings,
)
from labgen.spec.index import SpecIndex, index_specs, spec_files
from labgen.spec.inputs import Setting
from labgen.spec.model import (
    EXACT_COUNTS,
    ChapterSpec,
    Dam,
    Kat,
    Ledger,
    SpecModel,
    Track,
    exact_count_problem,
)
from labgen.spec.pedagogy import check_pedagogy
from labgen.spec.project_rules import check_ledger_reads
from labgen.spec.reading import SpecReadError, read_spec_bytes
from labgen.spec.registries import Registries, default_registries
from labgen.spec.yamlread import Positions, YamlDocument, read_yaml

TODO_MESSAGE = "unfinished: replace the TODO marker with the real content"


@dataclass
class SpecCheck:
    """The result of validating one spec file: its SHA-256 ``digest``, every located problem,
    and the spec when it is valid."""

    path: Path
    shown: str
    digest: str
    problems: list[SpecProblem] = field(default_factory=list)
    spec: ChapterSpec | None = None

    @property
    def ok(self) -> bool:
        """Whether the spec is valid (no problems)."""
        return not self.problems


class SpecInvalidError(LabgenError):
    """A spec has problems; ``problems`` holds every one, ``str()`` prints one per line."""

    def __init__(self, problems: list[SpecProblem]) -> None:
        super().__init__("\n".join(str(p) for p in problems), code=1)
        self.problems = problems


def _only(name: str, annotation: Any, info: Any = ...) -> type[SpecModel]:
    # A model holding one value, so that a section or an item is validated on its own with the
    # spec's strictness.
    return create_model(f"Only_{name}", __base__=SpecModel, **{name: (annotation, info)})


_LEDGER = _only("ledger", Ledger, ChapterSpec.model_fields["ledger"])
_DAM = _only("dam", Dam | None, ChapterSpec.model_fields["dam"])
_KAT = _only("kat", Kat)
_TRACK = _only("track", Track)


def _validated(model: type[SpecModel], name: str, data: dict[str, Any], context: Any) -> Any:
    payload = {name: data[name]} if name in data else {}
    try:
        return getattr(model.model_validate(payload, context=context), name)
    except ValidationError:
        return None


@dataclass
class _Parts:
    """The valid parts of a spec: whole sections, or single KATs and tracks of broken ones."""

    chapter: Chapter | None
    instruments: list[str] | None
    ledger: Ledger | None
    dam: Dam | None
    kats: list[Kat | None] | None
    tracks: dict[str, Track | None]


def _parts(
    data: dict[str, Any], spec: ChapterSpec | None, context: Any
) -> tuple[_Parts, list[Finding]]:
    chapter, finding = rules.chapter_from_raw(data.get("chapter"))
    raw_instruments = data.get("instruments")
    instruments = (
        [item if isinstance(item, str) else "" for item in raw_instruments]
        if isinstance(raw_instruments, list)
        else None
    )
    found = [finding] if finding else []
    if spec is not None:
        tracks = dict(iter(spec.tracks))
        return _Parts(chapter, instruments, spec.ledger, spec.dam, list(spec.kats), tracks), found
    raw_kats, raw_tracks = data.get("kats"), data.get("tracks")
    kats = (
        [_validated(_KAT, "kat", {"kat": item}, context) for item in raw_kats]
        if isinstance(raw_kats, list)
        else None
    )
    tracks = {
        key: _validated(_TRACK, "track", {"track": value}, context)
        for key, value in (raw_tracks.items() if isinstance(raw_tracks, dict) else ())
    }
    ledger = _validated(_LEDGER, "ledger", data, context)
    dam = _validated(_DAM, "dam", data, context)
    return _Parts(chapter, instruments, ledger, dam, kats, tracks), found


def _settings(chapter: Chapter, parts: _Parts) -> list[Setting]:
    """Where each KAT's engine inputs come from: the D·A·M section in Lab 01, else each track."""
    if (chapter.volume, chapter.number) == (1, 1):
        dam = parts.dam
        if dam is None:
            return []
        return [Setting("dam", "dam", ("dam",), dam.model, dam.system, _inputs(dam.inputs))]
    return [
        Setting(
            key, f"track {key}", ("tracks", key), track.model, track.system, _inputs(track.inputs)
        )
        for key, track in parts.tracks.items()
        if track is not None
    ]


def _inputs(inputs: Any) -> dict[str, Any]:
    return {name: value for name, value in inputs if value is not None}


def _rule_findings(
    data: dict[str, Any],
    parts: _Parts,
    file_parts: tuple[str, ...],
    registries: Registries,
    index: SpecIndex,
) -> Iterator[Finding]:
    chapter, kats, ledger = parts.chapter, parts.kats, parts.ledger
    engine_kats: list[Kat | None] = []
    if kats is not None:
        kat_findings = [*rules.check_kats(kats), *rules.check_choice_options(kats, registries)]
        yield from kat_findings
        # A KAT with a broken control is not solved: its problems are already reported.
        troubled = {finding.path[1] for finding in kat_findings}
        engine_kats = [None if i in troubled else kat for i, kat in enumerate(kats)]
        if ledger is not None:
            yield from rules.check_ledger(ledger, kats)
    if chapter is None:
        return
    yield from rules.check_chapter(chapter, data["chapter"].get("slug"), file_parts)
    yield from rules.check_dam(chapter, parts.dam, "dam" in data)
    yield from rules.check_nemesis_bars(chapter, parts.tracks)
    if parts.instruments is not None and kats is not None:
        yield from rules.check_instruments(chapter, parts.instruments, kats, registries)
    if ledger is not None:
        yield from check_ledger_reads(chapter, ledger, index)
    settings = _settings(chapter, parts)
    systems = [((*s.path, "system"), s.system) for s in settings]
    yield from rules.check_single_node(chapter, systems, kats or [])
    yield from rules.check_fleet_params(chapter, kats or [], settings)
    keyword_findings = list(rules.check_solve_keywords(kats or [], settings, registries))
    yield from keyword_findings
    if not keyword_findings:
        yield from rules.check_engine(settings, engine_kats)


def _under(path: DataPath, prefixes: list[DataPath]) -> bool:
    return any(path[: len(prefix)] == prefix for prefix in prefixes)


def _locate(finding: Finding, positions: Positions, shown: str) -> SpecProblem:
    if finding.at_key:
        line, column = positions.of_key(finding.path)
        return SpecProblem(shown, line, column, finding.message)
    line, column = positions.of_value(finding.path)
    where = display_path(positions.deepest(finding.path))
    message = f"{where}: {finding.message}" if where else finding.message
    return SpecProblem(shown, line, column, message)


def check_document(
    document: YamlDocument,
    *,
    file_parts: tuple[str, ...],
    shown: str,
    registries: Registries,
    index: SpecIndex,
) -> tuple[list[SpecProblem], ChapterSpec | None]:
    """Every problem of a parsed spec, located, and the spec itself when it is valid."""
    data = document.data
    findings = [Finding(path, TODO_MESSAGE) for path in document.todo_paths]
    for key in EXACT_COUNTS:
        message = exact_count_problem(key, data.get(key))
        if message:
            findings.append(Finding((key,), message))
    context = {"registries": registries}
    spec: ChapterSpec | None = None
    try:
        spec = ChapterSpec.model_validate(data, context=context)
    except ValidationError as error:
        findings.extend(findings_from_pydantic(error.errors(), ChapterSpec))
    parts, chapter_findings = _parts(data, spec, context)
    findings.extend(chapter_findings)
    findings.extend(_rule_findings(data, parts, file_parts, registries, index))
    if spec is not None and parts.chapter is not None and not findings:
        # Only a spec sound in form is played: the proofs solve its KATs on every track.
        findings.extend(check_pedagogy(spec, parts.chapter, registries.instruments))
    # A value still holding a TODO marker is reported once, as unfinished, not for its shape;
    # a value the YAML reader could not read is reported by the reader alone.
    hidden = [*document.todo_paths, *document.unreadable_paths]
    kept = [f for f in findings if f.message == TODO_MESSAGE or not _under(f.path, hidden)]
    problems = sorted({_locate(f, document.positions, shown) for f in unique_findings(kept)})
    return problems, (spec if not problems else None)


def check_spec_bytes(
    data: bytes,
    *,
    path: Path,
    shown: str | None = None,
    registries: Registries | None = None,
    index: SpecIndex | None = None,
) -> SpecCheck:
    """Validate the bytes of a spec that lives (or would live) at ``path``; ``index`` holds
    the project's other specs for the cross-chapter rules (empty when not given)."""
    shown = shown if shown is not None else str(path)
    result = SpecCheck(Path(path), shown, spec_digest(data))
    document, problems = read_yaml(data)
    result.problems = [SpecProblem(shown, p.line, p.column, p.message) for p in problems]
    if document is None:
        return result
    more, spec = check_document(
        document,
        file_parts=tuple(Path(path).parts),
        shown=shown,
        registries=registries or default_registries(),
        index=index if index is not None else SpecIndex(),
    )
    result.problems = sorted({*result.problems, *more})
    result.spec = spec if not result.problems else None
    return result


def check_spec_file(
    path: Path,
    *,
    shown: str | None = None,
    registries: Registries | None = None,
    index: SpecIndex | None = None,
) -> SpecCheck:
    """Validate the spec file at ``path`` (``shown`` is how messages name it). Without an
    ``index``, the cross-chapter rules read the specs beside it (``<chapters>/vol*/*.yaml``)."""
    shown = shown if shown is not None else str(path)
    if index is None:
        index = index_specs(spec_files(Path(os.path.realpath(path)).parent.parent))
    try:
        data = read_spec_bytes(Path(path))
    except SpecReadError as error:
        problem = SpecProblem(shown, error.line, error.column, str(error))
        return SpecCheck(Path(path), shown, "", [problem])
    return check_spec_bytes(data, path=Path(path), shown=shown, registries=registries, index=index)


def load_spec(
    path: Path,
    *,
    shown: str | None = None,
    registries: Registries | None = None,
    index: SpecIndex | None = None,
) -> ChapterSpec:
    """The valid spec at ``path``; raises SpecInvalidError listing every problem otherwise."""
    result = check_spec_file(path, shown=shown, registries=registries, index=index)
    if result.spec is None:
        raise SpecInvalidError(result.problems)
    return result.spec
