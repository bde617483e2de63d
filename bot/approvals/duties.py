"""The workflow's background duties: expire and recover requests, watch Statsig reviews.

:meth:`~bot.approvals.workflow.ApprovalWorkflow.sweep` and
:meth:`~bot.approvals.workflow.ApprovalWorkflow.watch_reviews_once` are idempotent and safe
on any number of replicas, but something has to call them. :func:`run_duties` does, every
``interval`` seconds, until ``stop`` is set. It never raises: a failing round (Redis or
Statsig down, or a bug) is logged in one line and retried with exponential backoff, capped
at ``max_backoff``, so an outage does not turn into a tight loop of errors; the first good
round after failures logs that the duties recovered. ``extra`` duties (the timed kills'
reminders, which need the door above this layer) run in the same rounds.

Usage (a process that serves people, e.g. the shell or ``serve``)::

    duties = BackgroundDuties(workflow)          # first round at once, then every 15 s
    try:
        ...
    finally:
        await duties.stop()

or, owning the task yourself::

    stop = asyncio.Event()
    task = asyncio.create_task(run_duties(workflow, stop=stop))
    ...
    stop.set(); await task
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol

__all__ = [
    "BackgroundDuties",
    "Duty",
    "DutiesWorkflow",
    "Wait",
    "next_delay",
    "run_duties",
    "wait_or_stop",
]

log = logging.getLogger(__name__)

Wait = Callable[[asyncio.Event, float], Awaitable[None]]
"""Wait up to ``seconds`` or until the event is set (tests inject one that does not sleep)."""


class DutiesWorkflow(Protocol):
    """What the duties call (:class:`~bot.approvals.workflow.ApprovalWorkflow` fits)."""

    async def sweep(self) -> Any: ...

    async def watch_reviews_once(self) -> int: ...


async def wait_or_stop(stop: asyncio.Event, seconds: float) -> None:
    """Sleep ``seconds``, waking early when ``stop`` is set."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=max(0.0, seconds))


def next_delay(interval: float, failures: int, max_backoff: float) -> float:
    """``interval`` when healthy; doubled per consecutive failed round, up to ``max_backoff``."""
    if failures <= 0:
        return interval
    return float(min(max_backoff, interval * 2.0**failures))


Duty = Callable[[], Awaitable[Any]]
"""One more idempotent duty a round runs (the timed kills' reminders, from the door)."""


async def _round(workflow: DutiesWorkflow, extra: Sequence[Duty] = ()) -> list[str]:
    """One sweep, one review poll and the extra duties; what went wrong, in words (empty:
    all good)."""
    problems: list[str] = []
    for duty in extra:
        try:
            await duty()
        except Exception as exc:
            problems.append(f"{getattr(duty, '__name__', 'a duty')} raised {type(exc).__name__}")
    try:
        report = await workflow.sweep()
        problems += [f"sweep: {e}" for e in getattr(report, "errors", None) or ()]
    except Exception as exc:  # a duty must never take the process down
        problems.append(f"sweep raised {type(exc).__name__}")
    try:
        await workflow.watch_reviews_once()
    except Exception as exc:
        problems.append(f"review watch raised {type(exc).__name__}")
    return problems


async def run_duties(
    workflow: DutiesWorkflow,
    *,
    interval: float = 15.0,
    stop: asyncio.Event,
    clock: Callable[[], float] = time.monotonic,
    max_backoff: float = 300.0,
    wait: Wait = wait_or_stop,
    extra: Sequence[Duty] = (),
) -> None:
    """Run both duties every ``interval`` seconds until ``stop`` is set; never raises.

    Healthy rounds start ``interval`` apart (a slow round shortens the pause after it, as
    measured by ``clock``); after a failed round the pause doubles, up to ``max_backoff``.
    """
    failures = 0
    while not stop.is_set():
        started = clock()
        problems = await _round(workflow, extra)
        if problems:
            failures += 1
            delay = next_delay(interval, failures, max_backoff)
            log.warning(
                "approval duties failed (%s in a row): %s; next try in %.0fs",
                failures,
                "; ".join(problems),
                delay,
            )
        else:
            if failures:
                log.info("approval duties recovered after %s failed round(s)", failures)
            failures = 0
            delay = interval - (clock() - started)
        await wait(stop, max(0.0, delay))


class BackgroundDuties:
    """:func:`run_duties` as a task of the running loop, started at once; ``stop()`` ends it."""

    def __init__(
        self,
        workflow: DutiesWorkflow,
        *,
        interval: float = 15.0,
        clock: Callable[[], float] = time.monotonic,
        extra: Sequence[Duty] = (),
    ) -> None:
        self._stop = asyncio.Event()
        self._task = asyncio.create_task(
            run_duties(workflow, interval=interval, stop=self._stop, clock=clock, extra=extra),
            name="approval-duties",
        )

    @property
    def running(self) -> bool:
        return not self._task.done()

    async def stop(self, *, timeout: float = 5.0) -> None:
        """Ask the loop to end; a round stuck longer than ``timeout`` is cancelled."""
        self._stop.set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._task, timeout)
