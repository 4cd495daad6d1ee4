"""Spec problems: where they are, and pydantic's errors rewritten as short readable sentences."""

from __future__ import annotations

import types
import typing
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from labgen.errors import Location
from labgen.spec.registries import suggestion

DataPath = tuple[str | int, ...]


@dataclass(frozen=True, order=True)
class SpecProblem:
    """One problem in one spec file, printed ``path:line:col: message``."""

    path: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{Location(self.path, self.line, self.column)}: {self.message}"

    def to_json(self) -> dict[str, Any]:
        """The problem as a JSON-ready mapping."""
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "message": self.message,
        }


@dataclass(frozen=True)
class Finding:
    """A problem at a data path, before it is given a line: ``at_key`` points at the key that
    names the path instead of its value (for unknown or misplaced keys)."""

    path: DataPath
    message: str
    at_key: bool = False


def display_path(path: Iterable[str | int]) -> str:
    """A data path as a reader writes it: ``kat2.controls[0].default`` (KATs counted from 1,
    like the ledger's ``kat<N>.<param>``)."""
    parts: list[str] = []
    items = list(path)
    index = 0
    while index < len(items):
        element = items[index]
        if element == "kats" and index + 1 < len(items) and isinstance(items[index + 1], int):
            parts.append(f"kat{items[index + 1] + 1}")
            index += 2
            continue
        if isinstance(element, int):
            parts[-1:] = [f"{parts[-1] if parts else ''}[{element}]"]
        else:
            parts.append(element)
        index += 1
    return ".".join(parts)


def _unwrap(annotation: Any) -> list[Any]:
    """The concrete types an annotation may hold (Annotated, Optional and unions opened)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        found: list[Any] = []
        for member in typing.get_args(annotation):
            if member is not type(None):
                found.extend(_unwrap(member))
        return found
    return [annotation]


def _step(candidates: list[Any], element: str | int) -> list[Any]:
    following: list[Any] = []
    for candidate in candidates:
        origin = typing.get_origin(candidate)
        if isinstance(element, int) and origin in (list, tuple):
            following.extend(_unwrap(typing.get_args(candidate)[0]))
        elif (
            isinstance(element, str)
            and isinstance(candidate, type)
            and issubclass(candidate, BaseModel)
        ):
            field = _field(candidate, element)
            if field is not None:
                following.extend(_unwrap(field.annotation))
            elif _tagged(candidate, element):
                following.append(candidate)
    return following


def _field(model: type[BaseModel], key: str) -> Any:
    for name, field in model.model_fields.items():
        if key in (name, field.alias):
            return field
    return None


def _tagged(model: type[BaseModel], tag: str) -> bool:
    """Whether ``tag`` is the discriminator value (a Literal) of one of the model's fields."""
    for field in model.model_fields.values():
        if typing.get_origin(field.annotation) is typing.Literal and tag in typing.get_args(
            field.annotation
        ):
            return True
    return False


def keys_at(root: type[BaseModel], loc: DataPath) -> list[str]:
    """The keys allowed in the mapping at pydantic location ``loc`` of ``root`` (aliases used)."""
    candidates: list[Any] = [root]
    for element in loc:
        narrowed = _step(candidates, element)
        if not narrowed:
            return []
        candidates = narrowed
    keys: list[str] = []
    for candidate in candidates:
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            for name, field in candidate.model_fields.items():
                key = field.alias or name
                if key not in keys:
                    keys.append(key)
    return keys


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if value is None:
        return "nothing (null)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


_EXPECTED = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "bool_type": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping of keys",
    "model_type": "a mapping of keys",
    "model_attributes_type": "a mapping of keys",
}


def _message(error: dict[str, Any]) -> str:
    kind, ctx, value = error["type"], error.get("ctx") or {}, error.get("input")
    if kind == "spec":
        return ctx["message"]
    if kind in _EXPECTED:
        message = f"expected {_EXPECTED[kind]}, got {_describe(value)}"
        if isinstance(value, bool) and kind == "string_type":
            message += " (YAML reads yes/no/on/off/true/false as booleans; quote the text)"
        return message
    if kind == "literal_error":
        return f"expected {ctx['expected']}, got {_describe(value)}"
    if kind == "string_pattern_mismatch":
        return f"{_describe(value)} does not have the required form (pattern {ctx['pattern']})"
    if kind == "string_too_long":
        return f"text is {len(value)} characters; at most {ctx['max_length']} allowed"
    if kind == "string_too_short":
        return "must not be empty"
    if kind in ("too_short", "too_long"):
        bound = "at least" if kind == "too_short" else "at most"
        limit = ctx.get("min_length") if kind == "too_short" else ctx.get("max_length")
        return f"needs {bound} {limit} items, has {ctx.get('actual_length')}"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        text = str(error["msg"]).replace("Input should be", "must be")
        return f"{text}, got {_describe(value)}"
    if kind in ("finite_number",):
        return f"must be a finite number, got {_describe(value)}"
    text = str(error["msg"]).replace("Input should be", "expected")
    return f"{text}, got {_describe(value)}"


def findings_from_pydantic(errors: list[dict[str, Any]], root: type[BaseModel]) -> list[Finding]:
    """Turn pydantic's errors for a spec into findings: unknown keys with a did-you-mean, a
    missing key merged into the misspelt key that meant it, union tags named by their key."""
    extras: dict[DataPath, list[str]] = {}
    for error in errors:
        if error["type"] == "extra_forbidden":
            loc = tuple(error["loc"])
            extras.setdefault(loc[:-1], []).append(str(loc[-1]))
    findings: list[Finding] = []
    for error in errors:
        loc: DataPath = tuple(error["loc"])
        kind = error["type"]
        if kind == "extra_forbidden":
            key = str(loc[-1])
            allowed = keys_at(root, loc[:-1])
            hint = suggestion(key, allowed)
            if not hint and allowed:
                hint = f" (allowed here: {', '.join(allowed)})"
            findings.append(Finding(loc, f"unknown key {key!r}{hint}", at_key=True))
        elif kind == "missing":
            key = str(loc[-1])
            misspelt = [k for k in extras.get(loc[:-1], []) if suggestion(k, [key])]
            if misspelt:
                continue
            where = display_path(loc[:-1]) or "the spec"
            findings.append(Finding(loc[:-1], f"missing key {key!r} in {where}", at_key=True))
        elif kind in ("union_tag_invalid", "union_tag_not_found"):
            discriminator = str(error["ctx"]["discriminator"]).strip("'")
            expected = [
                t.strip(" '") for t in str(error["ctx"].get("expected_tags", "")).split(",")
            ]
            if kind == "union_tag_not_found":
                findings.append(
                    Finding(
                        loc,
                        f"missing key {discriminator!r} (one of {', '.join(expected)})",
                        at_key=True,
                    )
                )
                continue
            tag = str(error["ctx"]["tag"])
            hint = suggestion(tag, expected) or f" (one of {', '.join(expected)})"
            findings.append(
                Finding((*loc, discriminator), f"{discriminator} {tag!r} is not allowed here{hint}")
            )
        else:
            findings.append(Finding(loc, _message(error)))
    return findings


def unique_findings(findings: Iterable[Finding]) -> Iterator[Finding]:
    """Findings without repeats (same path, same message), first occurrence kept."""
    seen: set[tuple[DataPath, str]] = set()
    for finding in findings:
        key = (finding.path, finding.message)
        if key not in seen:
            seen.add(key)
            yield finding
