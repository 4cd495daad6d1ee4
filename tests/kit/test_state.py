"""The design ledger in a lab: recorded, downloaded, uploaded back through the panel, refused
with a clear message when corrupt, reset, or preset for a mid-book start."""

from __future__ import annotations

import base64
import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from labs.core.presets import EXPERT_DECISIONS, VOLUME_1_CHAPTERS, expert_design, expert_preset
from labs.core.state import (
    EXPERT_PRESET,
    MAX_UPLOAD_BYTES,
    MY_LEDGER,
    SYSTEM_RESET,
    LedgerPanel,
    record_design,
)
from mlsys import Engine, Models, Systems
from mlsys.ledger import TRACKS, DesignLedger, LedgerError
from mlsys.personas import Personas

_DATA_URL = re.compile(r"data:application/json;base64,([A-Za-z0-9+/=]+)")


def upload(panel: LedgerPanel, contents: bytes, name: str = "ledger.json") -> None:
    """What the browser sends when the student drops a file on the panel."""
    panel._update({"upload": [[name, base64.b64encode(contents).decode("ascii")]]})


def downloaded(summary_html: str) -> bytes:
    """The bytes behind the summary's download button."""
    match = _DATA_URL.search(summary_html)
    assert match, "the summary has a JSON download"
    return base64.b64decode(match.group(1))


def sample_ledger() -> DesignLedger:
    first = record_design(
        chapter_id=4,
        track="edge_guardian",
        design={"data_format": "uint8_camera_frames"},
        reflections={"KAT 1": "Raw frames cost bandwidth."},
    )
    return record_design(
        chapter_id=5,
        track="edge_guardian",
        design={"precision": "int8", "batch_size": 1},
        reflections=[{"task": "KAT 2", "text": "int8 halves the bytes."}],
        ledger=first,
    )


def test_record_design_builds_on_the_ledger_it_is_given():
    ledger = sample_ledger()
    assert ledger.chapters() == (4, 5)
    assert ledger.get("data_format") == "uint8_camera_frames"  # chapter 4 reaches chapter 5
    assert ledger.reflections == [{"task": "KAT 2", "text": "int8 halves the bytes."}]


def test_record_design_unwraps_elements_and_registry_entries():
    import marimo as mo

    slider = mo.ui.slider(1, 64, value=16)
    ledger = record_design(
        chapter_id=5,
        track="cloud_titan",
        design={"model": Models.Llama3_70B, "system": Systems.H100, "batch_size": slider},
        reflections={"KAT 1": "", "KAT 2": "Written."},
    )
    assert ledger.current_design == {"model": "Llama3_70B", "system": "H100", "batch_size": 16}
    assert [r["task"] for r in ledger.reflections] == ["KAT 2"]  # empty boxes are not recorded


def test_record_design_refuses_what_json_cannot_hold():
    from mlsys import ureg

    with pytest.raises(LedgerError, match="quantity"):
        record_design(
            chapter_id=5, track="tiny_pioneer", design={"deadline": ureg.Quantity(10, "ms")}
        )
    with pytest.raises(LedgerError, match="track"):
        record_design(chapter_id=5, track="space_cowboy", design={})


def test_json_round_trip_through_download_and_upload(page_html):
    ledger = sample_ledger()
    summary = page_html(LedgerPanel.summary(ledger))
    assert "design_ledger_v1ch05.json" in summary
    payload = downloaded(summary)
    assert payload == ledger.to_json().encode("utf-8")

    panel = LedgerPanel(chapter_id=6)
    upload(panel, payload)
    loaded = panel.resolve("edge_guardian")
    assert loaded.source == "upload"
    assert loaded.error is None
    assert loaded.ledger == ledger
    assert "chapters 4, 5" in loaded.message


@pytest.mark.parametrize(
    ("contents", "reason"),
    [
        (b"{not json", "not valid JSON"),
        (b"", "empty"),
        (b"\xff\xfe\x00", "not UTF-8"),
        (b'{"hello": "world"}', "not a design ledger"),
        (b"[1, 2, 3]", "must be a JSON object"),
    ],
    ids=["truncated", "empty", "binary", "foreign", "list"],
)
def test_corrupt_upload_is_refused_with_a_clear_message(contents, reason, visible_text):
    panel = LedgerPanel(chapter_id=6)
    upload(panel, contents, "ledger.json")
    loaded = panel.resolve("edge_guardian")
    assert loaded.source == "preset"  # the lab still runs...
    assert loaded.error is not None
    assert reason in loaded.detail  # the technical reason, kept for a teacher
    # The student reads what happened and what to do, in their words (issue 19).
    assert loaded.error.startswith("ledger.json ")
    assert "schema" not in loaded.error
    assert "JSON object" not in loaded.error
    assert "Expert Preset" in loaded.error
    assert "until a valid ledger is uploaded" in visible_text(loaded)
    assert 'role="alert"' in loaded._repr_html_()


def test_hand_edited_upload_is_refused():
    document = json.loads(sample_ledger().to_json())
    document["current_design"]["precision"] = "fp32"
    panel = LedgerPanel(chapter_id=6)
    upload(panel, json.dumps(document).encode())
    loaded = panel.resolve("edge_guardian")
    assert loaded.error is not None
    assert "does not match the history" in loaded.detail
    assert "changed since a lab saved it" in loaded.error


def test_an_uploaded_ledger_restores_its_track():
    panel = LedgerPanel(chapter_id=6)
    assert panel.uploaded_track() is None
    upload(panel, sample_ledger().to_json().encode())
    assert panel.uploaded_track() == sample_ledger().track
    panel._update({"start": SYSTEM_RESET})
    assert panel.uploaded_track() is None


def test_oversized_upload_is_refused_before_parsing():
    panel = LedgerPanel(chapter_id=6)
    upload(panel, b" " * (MAX_UPLOAD_BYTES + 1))
    assert "far too large" in panel.resolve("cloud_titan").error


def test_system_reset_and_expert_preset():
    panel = LedgerPanel(chapter_id=10)
    upload(panel, sample_ledger().to_json().encode())
    panel._update({"start": SYSTEM_RESET})
    reset = panel.resolve("mobile_nomad")
    assert reset.source == "reset"
    assert len(reset.ledger) == 0
    panel._update({"start": EXPERT_PRESET})
    preset = panel.resolve("mobile_nomad")
    assert preset.source == "preset"
    assert preset.ledger == expert_preset(10, "mobile_nomad")
    assert preset.ledger.chapters() == tuple(range(1, 10))


def test_without_an_upload_the_lab_starts_from_the_preset_and_says_so():
    loaded = LedgerPanel(chapter_id=3).resolve("tiny_pioneer")
    assert loaded.source == "preset"
    assert "No ledger uploaded yet" in loaded.message
    assert LedgerPanel(chapter_id=1).resolve("tiny_pioneer").ledger == DesignLedger()


def test_upload_from_another_track_is_noted():
    panel = LedgerPanel(chapter_id=6)
    upload(panel, sample_ledger().to_json().encode())
    assert "follows the Edge Guardian track" in panel.resolve("cloud_titan").message


def test_panel_offers_the_three_starts_and_a_browser_upload(visible_text, page_html):
    panel = LedgerPanel(chapter_id=6)
    html = page_html(panel)
    assert "marimo-file" in html
    assert "marimo-radio" in html
    assert panel.value["start"] == MY_LEDGER
    assert "Start this lab from" in visible_text(panel)


# -- the Expert Preset table ------------------------------------------------------------------


def test_preset_table_covers_every_chapter_and_track():
    assert sorted(EXPERT_DECISIONS) == list(range(1, VOLUME_1_CHAPTERS + 1))
    for chapter, decisions in EXPERT_DECISIONS.items():
        assert decisions, f"chapter {chapter} records a decision"
        for key, value in decisions.items():
            if isinstance(value, dict) or hasattr(value, "keys"):
                assert set(value) <= set(TRACKS), f"chapter {chapter} {key}"
                assert "cloud_titan" in value, f"chapter {chapter} {key}"


@pytest.mark.parametrize("track", TRACKS)
def test_preset_decisions_are_valid_engine_inputs(track):
    persona = Personas.get(track)
    system = persona.system
    design = expert_preset(VOLUME_1_CHAPTERS, track).current_design
    for key, value in design.items():
        if key.endswith(("precision", "data_format")):
            assert value in system.precisions, f"{key}={value} runs on {system.name}"
        elif key.endswith(("runtime", "runtime_choice")):
            assert value in system.runtimes, f"{key}={value} exists on {system.name}"
        elif key.endswith("batch"):
            assert isinstance(value, int)
            assert value >= 1
    profile = Engine.solve(
        model=persona.model,
        system=system,
        batch_size=design["serving_batch"],
        precision=design["compression_precision"],
        efficiency=design["accelerator_efficiency"],
        runtime=design["runtime_choice"],
    )
    assert profile.feasible, f"the preset design of {track} fits its node"


@given(chapter=st.integers(1, VOLUME_1_CHAPTERS), track=st.sampled_from(TRACKS))
def test_preset_holds_every_earlier_chapter_and_round_trips(chapter, track):
    ledger = expert_preset(chapter, track)
    assert ledger.chapters() == tuple(range(1, chapter))
    assert DesignLedger.from_json(ledger.to_json()) == ledger
    if chapter > 1:
        assert ledger.decisions_of(chapter - 1) == expert_design(chapter - 1, track)


def test_preset_refuses_chapters_outside_volume_1():
    with pytest.raises(ValueError, match="chapter_id"):
        expert_preset(17, "cloud_titan")
    with pytest.raises(KeyError, match="unknown track"):
        expert_design(3, "space_cowboy")


# -- the Expert Preset of Volume 2 -------------------------------------------------------------


@given(chapter=st.integers(1, 17), track=st.sampled_from(TRACKS))
def test_a_volume_2_start_gets_all_of_volume_1_and_the_earlier_fleet_chapters(chapter, track):
    from labs.core.presets import EXPERT_FLEET_DECISIONS

    ledger = expert_preset(chapter, track, volume=2)
    assert ledger.chapters() == tuple(range(1, VOLUME_1_CHAPTERS + 1))
    earlier = tuple(n for n in range(1, chapter) if expert_design(n, track, volume=2))
    assert ledger.chapters(volume=2) == earlier
    assert set(earlier) <= set(EXPERT_FLEET_DECISIONS)
    assert DesignLedger.from_json(ledger.to_json()) == ledger


def test_the_volume_2_preset_refuses_chapters_it_does_not_have():
    with pytest.raises(ValueError, match="chapter_id"):
        expert_preset(18, "cloud_titan", volume=2)
    with pytest.raises(ValueError, match="volume"):
        expert_preset(3, "cloud_titan", volume=3)


def test_the_volume_2_panel_starts_from_the_fleet_preset():
    panel = LedgerPanel(7, volume=2)
    loaded = panel.resolve("edge_guardian")
    assert loaded.ledger == expert_preset(7, "edge_guardian", volume=2)
    assert "all of Volume 1 and Volume 2 chapters 1 to 6" in loaded.message


def test_a_cluster_decision_records_its_accelerator():
    from mlsys import Cluster

    cluster = Cluster(node=Systems.H100, count=64)
    ledger = record_design(chapter_id=2, track="cloud_titan", design={"gpu": cluster}, volume=2)
    assert ledger.decisions_of(2, volume=2) == {"gpu": "H100"}
