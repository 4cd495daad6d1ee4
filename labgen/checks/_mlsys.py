"""Asking the installed mlsys what exists: import and getattr, never guessing from text."""

from __future__ import annotations

import difflib
import importlib
import inspect
import types
import typing
from dataclasses import dataclass
from types import ModuleType
from typing import Any

_MISSING = object()


@dataclass(frozen=True)
class Lookup:
    """What a dotted name led to: the object, or where and why it stopped."""

    value: Any = _MISSING
    #: The dotted prefix that exists and the part that does not (when not found).
    known: str = ""
    missing: str = ""
    hint: str = ""

    @property
    def found(self) -> bool:
        """Whether the whole name exists."""
        return self.value is not _MISSING


def lookup(qualified: str) -> Lookup | None:
    """Walk ``qualified`` from its top module by import and getattr.

    Returns None when the walk cannot tell (the top module is missing, or an attribute raised
    something other than AttributeError).
    """
    parts = qualified.split(".")
    try:
        value: Any = importlib.import_module(parts[0])
    except ImportError:
        return None
    done = [parts[0]]
    for part in parts[1:]:
        try:
            value = getattr(value, part)
        except AttributeError:
            if isinstance(value, ModuleType):
                try:
                    value = importlib.import_module(".".join([*done, part]))
                    done.append(part)
                    continue
                except ImportError:
                    pass
            return Lookup(known=".".join(done), missing=part, hint=did_you_mean(value, part))
        except Exception:
            return None
        done.append(part)
    return Lookup(value=value)


def entry_names(value: Any) -> list[str] | None:
    """The names a registry's ``get`` accepts (its ``names()`` or ``keys()``), or None when
    ``value`` is not a registry."""
    for method in ("names", "keys"):
        listing = getattr(value, method, None)
        if callable(listing) and not isinstance(value, ModuleType):
            try:
                return [str(name) for name in listing()]
            except Exception:
                continue
    return None


def did_you_mean(value: Any, name: str) -> str:
    """``"; did you mean `X`?"`` for the closest public name of ``value`` (or "")."""
    candidates = sorted(
        {n for n in dir(value) if not n.startswith("_")} | set(entry_names(value) or ())
    )
    lowered = {c.lower(): c for c in candidates}
    close = [lowered[name.lower()]] if name.lower() in lowered else []
    close = close or difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    return f"; did you mean `{close[0]}`?" if close else ""


def signature(value: Any) -> inspect.Signature | None:
    """The call signature of ``value``, or None when Python cannot tell."""
    try:
        return inspect.signature(value)
    except (TypeError, ValueError):
        return None


def return_types(value: Any) -> tuple[type, ...]:
    """The classes a callable is annotated to return: one, or each member of a union
    (resolving postponed annotations); empty when Python cannot tell."""
    try:
        hints = typing.get_type_hints(value)
    except Exception:
        return ()
    result = hints.get("return")
    if isinstance(result, type):
        return (result,)
    members = typing.get_args(result) if isinstance(result, types.UnionType) else ()
    if members and all(isinstance(member, type) for member in members):
        return members
    return ()


def mlsys() -> ModuleType:
    """The installed mlsys package."""
    return importlib.import_module("mlsys")
