"""The names a spec may use, read from where they live: the installed mlsys and the instruments.

Nothing here keeps its own list: model and system names come from ``mlsys.Models.names()`` and
``mlsys.Systems.names()``, precisions from ``mlsys.PRECISIONS``, phases from ``mlsys.PHASES``,
runtimes from every system's ``runtimes``, the tracks from ``mlsys.ledger.TRACKS``, the engine
keywords from ``inspect.signature(mlsys.Engine.solve)``, the comparable result fields from the
properties of ``mlsys.PerformanceProfile`` that return a quantity, and instruments from
``labgen.instruments`` plus any plugin's ``labgen_instruments`` hook.
"""

from __future__ import annotations

import difflib
import functools
import importlib
import inspect
import sys
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from labgen.errors import UsageError
from labgen.instruments import BUILTIN_INSTRUMENTS, Instrument

if typing.TYPE_CHECKING:
    from labgen.plugins import PluginChoice


@dataclass(frozen=True)
class Registries:
    """Every registry a spec is validated against, by kind (see ``names``)."""

    models: tuple[str, ...]
    systems: tuple[str, ...]
    precisions: tuple[str, ...]
    phases: tuple[str, ...]
    runtimes: tuple[str, ...]
    fabrics: tuple[str, ...]
    regions: tuple[str, ...]
    coolings: tuple[str, ...]
    serving_modes: tuple[str, ...]
    routings: tuple[str, ...]
    kv_caches: tuple[str, ...]
    tracks: tuple[str, ...]
    profile_fields: tuple[str, ...]
    solve_keywords: tuple[str, ...]
    instruments: Mapping[str, Instrument]

    def names(self, kind: str) -> tuple[str, ...]:
        """The names of one registry: ``models``, ``systems``, ``precisions``, ``phases``,
        ``runtimes``, ``fabrics``, ``regions``, ``coolings``, ``serving_modes``, ``routings``,
        ``kv_caches``, ``tracks``, ``profile_fields`` or ``instruments``."""
        if kind == "instruments":
            return tuple(self.instruments)
        return getattr(self, kind)


#: What each registry's entries are called in messages.
KIND_NOUNS: Mapping[str, str] = MappingProxyType(
    {
        "models": "model",
        "systems": "system",
        "precisions": "precision",
        "phases": "phase",
        "runtimes": "runtime",
        "fabrics": "fabric",
        "regions": "grid region",
        "coolings": "cooling",
        "serving_modes": "serving mode",
        "routings": "routing policy",
        "kv_caches": "KV cache layout",
        "tracks": "track",
        "profile_fields": "PerformanceProfile field",
        "instruments": "instrument",
    }
)


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate closest to ``word`` (case-insensitive, difflib), or None if none is close."""
    lowered = {c.lower(): c for c in candidates}
    if word.lower() in lowered:
        return lowered[word.lower()]
    close = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[close[0]] if close else None


def suggestion(word: str, candidates: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` for the closest candidate, or ``""``."""
    match = closest(word, candidates)
    return f"; did you mean {match!r}?" if match else ""


def unknown_name(kind: str, name: str, registries: Registries) -> str | None:
    """A message when ``name`` is not in registry ``kind`` (with a did-you-mean), else None."""
    known = registries.names(kind)
    if name in known:
        return None
    hint = suggestion(name, known)
    if not hint:
        hint = f" (known: {', '.join(known)})" if len(known) <= 12 else ""
    return f"unknown {KIND_NOUNS[kind]} {name!r}{hint}"


def _profile_fields() -> tuple[str, ...]:
    """Properties whose value is a pint quantity (comparable numbers) of the profiles a lab can
    show: ``PerformanceProfile`` (one node), ``FleetProfile`` (a step on a cluster) and
    ``FleetReport`` (the step and its run); each name once, in that order."""
    import mlsys
    from mlsys.fleet_report import FleetReport

    fields: dict[str, None] = {}
    for kind in (mlsys.PerformanceProfile, mlsys.FleetProfile, FleetReport):
        for name, member in vars(kind).items():
            if name.startswith("_") or not isinstance(member, property) or member.fget is None:
                continue
            try:
                returns = typing.get_type_hints(member.fget).get("return")
            except (NameError, TypeError):
                continue
            if returns is mlsys.Quantity:
                fields.setdefault(name)
    return tuple(fields)


def _runtimes() -> tuple[str, ...]:
    import mlsys

    seen: dict[str, None] = {}
    for name in mlsys.Systems.names(aliases=False):
        for runtime in mlsys.Systems.get(name).runtimes:
            seen.setdefault(runtime)
    return tuple(seen)


def plugin_instruments(
    project_plugins: Iterable[str] = (),
    root: Path | None = None,
    *,
    choice: PluginChoice | None = None,
    config: Any = None,
) -> tuple[Instrument, ...]:
    """Every instrument: the built-in ones and those added through the ``labgen_instruments``
    hook by installed plugins and by the project-local plugin modules ``project_plugins``
    (imported with the project ``root`` on ``sys.path``), as chosen by ``choice``
    (``--no-plugins``, ``-p no:NAME``; default: all). Plugins receive ``config`` first
    (``labgen_configure``) when it is given.

    Raises UsageError when a plugin cannot be imported, one of its hooks raises, or two plugins
    claim one id: specs cannot be judged without every instrument.
    """
    from labgen.plugins import PluginChoice, check_blocked, load_plugins

    choice = choice or PluginChoice()
    project_plugins = list(project_plugins)
    check_blocked(choice.blocked, project_plugins)
    try:
        plugins = load_plugins(entry_points=choice.enabled, blocked=choice.blocked)
    except UsageError:
        raise
    except Exception as error:  # a broken plugin must not surface as a traceback
        raise UsageError(f"cannot load labgen's plugins: {type(error).__name__}: {error}") from None
    if choice.enabled:
        for name in project_plugins:
            if name not in choice.blocked and plugins.manager.get_plugin(name) is None:
                plugins.register(_import_project_module(name, root), name, origin="project")
    if config is not None:
        plugins.configure(config)
    instruments = plugins.instruments
    plugins.raise_failures()
    ids = {instrument.id for instrument in instruments}
    return (*instruments, *(i for i in BUILTIN_INSTRUMENTS if i.id not in ids))


def _import_project_module(name: str, root: Path | None) -> Any:
    added = root is not None and str(root) not in sys.path
    if added:
        sys.path.insert(0, str(root))
    try:
        return importlib.import_module(name)
    except Exception as error:
        raise UsageError(
            f"plugin module {name!r} cannot be imported: {type(error).__name__}: {error}"
        ) from None
    finally:
        if added:
            sys.path.remove(str(root))


def build_registries(instruments: Iterable[Instrument] | None = None) -> Registries:
    """Read every registry from the installed mlsys and the instrument registry.

    ``instruments`` defaults to :func:`plugin_instruments` (built-ins and installed plugins);
    when two share an id, the first wins. mlsys (and pint's unit registry) is imported here,
    not with this module: a ``labgen validate`` whose results are all cached never needs it.
    """
    import mlsys
    from mlsys.constants import GRID_CARBON_INTENSITY
    from mlsys.fleet_constants import KV_CACHE_WASTE, PUE
    from mlsys.fleet_report import SERVING_MODES
    from mlsys.fleet_simulations import ServingFleet
    from mlsys.ledger import TRACKS

    found: dict[str, Instrument] = {}
    for instrument in plugin_instruments() if instruments is None else instruments:
        found.setdefault(instrument.id, instrument)
    keywords = tuple(inspect.signature(mlsys.Engine.solve).parameters)
    return Registries(
        models=mlsys.Models.names(),
        systems=mlsys.Systems.names(),
        precisions=tuple(mlsys.PRECISIONS),
        phases=tuple(mlsys.PHASES),
        runtimes=_runtimes(),
        fabrics=mlsys.Fabrics.names(aliases=False),
        regions=tuple(GRID_CARBON_INTENSITY),
        coolings=tuple(PUE),
        serving_modes=SERVING_MODES,
        routings=tuple(ServingFleet.ROUTING),
        kv_caches=tuple(KV_CACHE_WASTE),
        tracks=tuple(TRACKS),
        profile_fields=_profile_fields(),
        solve_keywords=keywords,
        instruments=MappingProxyType(found),
    )


def registries_for(
    config: Any = None, root: Path | None = None, choice: PluginChoice | None = None
) -> Registries:
    """The registries of a command run in the project at ``root`` with configuration
    ``config`` (None outside a project) and the plugins ``choice`` keeps: the project's plugin
    modules (``config.plugins``) and the installed plugins, configured with ``config``."""
    instruments = plugin_instruments(
        getattr(config, "plugins", ()), root, choice=choice, config=config
    )
    return build_registries(instruments)


@functools.cache
def default_registries() -> Registries:
    """The registries of the installed mlsys and labgen (computed once per process)."""
    return build_registries()
