"""Spread per-spec work over the machine's cores: the engine proofs of ``labgen validate`` and
``labgen build`` are CPU-bound Python, so threads would share one core.

Workers are forked, so they inherit what the parent has already imported and read (registries,
the spec index, the workspace) instead of pickling it; results come back in input order.
Where fork is unavailable, with one core, or for a single item, the work runs in this process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: What the forked workers read: set by ``map_forked`` just before the pool starts.
_SHARED: dict[str, Any] = {}


def shared(name: str) -> Any:
    """A value ``map_forked`` shared with its workers (also set when the work runs here)."""
    return _SHARED[name]


def _workers(count: int) -> int:
    if count < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return min(count, os.cpu_count() or 1)


def map_forked(function: Callable[[T], R], items: Sequence[T], **context: Any) -> list[R]:
    """``[function(item) for item in items]``, in forked worker processes when that helps.
    ``function`` must be a module-level function; it reads ``context`` through ``shared``.
    An exception in a worker is raised here, as it would be in a loop."""
    _SHARED.clear()
    _SHARED.update(context)
    workers = _workers(len(items))
    if workers == 1:
        return [function(item) for item in items]
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=multiprocessing.get_context("fork")
    ) as pool:
        return list(pool.map(function, items))
