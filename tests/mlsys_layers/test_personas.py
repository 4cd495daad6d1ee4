"""Personas: the four tracks of guide section 3.1, their nemesis tables and stakeholders."""

import itertools

import pytest

from labgen.book import chapters
from mlsys import Engine, Models, Personas, Systems, ureg
from mlsys.ledger import TRACKS
from mlsys.northstar import average_power
from mlsys.personas import Nemesis, Persona


def test_four_personas_one_per_track_in_the_books_order():
    assert Personas.keys() == TRACKS
    assert [p.key for p in Personas.all()] == list(TRACKS)
    assert Personas.CloudTitan.key == "cloud_titan"
    assert Personas.EdgeGuardian.key == "edge_guardian"
    assert Personas.MobileNomad.key == "mobile_nomad"
    assert Personas.TinyPioneer.key == "tiny_pioneer"
    for persona in Personas.all():
        assert isinstance(persona, Persona)
        assert Personas.get(persona.key) is persona


def test_unknown_track_is_a_key_error_listing_the_tracks():
    with pytest.raises(
        KeyError,
        match=r"unknown track 'cloud'; known tracks: cloud_titan, edge_guardian, mobile_nomad, tiny_pioneer",
    ):
        Personas.get("cloud")


@pytest.mark.parametrize(
    ("persona", "name", "title", "mission"),
    [
        (
            Personas.CloudTitan,
            "Cloud Titan",
            "LLM Architect",
            "Maximize Llama-3-70B serving throughput on a single H100 node.",
        ),
        (
            Personas.EdgeGuardian,
            "Edge Guardian",
            "AV Systems Lead",
            "Maintain sub-10ms deterministic safety loop for an Autonomous Vehicle.",
        ),
        (
            Personas.MobileNomad,
            "Mobile Nomad",
            "AR Glasses Dev",
            "Run 60FPS AR filters on Meta Ray-Bans without thermal throttling.",
        ),
        (
            Personas.TinyPioneer,
            "Tiny Pioneer",
            "Hearable Lead",
            "Real-time speech isolation/translation in <10ms using <1mW of power.",
        ),
    ],
)
def test_titles_and_fixed_missions_are_the_guides(persona, name, title, mission):
    assert (persona.name, persona.title, persona.mission) == (name, title, mission)


@pytest.mark.parametrize(
    ("persona", "role", "metric"),
    [
        (Personas.CloudTitan, "CFO", "samples_per_dollar"),
        (Personas.EdgeGuardian, "Safety Lead", "deadline_miss_rate"),
        (Personas.MobileNomad, "UX Designer", "sustained_power"),
        (Personas.TinyPioneer, "Hardware Lead", "memory_footprint"),
    ],
)
def test_stakeholders_are_the_guides(persona, role, metric):
    assert persona.stakeholder.role == role
    assert persona.stakeholder.metric == metric
    assert persona.stakeholder.cares_about


@pytest.mark.parametrize(
    ("persona", "model", "system"),
    [
        (Personas.CloudTitan, Models.Llama3_70B, Systems.H100),
        (Personas.EdgeGuardian, Models.ResNet50, Systems.JetsonAGXOrin),
        (Personas.MobileNomad, Models.ARFilterNet, Systems.Glasses),
        (Personas.TinyPioneer, Models.TinyLSTM, Systems.Tiny),
    ],
)
def test_default_model_and_system_come_from_the_registries_and_fit(persona, model, system):
    assert persona.model is model
    assert persona.system is system
    profile = Engine.solve(model=persona.model, system=persona.system, precision=persona.precision)
    assert profile.feasible


def test_mission_targets_carry_units():
    tiny = {goal.metric: goal for goal in Personas.TinyPioneer.north_star}
    assert tiny["latency"].target == 10 * ureg.ms
    assert tiny["average_power"].target == 1 * ureg.mW
    assert tiny["average_power"].is_met(0.9 * ureg.mW)
    assert not tiny["average_power"].is_met(1.1 * ureg.mW)
    edge = Personas.EdgeGuardian.north_star[0]
    assert edge.is_met(9.9 * ureg.ms)
    assert not edge.is_met(10.1 * ureg.ms)
    # Cloud Titan maximises: there is no fixed bar to miss.
    assert all(
        goal.direction == "maximize" and goal.target is None
        for goal in Personas.CloudTitan.north_star
    )


def test_nemesis_tables_cover_every_volume_one_chapter_of_the_book():
    volume1 = [c.number for c in chapters(1)]
    for persona in Personas.all():
        assert [n for n, _ in persona.nemesis.table()] == volume1


@pytest.mark.parametrize("persona", Personas.all(), ids=lambda p: p.key)
def test_every_nemesis_strictly_tightens_from_each_chapter_to_the_next(persona):
    nemesis = persona.nemesis
    values = [target.magnitude for _, target in nemesis.table()]
    for chapter, (earlier, later) in enumerate(itertools.pairwise(values), start=2):
        if nemesis.direction == "at_most":
            assert later < earlier, f"{persona.key}: chapter {chapter} is not below {chapter - 1}"
        else:
            assert later > earlier, f"{persona.key}: chapter {chapter} is not above {chapter - 1}"
    # No two labs share a bar: the student sees a new number in every chapter.
    assert len(set(values)) == len(values)


def test_specific_nemesis_targets():
    assert Personas.TinyPioneer.nemesis.target(1) == 1000 * ureg.kB
    assert Personas.TinyPioneer.nemesis.target(2) == 950 * ureg.kB
    assert Personas.TinyPioneer.nemesis.target(16) == 192 * ureg.kB
    assert Personas.EdgeGuardian.nemesis.target(1) == 10 * ureg.ms
    assert Personas.EdgeGuardian.nemesis.target(2) == 9.5 * ureg.ms
    assert Personas.EdgeGuardian.nemesis.target(16) == 2 * ureg.ms
    assert Personas.MobileNomad.nemesis.target(1) == 1.0 * ureg.W
    assert Personas.MobileNomad.nemesis.target(12) == 0.48 * ureg.W
    assert Personas.MobileNomad.nemesis.target(16) == 0.3 * ureg.W
    assert Personas.CloudTitan.nemesis.target(1) == 1024 * ureg.token
    assert Personas.CloudTitan.nemesis.target(16) == 49152 * ureg.token


def test_cloud_memory_wall_stays_reachable_at_one_byte_per_value():
    # Chapter 16 asks for 49,152 resident tokens: six 8,192-token conversations beside the int8
    # weights fit in 80 GB, and the table never asks for more than the card can hold.
    cloud = Personas.CloudTitan
    last = int(cloud.nemesis.target(16).magnitude)
    per_user = 8192
    assert last % per_user == 0
    profile = Engine.solve(
        model=cloud.model,
        system=cloud.system,
        precision="int8",
        seq_len=per_user,
        batch_size=last // per_user,
    )
    assert profile.feasible
    fp16 = Engine.solve(model=cloud.model, system=cloud.system, precision="fp16", seq_len=1024)
    assert not fp16.feasible  # fp16 weights alone overflow the card, from chapter 1 on


def test_edge_deadline_is_met_by_compiled_int8_in_every_chapter_but_not_by_fp32():
    edge = Personas.EdgeGuardian
    int8 = Engine.solve(model=edge.model, system=edge.system, precision="int8")
    fp32 = Engine.solve(model=edge.model, system=edge.system, precision="fp32")
    assert all(edge.nemesis.is_met(int8.latency, n) for n in range(1, 17))
    assert not edge.nemesis.is_met(fp32.latency, 16)


def test_mobile_thermal_share_stops_covering_the_int8_filter_at_chapter_15():
    # Awake between frames (the glasses cannot sleep inside a 16.7 ms frame): about 0.36 W.
    mobile = Personas.MobileNomad
    profile = Engine.solve(model=mobile.model, system=mobile.system, precision="int8")
    power = average_power(profile, 60 / ureg.s, idle="static")
    assert power.to("W").magnitude == pytest.approx(0.357, abs=0.01)
    met = [n for n in range(1, 17) if mobile.nemesis.is_met(power, n)]
    assert met == list(range(1, 15))


def test_tiny_keyword_spotter_fits_every_chapter_at_int8():
    tiny = Personas.TinyPioneer
    spotter = Engine.solve(model=Models.DSCNN, system=tiny.system, precision="int8")
    assert spotter.memory_footprint.to("kB").magnitude == pytest.approx(40, abs=1)
    assert all(tiny.nemesis.is_met(spotter.memory_footprint, n) for n in range(1, 17))


def test_tiny_sram_wall_bites_right_after_the_compression_chapter():
    # TinyLSTM at int8: 460,000 weight bytes + 4,000 activation bytes = 464 kB (engine footprint).
    tiny = Personas.TinyPioneer
    footprint = Engine.solve(
        model=tiny.model, system=tiny.system, precision="int8"
    ).memory_footprint
    assert footprint.to("kB").magnitude == pytest.approx(464.0)
    met = [n for n in range(1, 17) if tiny.nemesis.is_met(footprint, n)]
    assert met == list(range(1, 11))


@pytest.mark.parametrize("chapter", [0, 17, -1, True, 2.0])
def test_nemesis_target_outside_volume_one_is_refused(chapter):
    with pytest.raises(ValueError, match=r"chapter: "):
        Personas.EdgeGuardian.nemesis.target(chapter)


def test_a_nemesis_that_loosens_holds_or_has_the_wrong_length_is_refused():
    falling = tuple(float(v) for v in range(26, 10, -1))  # 26 ... 11, strictly tighter
    Nemesis("x", "d", "m", "ms", "at_most", falling, "w")  # accepted
    with pytest.raises(ValueError, match=r"chapter 16 \(13 ms\) is not tighter than chapter 15"):
        Nemesis("x", "d", "m", "ms", "at_most", (*falling[:15], 13.0), "w")  # loosens
    with pytest.raises(ValueError, match=r"chapter 2 \(26 ms\) is not tighter than chapter 1"):
        Nemesis("x", "d", "m", "ms", "at_most", (26.0, *falling[:15]), "w")  # a plateau
    with pytest.raises(ValueError, match="must tighten from every chapter to the next"):
        Nemesis("x", "d", "m", "token", "at_least", falling, "w")  # falling is looser here
    Nemesis("x", "d", "m", "token", "at_least", falling[::-1], "w")  # accepted
    with pytest.raises(ValueError, match="needs 16 targets"):
        Nemesis("x", "d", "m", "ms", "at_most", (10,) * 15, "w")


def test_scale_factor_is_a_positive_count_with_a_note():
    for persona in Personas.all():
        assert isinstance(persona.scale_factor, int)
        assert persona.scale_factor >= 1
        assert persona.scale_note
    assert Personas.CloudTitan.scale_factor == 1  # the mission is a single node
