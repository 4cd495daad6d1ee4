"""DesignLedger: the student's record across labs (guide section 7), its JSON and its refusals."""

import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlsys import DesignLedger, LedgerError, Reflection, ureg
from mlsys.ledger import SCHEMA, SCHEMA_VERSION, TRACKS


def two_chapters() -> DesignLedger:
    return (
        DesignLedger()
        .record(
            4,
            "edge_guardian",
            {"data_format": "int8", "batch_size": 1},
            [Reflection("KAT1", "int8 halves bytes")],
        )
        .record(
            5,
            "edge_guardian",
            {"batch_size": 8},
            [{"task": "KAT2", "text": "batching amortises overhead"}],
        )
    )


# -- recording and reading ---------------------------------------------------------------------


def test_empty_ledger_has_the_guide_fields_with_nothing_in_them():
    doc = DesignLedger().to_dict()
    assert doc["schema"] == SCHEMA
    assert doc["schema_version"] == SCHEMA_VERSION
    assert (doc["chapter_id"], doc["track"], doc["current_design"], doc["reflections"]) == (
        None,
        None,
        {},
        [],
    )
    assert doc["history"] == []


def test_guide_fields_describe_the_latest_chapter_and_design_persists_across_chapters():
    ledger = two_chapters()
    assert ledger.chapter_id == 5
    assert ledger.volume == 1
    assert ledger.track == "edge_guardian"
    assert ledger.reflections == [{"task": "KAT2", "text": "batching amortises overhead"}]
    # Chapter 4's data format persists; chapter 5's batch size overrides chapter 4's.
    assert ledger.current_design == {"data_format": "int8", "batch_size": 8}
    assert ledger.get("data_format") == "int8"
    assert ledger.get("batch_size") == 8
    assert ledger.get("pruning", "none") == "none"


def test_decisions_of_an_earlier_chapter_are_readable():
    ledger = two_chapters()
    assert ledger.decisions_of(4) == {"data_format": "int8", "batch_size": 1}
    assert ledger.reflections_of(4) == [{"task": "KAT1", "text": "int8 halves bytes"}]
    assert ledger.chapters() == (4, 5)
    assert ledger.has(4)
    assert not ledger.has(6)
    assert not ledger.has(4, volume=2)


def test_decisions_of_an_unrecorded_chapter_is_a_key_error_naming_what_exists():
    with pytest.raises(
        KeyError, match=r"chapter 9 has no recorded decisions \(recorded chapters: 4, 5\)"
    ):
        two_chapters().decisions_of(9)


def test_record_returns_a_new_ledger_and_leaves_the_original_alone():
    first = DesignLedger().record(2, "tiny_pioneer", {"sram_kb": 512})
    second = first.record(3, "tiny_pioneer", {"sram_kb": 256})
    assert first.current_design == {"sram_kb": 512}
    assert second.current_design == {"sram_kb": 256}
    assert len(first) == 1
    assert len(second) == 2


def test_recording_a_chapter_again_replaces_it_and_makes_it_the_latest():
    ledger = two_chapters().record(4, "edge_guardian", {"data_format": "fp16"})
    assert ledger.chapters() == (4, 5)
    assert ledger.chapter_id == 4
    assert ledger.decisions_of(4) == {"data_format": "fp16"}
    # Recording order decides: chapter 4 was re-recorded last, but it no longer sets batch_size.
    assert ledger.current_design == {"batch_size": 8, "data_format": "fp16"}


def test_returned_designs_are_copies_that_cannot_change_the_ledger():
    ledger = DesignLedger().record(1, "cloud_titan", {"stack": [1, 2], "opts": {"a": 1}})
    ledger.decisions_of(1)["stack"].append(3)
    ledger.current_design["opts"]["a"] = 99
    ledger.get("stack").append(4)
    assert ledger.decisions_of(1) == {"stack": [1, 2], "opts": {"a": 1}}
    with pytest.raises(TypeError):
        ledger.records[0].design["stack"] = []  # read-only mapping


def test_volume_two_chapters_do_not_collide_with_volume_one():
    ledger = (
        DesignLedger()
        .record(5, "cloud_titan", {"a": 1})
        .record(5, "cloud_titan", {"a": 2}, volume=2)
    )
    assert ledger.decisions_of(5) == {"a": 1}
    assert ledger.decisions_of(5, volume=2) == {"a": 2}
    assert ledger.volume == 2


def test_numpy_scalars_from_widgets_are_stored_as_plain_json_numbers():
    ledger = DesignLedger().record(
        3, "mobile_nomad", {"fps": np.int64(60), "scale": np.float32(0.5)}
    )
    assert json.loads(ledger.to_json())["current_design"] == {"fps": 60, "scale": 0.5}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((0, "cloud_titan", {}), r"chapter_id: expected a chapter number \(int >= 1\), got 0"),
        ((True, "cloud_titan", {}), r"chapter_id: .* got True"),
        (("4", "cloud_titan", {}), r"chapter_id: .* got '4'"),
        (
            (4, "space_cowboy", {}),
            r"track: expected one of cloud_titan, edge_guardian, mobile_nomad, tiny_pioneer, got 'space_cowboy'",
        ),
        (
            (4, "cloud_titan", ["batch", 8]),
            r"design: expected a mapping of parameter names to values, got list",
        ),
        ((4, "cloud_titan", {"x": float("nan")}), r"design\['x'\]: nan is not a finite number"),
        (
            (4, "cloud_titan", {"deadline": 10 * ureg.ms}),
            r"design\['deadline'\]: 10 ms is a quantity; store its magnitude",
        ),
        (
            (4, "cloud_titan", {"nested": {"ok": [1, {2: "x"}]}}),
            r"design\['nested'\]\['ok'\]\[1\]: keys must be non-empty strings, got 2",
        ),
        (
            (4, "cloud_titan", {"f": print}),
            r"design\['f'\]: builtin_function_or_method is not a JSON value",
        ),
        (
            (4, "cloud_titan", {}, "just text"),
            r"reflections: expected a list of \{task, text\} entries, got str",
        ),
        ((4, "cloud_titan", {}, [{"task": "KAT1"}]), r"reflections\[0\]: missing field 'text'"),
        (
            (4, "cloud_titan", {}, [{"task": "KAT1", "text": 5}]),
            r"reflections\[0\]\.text: expected a string, got a number \(5\)",
        ),
        (
            (4, "cloud_titan", {}, [{"task": "K", "text": "t", "mood": "ok"}]),
            r"reflections\[0\]: unknown field 'mood'",
        ),
    ],
)
def test_record_refuses_bad_input_naming_the_field(args, message):
    with pytest.raises(LedgerError, match=message):
        DesignLedger().record(*args)


def test_record_refuses_an_unknown_volume():
    with pytest.raises(LedgerError, match=r"volume: expected one of 1, 2, got 3"):
        DesignLedger().record(1, "cloud_titan", {}, volume=3)


def test_ledger_error_is_a_value_error():
    assert issubclass(LedgerError, ValueError)


# -- JSON --------------------------------------------------------------------------------------


def test_json_round_trip_restores_an_equal_ledger():
    ledger = two_chapters()
    again = DesignLedger.from_json(ledger.to_json())
    assert again == ledger
    assert again.to_json() == ledger.to_json()
    assert DesignLedger.from_json(ledger.to_json().encode("utf-8")) == ledger


def test_json_is_deterministic_with_sorted_keys():
    a = DesignLedger().record(2, "cloud_titan", {"zeta": 1, "alpha": 2})
    b = DesignLedger().record(2, "cloud_titan", {"alpha": 2, "zeta": 1})
    assert a.to_json() == b.to_json()
    keys = list(json.loads(a.to_json()))
    assert keys == sorted(keys)
    assert list(json.loads(a.to_json())["current_design"]) == ["alpha", "zeta"]


def test_unicode_text_survives_the_round_trip_unescaped():
    ledger = DesignLedger().record(1, "mobile_nomad", {}, [Reflection("KAT1", "D·A·M — 60 FPS ✓")])
    assert "D·A·M — 60 FPS ✓" in ledger.to_json()
    assert DesignLedger.from_json(ledger.to_json()).reflections[0]["text"] == "D·A·M — 60 FPS ✓"


json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(10**12), 10**12)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(min_size=1, max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
chapter_entries = st.lists(
    st.tuples(
        st.integers(1, 17),
        st.sampled_from(TRACKS),
        st.dictionaries(st.text(min_size=1, max_size=8), json_values, max_size=4),
        st.lists(st.tuples(st.text(max_size=8), st.text(max_size=20)), max_size=2),
    ),
    max_size=5,
)


@given(chapter_entries)
def test_any_recorded_history_round_trips_through_json(entries):
    ledger = DesignLedger()
    for chapter, track, design, reflections in entries:
        ledger = ledger.record(chapter, track, design, [Reflection(t, x) for t, x in reflections])
    text = ledger.to_json()
    again = DesignLedger.from_json(text)
    assert again == ledger
    assert again.to_json() == text
    assert again.current_design == ledger.current_design


# -- refusing corrupt, foreign and future documents ----------------------------------------------


def document(**changes):
    doc = two_chapters().to_dict()
    doc.update(changes)
    return json.dumps(doc)


def without(key):
    doc = two_chapters().to_dict()
    del doc[key]
    return json.dumps(doc)


def history_edit(index, **changes):
    doc = two_chapters().to_dict()
    doc["history"][index].update(changes)
    return json.dumps(doc)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", r"design ledger is empty"),
        ('{"schema": ', r"design ledger is not valid JSON: Expecting value at line 1 column 12"),
        ("[1, 2]", r"design ledger must be a JSON object, got a list"),
        ('"a string"', r"design ledger must be a JSON object, got a string"),
        (
            '{"name": "my-app", "version": "1.0"}',
            r"not a design ledger: the document has no 'schema' field, expected 'mlsys.design_ledger'",
        ),
        (document(schema="vega-lite"), r"not a design ledger: the document has schema 'vega-lite'"),
        (
            document(schema_version=3),
            r"schema_version 3 was written by a newer mlsys; this one reads version 2",
        ),
        (
            document(schema_version=0),
            r"schema_version 0 is not supported; this mlsys reads versions 1, 2",
        ),
        (document(schema_version="1"), r"schema_version: expected an integer, got a string"),
        (without("schema_version"), r"schema_version: missing"),
        (without("history"), r"design ledger: missing field 'history'"),
        (
            document(extra=1),
            r"design ledger: unknown field 'extra' \(known: schema, schema_version",
        ),
        (document(history={}), r"history: expected a list, got an object"),
        (
            history_edit(0, chapter_id="4"),
            r"history\[0\]\.chapter_id: expected a chapter number \(int >= 1\), got '4'",
        ),
        (history_edit(1, track="jedi"), r"history\[1\]\.track: expected one of"),
        (history_edit(0, design=[]), r"history\[0\]\.design: expected a mapping"),
        (
            history_edit(0, reflections=[["KAT1", "x"]]),
            r"history\[0\]\.reflections\[0\]: expected \{'task': \.\.\., 'text': \.\.\.\}, got list",
        ),
        (
            history_edit(1, chapter_id=4),
            r"history\[1\]: volume 1 chapter 4 is already recorded in history\[0\]",
        ),
        (
            document(chapter_id=7),
            r"chapter_id: 7 does not match the history, which gives 5 \(the ledger was edited by hand or is corrupt\)",
        ),
        (
            document(current_design={"data_format": "fp32", "batch_size": 8}),
            r"current_design\['data_format'\]: 'fp32' does not match the history, which gives 'int8'",
        ),
        (
            document(track="tiny_pioneer"),
            r"track: 'tiny_pioneer' does not match the history, which gives 'edge_guardian'",
        ),
        (document(reflections=[]), r"reflections: \[\] does not match the history"),
        (
            '{"schema": "mlsys.design_ledger", "schema": "x"}',
            r"the key 'schema' appears twice in one object",
        ),
        ('{"schema": NaN}', r"NaN is not a JSON number"),
    ],
)
def test_from_json_refuses_with_a_message_saying_what_is_wrong(text, message):
    with pytest.raises(LedgerError, match=message):
        DesignLedger.from_json(text)


def test_from_json_refuses_bytes_that_are_not_utf8_and_non_text():
    with pytest.raises(LedgerError, match=r"not UTF-8 text \(byte 0\)"):
        DesignLedger.from_json(b"\xff\xfe{}")
    with pytest.raises(LedgerError, match=r"expected JSON text \(str or bytes\), got dict"):
        DesignLedger.from_json({"schema": SCHEMA})  # type: ignore[arg-type]


def test_a_truncated_file_is_refused_not_reset():
    text = two_chapters().to_json()
    with pytest.raises(LedgerError, match=r"not valid JSON"):
        DesignLedger.from_json(text[: len(text) // 2])
