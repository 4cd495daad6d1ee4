"""Which rules run on which file: ``select``/``ignore``/``extend-select`` and per-file ignores.

Selectors are ``ALL``, a rule code or code prefix (``LAB``, ``LAB00``, ``LAB005``) or a rule
name (``math-peek``). When selectors disagree about a rule, the most specific one wins (a full
code beats a prefix, a longer prefix beats a shorter one, anything beats ``ALL``); on a tie,
ignoring wins. This is how ruff resolves ``--select LAB --ignore LAB005``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

from labgen.checking.diagnostics import INTERNAL_ERROR, SYNTAX_ERROR
from labgen.checking.settings import CheckSettings
from labgen.errors import UsageError

#: Reported whatever the selection: a file that cannot be read or checked is never "clean".
ALWAYS_ON = frozenset({SYNTAX_ERROR[0], INTERNAL_ERROR[0]})


def _specificity(selector: str, code: str, name: str) -> int:
    """How precisely ``selector`` names the rule (-1: it does not)."""
    if selector == "ALL":
        return 0
    if selector == name:
        return len(code)
    if code.startswith(selector):
        return len(selector)
    return -1


class RuleSelection:
    """The resolved selection of one run, given every registered rule (code -> name)."""

    def __init__(self, rules: Mapping[str, str], settings: CheckSettings) -> None:
        self.rules = dict(rules)
        for option, selectors in (
            ("select", settings.select),
            ("ignore", settings.ignore),
            ("extend-select", settings.extend_select),
        ):
            self._validate(option, selectors)
        for glob, selectors in settings.per_file_ignores.items():
            self._validate(f"per-file-ignores[{glob!r}]", selectors)
        self.enabled = frozenset(
            code
            for code, name in self.rules.items()
            if self._decide(
                code, name, [*settings.select, *settings.extend_select], settings.ignore
            )
        ) | (ALWAYS_ON & set(self.rules))
        self._per_file = [
            (_glob_regex(glob), glob, frozenset(self._matching(selectors)))
            for glob, selectors in settings.per_file_ignores.items()
        ]

    def for_file(self, relpath: str) -> frozenset[str]:
        """The codes that run on the file at ``relpath`` (relative to the project root)."""
        dropped: set[str] = set()
        name = relpath.rsplit("/", 1)[-1]
        for regex, glob, codes in self._per_file:
            target = relpath if "/" in glob else name
            if regex.fullmatch(target):
                dropped |= codes
        return self.enabled - (dropped - ALWAYS_ON)

    def _decide(self, code: str, name: str, chosen: Iterable[str], ignored: Iterable[str]) -> bool:
        best_on = max((_specificity(s, code, name) for s in chosen), default=-1)
        best_off = max((_specificity(s, code, name) for s in ignored), default=-1)
        return best_on >= 0 and best_on > best_off

    def _matching(self, selectors: Iterable[str]) -> set[str]:
        return {
            code
            for code, name in self.rules.items()
            if any(_specificity(s, code, name) >= 0 for s in selectors)
        }

    def _validate(self, option: str, selectors: Iterable[str]) -> None:
        for selector in selectors:
            if not any(_specificity(selector, c, n) >= 0 for c, n in self.rules.items()):
                raise UsageError(
                    f"{option}: {selector!r} matches no rule (see `labgen rule --all`)"
                )


@lru_cache(maxsize=256)
def _glob_regex(glob: str) -> re.Pattern[str]:
    """A regex for a path glob: ``*`` and ``?`` stay inside one folder, ``**`` spans folders."""
    out, i = [], 0
    while i < len(glob):
        char = glob[i]
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if glob.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            end = glob.find("]", i + 1)
            if end == -1:
                out.append(re.escape(char))
            else:
                out.append("[" + glob[i + 1 : end].replace("\\", "\\\\") + "]")
                i = end
        else:
            out.append(re.escape(char))
        i += 1
    return re.compile("".join(out))


def glob_matches(glob: str, relpath: str) -> bool:
    """Whether ``relpath`` (POSIX, relative) matches ``glob``; globs without ``/`` match names."""
    target = relpath if "/" in glob else relpath.rsplit("/", 1)[-1]
    return _glob_regex(glob).fullmatch(target) is not None
