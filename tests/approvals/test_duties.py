"""The background duties: both run each round, failures back off and are logged, never raised."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from bot.approvals.duties import BackgroundDuties, next_delay, run_duties
from bot.approvals.results import SweepReport


class FakeWorkflow:
    """Counts calls; ``sweep_plan`` scripts each sweep: an exception, a report, or None (ok)."""

    def __init__(self, sweep_plan: list[Any] | None = None, *, watch_fails: int = 0) -> None:
        self.sweep_plan = list(sweep_plan or [])
        self.watch_fails = watch_fails
        self.sweeps = 0
        self.watches = 0
        self.called = asyncio.Event()

    async def sweep(self) -> SweepReport:
        self.sweeps += 1
        self.called.set()
        step = self.sweep_plan.pop(0) if self.sweep_plan else None
        if isinstance(step, BaseException):
            raise step
        return step if isinstance(step, SweepReport) else SweepReport()

    async def watch_reviews_once(self) -> int:
        self.watches += 1
        if self.watches <= self.watch_fails:
            raise ConnectionError("statsig down")
        return 0


class Waits:
    """A ``wait`` that never sleeps: records each delay, sets ``stop`` after ``rounds``."""

    def __init__(self, rounds: int) -> None:
        self.rounds = rounds
        self.delays: list[float] = []

    async def __call__(self, stop: asyncio.Event, seconds: float) -> None:
        self.delays.append(seconds)
        if len(self.delays) >= self.rounds:
            stop.set()


async def _run(workflow: FakeWorkflow, rounds: int, **kwargs: Any) -> Waits:
    waits = Waits(rounds)
    await run_duties(workflow, stop=asyncio.Event(), wait=waits, clock=lambda: 0.0, **kwargs)
    return waits


async def test_healthy_rounds_run_both_duties_every_interval() -> None:
    workflow = FakeWorkflow()
    waits = await _run(workflow, 3, interval=15.0)
    assert (workflow.sweeps, workflow.watches) == (3, 3)
    assert waits.delays == [15.0, 15.0, 15.0]


async def test_a_slow_round_shortens_the_pause_after_it() -> None:
    now = [100.0]

    class Slow(FakeWorkflow):
        async def sweep(self) -> SweepReport:
            now[0] += 4.0
            return await super().sweep()

    waits = Waits(2)
    await run_duties(Slow(), stop=asyncio.Event(), wait=waits, clock=lambda: now[0], interval=15)
    assert waits.delays == [11.0, 11.0]


async def test_failures_back_off_log_and_recover(caplog: pytest.LogCaptureFixture) -> None:
    errors = SweepReport(errors=["Redis unreachable: ConnectionError"])
    workflow = FakeWorkflow([RuntimeError("boom"), errors, None, None])
    with caplog.at_level(logging.INFO, logger="bot.approvals.duties"):
        waits = await _run(workflow, 4, interval=10.0)
    assert waits.delays == [20.0, 40.0, 10.0, 10.0]
    messages = [r.getMessage() for r in caplog.records]
    assert messages[0].startswith("approval duties failed (1 in a row): sweep raised RuntimeError")
    assert "sweep: Redis unreachable: ConnectionError" in messages[1]
    assert messages[2] == "approval duties recovered after 2 failed round(s)"
    assert workflow.watches == 4  # the review watch still ran while the sweep failed


async def test_review_watch_errors_count_too() -> None:
    waits = await _run(FakeWorkflow(watch_fails=1), 2, interval=10.0)
    assert waits.delays == [20.0, 10.0]


def test_backoff_is_capped() -> None:
    assert [next_delay(15.0, n, 100.0) for n in range(5)] == [15.0, 30.0, 60.0, 100.0, 100.0]


async def test_a_set_stop_runs_nothing() -> None:
    stop = asyncio.Event()
    stop.set()
    workflow = FakeWorkflow()
    await run_duties(workflow, stop=stop)
    assert workflow.sweeps == 0


async def test_background_duties_start_at_once_and_stop_promptly() -> None:
    workflow = FakeWorkflow()
    duties = BackgroundDuties(workflow, interval=3600.0)
    await asyncio.wait_for(workflow.called.wait(), 5)
    assert duties.running
    await duties.stop()
    assert not duties.running
    assert workflow.sweeps == 1


async def test_a_stuck_round_is_cancelled_on_stop() -> None:
    class Stuck(FakeWorkflow):
        async def sweep(self) -> SweepReport:
            self.called.set()
            await asyncio.Event().wait()
            raise AssertionError("unreachable")

    workflow = Stuck()
    duties = BackgroundDuties(workflow)
    await asyncio.wait_for(workflow.called.wait(), 5)
    await duties.stop(timeout=0.01)
    assert not duties.running
