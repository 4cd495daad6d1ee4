"""Speed of an offline lab page in Debian's Chromium under real Pyodide (issue 16 goals: header
within 20 s, instrument within 1 s of a prediction), the size of the offline site and the bytes
one page downloads.

Run: .venv/bin/python benchmarks/bench_wasm.py [chapter] [--runs N]   (default ch02, 3 runs)
Exports the chapter with `labgen export --offline` into a scratch folder, serves it on
127.0.0.1, and opens the page in a fresh browser context per run (no HTTP cache), refusing every
request to another address. Prints the median and the spread of each time, and the header time
of a second visit with the browser's caches warm.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

from playwright.sync_api import sync_playwright

from labgen.book import resolve

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"]
TIMEOUT_MS = 300_000


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a folder without logging every request."""

    def log_message(self, format: str, *args: object) -> None:
        """Log nothing."""


def _folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _one_run(browser, url: str, lab_id: str) -> tuple[float, float, int, int]:
    """(navigation -> header s, prediction -> instrument s, bytes downloaded, refused)."""
    context = browser.new_context(viewport={"width": 1280, "height": 2000})
    refused, downloaded = [], []

    def local_only(route) -> None:
        if urlparse(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    context.route("**/*", local_only)
    context.on("requestfinished", lambda r: downloaded.append(r.sizes()["responseBodySize"]))
    page = context.new_page()
    start = time.perf_counter()
    page.goto(url)
    page.locator(f'header[data-lab="{lab_id}"]').first.wait_for(timeout=TIMEOUT_MS)
    header = time.perf_counter() - start
    page.locator('[data-lock="locked"]').first.wait_for(timeout=TIMEOUT_MS)
    box = page.locator("marimo-number input, marimo-text input").first
    if box.count():
        box.fill("2")
        started = time.perf_counter()
        box.press("Enter")
    else:  # a choice prediction
        started = time.perf_counter()
        page.get_by_role("radio").last.check()
    page.locator("[data-instrument], [data-metric]").first.wait_for(timeout=TIMEOUT_MS)
    instrument = time.perf_counter() - started
    context.close()
    return header, instrument, sum(downloaded), len(refused)


def _revisit(browser, url: str, lab_id: str) -> float:
    """Navigation -> header (s) on a second visit: the browser's HTTP cache and its cache of
    compiled WebAssembly hold the runtime (a context without request routing, which would turn
    the cache off)."""
    context = browser.new_context(viewport={"width": 1280, "height": 2000})
    page = context.new_page()
    for _ in range(2):
        start = time.perf_counter()
        page.goto(url)
        page.locator(f'header[data-lab="{lab_id}"]').first.wait_for(timeout=TIMEOUT_MS)
        header = time.perf_counter() - start
    context.close()
    return header


def main() -> None:
    """Export, serve, open and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapter", nargs="?", default="ch02")
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    chapter = resolve(options.chapter)
    lab = ROOT / chapter.lab_path
    lab_id = f"v{chapter.volume}ch{chapter.number:02d}"
    with tempfile.TemporaryDirectory() as scratch:
        site = Path(scratch) / "site"
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "labgen", "export", options.chapter, "--offline", "-o", site],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        export_s = time.perf_counter() - started
        page = f"vol{chapter.volume}/{lab.stem}.html"
        handler = functools.partial(_QuietHandler, directory=str(site))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}/{page}"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            runs = [_one_run(browser, url, lab_id) for _ in range(options.runs)]
            revisit = _revisit(browser, url, lab_id)
            browser.close()
        server.shutdown()
        headers = [run[0] for run in runs]
        instruments = [run[1] for run in runs]
        print(f"{options.chapter} offline export (runtime and wheels cached)  {export_s:6.1f} s")
        print(
            f"navigation -> header     median {statistics.median(headers):6.1f} s   "
            f"(min {min(headers):.1f}, max {max(headers):.1f}; goal <= 20 s)"
        )
        print(
            f"navigation -> header, revisit   {revisit:6.1f} s   (HTTP and WebAssembly caches warm)"
        )
        print(
            f"prediction -> instrument median {statistics.median(instruments):6.2f} s   "
            f"(min {min(instruments):.2f}, max {max(instruments):.2f}; goal <= 1 s)"
        )
        print(f"offline site size                {_folder_bytes(site) / 1e6:6.1f} MB")
        print(
            f"  of which pyodide/ + wheels/    {_folder_bytes(site / 'pyodide') / 1e6 + _folder_bytes(site / 'wheels') / 1e6:6.1f} MB"
        )
        print(
            f"bytes one page downloads         {statistics.median(r[2] for r in runs) / 1e6:6.1f} MB"
        )
        print(f"requests refused (not 127.0.0.1) {max(r[3] for r in runs):6d}")


if __name__ == "__main__":
    main()
