"""Writing files so that a reader never sees half of one: temp file in the folder, then rename."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: bytes, *, overwrite: bool = True) -> None:
    """Write ``data`` to ``path`` all at once: either the whole new content is there or the old
    file (or no file) is.

    With ``overwrite=False`` the write fails with FileExistsError when ``path`` exists, also if
    it appears while writing (the final step is a hard link, which never replaces a file).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if not overwrite and path.exists():
        raise FileExistsError(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
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
