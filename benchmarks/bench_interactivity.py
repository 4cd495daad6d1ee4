"""Control move to updated number, in Chromium: how long a student waits after moving a slider.

Run: .venv/bin/python benchmarks/bench_interactivity.py [LAB ...] [--moves N]
(default: ch02 ch05, 30 moves each). For each lab, `marimo run` serves it on 127.0.0.1, Debian's
Chromium (/usr/bin/chromium, or $LABGEN_CHROMIUM) opens it, and the KATs' predictions are typed
(the engine's answers) in order until a KAT with a slider is unlocked (KAT 1 in Lab 02, KAT 2 in
Lab 05); then that slider is moved one step at a time, alternately right and left. Each sample is
the time from the key press to the first change of the text of that KAT's Observe cell (its
cards and captions). Prints the median and the 90th percentile (issue 19's baseline on the
2-core machine: 167 ms and 294 ms).
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
from labgen.spec.pedagogy import as_typed, typed_answers

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("LABGEN_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
TIMEOUT_MS = 60_000

#: The text of the Observe cell of the latest unlocked KAT: the output holding the last verdict.
OBSERVED_JS = """
() => {
  const verdicts = document.querySelectorAll('[data-verdict]');
  const verdict = verdicts[verdicts.length - 1];
  const cell = verdict && verdict.closest('.output-area');
  return cell ? cell.innerText : null;
}
"""


def _processes() -> dict[int, tuple[int, float]]:
    """Every process's parent and CPU time so far (user + system, its waited-for children
    included), in seconds, from /proc (Linux)."""
    tick = os.sysconf("SC_CLK_TCK")
    found: dict[int, tuple[int, float]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # it ended meanwhile
        # After "pid (comm)": state ppid ... utime stime cutime cstime (fields 4 and 14-17).
        found[int(entry.name)] = (int(fields[1]), sum(int(f) for f in fields[11:15]) / tick)
    return found


def cpu_seconds(root: int) -> float:
    """CPU time used so far by process ``root`` and every live process below it (seconds)."""
    processes = _processes()
    below: dict[int, list[int]] = {}
    for pid, (parent, _) in processes.items():
        below.setdefault(parent, []).append(pid)
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        total += processes.get(pid, (0, 0.0))[1]
        todo.extend(below.get(pid, []))
    return total


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


def answer_until_slider(page, address: str) -> int:
    """Give the KATs' predictions (the engine's answers, on the default track) in order until a
    slider is on the page; returns the number of the KAT it belongs to (0: no KAT has one)."""
    chapter = resolve(address)
    spec = project_spec(ROOT, chapter)
    found = book_chapter(spec.chapter.volume, spec.chapter.number)
    answers = typed_answers(spec, found, "cloud_titan")
    numbers = 0
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
            box = page.locator("marimo-text input").first
            box.fill("A guess.")
            box.press("Enter")
        page.wait_for_function(
            "n => document.querySelectorAll('[data-verdict]').length >= n",
            arg=index,
            timeout=TIMEOUT_MS,
        )
        page.wait_for_timeout(500)  # the Act cell's controls draw
        if page.get_by_role("slider").count():
            return index
    return 0


def measure(page, moves: int) -> list[float]:
    """Milliseconds from each slider key press to the first change of the Observe text of the
    KAT the first slider belongs to."""
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
                kat = answer_until_slider(page, address)
                page.wait_for_timeout(1000)
                # CPU time, which load on the machine inflates far less than waiting: the
                # server's (kernel and marimo) and everything else this process started (the
                # browser), per move.
                server_before, all_before = cpu_seconds(server.pid), cpu_seconds(os.getpid())
                samples = measure(page, options.moves) if kat else []
                server_cpu = cpu_seconds(server.pid) - server_before
                browser_cpu = cpu_seconds(os.getpid()) - all_before - server_cpu
                print(f"{address}: KAT {kat}'s first slider" if kat else f"{address}: no slider")
                page.close()
            finally:
                server.terminate()
                server.wait(timeout=10)
            everything += samples
            report(address, samples)
            if samples:
                print(
                    f"{address}: CPU per move, server {1000 * server_cpu / options.moves:.0f} ms, "
                    f"browser and benchmark {1000 * browser_cpu / options.moves:.0f} ms"
                )
        browser.close()
    report("all", everything)


def report(name: str, samples: list[float]) -> None:
    """One line: sample count, median and 90th percentile (ms)."""
    if len(samples) < 2:
        print(f"{name}: {len(samples)} samples (no slider, or it moved no number)")
        return
    p90 = statistics.quantiles(samples, n=10)[-1]
    print(
        f"{name}: control move -> updated number, {len(samples)} moves: "
        f"median {statistics.median(samples):.0f} ms, p90 {p90:.0f} ms"
    )


if __name__ == "__main__":
    main()
