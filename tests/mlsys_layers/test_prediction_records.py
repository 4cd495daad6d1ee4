"""The design ledger records each task's prediction, the engine's answer and the ratio; a file
whose records were edited by hand is refused."""

from __future__ import annotations

import json

import pytest

from mlsys.ledger import DesignLedger, LedgerError, PredictionRecord


def _ledger() -> DesignLedger:
    return DesignLedger().record(
        5,
        "edge_guardian",
        {"serving_batch": 4},
        [{"task": "kat1", "text": "Memory-bound at batch 1."}],
        predictions=[
            PredictionRecord.number("kat1", 8.0, 8.2, "GFLOP"),
            PredictionRecord.number("kat2", 50.0, 5.0, "FLOP/byte", revised=6.0),
            PredictionRecord.choice("kat3", "the activations", "the weights"),
        ],
    )


def test_records_carry_the_ratio_and_the_verdict():
    records = _ledger().records[0].predictions
    assert records[0].ratio == pytest.approx(8.0 / 8.2)
    assert records[0].correct
    assert records[1].ratio == pytest.approx(10.0)
    assert not records[1].correct
    assert records[1].revised == 6.0
    assert (records[2].correct, records[2].ratio, records[2].unit) == (False, None, None)


def test_records_round_trip_through_json():
    ledger = _ledger()
    again = DesignLedger.from_json(ledger.to_json())
    assert again == ledger
    assert again.records[0].predictions == ledger.records[0].predictions


def test_a_version_1_ledger_without_records_is_still_read():
    document = json.loads(_ledger().to_json())
    document["schema_version"] = 1
    for entry in document["history"]:
        del entry["predictions"]
    read = DesignLedger.from_dict(document)
    assert read.records[0].predictions == ()
    assert read.get("serving_batch") == 4


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (
            lambda r: r.update(ratio=1.0),
            r"ratio: 10\.0 is not predicted / answer|ratio: 1\.0 is not",
        ),
        (lambda r: r.update(answer=50.0), r"ratio: 10\.0 is not predicted / answer"),
        (lambda r: r.update(kind="guess"), r"kind: expected 'number' or 'choice', got 'guess'"),
        (
            lambda r: r.update(predicted="fifty"),
            r"predicted: expected a finite number, got a string",
        ),
        (lambda r: r.pop("unit"), r"missing field 'unit'"),
    ],
)
def test_a_tampered_record_is_refused(tamper, message):
    document = json.loads(_ledger().to_json())
    tamper(document["history"][0]["predictions"][1])
    with pytest.raises(LedgerError, match=message):
        DesignLedger.from_dict(document)


def test_a_choice_record_has_no_ratio():
    document = json.loads(_ledger().to_json())
    document["history"][0]["predictions"][2]["ratio"] = 1.0
    with pytest.raises(LedgerError, match=r"predictions\[2\]\.ratio: a choice has no ratio"):
        DesignLedger.from_dict(document)
