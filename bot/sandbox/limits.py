"""Sliding-window rate limiting for the sandbox's optional enforcement of mutation quotas.

Statsig documents "~100 requests / 10 seconds and ~900 requests / 15 minutes, per project"
for mutations (NOTES §1.2) and, on the newer docs, that *rejected attempts also count toward
the quota*. Neither the 429 body nor ``Retry-After`` is documented; the sandbox sends
``Retry-After`` (whole seconds, rounded up) so clients that honour it can be tested::

    limiter = SlidingWindowLimiter(((100, 10.0), (900, 900.0)), clock=fake_clock)
    wait = limiter.attempt()   # None when allowed, else seconds until a slot frees up
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Sequence

__all__ = ["SlidingWindowLimiter"]


class SlidingWindowLimiter:
    """Allows at most ``limit`` attempts in any ``window`` seconds, for every window given."""

    def __init__(
        self,
        windows: Sequence[tuple[int, float]],
        *,
        clock: Callable[[], float] = time.monotonic,
        count_rejected: bool = True,
    ) -> None:
        if not windows:
            raise ValueError("at least one (limit, window_seconds) pair is required")
        self._windows = [(int(limit), float(seconds)) for limit, seconds in windows]
        self._clock = clock
        self._count_rejected = count_rejected
        self._longest = max(seconds for _, seconds in self._windows)
        self._attempts: deque[float] = deque()

    def attempt(self) -> float | None:
        """Record one attempt; ``None`` if allowed, else the seconds to wait before retrying."""
        now = self._clock()
        while self._attempts and self._attempts[0] <= now - self._longest:
            self._attempts.popleft()
        wait = self._wait_needed(now)
        if wait is None or self._count_rejected:
            self._attempts.append(now)
        return wait

    def _wait_needed(self, now: float) -> float | None:
        worst: float | None = None
        for limit, seconds in self._windows:
            in_window = [t for t in self._attempts if t > now - seconds]
            if len(in_window) < limit:
                continue
            # The attempt that must age out before one more fits in this window.
            oldest_blocking = in_window[len(in_window) - limit]
            wait = oldest_blocking + seconds - now
            worst = wait if worst is None else max(worst, wait)
        return worst
