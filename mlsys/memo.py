"""Remember the results of pure, deterministic solves for arguments met again in one process.

A proof sweep (``labgen validate``) builds thousands of fleet reports whose failures and serving
capacity depend on far fewer distinct arguments: every checkpoint interval of one cluster has
the same MTBF, every request rate the same KV capacity. ``memoized`` keeps one result per set
of arguments. Plain values (str, int, float, bool, None) and quantities are keyed by type and
value, so ``1`` and ``1.0`` stay apart; any other object (a ``ModelSpec``, a ``Cluster``: frozen,
and built once per configuration) by identity, held by the entry so that its id cannot be
reused. A call with a mutable container (dict, list, set) is not remembered: it could change
between calls. An exception is never remembered: the next call raises it again.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from mlsys.units import Quantity

F = TypeVar("F", bound=Callable[..., Any])

#: Entries each memoized function keeps; past it, it starts afresh.
MAX_ENTRIES = 4096

_PLAIN = (str, int, float, bool, type(None))
_MUTABLE = (dict, list, set, bytearray)


class _UnkeyableError(Exception):
    """An argument that may change between calls: the call is not remembered."""


def _part(value: Any, held: list[Any]) -> tuple[Any, ...]:
    if isinstance(value, _PLAIN):
        return (type(value), value)
    if isinstance(value, Quantity) and isinstance(value.magnitude, _PLAIN):
        return (Quantity, type(value.magnitude), value.magnitude, value._units)
    if isinstance(value, (*_MUTABLE, Quantity)):
        raise _UnkeyableError
    held.append(value)
    return ("id", id(value))


def memoized(function: F) -> F:
    """``function`` with its results remembered per arguments (see the module docstring). It
    must be pure: the same arguments always give the same, never mutated, result."""
    cache: dict[tuple[Any, ...], tuple[list[Any], Any]] = {}

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        held: list[Any] = []
        try:
            key = (
                tuple(_part(value, held) for value in args),
                tuple((name, _part(value, held)) for name, value in sorted(kwargs.items())),
            )
        except _UnkeyableError:
            return function(*args, **kwargs)
        found = cache.get(key)
        if found is not None and all(a is b for a, b in zip(found[0], held, strict=True)):
            return found[1]
        result = function(*args, **kwargs)
        if len(cache) >= MAX_ENTRIES:
            cache.clear()
        cache[key] = (held, result)
        return result

    wrapper.cache_clear = cache.clear  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]
