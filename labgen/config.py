"""Layered configuration: ``[tool.labgen]`` < ``LABGEN_*`` environment variables < ``--set``.

Each layer may set any key; a later layer wins key by key. Keys are dotted (``check.select``,
``build.labs_dir``, ``plugins``) and may be written with dashes or underscores. Environment
variables name the key after ``LABGEN_`` with ``_`` or ``__`` between section and key
(``LABGEN_CHECK_SELECT`` or ``LABGEN_CHECK__SELECT``). Text values from the environment and
``--set`` are read by the key's type: lists split on commas (or a JSON/TOML array), tables as a
JSON/TOML inline table, booleans as true/false/1/0/yes/no.

The merged result is validated once by pydantic; every problem is reported with the layer and
place that set the key, and the effective value of every key remembers where it came from
(``Config.source_of``), which is what ``labgen config`` shows.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import tomllib
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator

from labgen.book import Chapter
from labgen.checking.settings import CheckSettings
from labgen.errors import UsageError
from labgen.project import Project

ENV_PREFIX = "LABGEN_"
DEFAULT_SOURCE = "default"


def _kebab(name: str) -> str:
    return name.replace("_", "-")


def _relative_folder(value: str) -> str:
    path = PurePosixPath(value.replace("\\", "/"))
    if not value.strip() or path.is_absolute() or ".." in path.parts:
        raise ValueError(f"{value!r} must be a folder inside the project (relative, no '..')")
    return path.as_posix()


class BuildSettings(BaseModel):
    """Where ``labgen build`` reads specs and writes labs, and how it writes them."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, alias_generator=_kebab, populate_by_name=True
    )

    chapters_dir: str = Field(
        default="chapters",
        description="Folder (relative to the project root) holding vol1/ and vol2/ specs.",
    )
    labs_dir: str = Field(
        default="generated_labs",
        description="Folder (relative to the project root) receiving vol1/ and vol2/ labs.",
    )
    format: bool = Field(
        default=True, description="Format generated labs with ruff (turn off only to debug)."
    )

    @field_validator("chapters_dir", "labs_dir")
    @classmethod
    def _inside_project(cls, value: str) -> str:
        return _relative_folder(value)


class Config(BaseModel):
    """labgen's effective settings for one project."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    build: BuildSettings = Field(default_factory=BuildSettings, description="labgen build.")
    check: CheckSettings = Field(default_factory=CheckSettings, description="labgen check.")
    plugins: list[str] = Field(
        default_factory=list,
        description="Project-local plugin modules (importable names) loaded by labgen.",
    )
    _sources: dict[str, str] = PrivateAttr(default_factory=dict)

    @field_validator("plugins")
    @classmethod
    def _module_names(cls, value: list[str]) -> list[str]:
        for name in value:
            if not re.fullmatch(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*", name):
                raise ValueError(f"{name!r} is not an importable module name")
        return value

    def source_of(self, key: str) -> str:
        """Where the effective value of dotted ``key`` came from (``default`` if unset)."""
        return self._sources.get(key, DEFAULT_SOURCE)

    def effective(self) -> dict[str, tuple[Any, str]]:
        """Every dotted key with its effective value (JSON-ready) and its source, sorted."""
        values = _flatten(self.model_dump(mode="json"))
        return {key: (values[key], self.source_of(key)) for key in sorted(values)}

    def spec_path(self, root: Path, chapter: Chapter) -> Path:
        """Where ``chapter``'s spec lives in the project at ``root``."""
        return root / self.build.chapters_dir / chapter.spec_path.relative_to("chapters")

    def lab_path(self, root: Path, chapter: Chapter) -> Path:
        """Where ``chapter``'s generated lab lives in the project at ``root``."""
        return root / self.build.labs_dir / chapter.lab_path.relative_to("generated_labs")


#: Sections (sub-tables) of the configuration and their models.
_SECTIONS: dict[str, type[BaseModel]] = {"build": BuildSettings, "check": CheckSettings}


def _flatten(data: dict[str, Any]) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if key in _SECTIONS and isinstance(value, dict):
            for inner, item in value.items():
                flat[f"{key}.{inner}"] = item
        else:
            flat[key] = value
    return flat


def _did_you_mean(word: str, candidates: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, candidates, n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def _snake(name: str) -> str:
    return name.strip().replace("-", "_").lower()


def _annotation(key: str) -> Any:
    section, _, name = key.partition(".")
    if name:
        return _SECTIONS[section].model_fields[name].annotation
    return Config.model_fields[section].annotation


def known_keys() -> list[str]:
    """Every dotted configuration key, sorted."""
    keys = [f"{s}.{name}" for s, model in _SECTIONS.items() for name in model.model_fields]
    keys += [name for name in Config.model_fields if name not in _SECTIONS]
    return sorted(keys)


@dataclass(frozen=True)
class _Setting:
    key: str
    value: Any
    source: str
    where: str  # how an error names the place that set the key


class _Problems:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.lines.append(f"{where}: {message}")

    def raise_if_any(self) -> None:
        if self.lines:
            raise UsageError("\n".join(self.lines))


def _normal_key(raw: str, where: str, problems: _Problems) -> str | None:
    parts = [_snake(part) for part in raw.split(".")]
    key = ".".join(parts)
    if key in known_keys():
        return key
    if len(parts) == 1 and parts[0] in _SECTIONS:
        problems.add(where, f"{raw!r} is a section; set one of its keys, e.g. {parts[0]}.<key>")
        return None
    hint = _did_you_mean(key, known_keys()) or f" (known keys: {', '.join(known_keys())})"
    problems.add(where, f"unknown setting {raw!r}{hint}")
    return None


def _parse_text(key: str, text: str) -> Any:
    """A text value (environment, --set) read by the key's type."""
    annotation = _annotation(key)
    origin = typing.get_origin(annotation)
    stripped = text.strip()
    if origin in (list, tuple, set):
        if stripped.startswith("["):
            return _structured(stripped)
        return [item.strip() for item in stripped.split(",") if item.strip()]
    if origin is dict:
        return _structured(stripped)
    return text


def _structured(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        pass
    try:
        return tomllib.loads(f"value = {text}")["value"]
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"cannot read {text!r} as a JSON or TOML value ({error})") from None


def _line_in_pyproject(text: str, key: str) -> int:
    """Best-effort line of ``key`` in ``[tool.labgen...]`` of a pyproject's text (0 if unknown)."""
    section, _, name = key.partition(".")
    names = {name, _kebab(name)} if name else {section}
    header = rf"\[tool\.labgen\.{section}\]" if name else r"\[tool\.labgen\]"
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if re.match(rf"\s*{header}\s*$", line)), None)
    if start is None and name:
        start = next(
            (i for i, line in enumerate(lines) if re.match(r"\s*\[tool\.labgen\]\s*$", line)), None
        )
        names = {f"{section}.{n}" for n in names}
    if start is None:
        return 0
    for number in range(start + 1, len(lines)):
        line = lines[number]
        if re.match(r"\s*\[", line):
            break
        if any(re.match(rf"\s*{re.escape(n)}\s*=", line) for n in names):
            return number + 1
    return start + 1


def _pyproject_settings(project: Project, problems: _Problems) -> list[_Setting]:
    pyproject = project.root / "pyproject.toml"
    try:
        text = pyproject.read_text(encoding="utf-8")
    except OSError:
        text = ""
    settings: list[_Setting] = []

    def where(key: str) -> str:
        line = _line_in_pyproject(text, key)
        return f"{pyproject}:{line}" if line else str(pyproject)

    for raw_key, value in project.tool_config.items():
        top = _snake(raw_key)
        if top in _SECTIONS:
            if not isinstance(value, dict):
                problems.add(where(top), f"[tool.labgen.{top}] must be a table")
                continue
            for inner, item in value.items():
                key = _normal_key(f"{top}.{inner}", where(f"{top}.{_snake(inner)}"), problems)
                if key:
                    settings.append(
                        _Setting(key, item, f"pyproject.toml [tool.labgen.{top}]", where(key))
                    )
            continue
        key = _normal_key(raw_key, where(top), problems)
        if key:
            settings.append(_Setting(key, value, "pyproject.toml [tool.labgen]", where(key)))
    return settings


def _env_key(name: str) -> str:
    rest = name[len(ENV_PREFIX) :].lower()
    if "__" in rest:
        return rest.replace("__", ".", 1)
    section, _, key = rest.partition("_")
    return f"{section}.{key}" if section in _SECTIONS and key else rest


def _text_settings(
    pairs: Sequence[tuple[str, str, str, str]], problems: _Problems
) -> list[_Setting]:
    settings = []
    for raw_key, text, source, where in pairs:
        key = _normal_key(raw_key, where, problems)
        if key is None:
            continue
        try:
            settings.append(_Setting(key, _parse_text(key, text), source, where))
        except ValueError as error:
            problems.add(where, str(error))
    return settings


def _env_settings(environ: Mapping[str, str], problems: _Problems) -> list[_Setting]:
    pairs = [
        (_env_key(name), value, f"environment {name}", f"environment variable {name}")
        for name, value in sorted(environ.items())
        if name.startswith(ENV_PREFIX)
    ]
    return _text_settings(pairs, problems)


def _override_settings(overrides: Sequence[str], problems: _Problems) -> list[_Setting]:
    settings = []
    for override in overrides:
        raw_key, equals, text = override.partition("=")
        where = f"--set {override}"
        if not equals or not raw_key.strip():
            problems.add(where, "expected key=value, e.g. check.select=LAB1")
            continue
        settings += _text_settings([(raw_key.strip(), text, where, where)], problems)
    return settings


def load_config(
    project: Project | None,
    overrides: Sequence[str] = (),
    environ: Mapping[str, str] | None = None,
) -> Config:
    """The effective configuration of ``project`` (None: defaults only) with ``LABGEN_*``
    variables from ``environ`` (default ``os.environ``) and ``--set`` ``overrides`` on top.

    Raises UsageError (exit code 2) listing every bad key or value with the place that set it.
    """
    problems = _Problems()
    layers: list[_Setting] = []
    if project is not None:
        layers += _pyproject_settings(project, problems)
    layers += _env_settings(os.environ if environ is None else environ, problems)
    layers += _override_settings(overrides, problems)
    merged: dict[str, Any] = {}
    chosen: dict[str, _Setting] = {}
    for setting in layers:
        section, _, name = setting.key.partition(".")
        if name:
            merged.setdefault(section, {})[name] = setting.value
        else:
            merged[section] = setting.value
        chosen[setting.key] = setting
    try:
        config = Config.model_validate(merged)
    except ValidationError as error:
        for item in error.errors():
            loc = [str(part).replace("-", "_") for part in item["loc"]]
            key = ".".join(loc[:2]) if loc and loc[0] in _SECTIONS else (loc[0] if loc else "")
            setting = chosen.get(key)
            where = setting.where if setting else "configuration"
            message = str(item["msg"]).removeprefix("Value error, ")
            problems.add(where, f"{key}: {message}")
        problems.raise_if_any()
        raise  # pragma: no cover - every validation error is reported above
    problems.raise_if_any()
    config._sources.update({key: setting.source for key, setting in chosen.items()})
    return config


def set_option(command: Any) -> Any:
    """The ``--set KEY=VALUE`` option (repeatable) for a click command, passed as ``overrides``."""
    import click

    return click.option(
        "--set",
        "overrides",
        multiple=True,
        metavar="KEY=VALUE",
        help="Override a setting for this run (dotted key, e.g. check.select=LAB1). Repeatable.",
    )(command)
