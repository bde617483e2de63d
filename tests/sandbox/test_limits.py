"""Sliding-window rate limits on mutations, driven by an injected clock."""

from __future__ import annotations

import httpx

from bot.sandbox import SlidingWindowLimiter, create_sandbox_app
from bot.sandbox.demo import demo_state
from tests.sandbox.conftest import BASE_URL, FakeClock


def test_limiter_enforces_every_window(clock: FakeClock) -> None:
    limiter = SlidingWindowLimiter(((2, 10.0), (3, 60.0)), clock=clock.seconds)

    assert limiter.attempt() is None
    clock.advance(1)
    assert limiter.attempt() is None
    assert limiter.attempt() == 9.0  # the first attempt leaves the 10 s window at t=10
    clock.advance(20)
    # The 10 s window is clear, but three attempts (one rejected) sit in the 60 s window.
    assert limiter.attempt() == 39.0  # ... and the first leaves the 60 s window at t=60
    clock.advance(41)
    assert limiter.attempt() is None


def test_rejected_attempts_can_be_left_uncounted(clock: FakeClock) -> None:
    limiter = SlidingWindowLimiter(((1, 10.0),), clock=clock.seconds, count_rejected=False)
    assert limiter.attempt() is None
    assert limiter.attempt() == 10.0
    clock.advance(10)
    assert limiter.attempt() is None


async def test_sandbox_rate_limits_only_mutations(clock: FakeClock) -> None:
    app = create_sandbox_app(
        demo_state(),
        enforce_rate_limits=True,
        mutation_limits=((2, 10.0),),
        clock=clock.seconds,
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
        url = "/console/v1/gates/checkout_v2"
        statuses = [(await http.put(f"{url}/disable")).status_code for _ in range(3)]
        limited = await http.put(f"{url}/enable")
        read = await http.get(url)
        clock.advance(11)
        later = await http.put(f"{url}/enable")

    assert statuses == [200, 200, 429]
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    assert read.status_code == 200
    assert later.status_code == 200
