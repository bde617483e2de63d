"""Who hears that a Console API call is being retried, while it still is.

A kill during an incident is exactly when Statsig may answer 503 or 429 for a while; the
client retries the disable within its budget (it is idempotent), and the people waiting
must hear "still trying" instead of silence. The retry loop runs deep under the action and
the workflow, so the listener travels in a :class:`~contextvars.ContextVar`: the surface
sets one around the call it makes, every retry in that task (and only that task) reaches it,
and nothing in between needs a parameter for it.

Usage::

    with listening(lambda notice: print(notice.reason, notice.attempt)):
        await ops.commit(proposal, ctx)        # each retry below calls the lambda

    with counting() as retries:                # the kill checks whether it had to retry
        await client.disable_gate(gate_id)
    if retries.count: ...
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass

from bot.statsig.errors import ConsoleError, RateLimited, ServerError, Timeout, Unreachable

__all__ = ["RetryCount", "RetryNotice", "counting", "listening", "reason_of", "retrying"]


@dataclass(frozen=True, slots=True)
class RetryNotice:
    """One retry about to happen: which call, which attempt failed, why, and the wait."""

    call: str
    attempt: int
    reason: str
    wait_s: float


Listener = Callable[[RetryNotice], None]
_LISTENER: ContextVar[Listener | None] = ContextVar("statsig_retry_listener", default=None)


def reason_of(error: ConsoleError) -> str:
    """Why an attempt failed, in words for the people waiting (never a secret)."""
    if isinstance(error, RateLimited):
        return "Statsig is rate-limiting the bot (HTTP 429)"
    if isinstance(error, ServerError):
        return f"Statsig answered {error.status}" if error.status else "the connection broke"
    if isinstance(error, Timeout):
        return "Statsig did not answer in time"
    if isinstance(error, Unreachable):
        return "Statsig could not be reached"
    return type(error).__name__


def retrying(notice: RetryNotice) -> None:
    """Tell this task's listener (if any); a listener's failure never stops the retry."""
    listener = _LISTENER.get()
    if listener is not None:
        with contextlib.suppress(Exception):
            listener(notice)


@contextlib.contextmanager
def listening(listener: Listener) -> Iterator[None]:
    """Send this task's retry notices to ``listener`` too (outer listeners still hear)."""
    outer = _LISTENER.get()

    def both(notice: RetryNotice) -> None:
        listener(notice)
        if outer is not None:
            outer(notice)

    token = _LISTENER.set(both)
    try:
        yield
    finally:
        _LISTENER.reset(token)


@dataclass
class RetryCount:
    count: int = 0


@contextlib.contextmanager
def counting() -> Iterator[RetryCount]:
    """Count the retries of the calls made inside the block."""
    seen = RetryCount()

    def count(_: RetryNotice) -> None:
        seen.count += 1

    with listening(count):
        yield seen
