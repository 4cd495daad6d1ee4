"""The plugin manager: built-in and installed plugins, registered through the same hooks.

Built-ins are registered directly (so a source checkout works without an install) under the
names of their ``[project.entry-points.labgen]`` entries, so loading entry points afterwards
does not register them twice. A plugin that fails to import, or whose hook raises, does not take
the run down: it is recorded in :attr:`Plugins.failures` and reported by the command.
"""

from __future__ import annotations

import difflib
import hashlib
import importlib
import importlib.metadata
import importlib.util
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pluggy

from labgen import __version__, hookspecs
from labgen.checking.barrier import is_contained, plugin_output_to_stderr
from labgen.errors import UsageError
from labgen.plugin_policy import check_problem, code_policy, misspelt_hooks

if TYPE_CHECKING:
    from labgen.checking.check import Check
    from labgen.instruments import Instrument

ENTRY_POINT_GROUP = "labgen"

#: Plugin name -> module of labgen's own plugins (the same pairs as in pyproject.toml).
BUILTIN_PLUGINS: dict[str, str] = {
    "labgen.checks": "labgen.checks",
    "labgen.reporters": "labgen.checking.reporters",
}

#: Packages of this distribution whose source, when edited, must invalidate cached results.
_SOURCE_PACKAGES = ("labgen", "mlsys", "labs")


class PluginError(UsageError):
    """A plugin set that cannot work together (two plugins claiming one rule code, ...)."""


@dataclass(frozen=True)
class PluginInfo:
    """A registered plugin: its name, the distribution and version that ship it, where it came
    from, and the module (or object) that implements its hooks."""

    name: str
    version: str
    origin: str  # "built-in", "entry point", "project" or "registered"
    distribution: str = ""
    module: str = ""
    #: A stamp of the plugin's source files (size and modification time): cached results must
    #: not survive an edit of an editable install, where the version does not change.
    stamp: str = ""


@dataclass(frozen=True)
class PluginFailure:
    """A plugin (or one of its hooks) that failed; the run goes on without it."""

    plugin: str
    message: str


@dataclass
class Plugins:
    """The plugin manager of one run, what it loaded, and what failed."""

    manager: pluggy.PluginManager
    infos: list[PluginInfo] = field(default_factory=list)
    failures: list[PluginFailure] = field(default_factory=list)
    #: Things a plugin author should fix that do not stop the run (a misspelt hook name).
    warnings: list[str] = field(default_factory=list)
    #: Rule code -> name of the plugin that provides the check (filled by ``checks``).
    check_plugins: dict[str, str] = field(default_factory=dict)
    #: Output format -> name of the plugin that provides it (filled by ``output_formats``).
    format_plugins: dict[str, str] = field(default_factory=dict)

    def register(
        self,
        plugin: object,
        name: str,
        version: str = "",
        origin: str = "registered",
        distribution: str = "",
        stamp: str = "",
    ) -> None:
        """Register ``plugin`` (a module or object with hook implementations) under ``name``."""
        self.manager.register(plugin, name=name)
        self.warnings.extend(misspelt_hooks(plugin, name))
        self.infos.append(
            PluginInfo(
                name,
                version or _module_version(plugin),
                origin,
                distribution,
                _module_name(plugin),
                stamp or _module_stamp(plugin),
            )
        )
        self.__dict__.pop("checks", None)
        self.__dict__.pop("instruments", None)
        self.__dict__.pop("output_formats", None)

    def fingerprint(self) -> list[tuple[str, str]]:
        """(name, version and source stamp) of every plugin, sorted: what cached results
        depend on."""
        return sorted((info.name, f"{info.version}+{info.stamp}") for info in self.infos)

    def hooks_of(self, name: str) -> list[str]:
        """The labgen hooks the plugin registered as ``name`` implements, sorted."""
        plugin = self.manager.get_plugin(name)
        callers = self.manager.get_hookcallers(plugin) if plugin is not None else None
        return sorted(caller.name for caller in callers or ())

    def results_by_plugin(self, hook: str) -> list[tuple[str, Any]]:
        """(plugin name, what its implementation of ``hook`` returned) for every plugin whose
        implementation works; failures are recorded by the first call of the hook, not here."""
        return self._call(hook, record=False)

    def raise_failures(self) -> None:
        """Raise PluginError (one line per failure) when a plugin failed to load or a hook
        raised: for commands that cannot go on without every plugin (build, validate)."""
        if self.failures:
            lines = [
                f"{failure.message} (turn it off with `-p no:{failure.plugin}`)"
                for failure in self.failures
            ]
            raise PluginError("\n".join(dict.fromkeys(lines)))

    def configure(self, config: Any) -> None:
        """Hand the effective configuration to every plugin (``labgen_configure``)."""
        self._call("labgen_configure", config=config)

    @cached_property
    def checks(self) -> tuple[type[Check], ...]:
        """Every check class, validated, sorted by code; raises PluginError on a clash."""
        from labgen.checking.check import Check

        owners: dict[str, tuple[str, type[Check]]] = {}
        for plugin_name, result in self._call("labgen_checks"):
            for check in self._items(plugin_name, "labgen_checks", result, "Check classes"):
                problem = check_problem(check, Check) or code_policy(
                    check, builtin=plugin_name in BUILTIN_PLUGINS
                )
                if problem:
                    raise PluginError(f"plugin {plugin_name!r}: {problem}{_off(plugin_name)}")
                if check.code in owners and owners[check.code][1] is not check:
                    other = owners[check.code][0]
                    raise PluginError(
                        f"rule code {check.code} is claimed twice: by plugin {other!r} "
                        f"({owners[check.code][1].__qualname__}) and by plugin {plugin_name!r} "
                        f"({check.__qualname__}); turn one off with `-p no:{other}` or "
                        f"`-p no:{plugin_name}`"
                    )
                owners[check.code] = (plugin_name, check)
        self.check_plugins = {code: plugin_name for code, (plugin_name, _) in owners.items()}
        names: dict[str, str] = {}
        for code, (plugin_name, check) in owners.items():
            if check.name in names and names[check.name] != code:
                raise PluginError(
                    f"rule name {check.name!r} is used by both {names[check.name]} and {code} "
                    f"(plugin {plugin_name!r})"
                )
            names[check.name] = code
        return tuple(owners[code][1] for code in sorted(owners))

    def plugin_of(self, check: type[Check]) -> str:
        """The name of the plugin that provides ``check``."""
        _ = self.checks
        return self.check_plugins.get(check.code, "?")

    def _items(self, plugin_name: str, hook: str, result: Any, expected: str) -> list[Any]:
        """The items a hook returned as a list (a mapping's items for a mapping of
        ``expected``); anything else is recorded as the plugin's failure and gives nothing."""
        if result is None:
            return []
        wants_mapping = expected.startswith("a mapping")
        if wants_mapping and isinstance(result, Mapping):
            return list(result.items())
        if not wants_mapping and isinstance(result, list | tuple | set | frozenset):
            return list(result)
        shown = repr(result)
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        kind = expected if wants_mapping else f"a list of {expected}"
        self._fail(
            plugin_name, f"hook {hook} of plugin {plugin_name!r} returned {shown}, not {kind}"
        )
        return []

    def _fail(self, plugin_name: str, message: str) -> None:
        failure = PluginFailure(plugin_name, message)
        if failure not in self.failures:
            self.failures.append(failure)

    @cached_property
    def instruments(self) -> tuple[Instrument, ...]:
        """Every instrument (built-in and from plugins); raises PluginError on a duplicate id."""
        from labgen.instruments import instrument_problem

        found: dict[str, Instrument] = {}
        for plugin_name, result in self._call("labgen_instruments"):
            for instrument in self._items(plugin_name, "labgen_instruments", result, "Instruments"):
                problem = instrument_problem(instrument)
                if problem:
                    raise PluginError(f"plugin {plugin_name!r}: {problem}")
                if instrument.id in found and found[instrument.id] != instrument:
                    raise PluginError(
                        f"plugin {plugin_name!r} adds instrument {instrument.id!r}, which exists"
                    )
                found[instrument.id] = instrument
        return tuple(found.values())

    @cached_property
    def output_formats(self) -> dict[str, hookspecs.Formatter]:
        """Output format name -> formatter; raises PluginError when two plugins claim a name."""
        found: dict[str, hookspecs.Formatter] = {}
        owners: dict[str, str] = {}
        for plugin_name, result in self._call("labgen_output_formats"):
            pairs = self._items(
                plugin_name, "labgen_output_formats", result, "a mapping of name -> formatter"
            )
            for name, formatter in pairs:
                if not isinstance(name, str) or not callable(formatter):
                    self._fail(
                        plugin_name,
                        f"hook labgen_output_formats of plugin {plugin_name!r} maps {name!r} to "
                        f"{formatter!r}, which is not a formatter",
                    )
                    continue
                if name in found:
                    raise PluginError(
                        f"output format {name!r} is claimed by plugins {owners[name]!r} "
                        f"and {plugin_name!r}"
                    )
                found[name], owners[name] = formatter, plugin_name
        self.format_plugins = owners
        return found

    def _call(self, hook: str, record: bool = True, **kwargs: Any) -> list[tuple[str, Any]]:
        """Call one hook plugin by plugin, so a failure can be pinned on its plugin."""
        results = []
        caller = getattr(self.manager.hook, hook)
        # Registration order: built-ins, installed plugins, then the project's own.
        for impl in caller.get_hookimpls():
            wanted = {name: kwargs[name] for name in impl.argnames if name in kwargs}
            try:
                with plugin_output_to_stderr():
                    results.append((impl.plugin_name, impl.function(**wanted)))
            except BaseException as error:
                if not is_contained(error):
                    raise
                if record:
                    self._fail(
                        impl.plugin_name,
                        f"hook {hook} of plugin {impl.plugin_name!r} failed: "
                        f"{type(error).__name__}: {error}",
                    )
        return results


def load_plugins(
    *,
    entry_points: bool = True,
    blocked: Iterable[str] = (),
    project_modules: Iterable[str] = (),
    root: Path | None = None,
) -> Plugins:
    """A plugin manager with labgen's hooks, its built-ins, installed plugins (unless
    ``entry_points`` is False) and the project-local plugin modules ``project_modules``
    (``[tool.labgen] plugins``, imported with the project ``root`` on ``sys.path``).

    ``blocked`` names plugins not to load (``-p no:NAME``). A plugin that fails to import is
    recorded in ``failures``; the others load.
    """
    manager = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    manager.add_hookspecs(hookspecs)
    plugins = Plugins(manager)
    blocked = set(blocked)
    for name in blocked:
        manager.set_blocked(name)
    builtin_stamp = _source_stamp(_SOURCE_PACKAGES)
    for name, module_name in BUILTIN_PLUGINS.items():
        if name in blocked:
            continue
        plugins.register(
            importlib.import_module(module_name),
            name,
            __version__,
            "built-in",
            distribution="labgen",
            stamp=builtin_stamp,
        )
    if entry_points:
        _load_entry_points(plugins)
    for module_name in project_modules:
        if module_name in blocked or manager.get_plugin(module_name) is not None:
            continue
        try:
            with plugin_output_to_stderr():
                module = _import_from(module_name, root)
        except Exception as error:
            plugins.failures.append(
                PluginFailure(
                    module_name,
                    f"plugin module {module_name!r} failed to load: {type(error).__name__}: {error}",
                )
            )
            continue
        plugins.register(module, module_name, origin="project")
    return plugins


@dataclass(frozen=True)
class PluginChoice:
    """Which plugins a command loads: all (the default), built-ins only (``--no-plugins``
    sets ``enabled`` False), less the ``blocked`` names (``-p no:NAME``)."""

    enabled: bool = True
    blocked: tuple[str, ...] = ()


def plugin_options(command: Any) -> Any:
    """The ``--no-plugins`` and ``-p no:NAME`` (repeatable) options for a click command, passed
    to it together as ``plugin_choice`` (a :class:`PluginChoice`)."""
    import functools

    import click

    def blocked_names(
        ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
    ) -> tuple[str, ...]:
        names = []
        for value in values:
            prefix, colon, name = value.partition(":")
            if prefix != "no" or not colon or not name.strip():
                raise click.BadParameter(f"{value!r}: expected no:NAME (turn plugin NAME off)")
            names.append(name.strip())
        return tuple(dict.fromkeys(names))

    @functools.wraps(command)
    def with_choice(
        *args: Any, no_plugins: bool, blocked_plugins: tuple[str, ...], **kwargs: Any
    ) -> Any:
        choice = PluginChoice(enabled=not no_plugins, blocked=blocked_plugins)
        return command(*args, plugin_choice=choice, **kwargs)

    with_choice = click.option(
        "-p",
        "blocked_plugins",
        multiple=True,
        metavar="no:NAME",
        callback=blocked_names,
        help="Do not load plugin NAME (see `labgen plugins`). Repeatable.",
    )(with_choice)
    return click.option(
        "--no-plugins",
        is_flag=True,
        help="Load no installed or project plugins: labgen's built-ins only.",
    )(with_choice)


def plugins_for(
    project: object | None, config: object, choice: PluginChoice = PluginChoice()
) -> Plugins:
    """The plugins of a run in ``project`` (a labgen.project.Project or None) configured by
    ``config``: built-ins, and unless ``choice.enabled`` is False (``--no-plugins``) the
    installed plugins and the project's own modules (``[tool.labgen] plugins``), less the
    ``choice.blocked`` ones (``-p no:NAME``). A blocked name that names no plugin is a
    UsageError."""
    project_modules = list(getattr(config, "plugins", ()))
    check_blocked(choice.blocked, project_modules)
    return load_plugins(
        entry_points=choice.enabled,
        blocked=choice.blocked,
        project_modules=project_modules if choice.enabled else (),
        root=getattr(project, "root", None),
    )


def known_plugin_names(project_modules: Iterable[str] = ()) -> list[str]:
    """Every name ``-p no:NAME`` may turn off: built-ins, installed entry points and the
    project's plugin modules, sorted. Reads the entry points' metadata; imports nothing."""
    installed = {e.name for e in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)}
    return sorted({*BUILTIN_PLUGINS, *installed, *project_modules})


def check_blocked(blocked: Iterable[str], project_modules: Iterable[str] = ()) -> None:
    """Raise UsageError when a ``-p no:NAME`` names no plugin (a typo would silently turn
    nothing off)."""
    blocked = list(blocked)
    if not blocked:
        return
    known = known_plugin_names(project_modules)
    for name in blocked:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f" (known: {', '.join(known)})"
            raise UsageError(f"-p no:{name}: no plugin is named {name!r}{hint}")


def _import_from(module_name: str, root: Path | None) -> ModuleType:
    """Import ``module_name`` with ``root`` (the project) first on ``sys.path``."""
    added = root is not None and str(root) not in sys.path
    if added:
        sys.path.insert(0, str(root))
    try:
        return importlib.import_module(module_name)
    finally:
        if added:
            sys.path.remove(str(root))


def _load_entry_points(plugins: Plugins) -> None:
    for entry_point in sorted(
        importlib.metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name
    ):
        name = entry_point.name
        if plugins.manager.get_plugin(name) is not None or plugins.manager.is_blocked(name):
            continue
        distribution = getattr(entry_point, "dist", None)
        try:
            with plugin_output_to_stderr():
                plugin = entry_point.load()
            plugins.manager.register(plugin, name=name)
            plugins.warnings.extend(misspelt_hooks(plugin, name))
        except Exception as error:
            plugins.failures.append(
                PluginFailure(
                    name, f"plugin {name!r} failed to load: {type(error).__name__}: {error}"
                )
            )
            continue
        plugins.infos.append(
            PluginInfo(
                name,
                distribution.version if distribution else _module_version(plugin),
                "entry point",
                distribution.metadata["Name"] if distribution else "",
                _module_name(plugin),
                _source_stamp(_distribution_packages(distribution, _module_name(plugin))),
            )
        )


def _distribution_packages(distribution: Any, module_name: str) -> list[str]:
    """The top-level packages and modules a plugin's distribution ships (its hook module's
    among them): cached results depend on all of them, helper packages included."""
    names = {module_name.partition(".")[0]}
    if distribution is not None:
        names.update((distribution.read_text("top_level.txt") or "").split())
        for file in distribution.files or ():
            top = file.parts[0] if file.parts else ""
            if top.endswith((".dist-info", ".egg-info", ".data", ".pth")) or top == "..":
                continue
            names.add(top.removesuffix(".py"))
    return sorted(name for name in names if name.isidentifier())


def _off(plugin_name: str) -> str:
    return f" (turn it off with `-p no:{plugin_name}`)"


def _module_version(plugin: object) -> str:
    """The version of a plugin without distribution metadata: its ``__version__``, or ""."""
    version = getattr(plugin, "__version__", None)
    return version if isinstance(version, str) else ""


def _module_name(plugin: object) -> str:
    """The dotted name of the module that implements ``plugin``'s hooks."""
    if isinstance(plugin, ModuleType):
        return plugin.__name__
    return getattr(plugin, "__module__", None) or type(plugin).__module__


def _module_stamp(plugin: object) -> str:
    """A stamp of a plugin module's file (modification time and size), or ""."""
    path = getattr(plugin, "__file__", None) if isinstance(plugin, ModuleType) else None
    if path:
        stat = Path(path).stat()
        return f"file-{stat.st_mtime_ns}-{stat.st_size}"
    return ""


def _source_stamp(packages: Iterable[str]) -> str:
    """A short hash of the size and modification time of the Python files of ``packages``.

    Cached results must not survive an edit of labgen, mlsys, labs.core or an editable plugin,
    where the version number does not change. Stat calls only: about a millisecond.
    """
    digest = hashlib.sha256()
    for package in packages:
        try:
            module = importlib.util.find_spec(package)
        except (ImportError, ValueError):
            continue
        if module is None:
            continue
        folders = module.submodule_search_locations or []
        paths = [path for folder in folders for path in sorted(Path(folder).rglob("*.py"))]
        if not folders and module.origin and Path(module.origin).is_file():
            paths = [Path(module.origin)]  # a single-module plugin
        for path in paths:
            stat = path.stat()
            digest.update(f"{path}:{stat.st_mtime_ns}:{stat.st_size};".encode())
    return digest.hexdigest()[:12]
