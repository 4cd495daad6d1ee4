"""Results of unchanged files, kept in ``.labgen_cache/`` at the project root.

One small JSON file per checked path (so the cache never grows beyond one entry per file). An
entry is reused only when its key matches: a hash of the file's bytes, its path, and the run's
fingerprint (labgen's version and source, every plugin's version, the check settings, Python's
version). Writes are atomic; an unreadable or foreign entry is a miss, never an error.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import sys
import tempfile
from pathlib import Path
from typing import Any

from labgen.checking.diagnostics import Diagnostic

CACHE_DIR_NAME = ".labgen_cache"
#: Bumped when the layout of entries changes.
_FORMAT = "check-v1"


def fingerprint(
    labgen_version: str, plugins: list[tuple[str, str]], settings: dict[str, Any]
) -> str:
    """The part of every key that does not depend on the file."""
    material = {
        "format": _FORMAT,
        "labgen": labgen_version,
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
        were stored with (the working folder may have changed since)."""
        try:
            data = json.loads(self._entry(relpath).read_text(encoding="utf-8"))
            if data.get("key") != key:
                raise KeyError(key)
            found = [Diagnostic.from_json(d) for d in data["diagnostics"]]
            if display is not None:
                found = [d.with_filename(display) for d in found]
        except (OSError, ValueError, KeyError, TypeError):
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


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder and a rename."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        try:
            os.chmod(temporary, stat.S_IMODE(path.stat().st_mode))  # a fixed lab keeps its mode
        except FileNotFoundError:
            os.chmod(temporary, 0o644 & ~_umask())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
