"""A short-lived, in-process cache of gate names for type-ahead pickers.

Slack gives an ``external_select`` 3 seconds to get its options, and listing 10,000 gates
from Statsig takes longer than that. So the picker answers from this cache: fresh names
when we have them, stale names while one background refresh runs, and (only on a cold
start) waits at most ``fetch_timeout`` for the first listing, which then goes on in the
background. :meth:`GateNameCache.prefetch` starts that first listing at start-up.

Usage::

    names = GateNameCache(list_gate_names, ttl=60)
    await names.search("check")        # ['checkout', 'checkout_v2', 'new_checkout', ...]
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable

import structlog

__all__ = ["GateNameCache"]

_log = structlog.get_logger(__name__)


class GateNameCache:
    """Gate names, refreshed at most once per ``ttl`` seconds, searched in memory."""

    def __init__(
        self,
        list_names: Callable[[], Awaitable[list[str]]],
        *,
        ttl: float = 60.0,
        fetch_timeout: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._list_names = list_names
        self._ttl = ttl
        self._fetch_timeout = fetch_timeout
        self._clock = clock
        self._names: list[str] | None = None
        self._lowered: list[str] = []
        self._fetched_at = 0.0
        self._refresh: asyncio.Task[None] | None = None

    async def warm(self) -> None:
        """Fetch now and wait (tests); errors are logged and leave the cache as it was."""
        await self._start_refresh()

    def prefetch(self) -> None:
        """Start filling the cache in the background unless it is fresh; returns at once.

        ``serve`` calls this at start-up, so the first picker of the day finds names
        without start-up waiting for a listing of every gate.
        """
        if self._names is None or self._clock() - self._fetched_at >= self._ttl:
            self._start_refresh()

    async def search(self, query: str, limit: int = 100) -> list[str]:
        """Names starting with ``query`` first, then names containing it; at most ``limit``."""
        if self._names is None:
            task = self._start_refresh()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(task), self._fetch_timeout)
        elif self._clock() - self._fetched_at >= self._ttl:
            self._start_refresh()
        return self._match(query.strip().lower(), limit)

    async def aclose(self) -> None:
        """Cancel a refresh still running (shutdown)."""
        if self._refresh is not None and not self._refresh.done():
            self._refresh.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._refresh

    def _match(self, query: str, limit: int) -> list[str]:
        names = self._names or []
        if not query:
            return names[:limit]
        starts = [n for n, low in zip(names, self._lowered, strict=True) if low.startswith(query)]
        if len(starts) >= limit:
            return starts[:limit]
        contains = [
            n
            for n, low in zip(names, self._lowered, strict=True)
            if query in low and not low.startswith(query)
        ]
        return (starts + contains)[:limit]

    def _start_refresh(self) -> asyncio.Task[None]:
        if self._refresh is None or self._refresh.done():
            self._refresh = asyncio.create_task(self._fetch())
        return self._refresh

    async def _fetch(self) -> None:
        try:
            names = sorted(set(await self._list_names()), key=str.lower)
        except Exception as exc:  # an outage keeps the stale names; the picker still answers
            _log.warning("slack.gate_names.refresh_failed", error=type(exc).__name__)
            return
        self._names = names
        self._lowered = [n.lower() for n in names]
        self._fetched_at = self._clock()
