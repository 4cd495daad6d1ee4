"""User-facing errors: one line, a location when there is one, never a traceback."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class Location:
    """A place in a file; ``line`` and ``column`` are 1-based (0 means unknown)."""

    path: Path | str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        text = str(self.path)
        if self.line:
            text += f":{self.line}"
            if self.column:
                text += f":{self.column}"
        return text


class LabgenError(Exception):
    """An error meant for the user: printed as ``path:line:col: message`` and exit code ``code``.

    Exit codes follow the linters' convention: 1 for invalid input (a bad spec, a lab that
    fails a rule), 2 for usage and internal errors.
    """

    def __init__(self, message: str, location: Location | None = None, code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.location = location
        self.code = code

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


class UsageError(LabgenError):
    """Wrong arguments, unknown chapter address, bad configuration: exit code 2."""

    def __init__(self, message: str, location: Location | None = None) -> None:
        super().__init__(message, location, code=2)
