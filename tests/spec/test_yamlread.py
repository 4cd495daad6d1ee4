"""Reading YAML with positions: round trips, located refusals, and no exception for any input."""

from __future__ import annotations

import random
import string
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from labgen.spec import yamlread
from labgen.spec.yamlread import MAX_DEPTH, MAX_VALUES, read_yaml

_names = st.text(alphabet=string.ascii_lowercase + "_", min_size=1, max_size=8)
_scalars = st.one_of(
    st.text(alphabet=string.ascii_letters + " .,'-", max_size=20),
    st.integers(-(10**6), 10**6),
    st.booleans(),
    st.none(),
)
_documents = st.dictionaries(
    _names,
    st.recursive(
        _scalars,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_names, inner, max_size=3),
        max_leaves=12,
    ),
    min_size=1,
    max_size=5,
)


@given(_documents)
@settings(max_examples=150, deadline=None)
def test_round_trip_keeps_data_and_locates_every_key(document: dict) -> None:
    text = yaml.safe_dump(document, sort_keys=False)
    parsed, problems = read_yaml(text.encode("utf-8"))
    assert problems == []
    assert parsed is not None
    assert parsed.data == document
    lines = text.splitlines()
    for path, (line, column) in parsed.positions.keys.items():
        # The key's mark points at the key itself.
        assert lines[line - 1][column - 1 :].lstrip("'\"").startswith(str(path[-1]))


@given(st.binary(max_size=400))
@settings(max_examples=300, deadline=None)
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    parsed, problems = read_yaml(data)
    assert parsed is not None or problems
    for problem in problems:
        assert problem.line >= 1
        assert problem.column >= 1
        assert problem.message


@given(st.text(alphabet="{}[]:,-&*!|>'\"#\n\t ab1", max_size=200))
@settings(max_examples=300, deadline=None)
def test_yaml_punctuation_soup_never_raises(text: str) -> None:
    parsed, problems = read_yaml(text.encode("utf-8"))
    assert parsed is not None or problems


def test_positions_of_nested_values() -> None:
    text = "chapter:\n  volume: 1\nkats:\n  - title: a\n    controls:\n      - param: x\n"
    parsed, problems = read_yaml(text.encode())
    assert problems == []
    assert parsed.positions.of_value(("chapter", "volume")) == (2, 11)
    assert parsed.positions.of_key(("chapter", "volume")) == (2, 3)
    assert parsed.positions.of_value(("kats", 0, "controls", 0, "param")) == (6, 16)
    # A path that does not exist resolves to its deepest existing ancestor.
    assert parsed.positions.of_value(("kats", 0, "prediction", "kind")) == (4, 5)


def test_duplicate_keys_are_all_reported() -> None:
    text = "a: 1\nb: 2\na: 3\nb: 4\n"
    parsed, problems = read_yaml(text.encode())
    assert [(p.line, p.column) for p in problems] == [(3, 1), (4, 1)]
    assert "first given on line 1" in problems[0].message
    assert parsed.data == {"a": 1, "b": 2}


def test_every_tab_indented_line_is_reported() -> None:
    text = "a:\n\tb: 1\n\tc: 2\nd: 'tab\tinside text is fine'\n"
    parsed, problems = read_yaml(text.encode())
    assert parsed is None
    assert [(p.line, p.column) for p in problems] == [(2, 1), (3, 1)]


def test_alias_bomb_is_stopped_at_an_alias() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 9):
        previous, name = chr(96 + level), chr(97 + level)
        lines.append(f"{name}: &{name} [{', '.join(['*' + previous] * 10)}]")
    parsed, problems = read_yaml("\n".join(lines).encode())
    assert parsed is None
    assert len(problems) == 1
    assert f"more than {MAX_VALUES:,} values" in problems[0].message
    assert problems[0].line > 1  # at an alias use, not at the first anchor


def test_small_aliases_are_expanded() -> None:
    parsed, problems = read_yaml(b"base: &b {x: 1}\ncopy: *b\n")
    assert problems == []
    assert parsed.data == {"base": {"x": 1}, "copy": {"x": 1}}


def test_nesting_limit_is_located() -> None:
    depth = MAX_DEPTH + 5
    text = (
        "k:\n"
        + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(depth))
        + "  " * (depth + 1)
        + "v\n"
    )
    parsed, problems = read_yaml(text.encode())
    assert parsed is None
    assert "nesting deeper than" in problems[0].message
    assert problems[0].line > MAX_DEPTH - 2


def test_very_deep_flow_nesting_does_not_overflow_the_stack() -> None:
    parsed, problems = read_yaml(b"a: " + b"[" * 5000 + b"]" * 5000)
    assert parsed is None
    assert problems[0].message.startswith("nesting deeper than")


def test_scalars_a_spec_never_holds_are_named() -> None:
    parsed, problems = read_yaml(b"when: 2024-05-01\nblob: !!binary aGVsbG8=\nok: 'x'\n")
    assert [p.line for p in problems] == [1, 2]
    assert "read as a date" in problems[0].message
    assert "!!binary" in problems[1].message
    assert parsed.unreadable_paths == [("when",), ("blob",)]


def test_non_text_keys_are_refused() -> None:
    parsed, problems = read_yaml(b"yes: 1\n3: 2\n[a]: 3\nname: 4\n")
    assert [p.line for p in problems] == [1, 2, 3]
    assert parsed.data == {"name": 4}


def test_todo_markers_are_collected_from_text_only() -> None:
    parsed, _ = read_yaml(b"a: TODO fill\nb: [x, 'TODO: y']\nc: TODOS are words\nd: 3\n")
    assert parsed.todo_paths == [("a",), ("b", 1)]


def test_byte_order_mark_is_accepted() -> None:
    parsed, problems = read_yaml("\ufeffa: 1\n".encode())
    assert problems == []
    assert parsed.data == {"a": 1}


# -- libyaml and PyYAML read a spec the same ------------------------------------------------------

_ROOT = Path(__file__).resolve().parents[2]
_SAMPLES = sorted(
    [
        *(_ROOT / "chapters").glob("vol*/*.yaml"),
        *(Path(__file__).parent / "broken").glob("*.yaml"),
        *(Path(__file__).parent / "data").glob("*.yaml"),
    ]
)


def _read_both(data: bytes, monkeypatch: pytest.MonkeyPatch) -> tuple[object, object]:
    """What read_yaml makes of ``data`` with libyaml's events and with PyYAML's alone."""

    def outcome() -> object:
        document, problems = read_yaml(data)
        if document is None:
            return problems
        kept = document.positions
        return document.data, kept.values, kept.keys, document.todo_paths, problems

    fast = outcome()
    with monkeypatch.context() as patch:
        patch.setattr(yamlread, "_CParser", None)
        pure = outcome()
    return fast, pure


def test_libyaml_is_used_when_pyyaml_has_it() -> None:
    assert yamlread._CParser is not None, "PyYAML without libyaml: every spec reads 8x slower"
    assert yamlread._fast_compose("a: [1, 2]\n") is not None


@pytest.mark.parametrize("path", _SAMPLES, ids=lambda p: p.stem)
def test_every_sample_spec_reads_the_same_with_libyaml(path: Path, monkeypatch) -> None:
    fast, pure = _read_both(path.read_bytes(), monkeypatch)
    assert fast == pure


@pytest.mark.parametrize(
    "text",
    [
        "a: {b: gr?eat}\n",  # PyYAML refuses "?" in a plain scalar inside {...}; libyaml does not
        "a: [x?y, z]\n",
        "a: {b: , c: d}\n",  # an empty value inside {...}: placed one column apart
        "a:\tb\n",  # a tab as a separator
        "a: b\nc\ufeff: d\n",  # a byte order mark inside the text
        "!:!\n",  # a tag the two parsers read differently
        "a: !!str 5\n",
        "a: [b, {c: d}]\n",
    ],
)
def test_where_the_parsers_differ_pyyaml_decides(text: str, monkeypatch) -> None:
    fast, pure = _read_both(text.encode("utf-8"), monkeypatch)
    assert fast == pure


def test_mutated_specs_read_the_same_with_libyaml(monkeypatch) -> None:
    # Random edits of real specs with YAML's special characters: the documents that result
    # are read alike, and the refused ones refused with PyYAML's words at PyYAML's place.
    rng = random.Random(12)
    seeds = [path.read_bytes() for path in _SAMPLES]
    pieces = [b":", b"- ", b"'", b'"', b"&a ", b"*a", b"[", b"]", b"{", b"}", b"#", b"?", b"!"]
    pieces += [b"|", b">", b",", b"\n", b"  ", b"\xc3\xa9", b"%", b"\\u00e9", b"[a?b]", b"\r\n"]
    for _ in range(100):
        data = bytearray(rng.choice(seeds))
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(data) + 1)
            if rng.random() < 0.5:
                data[at:at] = rng.choice(pieces)
            else:
                del data[at : at + rng.randint(1, 5)]
        fast, pure = _read_both(bytes(data), monkeypatch)
        assert fast == pure, bytes(data)
