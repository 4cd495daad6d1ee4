"""Reading a spec file's bytes: the one way every command does it.

The size cap holds before anything is parsed (a huge neighbour spec must not cost seconds and
gigabytes), a FIFO or device in a spec's place cannot hang the command, and a link that loops
or points nowhere is named as such.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from labgen.spec.yamlread import MAX_BYTES


class SpecReadError(Exception):
    """A spec file that cannot be read; the message says why, in words, and ``line`` and
    ``column`` where (1:1 for a file too large; 0 when the file as a whole is at fault)."""

    def __init__(self, message: str, line: int = 0, column: int = 0) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


def _reason(path: Path, error: OSError) -> str:
    if error.errno == errno.ELOOP:
        why = "it is a symbolic link that loops (it leads back to itself)"
    elif error.errno == errno.ENOENT and path.is_symlink():
        why = f"it is a symbolic link to {os.readlink(path)}, which does not exist"
    else:
        why = error.strerror or type(error).__name__
    return f"cannot read the spec: {why}"


def read_spec_bytes(path: Path, limit: int = MAX_BYTES) -> bytes:
    """The bytes of the spec file at ``path``; SpecReadError when it cannot be read, is not a
    regular file, or is larger than ``limit`` bytes (never more than ``limit`` + 1 are read)."""
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as error:
        raise SpecReadError(_reason(Path(path), error)) from None
    with os.fdopen(handle, "rb") as stream:
        status = os.fstat(handle)
        if not stat.S_ISREG(status.st_mode):
            raise SpecReadError("cannot read the spec: it is not a regular file")
        try:
            data = stream.read(limit + 1)
        except OSError as error:
            raise SpecReadError(_reason(Path(path), error)) from None
    if len(data) > limit:
        size = max(status.st_size, len(data))
        raise SpecReadError(
            f"file is {size / 1e6:.1f} MB; a chapter spec is at most {limit // 1000} KB", 1, 1
        )
    return data


def spec_entry_exists(path: Path) -> bool:
    """Whether anything is at ``path`` (a file, or a link even when it loops or dangles)."""
    return os.path.lexists(path)
