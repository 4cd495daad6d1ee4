"""docs/spec-format.md lists what the code enforces (the code is the source, the doc follows)."""

from __future__ import annotations

import re
from pathlib import Path

from labgen.instruments import BUILTIN_INSTRUMENTS
from labgen.spec.model import ChapterSpec
from labgen.spec.vocabulary import ACTION_VERBS

DOC = (Path(__file__).resolve().parents[2] / "docs" / "spec-format.md").read_text(encoding="utf-8")


def test_the_verb_list_matches_the_vocabulary() -> None:
    paragraph = DOC.split("**Action verbs:**", 1)[1].split("(`labgen/spec/vocabulary.py`)", 1)[0]
    assert [word.strip() for word in paragraph.replace("\n", " ").split(",")] == list(ACTION_VERBS)


def test_every_builtin_instrument_and_its_unlock_chapter_is_documented() -> None:
    for instrument in BUILTIN_INSTRUMENTS:
        assert f"`{instrument.id}` {instrument.unlock_chapter}" in DOC


def test_every_top_level_section_is_documented() -> None:
    documented = re.findall(r"^\| `(\w+)` \|", DOC, flags=re.MULTILINE)
    assert documented == list(ChapterSpec.model_fields)
