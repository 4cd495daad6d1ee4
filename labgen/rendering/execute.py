"""Run a generated lab headless for one track with every prediction filled in (tests, CI).

The predictions are the engine's answers at each KAT's stated configuration (the right choice, a
sentence for free text). marimo's ``app.run(defs=...)`` replaces the prediction and track cells.
"""

from __future__ import annotations

import importlib.util
import types
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from labgen.spec.model import ChapterSpec


def predictions_for(spec: ChapterSpec, track: str = "cloud_titan") -> dict[str, Any]:
    """The engine's own answer as a prediction for every KAT of ``spec`` on ``track``, keyed by
    the lab's variable name (a number in the prediction's unit, the right option, or a sentence
    for free text): what a student who learned the chapter types."""
    from labgen.book import chapter as book_chapter
    from labgen.spec.pedagogy import typed_answers

    found = book_chapter(spec.chapter.volume, spec.chapter.number)
    typed = typed_answers(spec, found, track)
    filled: dict[str, Any] = {}
    for index, _kat in enumerate(spec.kats, start=1):
        filled[f"kat{index}_prediction"] = typed.get(
            index, "My hypothesis: the slowest term of the Iron Law dominates."
        )
    return filled


def project_spec(root: Path, chapter: Any) -> ChapterSpec:
    """The valid spec of ``chapter`` in the project at ``root``, validated with the project's
    other specs (the cross-chapter ledger rules need them)."""
    from labgen.spec import load_spec
    from labgen.spec.workspace import open_workspace

    workspace = open_workspace(start=root)
    return load_spec(
        workspace.spec_path(chapter), registries=workspace.registries(), index=workspace.index()
    )


def load_app(lab_path: Path) -> Any:
    """Import a lab file as a fresh module and return its marimo ``app``."""
    module_spec = importlib.util.spec_from_file_location(f"lab_{abs(hash(lab_path))}", lab_path)
    if module_spec is None or module_spec.loader is None:
        raise ImportError(f"cannot import {lab_path}")
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module.app


def run_lab(
    lab_path: Path, spec: ChapterSpec, track: str, overrides: Mapping[str, Any] | None = None
) -> tuple[Any, dict[str, Any]]:
    """Run every cell of the lab at ``lab_path`` as ``track`` (a track key) with predictions
    given; returns marimo's (outputs, definitions)."""
    defs: dict[str, Any] = {
        "track_selector": types.SimpleNamespace(value=track),
        **predictions_for(spec, track),
    }
    defs.update(overrides or {})
    outputs, definitions = load_app(lab_path).run(defs=defs)
    return outputs, dict(definitions)
