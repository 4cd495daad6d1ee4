"""The labs in generated_labs/: up to date, valid marimo, and executed for every track."""

import subprocess
import sys
import types
from pathlib import Path

import pytest

from labgen.book import chapters
from labgen.cli import main
from labgen.rendering.execute import load_app, project_spec, run_lab

ROOT = Path(__file__).resolve().parents[2]
TRACKS = ("cloud_titan", "edge_guardian", "mobile_nomad", "tiny_pioneer")
BUILT = [c for c in chapters() if (ROOT / c.spec_path).is_file()]


def test_there_are_labs_to_check():
    assert BUILT, "no chapter specs in chapters/"


def test_labs_are_up_to_date(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    code = main(["build", "--all", "--check"])
    assert code == 0, capsys.readouterr()


def test_marimo_check_strict_is_clean():
    labs = [str(ROOT / c.lab_path) for c in BUILT]
    done = subprocess.run(
        [sys.executable, "-m", "marimo", "check", "--strict", *labs],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("chapter", BUILT, ids=lambda c: c.lab_name)
def test_lab_runs_headless_as_a_script(chapter):
    done = subprocess.run(
        [sys.executable, str(ROOT / chapter.lab_path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]


@pytest.mark.parametrize("track", TRACKS)
@pytest.mark.parametrize("chapter", BUILT, ids=lambda c: c.lab_name)
def test_every_kat_produces_its_instrument_on_every_track(chapter, track):
    spec = project_spec(ROOT, chapter)
    outputs, defs = run_lab(ROOT / chapter.lab_path, spec, track)
    for index, kat in enumerate(spec.kats, start=1):
        profile = defs[f"kat{index}_profile"]
        assert profile.latency.magnitude > 0
        assert f"kat{index}_reflection" in defs
        if kat.instrument == "p99_histogram":
            assert defs[f"kat{index}_serving"].performance.latency_p99.magnitude > 0
    ledger = defs["lab_ledger"]
    assert ledger.chapter_id == chapter.number
    assert ledger.track == track
    for write in spec.ledger.writes:
        assert write.key in ledger.decisions_of(chapter.number, volume=chapter.volume)
    rendered = " ".join(str(getattr(o, "text", o)) for o in outputs if o is not None)
    if any(kat.instrument == "waterfall" for kat in spec.kats):
        assert "Overhead (dispatch tax)" in rendered


@pytest.mark.parametrize("chapter", BUILT, ids=lambda c: c.lab_name)
def test_nothing_is_revealed_before_its_prediction(chapter):
    # No predictions given: every KAT stays locked, so no engine result is computed or shown.
    outputs, defs = load_app(ROOT / chapter.lab_path).run(
        defs={"track_selector": types.SimpleNamespace(value="cloud_titan")}
    )
    # No KAT computed anything (the kit's own names, such as stated_profile, are imports).
    assert not any(
        name.startswith("kat") and name.endswith(("_profile", "_controls", "_serving"))
        for name in defs
    )
    rendered = " ".join(str(getattr(o, "text", o)) for o in outputs if o is not None)
    assert "Enter your prediction" in rendered


@pytest.mark.parametrize("chapter", BUILT, ids=lambda c: f"v{c.volume}-{c.lab_name}")
def test_expert_preset_records_what_the_spec_writes(chapter):
    """A student starting mid-book gets, from the Expert Preset, exactly the decisions the
    earlier labs would have written (one ledger chain per volume, held together here)."""
    from labs.core.presets import EXPERT_DECISIONS, EXPERT_FLEET_DECISIONS

    table = EXPERT_DECISIONS if chapter.volume == 1 else EXPERT_FLEET_DECISIONS
    spec = project_spec(ROOT, chapter)
    written = {write.key for write in spec.ledger.writes}
    assert written == set(table.get(chapter.number, {}))
