"""Students' view: Labs 02 and 13 served by `marimo run`, driven in a real Chromium.

Before a prediction the instrument is absent and the lock message shows; after it the instrument
appears (the waterfall with its overhead bar, or the P99 histogram); moving a control changes the
number shown; switching the track changes the scenario.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import pytest

from labgen.book import resolve
from labgen.rendering.execute import project_spec
from labgen.spec.model import for_track

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
LABS = os.environ.get("LABGEN_BROWSER_LABS", "ch02,ch13").split(",")
TIMEOUT_MS = 60_000
INSTRUMENT_SELECTOR = {"scorecard": "[data-metric]"}
INSTRUMENT_TEXT = {"waterfall": "Overhead (dispatch tax)", "p99_histogram": "P99"}


def _fill_prediction(page, prediction) -> None:
    """Give KAT 1's prediction the way a student would."""
    if prediction.kind == "number":
        box = page.locator("marimo-number input").first
        low, high = prediction.min, prediction.max
        box.fill(f"{math.sqrt(low * high) if low > 0 else (low + high) / 2:.4g}")
        box.press("Enter")
    elif prediction.kind == "choice":
        # The lab opens on the first track; an answer may be written per track.
        answer = for_track(prediction.answer, "cloud_titan")
        page.get_by_role("radio", name=answer, exact=True).check()
    else:
        box = page.locator("marimo-text input").first
        box.fill("The slowest term of the Iron Law dominates.")
        box.press("Enter")


def _move_first_control(page) -> None:
    """Move KAT 1's first control (the only controls unlocked so far)."""
    sliders = page.get_by_role("slider")
    if sliders.count():
        sliders.first.focus()
        sliders.first.press("End")
        return
    select = page.locator("marimo-dropdown select").first
    current = select.input_value()
    options = [o for o in select.locator("option").all_inner_texts() if o.strip() and o != current]
    # The first other option: the widest format, which always moves the numbers (fp8 and int8
    # share peak and width on an H100, so neighbouring options may not).
    select.select_option(label=options[0])


@pytest.mark.parametrize("address", LABS)
def test_lab_locks_reveals_responds_and_reskins(address, browser, marimo_run):
    chapter = resolve(address)
    lab = ROOT / chapter.lab_path
    assert lab.is_file(), f"{chapter.lab_path} is not built"
    spec = project_spec(ROOT, chapter)
    kat = spec.kats[0]
    instrument = INSTRUMENT_SELECTOR.get(kat.instrument, f'[data-instrument="{kat.instrument}"]')
    page = browser.new_page(viewport={"width": 1280, "height": 2000})
    try:
        page.goto(marimo_run(lab))
        lock = page.locator('[data-lock="locked"]').first
        lock.wait_for(timeout=TIMEOUT_MS)
        # Locked: the guide's message, no instrument.
        assert "Enter your prediction" in lock.inner_text()
        assert page.locator(instrument).count() == 0

        _fill_prediction(page, kat.prediction)
        card = page.locator(instrument).first
        card.wait_for(timeout=TIMEOUT_MS)
        assert INSTRUMENT_TEXT.get(kat.instrument, "") in card.inner_text()

        before = card.inner_text()
        _move_first_control(page)
        page.wait_for_function(
            "([selector, before]) => { const c = document.querySelector(selector); return c && c.innerText !== before; }",
            arg=[instrument, before],
            timeout=TIMEOUT_MS,
        )

        page.get_by_role("radio", name="Edge Guardian", exact=False).check()
        page.get_by_text("Edge Guardian: this chapter").first.wait_for(timeout=TIMEOUT_MS)
        assert page.get_by_text("Cloud Titan: this chapter").count() == 0
    except Exception:
        page.screenshot(
            path=str(Path(os.environ.get("TMPDIR", "/tmp")) / f"labgen-browser-{address}.png"),
            full_page=True,
        )
        raise
    finally:
        page.close()
