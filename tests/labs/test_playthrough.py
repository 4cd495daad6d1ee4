"""The automated play-through: every lab, every track, every KAT, played as a student would.

A student who learned the chapter types the engine's answer at each KAT's stated configuration
and picks the right option: every verdict must say so. One who is 10x off (or picks a wrong
option) must be told, with the right direction. And before each prediction, nothing on the page
may state its answer.
"""

from __future__ import annotations

import html
import re
import types
from pathlib import Path
from typing import Any

import pytest

from labgen.book import chapter as book_chapter
from labgen.book import chapters
from labgen.rendering.execute import load_app, predictions_for, project_spec
from labgen.spec.model import ChoicePrediction, NumberPrediction, for_track
from labgen.spec.pedagogy import lab_start, question
from labs.core.format import format_quantity
from mlsys import ureg

ROOT = Path(__file__).resolve().parents[2]
TRACKS = ("cloud_titan", "edge_guardian", "mobile_nomad", "tiny_pioneer")
BUILT = [c for c in chapters() if (ROOT / c.spec_path).is_file()]
VERDICT = re.compile(r'data-verdict="(\w+)"[^>]*>(.*?)</div>', re.DOTALL)


def _play(chapter: Any, track: str, predictions: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    defs = {"track_selector": types.SimpleNamespace(value=track), **predictions}
    outputs, definitions = load_app(ROOT / chapter.lab_path).run(defs=defs)
    rendered = " ".join(str(getattr(o, "text", o)) for o in outputs if o is not None)
    return rendered, dict(definitions)


def _verdicts(rendered: str) -> list[tuple[str, str]]:
    return [(kind, body) for kind, body in VERDICT.findall(rendered) if kind != "none"]


def _judged(spec: Any) -> list[int]:
    return [
        i
        for i, kat in enumerate(spec.kats, start=1)
        if isinstance(kat.prediction, NumberPrediction | ChoicePrediction)
    ]


def _wrong(spec: Any, track: str, right: dict[str, Any]) -> dict[str, Any]:
    """Predictions 10x too high, and a wrong option for each choice."""
    wrong = dict(right)
    for index, kat in enumerate(spec.kats, start=1):
        name, p = f"kat{index}_prediction", kat.prediction
        if isinstance(p, NumberPrediction):
            wrong[name] = right[name] * 10
        elif isinstance(p, ChoicePrediction):
            answer = for_track(p.answer, track)
            wrong[name] = next(o for o in for_track(p.options, track) if o != answer)
    return wrong


@pytest.mark.slow
@pytest.mark.parametrize("track", TRACKS)
@pytest.mark.parametrize("chapter", BUILT, ids=lambda c: c.lab_name)
def test_the_right_answer_is_judged_right(chapter, track):
    spec = project_spec(ROOT, chapter)
    rendered, defs = _play(chapter, track, predictions_for(spec, track))
    verdicts = _verdicts(rendered)
    assert len(verdicts) == len(_judged(spec)), verdicts
    for kind, body in verdicts:
        assert kind == "close", body
    records = defs["lab_ledger"].to_dict()["history"][-1]["predictions"]
    assert [r["task"] for r in records] == [f"kat{i}" for i in _judged(spec)]
    for record in records:
        if record["kind"] == "number":
            assert record["ratio"] == pytest.approx(1.0)
        else:
            assert record["predicted"] == record["answer"]


@pytest.mark.slow
@pytest.mark.parametrize("track", TRACKS)
@pytest.mark.parametrize("chapter", BUILT, ids=lambda c: c.lab_name)
def test_a_wrong_answer_is_judged_wrong_with_its_direction(chapter, track):
    spec = project_spec(ROOT, chapter)
    wrong = _wrong(spec, track, predictions_for(spec, track))
    rendered, _ = _play(chapter, track, wrong)
    verdicts = _verdicts(rendered)
    assert len(verdicts) == len(_judged(spec))
    numbers = [isinstance(spec.kats[i - 1].prediction, NumberPrediction) for i in _judged(spec)]
    for (kind, body), is_number in zip(verdicts, numbers, strict=True):
        assert kind == "off", body
        if is_number:
            assert "too high" in body, body
            assert "off by 10x" in body, body


def _visible_text(rendered: str) -> str:
    """What a student can read of the page's HTML: no tags, attributes, styles or scripts
    (a CSS ``margin: 0.3rem`` is not a number on the page)."""
    text = re.sub(r"<(style|script)\b.*?</\1>", " ", rendered, flags=re.S | re.I)
    return html.unescape(re.sub(r"<[^>]+>", " ", text))


def _spellings(answer: Any, unit: str) -> set[str]:
    """How a number may appear on the page: readable units and the prediction's unit."""
    return {format_quantity(answer), format_quantity(answer.to(ureg.Unit(unit)))}


@pytest.mark.slow
@pytest.mark.parametrize("track", TRACKS)
@pytest.mark.parametrize("chapter", BUILT, ids=lambda c: c.lab_name)
def test_no_answer_is_on_the_page_before_its_prediction(chapter, track):
    spec = project_spec(ROOT, chapter)
    found = book_chapter(spec.chapter.volume, spec.chapter.number)
    start = lab_start(spec, found, track)
    right = predictions_for(spec, track)
    for later, kat in enumerate(spec.kats, start=1):
        if not isinstance(kat.prediction, NumberPrediction):
            continue  # a choice's options are on the page by design; validate proves the rest
        given = {name: (value if int(name[3]) < later else None) for name, value in right.items()}
        rendered, _ = _play(chapter, track, given)
        asked = question(kat, start)
        visible = _visible_text(rendered)
        for spelling in _spellings(asked.answer, kat.prediction.unit):
            # A whole number as a student reads it: not a digit run inside a longer one.
            shown = re.search(rf"(?<![\d.]){re.escape(spelling)}(?![\d])", visible)
            assert shown is None, (
                f"KAT {later}'s answer {spelling} is on the page before its prediction"
            )
