"""The ``[tool.labgen.check]`` section: which rules run, where, and how results are shown.

``CheckSettings`` is the schema of that section; ``labgen.config`` (the layered configuration)
embeds it as its ``check`` section and is the one way to read it (this module imports nothing
of labgen's configuration, so the two never import each other).

Example::

    [tool.labgen.check]
    select = ["LAB"]
    ignore = ["LAB002"]
    per-file-ignores = { "generated_labs/vol2/**" = ["LAB013"] }
    output-format = "concise"
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from labgen.errors import UsageError

#: A rule selector: ``ALL``, a code or code prefix (``LAB``, ``LAB00``, ``LAB005``), or a rule
#: name (``math-peek``).
_SELECTOR = re.compile(r"^(ALL|[A-Z]+[0-9]*|[a-z][a-z0-9]*(-[a-z0-9]+)*)$")


def _kebab(name: str) -> str:
    return name.replace("_", "-")


def _selectors(value: Any) -> Any:
    """Accept ``"LAB001,LAB002"`` as well as a list; validate each selector's shape."""
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        return value
    cleaned = [item.strip() if isinstance(item, str) else item for item in items]
    for item in cleaned:
        if isinstance(item, str) and not _SELECTOR.match(item):
            raise ValueError(
                f"{item!r} is not a rule selector (use ALL, a code or prefix such as LAB005 "
                "or LAB0, or a rule name such as math-peek)"
            )
    return [item for item in cleaned if item != ""]


class CheckSettings(BaseModel):
    """Settings of ``labgen check`` (keys may be written ``extend-select`` or ``extend_select``)."""

    model_config = ConfigDict(
        extra="forbid", alias_generator=_kebab, populate_by_name=True, frozen=True
    )

    select: list[str] = Field(
        default_factory=lambda: ["ALL"],
        description="Rules to run: ALL, codes, code prefixes or rule names.",
    )
    ignore: list[str] = Field(default_factory=list, description="Rules never to run.")
    extend_select: list[str] = Field(
        default_factory=list, description="Rules to run in addition to `select`."
    )
    per_file_ignores: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Glob (relative to the project root) -> rules ignored in matching files.",
    )
    output_format: str = Field(
        default="full",
        description="full, concise, json, sarif, github, or a format a plugin adds.",
    )
    cache: bool = Field(default=True, description="Reuse results of unchanged files.")
    timeout: float = Field(
        default=10.0,
        ge=0,
        description="Seconds a check may spend on one file before it is stopped and reported "
        "(LAB999, naming its plugin); 0 for no limit.",
    )
    exclude: list[str] = Field(
        default_factory=list,
        description="Globs of files and folders skipped when a folder is checked.",
    )

    @field_validator("select", "ignore", "extend_select", "exclude", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("select", "ignore", "extend_select", mode="after")
    @classmethod
    def _check_selectors(cls, value: list[str]) -> list[str]:
        return _selectors(value)

    @field_validator("per_file_ignores", mode="after")
    @classmethod
    def _check_per_file(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        return {glob: _selectors(codes) for glob, codes in value.items()}

    @field_validator("output_format", mode="after")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.strip().lower()


def parse_check_settings(data: Any, source: str = "[tool.labgen.check]") -> CheckSettings:
    """Validate a raw ``check`` table, raising UsageError with the first problem and its key."""
    if data is None:
        return CheckSettings()
    if not isinstance(data, dict):
        raise UsageError(f"{source} must be a table, not {type(data).__name__}")
    try:
        return CheckSettings.model_validate(data)
    except ValidationError as error:
        problem = error.errors()[0]
        key = ".".join(str(part) for part in problem["loc"])
        raise UsageError(f"{source}: {key}: {problem['msg']}") from None
