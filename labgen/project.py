"""Find the book project labgen works on, from the current directory upwards (like ruff and pytest)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class ProjectNotFoundError(RuntimeError):
    """Raised when no parent of the start directory looks like a labgen project."""


@dataclass(frozen=True)
class Project:
    """A book project: its root folder and the raw ``[tool.labgen]`` table (empty if absent)."""

    root: Path
    tool_config: dict[str, Any] = field(default_factory=dict)

    @property
    def chapters_dir(self) -> Path:
        """Folder holding ``vol1/`` and ``vol2/`` chapter specs."""
        return self.root / "chapters"

    @property
    def labs_dir(self) -> Path:
        """Folder holding ``vol1/`` and ``vol2/`` generated labs."""
        return self.root / "generated_labs"


def _labgen_table(pyproject: Path) -> dict[str, Any] | None:
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    table = data.get("tool", {}).get("labgen")
    return table if isinstance(table, dict) else None


def find_project(start: Path | None = None) -> Project:
    """Return the nearest project at or above ``start`` (default: the current directory).

    A folder is a project when its ``pyproject.toml`` has a ``[tool.labgen]`` table or when it
    holds a ``chapters/`` folder. labgen's own install location is never consulted.
    """
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        pyproject = folder / "pyproject.toml"
        table = _labgen_table(pyproject) if pyproject.is_file() else None
        if table is not None:
            return Project(folder, table)
        if (folder / "chapters").is_dir():
            return Project(folder, {})
    raise ProjectNotFoundError(
        f"no labgen project at or above {here} (looked for pyproject.toml with [tool.labgen] "
        "or a chapters/ folder)"
    )
