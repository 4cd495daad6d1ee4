"""labgen's one way of writing a file: a reader sees the old content or the new, never half.

The new content goes to a temporary file beside the target, then a rename puts it in place. The
temporary file's name carries the writing process's id, so a later write into the same folder
can tell the leftovers of a killed process (SIGKILL runs no clean-up) from a write in progress,
and removes them. A new file gets the mode the umask gives any new file; a replaced file keeps
its mode.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
from pathlib import Path

#: ``.<target name>.<pid>.<random>.tmp``: the temporary files this module creates.
_TEMPORARY = re.compile(r"^\..+\.(?P<pid>[0-9]+)\.[^.]+\.tmp$")


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def _mode_for(path: Path) -> int:
    """The mode the written file gets: the replaced file's, else what the umask allows."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return 0o666 & ~_umask()


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def remove_stale_temporaries(folder: Path) -> list[Path]:
    """Delete the temporary files a killed labgen left in ``folder``; returns them.

    A temporary file is stale when the process named in it no longer runs.
    """
    removed = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        match = _TEMPORARY.match(name)
        if match is None or _alive(int(match["pid"])):
            continue
        with contextlib.suppress(OSError):
            os.unlink(folder / name)
            removed.append(folder / name)
    return removed


def write_atomic(path: Path, data: bytes, *, overwrite: bool = True, durable: bool = True) -> None:
    """Write ``data`` to ``path`` all at once: either the whole new content is there or the old
    file (or no file) is. Stale temporary files of killed writers in the folder are removed.
    ``durable`` flushes the data to the disk before the rename (a cache can skip that).

    With ``overwrite=False`` the write fails with FileExistsError when ``path`` exists, also if
    it appears while writing (the final step is a hard link, which never replaces a file).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if not overwrite and (path.exists() or path.is_symlink()):
        raise FileExistsError(path)
    remove_stale_temporaries(path.parent)
    mode = _mode_for(path)
    handle, temporary = tempfile.mkstemp(
        prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent
    )
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            if durable:
                stream.flush()
                os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        if overwrite:
            os.replace(temporary, path)
        else:
            try:
                os.link(temporary, path)
            except OSError as error:
                if isinstance(error, FileExistsError):
                    raise
                # No hard links on this file system: a check-then-rename is the best left.
                if path.exists():
                    raise FileExistsError(path) from None
                os.replace(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
