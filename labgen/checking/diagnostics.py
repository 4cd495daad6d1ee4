"""What a check reports: diagnostics, the fixes attached to them, and their JSON form.

Everything here is plain data (no LibCST), so cached results and reporters never need the parser.
Lines and columns are 1-based; columns count characters (Unicode code points); ``end_*`` point
just past the reported text, like ruff and SARIF.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace the text from (line, column) up to (end_line, end_column) with ``content``."""

    line: int
    column: int
    end_line: int
    end_column: int
    content: str

    def to_json(self) -> dict[str, Any]:
        """The edit as a JSON-ready mapping."""
        return {
            "content": self.content,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Edit:
        """Rebuild an edit from :meth:`to_json`."""
        return cls(
            data["line"], data["column"], data["end_line"], data["end_column"], data["content"]
        )


@dataclass(frozen=True, slots=True)
class Fix:
    """A safe, unambiguous change that resolves a diagnostic: what it does and its edits."""

    message: str
    edits: tuple[Edit, ...]

    def to_json(self) -> dict[str, Any]:
        """The fix as a JSON-ready mapping."""
        return {
            "message": self.message,
            "applicability": "safe",
            "edits": [edit.to_json() for edit in self.edits],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Fix:
        """Rebuild a fix from :meth:`to_json`."""
        return cls(data["message"], tuple(Edit.from_json(e) for e in data["edits"]))


@dataclass(frozen=True, slots=True, order=True)
class Diagnostic:
    """One violation of one rule at one place in one file."""

    filename: str
    line: int
    column: int
    code: str
    message: str
    name: str = field(compare=False)
    end_line: int = field(default=0, compare=False)
    end_column: int = field(default=0, compare=False)
    fix: Fix | None = field(default=None, compare=False)

    @property
    def fixable(self) -> bool:
        """Whether ``labgen check --fix`` can resolve this diagnostic."""
        return self.fix is not None

    def with_filename(self, filename: str) -> Diagnostic:
        """The same diagnostic, shown under another file name."""
        return replace(self, filename=filename)

    def to_json(self) -> dict[str, Any]:
        """The diagnostic as a JSON-ready mapping (the ``--output-format json`` object)."""
        return {
            "code": self.code,
            "name": self.name,
            "message": self.message,
            "filename": self.filename,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line or self.line,
            "end_column": self.end_column or self.column,
            "fix": self.fix.to_json() if self.fix else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Diagnostic:
        """Rebuild a diagnostic from :meth:`to_json`."""
        fix = data.get("fix")
        return cls(
            filename=data["filename"],
            line=data["line"],
            column=data["column"],
            code=data["code"],
            message=data["message"],
            name=data["name"],
            end_line=data.get("end_line", 0),
            end_column=data.get("end_column", 0),
            fix=Fix.from_json(fix) if fix else None,
        )


#: Codes of the diagnostics the framework itself emits (their rules document them).
SYNTAX_ERROR = ("LAB000", "syntax-error")
UNUSED_NOQA = ("LAB100", "unused-noqa")
INTERNAL_ERROR = ("LAB999", "internal-error")
