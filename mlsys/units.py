"""The one unit registry of mlsys, and the units every module shares.

Counting conventions (one place for all of mlsys):
- ``FLOP`` counts floating-point or integer operations, 2 per multiply-accumulate (MAC), whatever
  the number format: torchvision's "4.09 GFLOPS" for ResNet-50 are MACs, i.e. 8.2 GFLOP here.
- ``byte`` is 8 bits; prefixes are decimal (GB = 1e9 byte) and GiB is binary.
- ``sample`` is one inference input (an image, a sequence); ``token`` is one generated token, and
  one decode step of a batch of b sequences produces b tokens, so ``token`` equals ``sample``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pint

#: Environment variable naming the folder that keeps pint's parsed unit definitions ("" turns
#: the cache off). Default: ``$XDG_CACHE_HOME/mlsys`` (else ``~/.cache/mlsys``).
UNITS_CACHE_VARIABLE = "MLSYS_UNITS_CACHE"


def _units_cache() -> Path | None:
    chosen = os.environ.get(UNITS_CACHE_VARIABLE)
    if chosen is not None:
        return Path(chosen) if chosen else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "mlsys"


def _unit_registry(cache: Path | None) -> pint.UnitRegistry:
    """pint's registry with its default definitions, parsed once per machine: parsing them
    takes most of the time ``import mlsys`` costs (about 0.25 s of 0.3 s), reading pint's own
    parse cache a tenth of it. The cache of a pint version is written whole into a private
    folder and renamed into place, so a process never reads a cache another is still writing;
    any failure (no home, a read-only disk, a damaged file) falls back to parsing."""
    if cache is None:
        return pint.UnitRegistry()
    ready = cache / f"pint-{pint.__version__}"
    try:
        if ready.is_dir():
            registry = pint.UnitRegistry(cache_folder=ready)
        else:
            cache.mkdir(parents=True, exist_ok=True)
            private = Path(tempfile.mkdtemp(prefix=".pint-", dir=cache))
            try:
                registry = pint.UnitRegistry(cache_folder=private)
                with contextlib.suppress(OSError):  # another process renamed its copy first
                    private.rename(ready)  # atomic
            finally:
                shutil.rmtree(private, ignore_errors=True)
    except Exception:
        return pint.UnitRegistry()
    # Built: later definitions are parsed as a plain registry parses them, never cached.
    registry._diskcache = None
    registry._def_parser._diskcache = None
    return registry


ureg = _unit_registry(_units_cache())
ureg.define("FLOP = [computation] = flop")
ureg.define("sample = [sample] = samples")
ureg.define("token = sample = tokens")
ureg.define("USD = [currency] = dollar")
ureg.define("gCO2 = [carbon_mass] = gCO2e")
pint.set_application_registry(ureg)


def _memoize_unit_parsing(registry: pint.UnitRegistry) -> None:
    """Parse each units expression ("ms", "token/second", "GB") once per process, and learn
    once whether each unit is multiplicative (what every conversion asks).

    pint caches only bare unit names; every other expression (and every prefixed name) is parsed
    again at each ``Quantity(x, "ms")`` and ``.to("GB/s")``, about 30 us each, tens of thousands
    of times in one ``labgen validate``. The parsed container is immutable and depends only on
    the expression and the registry's definitions, so the cache is emptied when a unit is
    defined and bypassed while a context is active (contexts can redefine units)."""
    parse = registry._parse_units_as_container
    is_multiplicative = registry._is_multiplicative
    define = registry.define
    cache: dict[tuple[str, bool, bool], Any] = {}
    multiplicative: dict[str, bool] = {}

    def parse_units_as_container(
        input_string: str, as_delta: bool = True, case_sensitive: bool = True
    ) -> Any:
        if registry._active_ctx.contexts:
            return parse(input_string, as_delta, case_sensitive)
        key = (input_string, as_delta, case_sensitive)
        found = cache.get(key)
        if found is None:
            found = cache[key] = parse(input_string, as_delta, case_sensitive)
        return found

    def is_multiplicative_once(unit_name: str) -> bool:
        # Asked of every unit at every conversion; a prefixed name ("millisecond") is parsed
        # again each time by pint.
        if registry._active_ctx.contexts:
            return is_multiplicative(unit_name)
        found = multiplicative.get(unit_name)
        if found is None:
            found = multiplicative[unit_name] = is_multiplicative(unit_name)
        return found

    def define_and_forget(definition: Any) -> Any:
        cache.clear()
        multiplicative.clear()
        return define(definition)

    registry._parse_units_as_container = parse_units_as_container  # type: ignore[method-assign]
    registry._is_multiplicative = is_multiplicative_once  # type: ignore[method-assign]
    registry.define = define_and_forget  # type: ignore[method-assign]


_memoize_unit_parsing(ureg)

Quantity = ureg.Quantity

# Pre-parsed units: the engine computes in floats of these base units and wraps at the boundary.
SECOND = ureg.Unit("second")
MILLISECOND = ureg.Unit("millisecond")
BYTE = ureg.Unit("byte")
FLOP_UNIT = ureg.Unit("FLOP")
FLOP_PER_SECOND = ureg.Unit("FLOP / second")
BYTE_PER_SECOND = ureg.Unit("byte / second")
FLOP_PER_BYTE = ureg.Unit("FLOP / byte")
SAMPLE_PER_SECOND = ureg.Unit("sample / second")
TOKEN_PER_SECOND = ureg.Unit("token / second")
JOULE = ureg.Unit("joule")
WATT = ureg.Unit("watt")
HERTZ = ureg.Unit("hertz")
DIMENSIONLESS = ureg.Unit("dimensionless")
SAMPLE = ureg.Unit("sample")
TOKEN = ureg.Unit("token")
