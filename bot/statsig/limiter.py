"""Client-side limiter that keeps mutations under Statsig's per-project quota.

Statsig documents ~100 mutations per 10 s and ~900 per 15 min per project, and rejected
attempts count toward the quota, so hitting 429 and retrying makes things worse. The
limiter keeps a log of admitted mutations and checks every sliding window before letting
one more through.

A mutation occupies its place in a window from the moment it is admitted until ``period``
seconds after its answer arrived (``async with limiter.slot():``). Statsig counts it when
it *arrives*, which is somewhere in between, so the client never counts fewer requests in
any window than the server does, however uneven network latency is.

Two lanes share the windows:

* the **bulk** lane (normal changes) may use the window only up to ``limit - reserve``,
  and its callers queue in order behind one lock;
* the **priority** lane (incident disables) skips that queue and may use the reserved
  headroom, so a kill issued in the middle of a bulk job goes out at once.

Usage::

    limiter = MutationLimiter()                       # the documented limits
    limiter = MutationLimiter(((20, 1.0),), clock=fake.now, sleep=fake.sleep)
    async with limiter.slot(priority=True):
        ...                                           # send the request
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass

__all__ = ["DEFAULT_WINDOWS", "MutationLimiter", "Window"]

Window = tuple[int, float]
"""``(max_requests, seconds)``: at most that many mutations in any such interval."""

DEFAULT_WINDOWS: tuple[Window, ...] = ((100, 10.0), (900, 900.0))

_log = logging.getLogger("bot.statsig")


@dataclass
class _Slot:
    admitted: float
    finished: float | None = None  # None while the request is in flight


class MutationLimiter:
    """Sliding-window limiter with a priority lane; clock and sleep are injectable."""

    poll_interval = 0.02
    """How often a caller blocked only by in-flight requests looks again."""

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
        self._slots: list[_Slot] = []
        self._bulk_queue = asyncio.Lock()

    @property
    def windows(self) -> tuple[Window, ...]:
        return tuple(self._windows)

    @contextlib.asynccontextmanager
    async def slot(self, *, priority: bool = False) -> AsyncIterator[None]:
        """Hold a place for one mutation while it is sent and answered."""
        taken = await self._admit(priority)
        try:
            yield
        finally:
            taken.finished = self._clock()

    async def acquire(self, *, priority: bool = False) -> float:
        """Take a place for a mutation that counts from now; returns the seconds waited."""
        started = self._clock()
        taken = await self._admit(priority)
        taken.finished = taken.admitted
        return taken.admitted - started

    def delay_for(self, *, priority: bool = False) -> float:
        """Seconds until a mutation in this lane could go out (0 when it could now)."""
        now = self._clock()
        self._forget(now)
        delay = 0.0
        for window in self._windows:
            limit, period = window
            allowed = limit if priority else limit - self._reserve[window]
            frees_at = sorted(
                math.inf if s.finished is None else s.finished + period
                for s in self._slots
                if s.finished is None or s.finished + period > now
            )
            if len(frees_at) >= allowed:
                # The place frees when the entry that keeps us at the cap leaves the window.
                blocking = frees_at[len(frees_at) - allowed]
                wait = self.poll_interval if blocking == math.inf else blocking - now
                delay = max(delay, wait)
        return delay

    async def _admit(self, priority: bool) -> _Slot:
        started = self._clock()
        if priority:
            taken = await self._take(priority=True)
        else:
            async with self._bulk_queue:
                taken = await self._take(priority=False)
        waited = taken.admitted - started
        if waited > 0:
            _log.info(
                "statsig mutation delayed by the client rate limiter",
                extra={"limiter_wait_s": round(waited, 3), "priority": priority},
            )
        return taken

    async def _take(self, *, priority: bool) -> _Slot:
        while True:
            delay = self.delay_for(priority=priority)
            if delay <= 0:
                taken = _Slot(admitted=self._clock())
                self._slots.append(taken)
                return taken
            await self._sleep(delay)

    def _forget(self, now: float) -> None:
        longest = self._windows[-1][1]
        self._slots = [s for s in self._slots if s.finished is None or s.finished + longest > now]
