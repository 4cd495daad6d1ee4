"""Build labs from specs: validate, render and format all of them, then write the changed ones.

Nothing is written until every requested lab has rendered, and each write is atomic, so a
failing build leaves every existing lab exactly as it was.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from labgen.atomic import remove_stale_temporaries, write_atomic
from labgen.book import Chapter
from labgen.instruments import Instrument
from labgen.parallel import map_forked, shared
from labgen.rendering.render import RenderedLab, render_lab
from labgen.spec.diagnostics import SpecProblem
from labgen.spec.index import SpecIndex
from labgen.spec.registries import Registries
from labgen.spec.validate import check_spec_file
from labgen.spec.workspace import Workspace


@dataclass(frozen=True)
class LabPlan:
    """One lab to build: its chapter, spec file and lab file."""

    chapter: Chapter
    spec_path: Path
    lab_path: Path


@dataclass
class BuildResult:
    """What a build did or would do: per chapter, the rendered lab and whether it changed."""

    problems: list[SpecProblem]
    rendered: list[tuple[LabPlan, RenderedLab, bool]]
    #: The project's specs as the build read them (for the ones that could not be read).
    index: SpecIndex = field(default_factory=SpecIndex)

    @property
    def changed(self) -> list[tuple[LabPlan, RenderedLab]]:
        """Labs whose file differs from what their spec produces (or does not exist)."""
        return [(plan, lab) for plan, lab, differs in self.rendered if differs]


def plan(workspace: Workspace, chapters: Sequence[Chapter]) -> list[LabPlan]:
    """The spec and lab paths of ``chapters`` in this workspace."""
    return [LabPlan(c, workspace.spec_path(c), workspace.lab_path(c)) for c in chapters]


def _render_one(
    workspace: Workspace, item: LabPlan, registries: Registries, index: SpecIndex
) -> tuple[list[SpecProblem], RenderedLab | None]:
    instruments: dict[str, Instrument] = dict(registries.instruments)
    shown = workspace.relative(item.spec_path)
    result = check_spec_file(item.spec_path, shown=shown, registries=registries, index=index)
    if result.spec is None:
        return result.problems, None
    lab = render_lab(
        result.spec,
        item.chapter,
        spec_path=shown,
        spec_digest=result.digest,
        instruments=instruments,
        extra_templates=plugin_templates(instruments.values()),
    )
    return [], lab


def _render_shared(item: LabPlan) -> tuple[list[SpecProblem], RenderedLab | None]:
    """``_render_one`` with the build's workspace, registries and index (run in a worker)."""
    return _render_one(shared("workspace"), item, shared("registries"), shared("index"))


def plugin_templates(instruments: Iterable[Instrument]) -> dict[str, str]:
    """``instruments/<id>.j2`` -> Jinja2 source, for every instrument that brings its own
    template (plugin instruments; the built-ins' macros are in ``instruments.j2``)."""
    return {f"instruments/{i.id}.j2": i.template for i in instruments if i.template is not None}


def render_all(
    workspace: Workspace, items: Sequence[LabPlan], registries: Registries | None = None
) -> BuildResult:
    """Validate and render every planned lab (in forked workers, one per core) and
    compare each with the file on disk. Writes nothing. ``registries`` (default: the
    workspace's, with every plugin) decides which names and instruments specs may use."""
    # Registries and the spec index are read once and shared by every lab of the build.
    registries = registries or workspace.registries()
    index = workspace.index()
    outcomes = map_forked(
        _render_shared, list(items), workspace=workspace, registries=registries, index=index
    )
    problems: list[SpecProblem] = []
    rendered: list[tuple[LabPlan, RenderedLab, bool]] = []
    for item, (found, lab) in zip(items, outcomes, strict=True):
        problems.extend(found)
        if lab is not None:
            current = item.lab_path.read_bytes() if item.lab_path.is_file() else None
            rendered.append((item, lab, current != lab.source.encode("utf-8")))
    return BuildResult(problems, rendered, index)


class WriteStoppedError(Exception):
    """Writing the labs stopped part way (an error, or Ctrl-C): what was written before, and
    the lab being written when it stopped (that one kept its old content)."""

    def __init__(self, written: list[Path], stopped_at: Path, cause: BaseException) -> None:
        super().__init__(str(cause))
        self.written = written
        self.stopped_at = stopped_at
        self.cause = cause


def write(result: BuildResult) -> list[Path]:
    """Write every changed lab atomically; returns the paths written. Temporary files a killed
    build left in the labs' folders are removed. Raises WriteStoppedError when a write fails or
    the user interrupts, saying which labs were already replaced."""
    for folder in sorted({item.lab_path.parent for item, _, _ in result.rendered}):
        remove_stale_temporaries(folder)
    written: list[Path] = []
    for item, lab in result.changed:
        try:
            write_atomic(item.lab_path, lab.source.encode("utf-8"))
        except (OSError, KeyboardInterrupt) as error:
            raise WriteStoppedError(written, item.lab_path, error) from None
        written.append(item.lab_path)
    return written


def diff(item: LabPlan, lab: RenderedLab, shown: str) -> str:
    """Unified diff from the lab on disk to what its spec produces."""
    current = item.lab_path.read_text(encoding="utf-8") if item.lab_path.is_file() else ""
    return "".join(
        difflib.unified_diff(
            current.splitlines(keepends=True),
            lab.source.splitlines(keepends=True),
            fromfile=f"{shown} (on disk)",
            tofile=f"{shown} (from spec)",
        )
    )
