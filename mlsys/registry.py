"""A small typed registry: attribute access for labs, ``names()``/``get()`` for tools."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


class Registry(Generic[T]):
    """Named entries reachable as attributes (``Systems.H100``) and by name (``get("H100")``).

    Aliases (such as the archetype ``Systems.Cloud``) resolve to the same entry object.
    """

    def __init__(self, kind: str, entries: dict[str, T], aliases: dict[str, str] | None = None):
        self._kind = kind
        self._entries = dict(entries)
        self._aliases = dict(aliases or {})
        for alias, target in self._aliases.items():
            if target not in self._entries:
                raise ValueError(f"{kind} alias {alias!r} points at unknown entry {target!r}")

    def __getattr__(self, name: str) -> T:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self.get(name)
        except KeyError as error:
            raise AttributeError(error.args[0]) from None

    def __dir__(self) -> list[str]:
        return [*super().__dir__(), *self.names()]

    def __iter__(self) -> Iterator[T]:
        return iter(self._entries.values())

    def __contains__(self, name: object) -> bool:
        return name in self._entries or name in self._aliases

    def names(self, *, aliases: bool = True) -> tuple[str, ...]:
        """All entry names in registration order, followed by the aliases (when asked)."""
        return (*self._entries, *(self._aliases if aliases else ()))

    def aliases(self) -> dict[str, str]:
        """Alias name -> entry name (e.g. ``Cloud`` -> ``H100``)."""
        return dict(self._aliases)

    def get(self, name: str) -> T:
        """The entry called ``name`` (or an alias of it); KeyError with a did-you-mean otherwise."""
        key = self._aliases.get(name, name)
        try:
            return self._entries[key]
        except KeyError:
            close = difflib.get_close_matches(name, self.names(), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise KeyError(f"unknown {self._kind} '{name}'{hint}") from None

    def __repr__(self) -> str:
        return f"<{self._kind} registry: {', '.join(self.names())}>"
