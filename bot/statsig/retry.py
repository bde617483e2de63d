"""When to try a Console API call again, and how long to wait first.

The rules, in one place:

* a request that never left the machine (connect error, connect/pool timeout) may always be
  sent again: Statsig never saw it;
* reads and the idempotent PUTs (enable, disable, launch, archive, unarchive) are retried
  on 429, 502, 503, 504, dropped connections and timeouts;
* every other mutation (POST, PATCH, DELETE, other PUTs) is **never** sent twice once it may
  have reached Statsig: a read timeout there could mean "applied, answer lost";
* the wait is exponential backoff with full jitter (``uniform(0, min(cap, base * 2**n))``),
  or exactly Statsig's ``Retry-After`` when it sent one;
* all attempts of one call fit in a total time budget; a wait that would overrun the budget
  is not taken and the last error is raised instead;
* each retry is told to whoever listens in this task (:mod:`bot.statsig.progress`), so the
  people waiting on a kill hear "still trying" instead of silence.

The loop itself is :mod:`stamina`'s (so ``stamina.set_testing(True)`` makes every wait
instant and ``stamina.set_active(False)`` turns retries off); this module supplies the
decision it asks for through a backoff hook.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

import stamina

from bot.statsig.errors import ConsoleError, RateLimited, ServerError, Timeout, Unreachable
from bot.statsig.progress import RetryNotice, reason_of, retrying

__all__ = ["RETRY_STATUSES", "RetryPolicy", "call_with_retries"]

RETRY_STATUSES = frozenset({429, 502, 503, 504})

_log = logging.getLogger("bot.statsig")
T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """Retry tuning. ``budget`` <= 0 disables retries; ``clock``/``random`` are injectable."""

    budget: float = 10.0
    base: float = 0.25
    cap: float = 4.0
    max_attempts: int = 10
    clock: Callable[[], float] = field(default=time.monotonic, compare=False)
    random: Callable[[], float] = field(default=random.random, compare=False)

    def is_retryable(self, error: ConsoleError, *, idempotent: bool) -> bool:
        """Whether sending the same request again is both safe and worth it."""
        if isinstance(error, Unreachable):
            return True
        if isinstance(error, Timeout) and not error.may_have_applied:
            return True
        if not idempotent:
            return False
        if isinstance(error, RateLimited | Timeout):
            return True
        return isinstance(error, ServerError) and (
            error.status is None or error.status in RETRY_STATUSES
        )

    def wait_before_retry(
        self, error: ConsoleError, *, idempotent: bool, attempt: int, elapsed: float
    ) -> float | None:
        """Seconds to wait before attempt ``attempt + 1``, or ``None`` to give up."""
        if attempt >= self.max_attempts or not self.is_retryable(error, idempotent=idempotent):
            return None
        if isinstance(error, RateLimited) and error.retry_after is not None:
            wait = max(0.0, error.retry_after)
        else:
            wait = self.random() * min(self.cap, self.base * 2 ** (attempt - 1))
        if elapsed + wait > self.budget:
            return None
        return wait


async def call_with_retries(
    attempt: Callable[[], Awaitable[T]],
    *,
    policy: RetryPolicy,
    idempotent: bool,
    what: str,
) -> T:
    """Run ``attempt`` until it succeeds or ``policy`` says stop; re-raises the last error."""
    if policy.budget <= 0:
        return await attempt()
    started = policy.clock()
    attempts = 0

    def backoff_hook(exc: Exception) -> bool | float:
        nonlocal attempts
        attempts += 1
        if not isinstance(exc, ConsoleError):
            return False
        wait = policy.wait_before_retry(
            exc, idempotent=idempotent, attempt=attempts, elapsed=policy.clock() - started
        )
        if wait is None:
            return False
        retrying(RetryNotice(what, attempts, reason_of(exc), wait))
        _log.warning(
            "retrying statsig call",
            extra={
                "call": what,
                "attempt": attempts,
                "retry_wait_s": round(wait, 3),
                "error": type(exc).__name__,
                "status": exc.status,
            },
        )
        return wait

    async for try_ in stamina.retry_context(on=backoff_hook, attempts=None, timeout=None):
        with try_:
            return await attempt()
    raise AssertionError("stamina stopped without a result or an error")  # pragma: no cover
