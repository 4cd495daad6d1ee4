"""The offline site in a real browser: `labgen export --offline` of Lab 02, served on 127.0.0.1,
opened in Debian's Chromium with every request to any other address refused (and counted).

A student's first KAT, played in the page: the header renders under real Pyodide, a prediction
unlocks the instrument, the numbers it draws are exactly those CPython's `Engine.solve` gives
(the same lab under `marimo run`), and the track selector re-skins the scenario. Nothing here
skips: a missing browser, runtime or wheel is a failure.
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from packaging.utils import canonicalize_name

from labgen.browser import (
    BROWSER_REQUIREMENTS,
    LOCKFILE_NAME,
    PYODIDE_DIR,
    PYODIDE_RUNTIME_FILES,
    WHEEL_DIR,
)

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
LAB = ROOT / "generated_labs" / "vol1" / "lab_02_ml_systems.py"
PAGE = "vol1/lab_02_ml_systems.html"
#: The book's own smoke test waits up to 180 s for its page; Pyodide boots in well under that.
BOOT_MS = 180_000
STEP_MS = 60_000
#: KAT 1 asks which bar of the waterfall is the longest; any option unlocks the instrument.
PREDICTION_OPTION = "moving the data (the memory bar)"

#: The Vega-Lite specs inside the waterfall card, as marimo hands them to the page.
WATERFALL_SPECS = """() => {
  const card = document.querySelector('[data-instrument="waterfall"]');
  return [...card.querySelectorAll('[data-data]')].map(e => e.getAttribute('data-data'));
}"""


def _drawn_rows(specs: list[str]) -> list[object]:
    """Every data row the charts draw (the bars' true durations, extents and labels): the
    numbers, without the spec's framing (altair's schema version may differ by environment)."""
    rows: list[object] = []

    def collect(node: object) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("values"), list):
                rows.extend(node["values"])
            for key, value in node.items():
                if key != "values":
                    collect(value)
        elif isinstance(node, list):
            for item in node:
                collect(item)

    for attribute in specs:
        collect(json.loads(json.loads(attribute)))
    return rows


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a folder without logging every request."""

    def log_message(self, format: str, *args: object) -> None:
        """Log nothing."""


@pytest.fixture(scope="module")
def offline_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Lab 02 exported with --offline into a fresh folder."""
    site = tmp_path_factory.mktemp("offline") / "site"
    result = subprocess.run(
        [sys.executable, "-m", "labgen", "export", "ch02", "--offline", "--out", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    return site


@pytest.fixture
def served(offline_site: Path) -> Iterator[str]:
    """The offline site on 127.0.0.1 (an ephemeral port); yields its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(offline_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_the_offline_site_holds_every_file_its_lockfile_names(offline_site: Path) -> None:
    for name in PYODIDE_RUNTIME_FILES:
        assert (offline_site / PYODIDE_DIR / name).is_file(), name
    lock = json.loads((offline_site / WHEEL_DIR / LOCKFILE_NAME).read_text(encoding="utf-8"))
    assert {"marimo-base", "msgspec", "micropip", "pint", "altair", "labgen"} <= set(
        lock["packages"]
    )
    assert "numpy" not in lock["packages"]
    # The set-up cell installs nothing once the page has loaded the wheel from the lockfile
    # (its `mlsys` and `labs` imports): the wheel's entry brings every package the labs need.
    needed = {canonicalize_name(name) for name in BROWSER_REQUIREMENTS}
    assert needed <= set(lock["packages"]["labgen"]["depends"])
    for package in lock["packages"].values():
        wheel = (offline_site / PYODIDE_DIR / package["file_name"]).resolve()
        assert hashlib.sha256(wheel.read_bytes()).hexdigest() == package["sha256"], wheel.name
    page = (offline_site / PAGE).read_text(encoding="utf-8")
    assert f'data-pyodide-index-url="../{PYODIDE_DIR}/"' in page
    assert f'data-pyodide-lockfile-url="../{WHEEL_DIR}/{LOCKFILE_NAME}"' in page


def _play_kat1(page, url: str, boot_ms: int) -> dict[str, object]:
    """Open ``url``, wait for the header, predict, and read what KAT 1's instrument shows."""
    page.goto(url)
    page.locator('header[data-lab="v1ch02"]').first.wait_for(timeout=boot_ms)
    lock = page.locator('[data-lock="locked"]').first
    lock.wait_for(timeout=boot_ms)
    assert page.locator('[data-instrument="waterfall"]').count() == 0
    page.get_by_role("radio", name=PREDICTION_OPTION, exact=False).first.check()
    card = page.locator('[data-instrument="waterfall"]').first
    card.wait_for(timeout=STEP_MS)
    latency = page.locator('[data-metric="Latency"]').first.inner_text()
    return {"latency": latency, "waterfall": _drawn_rows(page.evaluate(WATERFALL_SPECS))}


def test_a_kat_plays_offline_with_cpythons_numbers(browser, served, marimo_run) -> None:
    refused: list[str] = []

    def local_only(route) -> None:
        if urlparse(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    context = browser.new_context(viewport={"width": 1280, "height": 2000})
    context.route("**/*", local_only)
    page = context.new_page()
    try:
        offline = _play_kat1(page, f"{served}/{PAGE}", BOOT_MS)
        assert refused == [], f"the offline page asked the network for {refused}"
        page.get_by_role("radio", name="Edge Guardian", exact=False).check()
        page.get_by_text("Edge Guardian: this chapter").first.wait_for(timeout=STEP_MS)
        assert page.get_by_text("Cloud Titan: this chapter").count() == 0

        reference = context.new_page()
        cpython = _play_kat1(reference, marimo_run(LAB), STEP_MS)
        assert offline["waterfall"], "the waterfall drew no data"
        assert offline == cpython
    except Exception:
        page.screenshot(
            path=str(Path(os.environ.get("TMPDIR", "/tmp")) / "labgen-offline-lab02.png"),
            full_page=True,
        )
        raise
    finally:
        context.close()
    assert refused == [], f"the offline page asked the network for {refused}"
