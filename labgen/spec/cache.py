"""Results of ``labgen validate`` for unchanged specs, kept in ``.labgen_cache/validate-v1/``.

Proving that a spec plays (the engine sweeps of ``labgen.spec.pedagogy``) is most of what
validation costs, and its outcome is decided by a few things only. An entry is reused when its
key matches a digest of all of them:

- the spec's bytes and the path it is validated at (the file and folder names are checked);
- the code that decides: the contents (not the modification times) of every Python file of
  ``labgen``, ``labs`` and ``mlsys``, labgen's version, Python's version and the versions of
  the packages validation runs on (``DECIDING_DISTRIBUTIONS``);
- the instruments specs are judged against (built-in and plugins', as configured);
- the ledger writes of the project's specs and the ones that cannot be read (the
  cross-chapter rules read them, so an edit of what one chapter writes re-proves the others).

It is ``labgen check``'s cache (``labgen.checking.cache``) storing spec problems: one JSON entry
per spec path, atomic writes, and any doubt about an entry (damaged, foreign, another key) is a
miss, never an error. Computing a key imports neither the engine nor the spec model, so a run
whose specs are all unchanged stays fast.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import importlib.util
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from labgen import __version__
from labgen.checking.cache import (
    CACHE_DIR_NAME,
    ResultCache,
    _read_entry,
    atomic_write,
    source_digest,
)
from labgen.spec.diagnostics import SpecProblem
from labgen.spec.index import SpecIndex

#: Bumped when the layout of entries or what a key covers changes.
FORMAT = "validate-v1"
#: Installed distributions validation runs on: a new version may change what is reported.
DECIDING_DISTRIBUTIONS = (
    "pydantic",
    "pydantic-core",
    "PyYAML",
    "Pint",
    "flexcache",
    "flexparser",
    "numpy",
    "typing-extensions",
)


def _versions() -> dict[str, str]:
    found = {}
    for name in DECIDING_DISTRIBUTIONS:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = ""
    return found


def _index_material(index: SpecIndex) -> dict[str, Any]:
    """What the cross-chapter rules read from the project's other specs."""
    writes = sorted(
        (w.chapter.key, w.key, w.param or "", w.source, w.file.as_posix()) for w in index.writes
    )
    unreadable = sorted(
        (path.as_posix(), line, column, why)
        for path, (line, column, why) in index.unreadable.items()
    )
    return {"writes": writes, "unreadable": unreadable}


def run_fingerprint(instruments: Iterable[Any], index: SpecIndex) -> str:
    """The part of every key that does not depend on the spec: code, versions, instruments
    (their ``repr``, which names each field and the instrument's class) and ledger writes."""
    material = {
        "format": FORMAT,
        "labgen": __version__,
        "python": sys.version,
        "packages": _versions(),
        "source": source_digest(),
        "instruments": [repr(instrument) for instrument in instruments],
        "index": _index_material(index),
    }
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()


class SpecResultCache(ResultCache):
    """The problems of each spec, keyed on its bytes, its path and the run's fingerprint
    (``run_fingerprint``). Counters ``hits``, ``misses`` and ``writes`` are this run's."""

    def __init__(self, root: Path, fingerprint: str) -> None:
        super().__init__(root, fingerprint)
        self.folder = root / CACHE_DIR_NAME / FORMAT

    def problems(self, path: str, key: str, shown: str) -> list[SpecProblem] | None:
        """The cached problems of the spec at ``path`` (named ``shown`` in them), or None on
        a miss."""
        try:
            data = json.loads(_read_entry(self._entry(path)))
            if not isinstance(data, dict) or data.get("key") != key:
                raise KeyError(key)
            found = [_problem(shown, item) for item in data["problems"]]
        except Exception:  # an entry is only ever a hint: any doubt about it is a miss
            self.misses += 1
            return None
        self.hits += 1
        return found

    def store(self, path: str, key: str, problems: list[SpecProblem]) -> None:
        """Keep the problems of the spec at ``path`` (best effort: a read-only project is
        just not cached). Each is stored without the file's name, which may change with the
        working folder."""
        entry = {
            "key": key,
            "path": path,
            "problems": [[p.line, p.column, p.message] for p in problems],
        }
        with contextlib.suppress(OSError):
            self._prepare()
            atomic_write(self._entry(path), json.dumps(entry, sort_keys=True))
            self.writes += 1


def _problem(shown: str, item: Any) -> SpecProblem:
    line, column, message = item
    if not (type(line) is int and type(column) is int and isinstance(message, str)):
        raise TypeError(f"not a stored problem: {item!r}")
    return SpecProblem(shown, line, column, message)
