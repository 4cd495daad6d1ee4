"""How a lab looks, in a real Chromium, on a phone and on a desktop (issue 19).

Two Volume 1 labs between them show every Volume 1 instrument (Lab 12: roofline, Pareto curve,
waterfall; Lab 15: waterfall, scorecard, P99 histogram), and Volume 2 Lab 01 its scaling curve.
For each, served once by `marimo run`:

- the first KAT's prediction is within the first desktop screen (1280 x 800);
- every KAT answered, no element of the lab's output overflows its cell's box, at 1280 px, at
  390 px (a phone) and at 360 px (the narrowest phone the labs are laid out for), and every
  number prediction's box is sized to a number with its unit right beside it;
- axe-core finds no serious or critical violation in the lab's own output;
- screenshots of each width, and the figures measured (``<lab>-figures.json``), are written to
  $PRESENTATION_SCREENSHOTS (default: a temporary folder) for a person to look at.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pytest

from labgen.book import chapter as book_chapter
from labgen.book import resolve
from labgen.rendering.execute import project_spec
from labgen.spec.model import ChoicePrediction, NumberPrediction
from labgen.spec.pedagogy import as_typed, typed_answers

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_MS = 60_000
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
#: The narrowest width the labs are laid out for (issue 19: "from 360 px to desktop").
NARROW = {"width": 360, "height": 740}
LABS = ["ch12", "ch15", "v2ch01", "v2ch03", "v2ch07", "v2ch08", "v2ch10"]
SHOTS = Path(os.environ.get("PRESENTATION_SCREENSHOTS", tempfile.gettempdir())) / (
    "labgen-presentation"
)
#: axe's impacts a lab must not have.
BLOCKING = {"serious", "critical"}

#: Elements of the lab's output (through marimo's shadow roots) wider than their output cell,
#: or clipping their own text, unless hidden from sight on purpose: [description, overflow in px].
OVERFLOWS_JS = """
() => {
  const found = [];
  // Hidden from sight on purpose (a screen reader's label): clipped by design, not by accident.
  const unseen = el => {
    for (let node = el; node; node = node.parentElement) {
      if (getComputedStyle(node).clip === 'rect(0px, 0px, 0px, 0px)') return true;
    }
    return false;
  };
  const visit = (root, area) => {
    for (const el of root.querySelectorAll('*')) {
      const box = el.getBoundingClientRect();
      if (box.width > 0 && box.height > 0) {
        const past = Math.max(area.left - box.left, box.right - area.right);
        const style = getComputedStyle(el);
        const clips = ['hidden', 'clip'].includes(style.overflowX) || style.textOverflow === 'ellipsis';
        const clipped = clips && el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0;
        if ((past > 1 || clipped) && !unseen(el)) {
          const text = (el.innerText || el.getAttribute('aria-label') || '').slice(0, 40);
          found.push([`${el.tagName.toLowerCase()}.${el.className} "${text}"`, Math.round(past)]);
        }
      }
      if (el.shadowRoot) visit(el.shadowRoot, area);
    }
  };
  for (const output of document.querySelectorAll('.output-area')) {
    const area = output.getBoundingClientRect();
    if (area.width > 0) visit(output, area);
  }
  return found;
}
"""

#: The bottom edge of KAT 1's prediction cell (its heading and input), measured from the top of
#: the lab (px): marimo scrolls inside #App.
FIRST_PREDICTION_JS = """
() => {
  const app = document.getElementById('App');
  const card = document.querySelector('[data-kat="1"]');
  if (card) return card.closest('.output-area').getBoundingClientRect().bottom + app.scrollTop;
  for (const output of document.querySelectorAll('.output-area')) {
    if (/KAT 1\\b/.test(output.innerText)) {
      return output.getBoundingClientRect().bottom + app.scrollTop;
    }
  }
  return null;
}
"""

#: Each number prediction: the width of its box, the gap from the box's right edge to its unit
#: and how far their vertical centres differ (px), and the input's name for screen readers.
NUMBER_FIELDS_JS = """
() => [...document.querySelectorAll('[data-number-field]')].map(field => {
  const host = field.querySelector('marimo-number');
  const box = host.shadowRoot.querySelector('[data-testid="marimo-plugin-number-input"]')
    .getBoundingClientRect();
  const unit = field.querySelector('[data-unit]').getBoundingClientRect();
  return {
    unit: field.querySelector('[data-unit]').innerText,
    box_width: Math.round(box.width),
    gap: Math.round(unit.left - box.right),
    centre_offset: Math.round(Math.abs((unit.top + unit.bottom - box.top - box.bottom) / 2)),
    name: host.shadowRoot.querySelector('input').getAttribute('aria-label'),
  };
})
"""


def _assert_units_beside_boxes(fields: list[dict], width: str) -> None:
    """Every number box is sized to a number, its unit on the same line right after it, and the
    input is named in plain words (marimo would read its label's HTML source out)."""
    assert fields, "no number prediction on the page"
    for field in fields:
        where = f"at {width} px, {field}"
        assert 60 <= field["box_width"] <= 220, where
        assert 0 <= field["gap"] <= 16, where
        assert field["centre_offset"] <= 4, where
        assert "<" not in field["name"]
        assert field["name"].endswith(f"(answer in {field['unit']})")


def _answer_every_kat(page, spec, answers) -> None:
    """Type (or pick) every KAT's prediction, as a student who knows the chapter would."""
    numbers = 0
    judged = 0
    for index, kat in enumerate(spec.kats, start=1):
        prediction = kat.prediction
        if isinstance(prediction, NumberPrediction):
            box = page.locator("marimo-number input").nth(numbers)
            numbers += 1
            box.fill(as_typed(answers[index]))
            box.press("Enter")
        elif isinstance(prediction, ChoicePrediction):
            page.get_by_role("radio", name=answers[index], exact=True).check()
        else:
            continue
        judged += 1
        page.wait_for_function(
            "n => document.querySelectorAll('[data-verdict]').length >= n",
            arg=judged,
            timeout=TIMEOUT_MS,
        )


def _full_screenshot(page, path: Path, viewport: dict[str, int]) -> None:
    """The whole lab: marimo scrolls inside #App, so the viewport grows to its height."""
    height = page.evaluate("document.getElementById('App').scrollHeight")
    page.set_viewport_size({"width": viewport["width"], "height": min(height, 16_000)})
    page.wait_for_timeout(800)  # charts sized to their container redraw
    page.evaluate("document.getElementById('App').scrollTo(0, 0)")
    page.screenshot(path=str(path))
    page.set_viewport_size(viewport)


def _marimo_upload_input(violation: dict) -> bool:
    """marimo's own file widget: the visible upload button is labelled, but the hidden
    ``<input type=file tabindex=-1>`` behind it has no label (marimo's markup, not the kit's;
    the lab cannot reach it). Named here so that it is the only exception, and only while the
    design ledger is open."""
    return violation["id"] == "label" and all(
        'type="file"' in node["html"] and 'tabindex="-1"' in node["html"]
        for node in violation["nodes"]
    )


#: marimo dims an output while its cell reruns (``marimo-output-stale``, lower opacity) and
#: marks one loading: colour contrast measured then is the fade's, not the lab's.
UNSETTLED = ".marimo-output-stale, .marimo-output-loading"


def _settled(page) -> None:
    """Wait until no output is dimmed or loading (on a loaded CI machine the last reruns of a
    play-through can still be fading when axe measures), then for the fade to finish."""
    page.wait_for_function(
        f"() => document.querySelectorAll({UNSETTLED!r}).length === 0", timeout=TIMEOUT_MS
    )
    page.wait_for_timeout(300)


def _violations(page, *, allow=lambda violation: False) -> tuple[list[str], int]:
    """axe-core's serious and critical violations in the lab's output, and how many
    violations of any impact it found."""
    from axe_playwright_python.sync_playwright import Axe

    _settled(page)
    results = Axe().run(page, context={"include": [[".output-area"]]})
    return [
        f"{v['id']} ({v['impact']}): {v['help']} x{len(v['nodes'])}: {v['nodes'][0]['html'][:160]}"
        for v in results.response["violations"]
        if v["impact"] in BLOCKING and not allow(v)
    ], len(results.response["violations"])


@pytest.mark.parametrize("address", LABS)
def test_lab_reads_on_a_phone_and_a_desktop(address, browser, served_lab):
    chapter = resolve(address)
    spec = project_spec(ROOT, chapter)
    found = book_chapter(spec.chapter.volume, spec.chapter.number)
    answers = typed_answers(spec, found, "cloud_titan")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport=DESKTOP)
    try:
        page.goto(served_lab(ROOT / chapter.lab_path))
        page.locator('[data-lock="locked"]').first.wait_for(timeout=TIMEOUT_MS)
        first = page.evaluate(FIRST_PREDICTION_JS)
        figures: dict[str, object] = {"kat1_prediction_bottom_px": first}
        page.screenshot(path=str(SHOTS / f"{address}-1280-first-screen.png"))
        assert first is not None, "no KAT 1 on the page"
        assert first <= DESKTOP["height"], (
            f"KAT 1's prediction ends {first} px down the lab, past the first desktop screen"
        )

        _answer_every_kat(page, spec, answers)
        page.wait_for_timeout(1000)  # the last charts draw
        for name, viewport in (("1280", DESKTOP), ("390", PHONE), ("360", NARROW)):
            page.set_viewport_size(viewport)
            page.wait_for_timeout(800)
            overflows = page.evaluate(OVERFLOWS_JS)
            figures[f"overflowing_elements_{name}px"] = len(overflows)
            fields = page.evaluate(NUMBER_FIELDS_JS)
            figures[f"number_fields_{name}px"] = fields
            _assert_units_beside_boxes(fields, name)
            _full_screenshot(page, SHOTS / f"{address}-{name}.png", viewport)
            assert overflows == [], f"at {name} px: {overflows[:10]}"

        violations, found = _violations(page)
        figures["axe"] = {"serious_or_critical": len(violations), "any_impact": found}
        (SHOTS / f"{address}-figures.json").write_text(json.dumps(figures, indent=1))
        assert violations == [], violations
    except Exception:
        page.screenshot(path=str(SHOTS / f"{address}-failure.png"))
        raise
    finally:
        page.close()


def test_an_uploaded_ledger_restores_its_track_and_a_bad_file_is_explained(
    browser, served_lab, tmp_path
):
    """Lab 12 (served once for this module): a Tiny Pioneer ledger switches the lab to the Tiny
    Pioneer track; a file that is not a ledger is refused in the student's words, with what to do,
    right under the ledger and track controls."""
    from labs.core.presets import expert_preset

    chapter = resolve("ch12")
    ledger = tmp_path / "design_ledger_v1ch11.json"
    ledger.write_text(expert_preset(12, "tiny_pioneer").to_json(), encoding="utf-8")
    foreign = tmp_path / "notes.json"
    foreign.write_text('{"hello": "world"}', encoding="utf-8")
    page = browser.new_page(viewport=DESKTOP)
    try:
        page.goto(served_lab(ROOT / chapter.lab_path))
        page.locator('[data-lock="locked"]').first.wait_for(timeout=TIMEOUT_MS)
        page.get_by_text("Design ledger: continue from your last lab").first.click()
        violations, _ = _violations(page, allow=_marimo_upload_input)
        assert violations == [], violations
        upload = page.locator("marimo-file input[type=file]").first
        upload.set_input_files(str(ledger))
        page.get_by_text("Tiny Pioneer: this chapter").first.wait_for(timeout=TIMEOUT_MS)
        assert page.get_by_role("radio", name="Tiny Pioneer · Hearable Lead").is_checked()

        page.locator("marimo-file input[type=file]").first.set_input_files(str(foreign))
        alert = page.locator("[data-ledger-error]").first
        alert.wait_for(timeout=TIMEOUT_MS)
        text = alert.inner_text()
        assert "notes.json is not a design ledger" in text
        assert "Expert Preset" in text  # what to do
        assert "schema" not in text  # no developer words
    except Exception:
        page.screenshot(path=str(SHOTS / "ledger-failure.png"))
        raise
    finally:
        page.close()


def test_the_dark_theme_reads(browser, marimo_run, tmp_path):
    """Lab 15 under marimo's dark theme (a user setting): KAT 1 answered, axe-core finds no
    serious or critical violation (colour contrast included) in the lab's output."""
    config = tmp_path / "config" / "marimo"
    config.mkdir(parents=True)
    (config / "marimo.toml").write_text('[display]\ntheme = "dark"\n', encoding="utf-8")
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    chapter = resolve("ch15")
    spec = project_spec(ROOT, chapter)
    answers = typed_answers(spec, book_chapter(1, 15), "cloud_titan")
    page = browser.new_page(viewport=DESKTOP)
    try:
        page.goto(marimo_run(ROOT / chapter.lab_path, env))
        page.locator('[data-lock="locked"]').first.wait_for(timeout=TIMEOUT_MS)
        assert "dark" in page.evaluate("document.body.className")
        _answer_every_kat(page, spec, answers)
        page.wait_for_timeout(1000)
        page.screenshot(path=str(SHOTS / "ch15-dark-1280.png"))
        violations, _ = _violations(page)
        assert violations == [], violations
    except Exception:
        page.screenshot(path=str(SHOTS / "dark-failure.png"))
        raise
    finally:
        page.close()
