"""Read one YAML document into plain Python data, remembering where every value came from.

PyYAML's composer gives every node a start mark; this module builds the data itself from the
node tree so that it can (1) record the line and column of every key and value by its path,
(2) refuse what a chapter spec never needs (duplicate keys, merge keys, custom tags, dates) with a
located message instead of a silent surprise, and (3) bound the work a hostile file can cause
(size, nesting depth, alias expansion). It never raises for bad input: problems come back as
``Problem`` values, all of them that can be found before parsing stops.

The events come from libyaml when PyYAML has it (about 4x faster than PyYAML's pure-Python
scanner and parser); the composing, and so every position and check, is the same Python code
either way. A document libyaml refuses is parsed again by the pure-Python parser, so that a
syntax error is worded (and located) as it always was.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

#: Largest spec file read, in bytes (the longest real spec is a few tens of KB).
MAX_BYTES = 1_000_000
#: Deepest nesting of mappings and sequences (the spec format itself needs 6).
MAX_DEPTH = 32
#: Most values a document may expand to once aliases are followed (guards "billion laughs").
MAX_VALUES = 50_000

Path = tuple[str | int, ...]

_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {f"{_TAG}{name}" for name in ("str", "int", "float", "bool", "null")}
_TAG_NAMES = {
    "bool": "a boolean",
    "int": "a number",
    "float": "a number",
    "null": "null",
    "timestamp": "a date",
}
_TODO = re.compile(r"\bTODO\b")
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True, order=True)
class Problem:
    """A located message about the file; ``line`` and ``column`` are 1-based."""

    line: int
    column: int
    message: str


@dataclass
class Positions:
    """Where each path of the document starts: its value and, for mapping entries, its key."""

    values: dict[Path, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path, tuple[int, int]] = field(default_factory=dict)

    def deepest(self, path: Path) -> Path:
        """The longest existing data path reached by walking ``path`` (elements that name no
        entry, such as a pydantic union tag, are skipped)."""
        found: Path = ()
        for element in path:
            candidate = (*found, element)
            if candidate in self.values:
                found = candidate
        return found

    def of_value(self, path: Path) -> tuple[int, int]:
        """Line and column of the value at ``path`` (or of its deepest existing ancestor)."""
        return self.values.get(self.deepest(path), (1, 1))

    def of_key(self, path: Path) -> tuple[int, int]:
        """Line and column of the key naming ``path`` (its value's position when it has none)."""
        deepest = self.deepest(path)
        return self.keys.get(deepest) or self.values.get(deepest, (1, 1))


@dataclass
class YamlDocument:
    """Parsed data, where each part came from, and the paths of strings holding a TODO marker."""

    data: Any
    positions: Positions
    todo_paths: list[Path]
    #: Paths whose value could not be read (a problem is already reported there).
    unreadable_paths: list[Path] = field(default_factory=list)


def _short_tag(tag: str) -> str:
    return "!!" + tag.removeprefix(_TAG) if tag.startswith(_TAG) else tag


def _mark(mark: Any) -> tuple[int, int]:
    return (mark.line + 1, mark.column + 1)


def _line_col(text: str | bytes, offset: int) -> tuple[int, int]:
    newline = "\n" if isinstance(text, str) else b"\n"
    before = text[:offset]
    line = before.count(newline) + 1
    return line, offset - (before.rfind(newline) + 1) + 1


class _Alias(Node):
    """Where an alias (``*name``) was used, wrapping the node it refers to."""

    def __init__(self, target: Node, start_mark: Any, anchor: str) -> None:
        super().__init__(target.tag, target.value, start_mark, start_mark)
        self.target = target
        self.anchor = anchor


class _TooDeepError(Exception):
    def __init__(self, mark: Any) -> None:
        super().__init__("too deep")
        self.mark = mark


class _Composing(Composer):
    """PyYAML's composer, recording alias uses and refusing absurd nesting (both loaders')."""

    _depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            node = super().compose_node(parent, index)
            return _Alias(node, event.start_mark, event.anchor)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _TooDeepError(self.peek_event().start_mark)
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _Loader(_Composing, yaml.SafeLoader):
    """SafeLoader (pure Python) with the composer above: whose syntax errors specs quote."""


_CParser: Any
try:
    from yaml.cyaml import CParser as _CParser
except ImportError:  # PyYAML built without libyaml: the pure-Python parser does all
    _CParser = None


if _CParser is not None:

    class _FastLoader(_Composing, SafeConstructor, Resolver, _CParser):  # type: ignore[misc]
        """libyaml's scanner and parser feeding the same composer, constructor and resolver."""

        def __init__(self, stream: str) -> None:
            _CParser.__init__(self, stream)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)
            self._flow = 0

        # Where the two parsers differ, the document goes to PyYAML: inside [...] and {...}
        # PyYAML ends a plain scalar at "?" and then refuses the document, where libyaml
        # reads on ("[a?b]" is ["a?b"]); they place an empty value inside {...} one column
        # apart ("{a: }"); and they parse odd tags differently ("!:!"), so any explicit tag
        # (which a spec hardly ever has) is left to PyYAML. (libyaml's plain style is "".)
        def compose_sequence_node(self, anchor: Any) -> Node:
            return self._in_collection(super().compose_sequence_node, anchor)

        def compose_mapping_node(self, anchor: Any) -> Node:
            return self._in_collection(super().compose_mapping_node, anchor)

        def _in_collection(self, compose: Any, anchor: Any) -> Node:
            event = self.peek_event()
            if event.tag is not None:
                raise _PyYamlRefusesError(event.start_mark)
            flow = 1 if event.flow_style else 0
            self._flow += flow
            try:
                return compose(anchor)
            finally:
                self._flow -= flow

        def compose_scalar_node(self, anchor: Any) -> Node:
            event = self.peek_event()
            if event.tag is not None:
                raise _PyYamlRefusesError(event.start_mark)
            node = super().compose_scalar_node(anchor)
            if self._flow and not node.style and ("?" in node.value or not node.value):
                raise _PyYamlRefusesError(node.start_mark)
            return node


class _PyYamlRefusesError(Exception):
    """A document libyaml reads but PyYAML refuses or reads otherwise (see ``_FastLoader``)."""

    def __init__(self, mark: Any) -> None:
        super().__init__("PyYAML refuses this document")
        self.mark = mark


class _Builder:
    """Turns a composed node tree into data and positions, collecting problems as it goes."""

    def __init__(self, loader: _Loader) -> None:
        self.loader = loader
        self.positions = Positions()
        self.problems: list[Problem] = []
        self.todo_paths: list[Path] = []
        self.unreadable_paths: list[Path] = []
        self.values = 0
        self.alias_stack: list[_Alias] = []
        self.open_nodes: set[int] = set()
        self.exhausted = False

    def problem(self, where: tuple[int, int], message: str) -> None:
        self.problems.append(Problem(where[0], where[1], message))

    def build(self, node: Node, path: Path, depth: int = 0) -> Any:
        if self.exhausted:
            return None
        if isinstance(node, _Alias):
            return self._follow(node, path, depth)
        self.values += 1
        if self.values > MAX_VALUES:
            self.exhausted = True
            where = (
                _mark(self.alias_stack[0].start_mark)
                if self.alias_stack
                else _mark(node.start_mark)
            )
            self.problem(
                where,
                f"the document expands to more than {MAX_VALUES:,} values once aliases are "
                "followed; a chapter spec needs far fewer (is this an alias bomb?)",
            )
            return None
        if depth > MAX_DEPTH:
            self.exhausted = True
            self.problem(_mark(node.start_mark), f"nesting deeper than {MAX_DEPTH} levels")
            return None
        self.positions.values.setdefault(path, _mark(node.start_mark))
        if isinstance(node, ScalarNode):
            return self._scalar(node, path)
        self.open_nodes.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                return self._sequence(node, path, depth)
            if isinstance(node, MappingNode):
                return self._mapping(node, path, depth)
        finally:
            self.open_nodes.discard(id(node))
        self.problem(_mark(node.start_mark), "unsupported YAML node")
        return None

    def _follow(self, alias: _Alias, path: Path, depth: int) -> Any:
        if id(alias.target) in self.open_nodes:
            self.unreadable_paths.append(path)
            self.problem(
                _mark(alias.start_mark),
                f"alias *{alias.anchor} refers to a value that contains it (a cycle)",
            )
            return None
        self.alias_stack.append(alias)
        try:
            self.positions.values.setdefault(path, _mark(alias.start_mark))
            return self.build(alias.target, path, depth)
        finally:
            self.alias_stack.pop()

    def _scalar(self, node: ScalarNode, path: Path) -> Any:
        if node.tag not in _SCALAR_TAGS:
            self.unreadable_paths.append(path)
            name = node.tag.removeprefix(_TAG)
            kind = _TAG_NAMES.get(name, f"tag {_short_tag(node.tag)}")
            self.problem(
                _mark(node.start_mark),
                f"{node.value!r} is read as {kind}, which a spec never holds; quote it to make it text",
            )
            return None
        try:
            value = self.loader.construct_object(node, deep=True)
        except Exception as error:  # PyYAML raises ValueError, KeyError, ... for bad values
            self.unreadable_paths.append(path)
            self.problem(_mark(node.start_mark), _unreadable_scalar(node, error))
            return None
        surrogate = _SURROGATE.search(value) if isinstance(value, str) else None
        if surrogate is not None:
            self.unreadable_paths.append(path)
            code = ord(surrogate.group())
            self.problem(
                _mark(node.start_mark),
                f"the escape \\u{code:04x} is half of a UTF-16 pair, not a character; "
                "write the character itself",
            )
            return None
        if isinstance(value, str) and _TODO.search(value):
            self.todo_paths.append(path)
        return value

    def _sequence(self, node: SequenceNode, path: Path, depth: int) -> list[Any]:
        if node.tag != f"{_TAG}seq":
            self.unreadable_paths.append(path)
            self.problem(
                _mark(node.start_mark), f"tag {_short_tag(node.tag)} is not allowed in a spec"
            )
        return [
            self.build(item, (*path, index), depth + 1) for index, item in enumerate(node.value)
        ]

    def _mapping(self, node: MappingNode, path: Path, depth: int) -> dict[str, Any]:
        if node.tag != f"{_TAG}map":
            self.unreadable_paths.append(path)
            self.problem(
                _mark(node.start_mark), f"tag {_short_tag(node.tag)} is not allowed in a spec"
            )
        result: dict[str, Any] = {}
        first_seen: dict[str, tuple[int, int]] = {}
        for key_node, value_node in node.value:
            key = self._key(key_node)
            if key is None:
                continue
            where = _mark(key_node.start_mark)
            if key in first_seen:
                line = first_seen[key][0]
                self.problem(where, f"duplicate key {key!r} (first given on line {line})")
                continue
            first_seen[key] = where
            self.positions.keys[(*path, key)] = where
            result[key] = self.build(value_node, (*path, key), depth + 1)
        return result

    def _key(self, node: Node) -> str | None:
        target = node.target if isinstance(node, _Alias) else node
        where = _mark(node.start_mark)
        if target.tag == f"{_TAG}merge":
            self.problem(where, "merge keys (<<) are not supported in specs; write the keys out")
            return None
        if not isinstance(target, ScalarNode):
            self.problem(where, "a key must be a plain name, not a list or mapping")
            return None
        if target.tag != f"{_TAG}str":
            kind = _TAG_NAMES.get(target.tag.removeprefix(_TAG), "not text")
            self.problem(
                where,
                f"key {target.value!r} is read as {kind}; keys are names (quote it if you mean the text)",
            )
            return None
        return str(target.value)


def _unreadable_scalar(node: ScalarNode, error: Exception) -> str:
    """Why a scalar with an explicit tag (``!!int six``) or an absurd value cannot be read."""
    kind = _TAG_NAMES.get(node.tag.removeprefix(_TAG), "a value")
    shown = node.value if len(node.value) <= 40 else node.value[:37] + "..."
    if "digits" in str(error):
        return f"a number of {len(node.value):,} digits; a spec's numbers are far shorter"
    return f"{shown!r} is not {kind} (tag {_short_tag(node.tag)}); fix the value or drop the tag"


def _tabs(text: str) -> Iterator[Problem]:
    for number, line in enumerate(text.split("\n"), start=1):
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent:
            yield Problem(
                number, indent.index("\t") + 1, "tab used for indentation; YAML indents with spaces"
            )


def _decode(data: bytes) -> tuple[str | None, list[Problem]]:
    if len(data) > MAX_BYTES:
        size = f"{len(data) / 1e6:.1f} MB"
        return None, [
            Problem(1, 1, f"file is {size}; a chapter spec is at most {MAX_BYTES // 1000} KB")
        ]
    if b"\x00" in data:
        line, column = _line_col(data, data.index(b"\x00"))
        return None, [Problem(line, column, "binary data (a NUL byte); a spec is UTF-8 YAML text")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line, column = _line_col(data, error.start)
        byte = data[error.start]
        return None, [
            Problem(line, column, f"not UTF-8 text (byte 0x{byte:02x}); save the spec as UTF-8")
        ]
    return text, []


def _yaml_problem(error: yaml.YAMLError, text: str) -> Problem:
    if isinstance(error, yaml.reader.ReaderError):
        line, column = _line_col(text, error.position)
        return Problem(
            line, column, f"character {chr(error.character)!r} is not allowed in YAML text"
        )
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    line, column = _mark(mark) if mark is not None else (1, 1)
    problem = getattr(error, "problem", None) or str(error)
    context = getattr(error, "context", None)
    if problem == "expected a single document in the stream" or (
        problem == "but found another document"
    ):
        return Problem(line, column, "a spec is one YAML document; a second one starts here")
    message = f"YAML syntax: {problem}"
    if context and "while" in context:
        message += f" ({context})"
    return Problem(line, column, message)


def _fast_compose(text: str) -> tuple[_Composing, Node | None] | None:
    """The loader and node tree of ``text`` composed from libyaml's events, or None when
    libyaml is missing or refuses the text (the pure-Python parser then says why)."""
    if _CParser is None or "\t" in text or "\ufeff" in text:
        # libyaml takes a tab as a separating space where PyYAML refuses it, and counts a
        # byte order mark inside the text as no column: such (rare) specs go to PyYAML, so
        # that a spec reads the same whether libyaml is there or not.
        return None
    try:
        loader = _FastLoader(text)
        return loader, loader.get_single_node()
    except Exception:  # any refusal: the pure-Python parser reports it in its own words
        return None


def read_yaml(data: bytes) -> tuple[YamlDocument | None, list[Problem]]:
    """Parse ``data`` (the bytes of one spec file) into data with positions.

    Returns the document (None when nothing usable could be read) and every problem found, sorted
    by position. Never raises for bad input.
    """
    text, problems = _decode(data)
    if text is None:
        return None, problems
    tab_problems = list(_tabs(text))
    if tab_problems:
        return None, tab_problems
    loader: _Composing | None = None
    try:
        fast = _fast_compose(text)
        if fast is not None:
            loader, root = fast
        else:
            loader = _Loader(text)
            root = loader.get_single_node()
    except _TooDeepError as error:
        line, column = _mark(error.mark)
        return None, [Problem(line, column, f"nesting deeper than {MAX_DEPTH} levels")]
    except yaml.YAMLError as error:
        return None, [_yaml_problem(error, text)]
    except RecursionError:
        return None, [Problem(1, 1, f"nesting deeper than {MAX_DEPTH} levels")]
    finally:
        if loader is not None:
            loader.dispose()
    if root is None:
        return None, [Problem(1, 1, "empty spec: expected a mapping with chapter, objectives, ...")]
    builder = _Builder(loader)
    data_out = builder.build(root, ())
    problems = sorted(builder.problems)
    if builder.exhausted:
        return None, problems
    if not isinstance(data_out, dict):
        kind = "a list" if isinstance(data_out, list) else f"{type(data_out).__name__} {data_out!r}"
        line, column = _mark(root.start_mark)
        problems.append(
            Problem(
                line, column, f"a spec is a mapping of keys (chapter, objectives, ...), not {kind}"
            )
        )
        return None, sorted(problems)
    document = YamlDocument(
        data_out, builder.positions, builder.todo_paths, builder.unreadable_paths
    )
    return document, problems
