"""The play-through in a real Chromium: a student who learned the chapter answers every KAT.

For Labs 01, 05, 09 and 13 of Volume 1 and Labs 05, 07 and 10 of Volume 2 on two tracks each,
served by `marimo run`: before each prediction
its answer is nowhere on the page; the engine's answer typed (or the right option picked) is
judged right; moving the KAT's controls afterwards does not change that verdict (it is judged
at the question's configuration, not at the sliders). Screenshots of every step are written to
$PLAYTHROUGH_SCREENSHOTS (default: a temporary folder) for a person to look at. Set
PLAYTHROUGH_ALL=1 to play all 16 labs on all four tracks.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest

from labgen.book import chapter as book_chapter
from labgen.book import resolve
from labgen.rendering.execute import project_spec
from labgen.spec.model import ChoicePrediction, NumberPrediction, for_track
from labgen.spec.pedagogy import as_typed, lab_start, question, typed_answers
from labs.core.format import format_quantity
from mlsys import ureg
from mlsys.personas import Personas

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_MS = 60_000
SHOTS = (
    Path(os.environ.get("PLAYTHROUGH_SCREENSHOTS", tempfile.gettempdir())) / "labgen-playthrough"
)
#: The cases CI plays; PLAYTHROUGH_ALL=1 plays every lab on every track (about 15 minutes).
CASES = [
    ("ch01", "cloud_titan"),
    ("ch01", "tiny_pioneer"),
    ("ch05", "cloud_titan"),
    ("ch05", "tiny_pioneer"),
    ("ch09", "edge_guardian"),
    ("ch09", "mobile_nomad"),
    ("ch13", "cloud_titan"),
    ("ch13", "tiny_pioneer"),
    # Volume 2: a training cluster per track.
    ("v2ch05", "cloud_titan"),
    ("v2ch05", "edge_guardian"),
    ("v2ch07", "cloud_titan"),
    ("v2ch07", "tiny_pioneer"),
    # Volume 2 Lab 10 (serving at scale), addressed by slug so `-k dist_inference` selects it.
    ("v2:dist_inference", "cloud_titan"),
    ("v2:dist_inference", "tiny_pioneer"),
    # Volume 2 Lab 15 (sustainability: the carbon chart by region), `-k sustainable`.
    ("v2:sustainable_ai", "cloud_titan"),
    ("v2:sustainable_ai", "mobile_nomad"),
    # Volume 2 Lab 17 (the capstone's launch review), `-k ml_conclusion`.
    ("v2:ml_conclusion", "edge_guardian"),
    ("v2:ml_conclusion", "tiny_pioneer"),
]
if os.environ.get("PLAYTHROUGH_ALL"):
    CASES = [
        (f"ch{number:02d}", track)
        for number in range(1, 17)
        for track in ("cloud_titan", "edge_guardian", "mobile_nomad", "tiny_pioneer")
    ]


def _choose_track(page, track: str) -> None:
    name = Personas.get(track).name
    page.get_by_role("radio", name=re.compile(re.escape(name))).first.check()
    page.get_by_text(f"{name}: this chapter").first.wait_for(timeout=TIMEOUT_MS)


def _verdicts(page) -> list[str]:
    return page.locator("[data-verdict]").evaluate_all(
        "els => els.map(e => e.getAttribute('data-verdict'))"
    )


@pytest.mark.parametrize(("address", "track"), CASES, ids=[f"{a}-{t}" for a, t in CASES])
def test_a_student_who_knows_the_answers_is_judged_right(address, track, browser, marimo_run):
    chapter = resolve(address)
    spec = project_spec(ROOT, chapter)
    found = book_chapter(spec.chapter.volume, spec.chapter.number)
    start = lab_start(spec, found, track)
    answers = typed_answers(spec, found, track)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 2400})
    shot = SHOTS / f"{address}-{track}"
    try:
        page.goto(marimo_run(ROOT / chapter.lab_path))
        page.locator('[data-lock="locked"]').first.wait_for(timeout=TIMEOUT_MS)
        if not spec.is_intro:
            _choose_track(page, track)
        numbers_seen = 0
        judged = 0
        for index, kat in enumerate(spec.kats, start=1):
            prediction = kat.prediction
            if isinstance(prediction, NumberPrediction):
                asked = question(kat, start)
                page_text = page.locator("body").inner_text()
                for spelling in {
                    format_quantity(asked.answer),
                    format_quantity(asked.answer.to(ureg.Unit(prediction.unit))),
                }:
                    # A whole number as a student reads it ("5 MB" is not in "1.5 MB").
                    shown = re.search(rf"(?<![\d.,]){re.escape(spelling)}(?![\d])", page_text)
                    assert shown is None, f"KAT {index}: {spelling} shown early"
                box = page.locator("marimo-number input").nth(numbers_seen)
                numbers_seen += 1
                box.fill(as_typed(answers[index]))
                box.press("Enter")
                judged += 1
            elif isinstance(prediction, ChoicePrediction):
                option = for_track(prediction.answer, track if not spec.is_intro else "cloud_titan")
                page.get_by_role("radio", name=option, exact=True).check()
                judged += 1
            else:
                box = page.locator("marimo-text input").first
                box.fill("The slowest term of the Iron Law dominates.")
                box.press("Enter")
                continue
            page.wait_for_function(
                "n => document.querySelectorAll('[data-verdict]').length >= n",
                arg=judged,
                timeout=TIMEOUT_MS,
            )
            page.screenshot(path=f"{shot}-kat{index}.png", full_page=True)
            assert _verdicts(page)[judged - 1] == "close", (
                page.locator("[data-verdict]").nth(judged - 1).inner_text()
            )
            # Explore: move every slider of this KAT to its end; the verdict must not move.
            sliders = page.get_by_role("slider")
            for position in range(sliders.count()):
                sliders.nth(position).focus()
                sliders.nth(position).press("End")
            page.wait_for_timeout(1500)
            assert _verdicts(page)[judged - 1] == "close", "the verdict followed the controls"
        page.screenshot(path=f"{shot}-done.png", full_page=True)
    except Exception:
        page.screenshot(path=f"{shot}-failure.png", full_page=True)
        raise
    finally:
        page.close()
