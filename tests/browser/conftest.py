"""A marimo server on 127.0.0.1 and Debian's Chromium driven by Playwright.

The browser is never downloaded: `make test` installs Debian's chromium, and a missing browser is
a test failure (not a skip), so CI cannot pass without really running these tests.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("LABGEN_CHROMIUM", "/usr/bin/chromium"))
#: Flags for a root, headless, offline Chromium (this machine's network is closed).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STARTUP_SECONDS = 90


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """A headless Chromium (Debian's), shared by the session."""
    if not CHROMIUM.is_file():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: run `make test` (it installs Debian's chromium)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def _servers() -> Iterator:
    """A function starting `marimo run LAB` on a free loopback port and returning its URL; the
    servers it started are stopped when the generator is closed."""
    servers: list[subprocess.Popen] = []

    def start(lab: Path, env: dict[str, str] | None = None) -> str:
        port = _free_port()
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "marimo",
                "run",
                str(lab),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--headless",
                "--no-token",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
        )
        servers.append(server)
        url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if server.poll() is not None:
                pytest.fail(f"marimo run exited early: {server.stderr.read().decode()[-2000:]}")
            try:
                with urllib.request.urlopen(url, timeout=2):
                    return url
            except OSError:
                time.sleep(0.25)
        pytest.fail(f"marimo run did not answer on {url} within {STARTUP_SECONDS} s")

    yield start
    for server in servers:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


@pytest.fixture
def marimo_run():
    """Start `marimo run LAB` on a free loopback port; yields a function returning its URL."""
    yield from _servers()


@pytest.fixture(scope="session")
def served_lab():
    """Like ``marimo_run``, but one server per lab for the whole session (a lab served twice
    returns the same URL), so several tests of one lab pay marimo's start-up once."""
    urls: dict[Path, str] = {}
    servers = _servers()
    start = next(servers)

    def serve(lab: Path) -> str:
        if lab not in urls:
            urls[lab] = start(lab)
        return urls[lab]

    yield serve
    for _ in servers:  # resume the generator past its yield: it stops its servers
        pass
