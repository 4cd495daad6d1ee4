"""Track selector, stakeholder reflection and lab header: what each shows, from mlsys personas."""

from __future__ import annotations

import pytest

from labs.core.components import LabHeader, StakeholderReflection, TrackSelector
from mlsys.ledger import TRACKS
from mlsys.personas import Personas


def test_selector_offers_the_four_tracks_and_returns_track_keys(visible_text):
    selector = TrackSelector()
    assert list(selector.options.values()) == list(TRACKS)
    assert selector.value == TRACKS[0]
    text = visible_text(selector)
    for persona in Personas.all():
        assert persona.name in text
        assert persona.mission in text
    assert TrackSelector(value="tiny_pioneer").value == "tiny_pioneer"
    with pytest.raises(KeyError, match="unknown track"):
        TrackSelector(value="space_cowboy")


def test_choosing_a_track_changes_the_value():
    selector = TrackSelector()
    option = next(name for name, key in selector.options.items() if key == "mobile_nomad")
    selector._update(option)
    assert selector.value == "mobile_nomad"


@pytest.mark.parametrize("track", TRACKS)
def test_reflection_is_addressed_to_the_tracks_stakeholder(track, visible_text, labels):
    persona = Personas.get(track)
    box = StakeholderReflection(track, "Why this batch size? <script>x()</script>")
    text = visible_text(box)
    assert f"To the {persona.stakeholder.role}" in text
    assert persona.stakeholder.cares_about in text
    assert "Why this batch size? <script>x()</script>" in text  # shown, never run
    assert all("<script" not in label for label in labels(box))
    assert box.value == ""
    box._update("Because samples per dollar.")
    assert box.value == "Because samples per dollar."
    from_persona = visible_text(StakeholderReflection(persona, "Same box, given the persona."))
    assert f"To the {persona.stakeholder.role}" in from_persona


def test_header_shows_the_chapter_and_the_reading(page_html, visible_text):
    header = LabHeader(
        volume=1,
        number=2,
        slug="ml_systems",
        title="The *ML systems* spectrum",
        reading="Chapter 2 <img src=x onerror=alert(1)>",
    )
    text = visible_text(header)
    assert "Volume 1 · Lab 02 · ml_systems" in text
    assert "Reading: Chapter 2 <img src=x onerror=alert(1)>" in text
    rendered = page_html(header)
    assert 'data-lab="v1ch02"' in rendered
    assert "<em>ML systems</em>" in rendered
    assert "<img" not in rendered


@pytest.mark.parametrize(("volume", "number"), [(0, 2), (1, 0), (1, True), ("1", 2)])
def test_header_refuses_a_malformed_chapter(volume, number):
    with pytest.raises(ValueError, match=r"^(volume|number):"):
        LabHeader(volume=volume, number=number, slug="x", title="t", reading="r")


def test_volume_2_reflections_address_the_fleet_stakeholders():
    from labs.core.tracks import StakeholderReflection, stakeholder_heading
    from mlsys.personas import Personas

    for key in ("cloud_titan", "edge_guardian", "mobile_nomad", "tiny_pioneer"):
        fleet = Personas.fleet(key).stakeholders
        heading = stakeholder_heading(key, volume=2)
        assert f"To the {fleet[0].role} and the {fleet[1].role}" in heading
        box = StakeholderReflection(key, "Justify.", volume=2)
        assert fleet[1].role in str(box.text)
    # Volume 1 keeps the node's one stakeholder.
    assert "To the Hardware Lead</strong>" in stakeholder_heading("tiny_pioneer")
