"""The type-ahead gate picker: answered from a short-lived cache, even for 10,000 gates."""

from __future__ import annotations

import asyncio

from bot.slack.gate_names import GateNameCache
from bot.slack.views import modals
from tests.slack.harness import World, bot_instance
from tests.support.slack_signing import interactivity_body


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _suggestion(query: str) -> bytes:
    return interactivity_body(
        {
            "type": "block_suggestion",
            "action_id": modals.GATE_PICKER,
            "block_id": modals.GATE_BLOCK,
            "value": query,
            "team": {"id": "T1"},
            "user": {"id": "U1ALICE", "team_id": "T1"},
            "view": {"id": "V1", "callback_id": modals.DISABLE_GATE_MODAL},
        }
    )


async def test_ten_thousand_gates_are_searched_within_the_limit(w: World) -> None:
    w.state.add_many_gates(10_000)
    async with bot_instance(w, warm_gates=True) as bot:
        # How fast this is belongs to bench/; here: no query goes to Statsig at all.
        for query in ("bulk_gate_0999", "", "dark", "zzz-nothing"):
            before = len(w.sandbox.state.request_log)
            response = await bot.post(_suggestion(query))
            assert len(w.sandbox.state.request_log) == before  # answered from the cache
            options = response.json()["options"]
            assert len(options) <= 100
            assert all(query in o["value"] for o in options)
        first = (await bot.post(_suggestion("bulk_gate_00"))).json()["options"]
        assert first[0]["value"] == "bulk_gate_00000"  # prefix matches first, in order
        assert len(first) == 100


async def test_cache_serves_stale_names_while_one_refresh_runs() -> None:
    clock = _Clock()
    lists: list[list[str]] = [["alpha", "beta"], ["alpha", "beta", "gamma"]]
    started = asyncio.Event()
    release = asyncio.Event()
    calls = 0

    async def list_names() -> list[str]:
        nonlocal calls
        calls += 1
        if calls == 2:
            started.set()
            await release.wait()
        return lists[calls - 1]

    cache = GateNameCache(list_names, ttl=60, clock=clock)
    assert await cache.search("") == ["alpha", "beta"]
    clock.now = 61
    assert await cache.search("") == ["alpha", "beta"]  # stale, refresh started
    await started.wait()
    assert await cache.search("a") == ["alpha", "beta"]  # one refresh at a time
    release.set()
    await cache.warm()  # joins the refresh in flight instead of starting another
    assert await cache.search("gam") == ["gamma"]
    assert calls == 2


async def test_cold_cache_waits_at_most_the_fetch_timeout() -> None:
    never = asyncio.Event()

    async def slow() -> list[str]:
        await never.wait()
        return ["x"]

    cache = GateNameCache(slow, fetch_timeout=0.05)
    assert await cache.search("x") == []
    await cache.aclose()


async def test_failed_refresh_keeps_the_old_names() -> None:
    clock = _Clock()
    calls = 0

    async def flaky() -> list[str]:
        nonlocal calls
        calls += 1
        if calls > 1:
            raise RuntimeError("statsig down")
        return ["only_gate"]

    cache = GateNameCache(flaky, ttl=1, clock=clock)
    await cache.warm()
    clock.now = 5
    await cache.warm()
    assert await cache.search("only") == ["only_gate"]
    await cache.aclose()
