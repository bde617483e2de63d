"""The client-side mutation limiter: sliding windows, a reserved priority lane."""

from __future__ import annotations

import asyncio

import pytest

from bot.statsig.limiter import DEFAULT_WINDOWS, MutationLimiter
from tests.statsig.helpers import FakeClock, Recorder, gate_json, make_client, ok


def _limiter(clock: FakeClock, windows: tuple[tuple[int, float], ...]) -> MutationLimiter:
    return MutationLimiter(windows, clock=clock, sleep=clock.sleep)


def test_defaults_are_statsigs_documented_limits() -> None:
    assert DEFAULT_WINDOWS == ((100, 10.0), (900, 900.0))
    assert MutationLimiter().windows == DEFAULT_WINDOWS


def test_rejects_nonsense_windows() -> None:
    with pytest.raises(ValueError, match="positive"):
        MutationLimiter(((0, 1.0),))


async def test_bulk_lane_keeps_headroom_and_never_exceeds_a_window() -> None:
    clock = FakeClock()
    limiter = _limiter(clock, ((20, 1.0),))
    admitted: list[float] = []
    for _ in range(60):
        await limiter.acquire()
        admitted.append(clock())
    # 10 % of 20 is reserved: 18 per second for bulk work.
    for start in admitted:
        assert sum(1 for t in admitted if start <= t < start + 1.0) <= 18
    assert admitted[17] == admitted[0]
    assert admitted[18] == pytest.approx(admitted[0] + 1.0)
    assert admitted[-1] - admitted[0] == pytest.approx(3.0)


async def test_the_longer_window_also_holds() -> None:
    clock = FakeClock()
    limiter = _limiter(clock, ((10, 1.0), (25, 60.0)))
    admitted: list[float] = []
    for _ in range(40):
        await limiter.acquire()
        admitted.append(clock())
    for start in admitted:
        assert sum(1 for t in admitted if start <= t < start + 60.0) <= 25 - 3
        assert sum(1 for t in admitted if start <= t < start + 1.0) <= 10 - 1


async def test_priority_uses_the_reserve_without_waiting() -> None:
    clock = FakeClock()
    limiter = _limiter(clock, ((20, 1.0),))
    for _ in range(18):
        await limiter.acquire()
    assert limiter.delay_for() == pytest.approx(1.0)
    assert limiter.delay_for(priority=True) == 0
    assert await limiter.acquire(priority=True) == 0
    assert await limiter.acquire(priority=True) == 0
    # The window is now full for everyone.
    assert limiter.delay_for(priority=True) == pytest.approx(1.0)


async def test_priority_jumps_the_queue_of_waiting_bulk_work() -> None:
    clock = FakeClock()
    release = asyncio.Event()
    requested: list[float] = []

    async def blocked_sleep(seconds: float) -> None:
        requested.append(seconds)
        await release.wait()

    limiter = MutationLimiter(((20, 1.0),), clock=clock, sleep=blocked_sleep)
    for _ in range(18):
        await limiter.acquire()
    admitted: list[str] = []

    async def bulk(name: str) -> None:
        await limiter.acquire()
        admitted.append(name)

    waiting_bulk = [asyncio.create_task(bulk(f"bulk{i}")) for i in range(5)]
    await asyncio.sleep(0)
    assert requested == [pytest.approx(1.0)]  # one bulk caller waits; the rest queue behind
    assert await asyncio.wait_for(limiter.acquire(priority=True), 5) == 0
    admitted.append("priority")
    clock.advance(1.0)
    release.set()
    await asyncio.wait_for(asyncio.gather(*waiting_bulk), 5)
    # The incident call went in while every bulk caller was still queued, then they all ran.
    assert admitted[0] == "priority"
    assert sorted(admitted[1:]) == [f"bulk{i}" for i in range(5)]


async def test_the_client_sends_mutations_through_the_limiter_and_reads_around_it() -> None:
    clock = FakeClock()
    limiter = _limiter(clock, ((3, 1.0),))  # reserve 1: two bulk mutations per second
    recorder = Recorder([ok(gate_json())])
    sent_at: list[float] = []
    recorder.on_request = lambda request: sent_at.append(clock())
    async with make_client(recorder, limiter=limiter) as client:
        for _ in range(3):
            await client.get_gate("g")
        for _ in range(4):
            await client.update_gate("g", {"description": "d"})
        await client.disable_gate("g", priority=True)
    assert sent_at[:3] == [1000.0] * 3  # reads are not limited
    assert sent_at[3:7] == [1000.0, 1000.0, 1001.0, 1001.0]
    assert sent_at[7] == 1001.0  # the incident lane had headroom left


async def test_a_slot_counts_until_a_period_after_its_answer() -> None:
    clock = FakeClock()
    limiter = _limiter(clock, ((2, 1.0),))  # reserve 1: one bulk mutation at a time
    async with limiter.slot():
        # In flight: the window stays occupied however long the answer takes.
        clock.advance(5.0)
        assert limiter.delay_for() == limiter.poll_interval
    finished = clock()
    assert limiter.delay_for() == pytest.approx(1.0)
    clock.advance(0.5)
    assert limiter.delay_for() == pytest.approx(0.5)
    await limiter.acquire()
    assert clock() == pytest.approx(finished + 1.0)
