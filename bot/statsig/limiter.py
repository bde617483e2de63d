"""Client-side limiter that keeps mutations under Statsig's per-project quota.

Statsig documents ~100 mutations per 10 s and ~900 per 15 min per project, and rejected
attempts count toward the quota, so hitting 429 and retrying makes things worse. The
limiter keeps a log of admitted mutations and checks every sliding window before letting
one more through.

Two lanes share the windows:

* the **bulk** lane (normal changes) may use the window only up to ``limit - reserve``,
  and its callers queue in order behind one lock;
* the **priority** lane (incident disables) skips that queue and may use the reserved
  headroom, so a kill issued in the middle of a bulk job goes out at once.

Usage::

    limiter = MutationLimiter()                       # the documented limits
    limiter = MutationLimiter(((20, 1.0),), clock=fake.now, sleep=fake.sleep)
    await limiter.acquire(priority=True)
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence

__all__ = ["DEFAULT_WINDOWS", "MutationLimiter", "Window"]

Window = tuple[int, float]
"""``(max_requests, seconds)``: at most that many mutations in any such interval."""

DEFAULT_WINDOWS: tuple[Window, ...] = ((100, 10.0), (900, 900.0))

_log = logging.getLogger("bot.statsig")


class MutationLimiter:
    """Sliding-window limiter with a priority lane; clock and sleep are injectable."""

    def __init__(
        self,
        windows: Sequence[Window] = DEFAULT_WINDOWS,
        *,
        reserve_fraction: float = 0.1,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if not windows or any(limit < 1 or period <= 0 for limit, period in windows):
            raise ValueError("every window needs a positive limit and period")
        self._windows = sorted(windows, key=lambda w: w[1])
        # Headroom only the priority lane may use; at least one slot when the limit allows.
        self._reserve = {
            window: min(window[0] - 1, max(1, math.ceil(window[0] * reserve_fraction)))
            for window in self._windows
        }
        self._clock = clock
        self._sleep = sleep
        self._admitted: deque[float] = deque()
        self._bulk_queue = asyncio.Lock()

    @property
    def windows(self) -> tuple[Window, ...]:
        return tuple(self._windows)

    async def acquire(self, *, priority: bool = False) -> float:
        """Wait for a slot and take it; returns the seconds spent waiting."""
        started = self._clock()
        if priority:
            await self._take(priority=True)
        else:
            async with self._bulk_queue:
                await self._take(priority=False)
        waited = self._clock() - started
        if waited > 0:
            _log.info(
                "statsig mutation delayed by the client rate limiter",
                extra={"limiter_wait_s": round(waited, 3), "priority": priority},
            )
        return waited

    def delay_for(self, *, priority: bool = False) -> float:
        """Seconds until a mutation in this lane could go out (0 when it could now)."""
        now = self._clock()
        self._forget_before(now - self._windows[-1][1])
        delay = 0.0
        for window in self._windows:
            limit, period = window
            allowed = limit if priority else limit - self._reserve[window]
            in_window = [t for t in self._admitted if t > now - period]
            if len(in_window) >= allowed:
                # The slot frees when the oldest entry that keeps us at the cap expires.
                oldest_blocking = in_window[len(in_window) - allowed]
                delay = max(delay, oldest_blocking + period - now)
        return delay

    async def _take(self, *, priority: bool) -> None:
        while True:
            delay = self.delay_for(priority=priority)
            if delay <= 0:
                self._admitted.append(self._clock())
                return
            await self._sleep(delay)

    def _forget_before(self, cutoff: float) -> None:
        while self._admitted and self._admitted[0] <= cutoff:
            self._admitted.popleft()
