"""The answers of a generated lab's predictions, read from the spec the lab was built from.

A generated lab judges a number prediction against an engine result it computes at run time
(``PredictionComparison(kat1_locked, kat1_expected.flops, unit="GFLOP")``), so its code does not
hold the answer; the spec does. The lab's provenance header names the spec and its SHA-256:
when the spec at that path (under the project root) still has that hash, each KAT is solved
the way ``labgen validate`` solves it (``labgen.spec.pedagogy.question``, on every track and
every way the lab can start). A spec that changed since the build, or cannot be read, gives no
answers: the lab as built is then judged by what its code says.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from labgen.instruments import BUILTIN_INSTRUMENTS, Instrument
from labgen.provenance import read_provenance, spec_digest


@dataclass(frozen=True)
class SpecAnswer:
    """The answer of KAT ``kat`` (1-based) on ``track`` (None: on every track, as in Lab 01's
    KATs, which come before the track choice)."""

    kat: int
    track: str | None
    #: A number answer (an ``mlsys.Quantity``) or the right option of a choice (its text).
    value: Any


def spec_answers(
    root: Path, lab_text: str, instruments: Sequence[Instrument] = BUILTIN_INSTRUMENTS
) -> tuple[SpecAnswer, ...]:
    """Every answer of the lab ``lab_text`` (a generated lab under ``root``) according to its
    spec, read with the run's ``instruments`` (plugins' included); empty when the lab has no
    header or its spec is missing, changed or invalid."""
    provenance = read_provenance(lab_text)
    if provenance is None:
        return ()
    try:
        return _answers_of(root, provenance.spec, provenance.digest, tuple(instruments))
    except Exception:  # a spec that does not solve is `labgen validate`'s to report, not ours
        return ()


@lru_cache(maxsize=64)
def _answers_of(
    root: Path, spec_path: str, digest: str, instruments: tuple[Instrument, ...]
) -> tuple[SpecAnswer, ...]:
    # Imported here: only generated labs pay for the spec model (about 0.15 s).
    import yaml

    from labgen import book
    from labgen.spec.model import ChapterSpec, ChoicePrediction, NumberPrediction, for_track
    from labgen.spec.pedagogy import question, starts
    from labgen.spec.reading import read_spec_bytes
    from labgen.spec.registries import build_registries

    chapter = book.from_spec_path(spec_path)
    path = root / spec_path
    if chapter is None or not path.resolve().is_relative_to(root.resolve()):
        return ()
    data = read_spec_bytes(path)
    if spec_digest(data) != digest:
        return ()
    document = yaml.load(data, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    registries = build_registries(instruments)
    spec = ChapterSpec.model_validate(document, context={"registries": registries})
    found: list[SpecAnswer] = []
    for start in starts(spec, chapter):
        track = None if start.track not in _tracks() else start.track
        for number, kat in enumerate(spec.kats, start=1):
            prediction = kat.prediction
            if isinstance(prediction, ChoicePrediction):
                value = for_track(prediction.answer, track or _tracks()[0])
            elif isinstance(prediction, NumberPrediction):
                try:
                    asked = question(kat, start)
                except ValueError:  # labgen validate reports a configuration that fails
                    continue
                value = asked.answer if asked is not None else None
            else:
                continue
            answer = SpecAnswer(number, track, value)
            if value is not None and answer not in found:
                found.append(answer)
    return tuple(found)


def _tracks() -> tuple[str, ...]:
    from mlsys.ledger import TRACKS

    return TRACKS
