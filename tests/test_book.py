"""The master slug list and chapter addressing (guide section 3.2)."""

import pytest

from labgen import book


def test_volume_sizes_match_the_guide():
    assert len(book.chapters(1)) == 16
    assert len(book.chapters(2)) == 17
    assert book.chapters(1)[0].lab_path.as_posix() == "generated_labs/vol1/lab_01_ml_intro.py"
    assert book.chapters(2)[4].lab_path.as_posix() == "generated_labs/vol2/lab_05_dist_train.py"


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("ch05", "v1ch05"),
        ("v1ch05", "v1ch05"),
        ("V2CH05", "v2ch05"),
        ("nn_compute", "v1ch05"),
        ("v2:dist_train", "v2ch05"),
        ("ml_intro", "v1ch01"),
        ("v2:ml_intro", "v2ch01"),
    ],
)
def test_resolve_addresses(address, key):
    assert book.resolve(address).key == key


@pytest.mark.parametrize("address", ["ch17", "v3ch01", "nn_compoot", "", "ch0"])
def test_resolve_rejects_unknown(address):
    with pytest.raises(book.UnknownChapterError):
        book.resolve(address)


def test_did_you_mean():
    with pytest.raises(book.UnknownChapterError, match="nn_compute"):
        book.resolve("nn_compoot")


def test_paths_round_trip():
    for chapter in book.CHAPTERS:
        assert book.from_lab_path(chapter.lab_path) == chapter
        assert book.from_spec_path(chapter.spec_path) == chapter
    assert book.from_lab_path("generated_labs/vol1/lab_05_wrong.py") is None
    assert book.from_lab_path("generated_labs/lab_05_nn_compute.py") is None
