"""What labgen asks of a plugin: the shape of rule codes and names, the prefix kept for
labgen's own rules, and hook names that exist (docs/writing-checks.md)."""

from __future__ import annotations

import difflib
import re
from typing import Any

from labgen import hookspecs

#: A rule code: letters then digits (``NOP001``).
CODE_PATTERN = re.compile(r"^[A-Z]+[0-9]+$")
#: A rule name: kebab-case (``no-print``).
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
#: The rule-code prefix labgen keeps for its own checks (docs/writing-checks.md, "Rule codes").
RESERVED_PREFIX = "LAB"


def code_policy(check: Any, *, builtin: bool) -> str | None:
    """Why a plugin's check may not have its code, or None: ``LAB`` codes are labgen's."""
    if builtin or not check.code.startswith(RESERVED_PREFIX):
        return None
    return (
        f"{check.__qualname__}.code {check.code!r} uses the {RESERVED_PREFIX} prefix, which "
        "is labgen's own; give the plugin's rules a prefix of their own, such as NOP001"
    )


def check_problem(check: object, base: type) -> str | None:
    """Why ``check`` cannot be a labgen check, or None."""
    if not (isinstance(check, type) and issubclass(check, base)):
        return f"{check!r} is not a subclass of labgen.Check"
    label = check.__qualname__
    if not CODE_PATTERN.match(check.code or ""):
        return f"{label}.code {check.code!r} must be letters then digits, such as DEMO001"
    if not NAME_PATTERN.match(check.name or ""):
        return f"{label}.name {check.name!r} must be kebab-case, such as no-todo"
    if not (check.__doc__ or "").strip():
        return f"{label} has no docstring (the rule's documentation)"
    return None


def misspelt_hooks(plugin: object, name: str) -> list[str]:
    """Warnings for what in ``plugin`` looks meant as a labgen hook but is not one: a
    ``labgen_*`` function that names no hook (``labgen_check``), or a hook function that
    lacks ``@hookimpl`` (pluggy ignores both without a word)."""
    hooks = [n for n in dir(hookspecs) if n.startswith("labgen_")]
    found = []
    for attribute in sorted(dir(plugin)):
        if not attribute.startswith("labgen_") or not callable(getattr(plugin, attribute, None)):
            continue
        marked = hasattr(getattr(plugin, attribute), f"{hookspecs.PROJECT_NAME}_impl")
        if attribute not in hooks:
            close = difflib.get_close_matches(attribute, hooks, n=1)
            hint = f"; did you mean {close[0]}?" if close else ""
            found.append(f"plugin {name!r}: {attribute} is not a labgen hook{hint}")
        elif not marked:
            found.append(f"plugin {name!r}: {attribute} lacks @hookimpl, so labgen never calls it")
    return found
