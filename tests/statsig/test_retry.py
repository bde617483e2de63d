"""Which calls are retried, how long the client waits, and the total budget."""

from __future__ import annotations

import logging

import httpx
import pytest
import stamina

from bot.statsig.errors import (
    BadRequest,
    ConsoleError,
    RateLimited,
    ServerError,
    Timeout,
    Unreachable,
)
from bot.statsig.retry import RetryPolicy
from tests.statsig.helpers import FakeClock, Recorder, error, gate_json, make_client, ok


def _waits(caplog: pytest.LogCaptureFixture) -> list[float]:
    return [r.retry_wait_s for r in caplog.records if hasattr(r, "retry_wait_s")]


# --- the pure decision -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "idempotent", "expected"),
    [
        (RateLimited(), True, True),
        (RateLimited(), False, False),
        (ServerError(status=502), True, True),
        (ServerError(status=503), True, True),
        (ServerError(status=504), True, True),
        (ServerError(status=500), True, False),
        (ServerError(status=503), False, False),
        (Timeout(may_have_applied=False), False, True),
        (Timeout(may_have_applied=True), False, False),
        (Timeout(may_have_applied=True), True, True),
        (Unreachable(), False, True),
        (BadRequest("nope"), True, False),
    ],
)
def test_is_retryable(error: ConsoleError, idempotent: bool, expected: bool) -> None:
    assert RetryPolicy().is_retryable(error, idempotent=idempotent) is expected


def test_backoff_is_exponential_with_full_jitter() -> None:
    top = RetryPolicy(base=0.5, cap=3.0, budget=100, random=lambda: 0.999999)
    bottom = RetryPolicy(base=0.5, cap=3.0, budget=100, random=lambda: 0.0)
    ceilings = [
        top.wait_before_retry(ServerError(status=503), idempotent=True, attempt=n, elapsed=0)
        for n in range(1, 6)
    ]
    assert ceilings == pytest.approx([0.5, 1.0, 2.0, 3.0, 3.0], rel=1e-4)
    floor = bottom.wait_before_retry(RateLimited(), idempotent=True, attempt=3, elapsed=0)
    assert floor == 0.0


def test_retry_after_is_used_as_the_wait() -> None:
    policy = RetryPolicy(budget=10, random=lambda: 0.0)
    wait = policy.wait_before_retry(
        RateLimited(retry_after=4.0), idempotent=True, attempt=1, elapsed=0
    )
    assert wait == 4.0


def test_a_wait_past_the_budget_is_not_taken() -> None:
    policy = RetryPolicy(budget=10, random=lambda: 0.0)
    too_long = RateLimited(retry_after=4.0)
    assert policy.wait_before_retry(too_long, idempotent=True, attempt=1, elapsed=6.5) is None
    assert policy.wait_before_retry(too_long, idempotent=True, attempt=1, elapsed=5.0) == 4.0


def test_attempts_are_capped() -> None:
    policy = RetryPolicy(max_attempts=3, random=lambda: 0.0)
    error = ServerError(status=503)
    assert policy.wait_before_retry(error, idempotent=True, attempt=2, elapsed=0) == 0.0
    assert policy.wait_before_retry(error, idempotent=True, attempt=3, elapsed=0) is None


# --- the client applies it ---------------------------------------------------------------


@pytest.mark.parametrize("status", [429, 502, 503, 504])
async def test_reads_are_retried_on_transient_statuses(status: int) -> None:
    recorder = Recorder([error(status, "busy"), error(status, "busy"), ok(gate_json())])
    async with make_client(recorder) as client:
        gate = await client.get_gate("a_gate")
    assert gate.id == "a_gate"
    assert len(recorder.requests) == 3


@pytest.mark.parametrize("action", ["enable", "disable", "launch", "archive", "unarchive"])
async def test_idempotent_puts_are_retried_after_a_read_timeout(action: str) -> None:
    recorder = Recorder([httpx.ReadTimeout("slow"), ok(gate_json())])
    async with make_client(recorder) as client:
        await getattr(client, f"{action}_gate")("a_gate")
    assert [r.url.path for r in recorder.requests] == [f"/console/v1/gates/a_gate/{action}"] * 2


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.update_gate("g", {"description": "d"}),
        lambda c: c.replace_gate_overrides("g", {"passingUserIDs": ["u"]}),
        lambda c: c.delete_gate_overrides("g"),
        lambda c: c.add_segment_ids("s", ["u1"]),
        lambda c: c.make_decision("e", group_id="Test", reason="won"),
    ],
    ids=["PATCH gate", "POST overrides", "DELETE overrides", "PATCH id_list", "PUT decision"],
)
@pytest.mark.parametrize(
    "failure",
    [httpx.ReadTimeout("slow"), error(503, "busy"), error(429, "slow down")],
    ids=["read-timeout", "503", "429"],
)
async def test_non_idempotent_mutations_are_never_resent(
    call: object, failure: httpx.Response | Exception
) -> None:
    recorder = Recorder([failure, ok(gate_json())])
    async with make_client(recorder) as client:
        with pytest.raises(ConsoleError):
            await call(client)  # type: ignore[operator]
    assert len(recorder.requests) == 1


@pytest.mark.parametrize(
    "failure", [httpx.ConnectError("refused"), httpx.ConnectTimeout("no route")]
)
async def test_a_post_that_never_left_may_be_sent_again(failure: Exception) -> None:
    recorder = Recorder([failure, ok({"passingUserIDs": ["u"], "failingUserIDs": []})])
    async with make_client(recorder) as client:
        overrides = await client.replace_gate_overrides("g", {"passingUserIDs": ["u"]})
    assert overrides.passing_user_ids == ["u"]
    assert len(recorder.requests) == 2


async def test_retry_after_is_honoured(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="bot.statsig")
    recorder = Recorder([error(429, "slow", {"Retry-After": "3"}), ok(gate_json())])
    async with make_client(recorder) as client:
        await client.get_gate("g")
    assert _waits(caplog) == [3.0]


async def test_without_retry_after_the_backoff_grows(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="bot.statsig")
    policy = RetryPolicy(base=0.5, cap=8.0, budget=60, random=lambda: 0.999999)
    recorder = Recorder([error(503, "x"), error(503, "x"), error(503, "x"), ok(gate_json())])
    async with make_client(recorder, policy=policy) as client:
        await client.get_gate("g")
    assert _waits(caplog) == pytest.approx([0.5, 1.0, 2.0], rel=1e-3)


async def test_the_budget_bounds_the_whole_call() -> None:
    clock = FakeClock()
    # Each attempt takes 3 s of (fake) time before it fails.
    recorder = Recorder([error(503, "down")], on_request=lambda _: clock.advance(3.0))
    policy = RetryPolicy(budget=10.0, clock=clock, random=lambda: 0.0)
    async with make_client(recorder, policy=policy) as client:
        started = clock()
        with pytest.raises(ServerError):
            await client.get_gate("g")
    # attempts at t=0, 3, 6 and 9 fit in 10 s; a fifth would start past the budget.
    assert len(recorder.requests) == 4
    assert clock() - started == 12.0


async def test_a_retry_after_beyond_the_budget_fails_at_once() -> None:
    recorder = Recorder([error(429, "slow", {"Retry-After": "60"}), ok(gate_json())])
    async with make_client(recorder) as client:
        with pytest.raises(RateLimited) as caught:
            await client.get_gate("g")
    assert caught.value.retry_after == 60.0
    assert len(recorder.requests) == 1


async def test_a_zero_budget_turns_retries_off() -> None:
    recorder = Recorder([error(503, "down"), ok(gate_json())])
    async with make_client(recorder, policy=RetryPolicy(budget=0)) as client:
        with pytest.raises(ServerError):
            await client.get_gate("g")
    assert len(recorder.requests) == 1


async def test_stamina_can_switch_retries_off_globally() -> None:
    recorder = Recorder([error(503, "down"), ok(gate_json())])
    stamina.set_active(False)
    try:
        async with make_client(recorder) as client:
            with pytest.raises(ServerError):
                await client.get_gate("g")
    finally:
        stamina.set_active(True)
    assert len(recorder.requests) == 1
