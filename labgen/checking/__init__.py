"""The check framework behind ``labgen check``.

Modules: ``check`` (the Check base class), ``context``/``cells``/``names`` (shared metadata),
``analysis`` (one file), ``runner`` (many files: cache, processes, fixes), ``noqa``,
``selection``, ``settings``, ``fixes``, ``reporters``, ``testing`` (run a check's examples).
Importing this package is cheap; ``Check`` and friends load LibCST when first used.
"""

from __future__ import annotations

__all__ = ["Check", "Diagnostic", "Example", "Fix", "Invalid", "Valid"]


def __getattr__(name: str) -> object:
    if name == "Check":
        from labgen.checking.check import Check

        return Check
    if name in ("Diagnostic", "Fix"):
        from labgen.checking import diagnostics

        return getattr(diagnostics, name)
    if name in ("Example", "Invalid", "Valid"):
        from labgen.checking import examples

        return getattr(examples, name)
    raise AttributeError(f"module 'labgen.checking' has no attribute {name!r}")
