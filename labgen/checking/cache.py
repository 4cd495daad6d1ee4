"""Results of unchanged files, kept in ``.labgen_cache/`` at the project root.

One small JSON file per checked path (so the cache never grows beyond one entry per file). An
entry is reused only when its key matches: a hash of the file's bytes, its path, and the run's
fingerprint (labgen's version and source, every plugin's version, the check settings, Python's
version). Writes are atomic; an unreadable or foreign entry is a miss, never an error.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import stat
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from labgen.atomic import write_atomic
from labgen.checking.diagnostics import Diagnostic

CACHE_DIR_NAME = ".labgen_cache"
#: Bumped when the layout of entries changes.
_FORMAT = "check-v1"
#: Largest entry read back (a file's diagnostics are a few KB; anything bigger is not ours).
MAX_ENTRY_BYTES = 10_000_000


#: The packages whose code decides a spec's problems (with labgen's own source).
SOURCE_PACKAGES = ("labgen", "labs", "mlsys")


def source_digest(packages: Iterable[str] | None = None) -> str:
    """SHA-256 of the path and bytes of every Python file of ``packages`` (default:
    ``SOURCE_PACKAGES``), read in full: about 15 ms for labgen, labs and mlsys (1.2 MB). Bytes,
    not modification times, so that a checkout or a copy that keeps the times is still seen."""
    digest = hashlib.sha256()
    for package in SOURCE_PACKAGES if packages is None else packages:
        found = importlib.util.find_spec(package)
        for folder in (found.submodule_search_locations or []) if found else []:
            for path in sorted(Path(folder).rglob("*.py")):
                content = path.read_bytes()
                name = f"{package}/{path.relative_to(folder).as_posix()}"
                digest.update(f"{name}\0{len(content)}\0".encode())
                digest.update(content)
    return digest.hexdigest()


def fingerprint(
    labgen_version: str, plugins: list[tuple[str, str]], settings: dict[str, Any]
) -> str:
    """The part of every key that does not depend on the file: labgen's version and the source
    of labgen, the kit and the engine (a rule such as LAB018 solves the engine, so an engine
    change must re-check every lab), the plugins, the settings and Python's version."""
    material = {
        "format": _FORMAT,
        "labgen": labgen_version,
        "sources": source_digest(),
        "plugins": plugins,
        "settings": settings,
        "python": list(sys.version_info[:2]),
    }
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()


class ResultCache:
    """Per-file diagnostics keyed on content, path and the run's fingerprint."""

    def __init__(self, root: Path, run_fingerprint: str) -> None:
        self.folder = root / CACHE_DIR_NAME / _FORMAT
        self._fingerprint = run_fingerprint
        #: Counters of this run, for ``--verbose`` and tests.
        self.hits = 0
        self.misses = 0
        self.writes = 0

    def key(self, relpath: str, content: bytes) -> str:
        """The key of one file's results."""
        digest = hashlib.sha256(self._fingerprint.encode())
        digest.update(relpath.encode())
        digest.update(b"\0")
        digest.update(content)
        return digest.hexdigest()

    def _entry(self, relpath: str) -> Path:
        return self.folder / (hashlib.sha256(relpath.encode()).hexdigest()[:24] + ".json")

    def get(self, relpath: str, key: str, display: str | None) -> list[Diagnostic] | None:
        """The cached diagnostics, or None on a miss. ``display`` replaces the file name they
        were stored with (the working folder may have changed since). Whatever is in the
        entry's place (a foreign file, a FIFO, JSON of another shape) is a miss."""
        try:
            data = json.loads(_read_entry(self._entry(relpath)))
            if not isinstance(data, dict) or data.get("key") != key:
                raise KeyError(key)
            found = [Diagnostic.from_json(d) for d in data["diagnostics"]]
            if display is not None:
                found = [d.with_filename(display) for d in found]
        except Exception:  # an entry is only ever a hint: any doubt about it is a miss
            self.misses += 1
            return None
        self.hits += 1
        return found

    def put(self, relpath: str, key: str, diagnostics: list[Diagnostic]) -> None:
        """Store one file's diagnostics (best effort: a read-only project just is not cached)."""
        entry = {"key": key, "path": relpath, "diagnostics": [d.to_json() for d in diagnostics]}
        with contextlib.suppress(OSError):
            self._prepare()
            atomic_write(self._entry(relpath), json.dumps(entry, sort_keys=True))
            self.writes += 1

    def _prepare(self) -> None:
        base = self.folder.parent
        if self.folder.is_dir():
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        # Keep the cache out of version control and backups, as ruff and pytest do.
        if not (base / ".gitignore").exists():
            atomic_write(base / ".gitignore", "# Created by labgen check.\n*\n")
        if not (base / "CACHEDIR.TAG").exists():
            atomic_write(
                base / "CACHEDIR.TAG",
                "Signature: 8a477f597d28d172789f06886806bc55\n"
                "# This file is a cache directory tag created by labgen.\n",
            )


def _read_entry(path: Path) -> bytes:
    """The bytes of a cache entry; OSError when it is not a regular file of sensible size.
    Opened without blocking, so a FIFO in its place cannot hang the run."""
    handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with os.fdopen(handle, "rb") as stream:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            raise OSError(f"{path} is not a regular file")
        data = stream.read(MAX_ENTRY_BYTES + 1)
    if len(data) > MAX_ENTRY_BYTES:
        raise OSError(f"{path} is larger than any entry labgen writes")
    return data


def atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (labgen's one writer; a cache needs no fsync)."""
    write_atomic(path, text.encode("utf-8"), durable=False)
