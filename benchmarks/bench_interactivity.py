"""Control move to updated number, in Chromium: how long a student waits after moving a slider.

Run: .venv/bin/python benchmarks/bench_interactivity.py [LAB ...] [--moves N]
(default: ch02 ch05, 30 moves each). For each lab, `marimo run` serves it on 127.0.0.1, Debian's
Chromium (/usr/bin/chromium, or $LABGEN_CHROMIUM) opens it, KAT 1's prediction is typed (the
engine's answer), then KAT 1's first slider is moved one step at a time, alternately right and
left; each sample is the time from the key press to the first change of the text of KAT 1's
Observe cell (its cards and captions). Prints the median and the 90th percentile (issue 19's
baseline on the 2-core machine: 167 ms and 294 ms).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from labgen.book import chapter as book_chapter
from labgen.book import resolve
from labgen.rendering.execute import project_spec
from labgen.spec.model import ChoicePrediction, NumberPrediction
from labgen.spec.pedagogy import typed_answers

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("LABGEN_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
TIMEOUT_MS = 60_000

#: The text of the Observe cell of KAT 1: the output holding the first verdict.
OBSERVED_JS = """
() => {
  const verdict = document.querySelector('[data-verdict]');
  const cell = verdict && verdict.closest('.output-area');
  return cell ? cell.innerText : null;
}
"""


def serve(lab: Path, port: int) -> subprocess.Popen:
    """`marimo run` of ``lab`` on 127.0.0.1:``port``, once it answers."""
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "marimo", "run", str(lab)),
            *("--host", "127.0.0.1", "--port", str(port), "--headless", "--no-token"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2):
                return server
        except OSError:
            time.sleep(0.25)
    server.terminate()
    raise RuntimeError(f"marimo run {lab} did not answer")


def answer_kat1(page, address: str) -> None:
    """Give KAT 1's prediction (the engine's answer, on the default track)."""
    chapter = resolve(address)
    spec = project_spec(ROOT, chapter)
    found = book_chapter(spec.chapter.volume, spec.chapter.number)
    answer = typed_answers(spec, found, "cloud_titan").get(1)
    prediction = spec.kats[0].prediction
    if isinstance(prediction, NumberPrediction):
        box = page.locator("marimo-number input").first
        box.fill(f"{answer:.6g}")
        box.press("Enter")
    elif isinstance(prediction, ChoicePrediction):
        page.get_by_role("radio", name=answer, exact=True).check()
    else:
        box = page.locator("marimo-text input").first
        box.fill("A guess.")
        box.press("Enter")
    page.locator("[data-verdict]").first.wait_for(timeout=TIMEOUT_MS)


def measure(page, moves: int) -> list[float]:
    """Milliseconds from each slider key press to the first change of KAT 1's Observe text."""
    slider = page.get_by_role("slider").first
    samples: list[float] = []
    missed = 0
    for index in range(moves):
        before = page.evaluate(OBSERVED_JS)
        slider.focus()
        start = time.perf_counter()
        slider.press("ArrowRight" if index % 2 == 0 else "ArrowLeft")
        try:
            page.wait_for_function(
                f"before => ({OBSERVED_JS})() !== before", arg=before, polling="raf", timeout=3_000
            )
        except Exception:  # this step did not change the numbers shown: not a sample
            missed += 1
            if missed == 3 and not samples:
                break  # this slider moves no number here (a memory-bound decode's efficiency)
            continue
        samples.append((time.perf_counter() - start) * 1000)
        page.wait_for_timeout(150)  # let marimo settle before the next move
    return samples


def main() -> None:
    """Print the benchmark figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("labs", nargs="*", default=["ch02", "ch05"])
    parser.add_argument("--moves", type=int, default=30)
    options = parser.parse_args()
    from playwright.sync_api import sync_playwright

    everything: list[float] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for number, address in enumerate(options.labs):
            server = serve(ROOT / resolve(address).lab_path, 27900 + number)
            try:
                page = browser.new_page(viewport={"width": 1280, "height": 1600})
                page.goto(f"http://127.0.0.1:{27900 + number}/")
                page.locator('[data-lock="locked"]').first.wait_for(timeout=TIMEOUT_MS)
                answer_kat1(page, address)
                page.wait_for_timeout(1000)
                samples = measure(page, options.moves)
                page.close()
            finally:
                server.terminate()
                server.wait(timeout=10)
            everything += samples
            report(address, samples)
        browser.close()
    report("all", everything)


def report(name: str, samples: list[float]) -> None:
    """One line: sample count, median and 90th percentile (ms)."""
    if len(samples) < 2:
        print(f"{name}: {len(samples)} samples (the first slider moved no number)")
        return
    p90 = statistics.quantiles(samples, n=10)[-1]
    print(
        f"{name}: control move -> updated number, {len(samples)} moves: "
        f"median {statistics.median(samples):.0f} ms, p90 {p90:.0f} ms"
    )


if __name__ == "__main__":
    main()
