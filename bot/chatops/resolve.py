"""Entity name resolution with "did you mean" suggestions.

The parser only checks that a name *could* be a Statsig ID; whether ``chekout_v2`` exists is
answered here, against the list of names Statsig has. The lists are cached per kind for
``ttl`` seconds so that a burst of commands costs one listing, and concurrent lookups of the
same kind share one fetch. Errors from ``list_names`` (an outage) propagate unchanged and
are not cached.

>>> resolver = EntityResolver(list_names)              # doctest: +SKIP
>>> await resolver.resolve("gate", "Checkout_V2")      # doctest: +SKIP
Resolved(kind='gate', name='checkout_v2', exact=False)
"""

from __future__ import annotations

import asyncio
import difflib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.ops.commands.text import shown
from bot.ops.model.plans import EntityKind

__all__ = ["MAX_SUGGESTIONS", "EntityResolver", "Resolved", "Unknown"]

MAX_SUGGESTIONS = 5


@dataclass(frozen=True, slots=True)
class Resolved:
    """The name as Statsig spells it; ``exact`` is False when only the case differed."""

    kind: EntityKind
    name: str
    exact: bool = True


@dataclass(frozen=True, slots=True)
class Unknown:
    """No such entity (or several differing only in case); ``suggestions`` are the closest."""

    kind: EntityKind
    name: str
    suggestions: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        """``Error: no gate named `chekout`. Did you mean `checkout_v2`?``"""
        text = f"Error: no {self.kind} named `{shown(self.name)}`."
        if self.suggestions:
            names = [f"`{s}`" for s in self.suggestions]
            either = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
            text += f" Did you mean {either}?"
        return text


@dataclass(slots=True)
class _Cached:
    names: list[str]
    by_lower: dict[str, list[str]]
    fetched_at: float


class EntityResolver:
    """Resolves names of gates, configs, experiments and segments against Statsig's lists.

    ``list_names(kind)`` returns every name of that kind (for example by paging through
    ``ConsoleClient.iter_gates``). ``clock`` is injectable so tests control expiry.
    """

    def __init__(
        self,
        list_names: Callable[[EntityKind], Awaitable[list[str]]],
        *,
        ttl: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._list_names = list_names
        self._ttl = ttl
        self._clock = clock
        self._cache: dict[EntityKind, _Cached] = {}
        self._locks: dict[EntityKind, asyncio.Lock] = {}

    async def resolve(self, kind: EntityKind, name: str) -> Resolved | Unknown:
        """Exact match first, then a unique case-insensitive one; otherwise suggestions."""
        cached = await self._names(kind)
        if name in cached.by_lower.get(name.lower(), ()):
            return Resolved(kind, name)
        same_case = cached.by_lower.get(name.lower(), [])
        if len(same_case) == 1:
            return Resolved(kind, same_case[0], exact=False)
        if same_case:  # "Foo" and "foo" both exist: refuse to guess
            return Unknown(kind, name, sorted(same_case)[:MAX_SUGGESTIONS])
        return Unknown(kind, name, self._suggest(name, cached))

    async def names(self, kind: EntityKind) -> list[str]:
        """Every name of ``kind`` as Statsig spells it (the cached listing)."""
        return list((await self._names(kind)).names)

    def invalidate(self, kind: EntityKind | None = None) -> None:
        """Forget cached names (after the bot itself created or archived something)."""
        if kind is None:
            self._cache.clear()
        else:
            self._cache.pop(kind, None)

    async def _names(self, kind: EntityKind) -> _Cached:
        cached = self._cache.get(kind)
        if cached is not None and self._clock() - cached.fetched_at < self._ttl:
            return cached
        lock = self._locks.setdefault(kind, asyncio.Lock())
        async with lock:
            cached = self._cache.get(kind)  # another task may have fetched while we waited
            if cached is not None and self._clock() - cached.fetched_at < self._ttl:
                return cached
            names = list(await self._list_names(kind))
            by_lower: dict[str, list[str]] = {}
            for item in names:
                by_lower.setdefault(item.lower(), []).append(item)
            cached = _Cached(names, by_lower, self._clock())
            self._cache[kind] = cached
            return cached

    @staticmethod
    def _suggest(name: str, cached: _Cached) -> list[str]:
        """difflib's closest names, then names containing what was typed, at most five."""
        query = name.lower()[:100]
        close = difflib.get_close_matches(query, list(cached.by_lower), MAX_SUGGESTIONS, 0.6)
        if len(close) < MAX_SUGGESTIONS and len(query) >= 3:
            containing = sorted((k for k in cached.by_lower if query in k), key=len)
            close += [k for k in containing if k not in close]
        out: list[str] = []
        for key in close:
            out.extend(n for n in cached.by_lower[key] if n not in out)
        return out[:MAX_SUGGESTIONS]
