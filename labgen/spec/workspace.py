"""The project a command works on: found from the current directory, with its configuration."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from labgen.book import Chapter
from labgen.config import Config, load_config
from labgen.errors import UsageError
from labgen.project import Project, ProjectNotFoundError, find_project
from labgen.spec.index import SpecIndex, index_specs, spec_files
from labgen.spec.registries import Registries, build_registries, plugin_instruments


@dataclass(frozen=True)
class Workspace:
    """A project and its effective configuration."""

    project: Project
    config: Config

    @property
    def root(self) -> Path:
        """The project's root folder."""
        return self.project.root

    @property
    def chapters_dir(self) -> Path:
        """The folder holding ``vol1/`` and ``vol2/`` specs."""
        return self.root / self.config.build.chapters_dir

    def spec_path(self, chapter: Chapter) -> Path:
        """Where ``chapter``'s spec lives."""
        return self.config.spec_path(self.root, chapter)

    def lab_path(self, chapter: Chapter) -> Path:
        """Where ``chapter``'s generated lab lives."""
        return self.config.lab_path(self.root, chapter)

    def relative(self, path: Path) -> str:
        """``path`` relative to the project root, POSIX style (as labs record it)."""
        try:
            return _located(path).relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return path.as_posix()

    def spec_files(self) -> list[Path]:
        """Every spec file of the project."""
        return spec_files(self.chapters_dir)

    def registries(self) -> Registries:
        """The registries specs are validated against, with the project's plugin instruments."""
        instruments = plugin_instruments(self.config.plugins, self.root)
        return build_registries(instruments)

    def index(self) -> SpecIndex:
        """The project's specs: chapters and ledger writes."""
        return index_specs(self.spec_files())


def open_workspace(overrides: tuple[str, ...] = (), start: Path | None = None) -> Workspace:
    """The project at or above ``start`` (default: the current directory) and its configuration
    with ``--set`` ``overrides``; UsageError when there is no project."""
    try:
        project = find_project(start)
    except ProjectNotFoundError as error:
        raise UsageError(str(error)) from None
    return Workspace(project, load_config(project, overrides))


def shown_path(path: Path) -> str:
    """How messages name a file: relative to the current directory when inside it."""
    try:
        return _located(path).relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def _located(path: Path) -> Path:
    """``path`` made absolute through its folder's real location, the file itself not
    followed: a spec that is a link is named where it is (and a looping link cannot fail)."""
    absolute = path if path.is_absolute() else Path.cwd() / path
    return absolute.parent.resolve() / absolute.name
