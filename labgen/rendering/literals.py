"""Python source for values from a spec: the only way spec text reaches a generated lab.

Every value is written as a Python literal (``repr`` for strings), so quotes, backslashes,
newlines, braces, Jinja syntax or ``__import__(...)`` in a spec become text the lab shows, never
code it runs. Registry entries are the one exception: a ``Ref`` becomes ``Models.Name`` only when
the name is an identifier present in the registry.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from mlsys import Models, Systems

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_REGISTRIES = {"Models": Models, "Systems": Systems}


class Code(str):
    """Python source produced by labgen itself (a literal or a trusted fragment). Templates may
    emit only Code; a plain string reaching a template's output is an error."""

    __slots__ = ()


@dataclass(frozen=True)
class Ref:
    """A registry entry written as an attribute reference, e.g. ``Ref("Models", "ResNet50")``."""

    registry: str
    name: str

    def source(self) -> Code:
        """``Models.Name``, after checking the registry and that the name is an identifier."""
        registry = _REGISTRIES.get(self.registry)
        if registry is None or not _IDENTIFIER.match(self.name) or self.name not in registry:
            raise ValueError(f"{self.registry}.{self.name} is not a registry entry")
        return Code(f"{self.registry}.{self.name}")


def py(value: Any) -> Code:
    """``value`` as Python source: str, int, finite float, bool, None, Ref, and lists, tuples
    and dicts of those (dict keys must be str). Anything else is a TypeError."""
    if isinstance(value, Code):
        raise TypeError("py() takes data, not code")
    if isinstance(value, Ref):
        return value.source()
    if value is None or isinstance(value, bool):
        return Code(repr(value))
    if isinstance(value, str):
        return Code(repr(value))
    if isinstance(value, int):
        return Code(repr(value))
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"cannot write the non-finite number {value!r} into a lab")
        return Code(repr(value))
    if isinstance(value, list | tuple):
        inner = ", ".join(py(item) for item in value)
        return Code(f"[{inner}]")
    if isinstance(value, dict):
        for key in value:
            if not isinstance(key, str):
                raise TypeError(f"dict keys must be str, got {type(key).__name__}")
        inner = ", ".join(f"{py(key)}: {py(item)}" for key, item in value.items())
        return Code(f"{{{inner}}}")
    raise TypeError(f"cannot write a {type(value).__name__} into a lab")


def identifier(name: str) -> Code:
    """A Python identifier made by labgen (``kat1``); ValueError for anything else."""
    if not _IDENTIFIER.match(name):
        raise ValueError(f"{name!r} is not an identifier")
    return Code(name)
