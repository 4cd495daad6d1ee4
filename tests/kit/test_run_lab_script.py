"""scripts/run-lab runs a generated lab headless on every track with predictions filled in
(it imported a module that does not exist, labgen.build.execute; the helpers live in
labgen.rendering.execute)."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TRACKS = ("cloud_titan", "edge_guardian", "mobile_nomad", "tiny_pioneer")


def test_run_lab_runs_a_volume_2_lab_on_every_track():
    done = subprocess.run(
        [str(ROOT / "scripts" / "run-lab"), "v2ch05"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 4
    for line, track in zip(lines, TRACKS, strict=True):
        assert line.startswith(f"ok   v2ch05 {track}"), line
        # Three KATs, each a step time in a readable unit.
        assert line.count("fits=") == 3
        assert "×10" not in line


def test_run_lab_without_a_chapter_says_how_to_use_it():
    done = subprocess.run(
        [str(ROOT / "scripts" / "run-lab")], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode != 0
    assert "usage: scripts/run-lab" in done.stderr
