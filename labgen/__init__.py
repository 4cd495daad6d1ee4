"""labgen: turn chapter specs into the marimo labs of the Machine Learning Systems textbook."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("labgen")
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0.0.0+source"

__all__ = ["Check", "__version__", "hookimpl"]


def __getattr__(name: str) -> object:
    # ``from labgen import Check, hookimpl`` for plugin authors, imported on first use so that
    # ``labgen --help`` (and every command that does not check) never loads LibCST.
    if name == "Check":
        from labgen.checking.check import Check

        return Check
    if name == "hookimpl":
        from labgen.hookspecs import hookimpl

        return hookimpl
    raise AttributeError(f"module 'labgen' has no attribute {name!r}")
