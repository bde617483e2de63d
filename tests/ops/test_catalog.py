"""Lists at 10,000 gates: answered from one shared, background-refreshed catalog.

Two "replicas" (each its own Statsig client, catalog and ChatOps) share one real Redis and
one sandbox served over loopback HTTP, so every count below is a real Console API request.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import pytest
import redis.asyncio as aioredis

from bot.chatops.catalog import Catalog
from bot.chatops.replies import Context, Reply
from bot.chatops.service import ChatOps
from bot.ops.model.identity import Actor
from bot.runtime import sandbox_policy
from bot.sandbox import Faults, create_sandbox_app
from bot.sandbox.demo import demo_state
from bot.statsig.client import ConsoleClient
from bot.statsig.retry import RetryPolicy
from tests.ops.service_support import text_of
from tests.support.asgi_server import serve_asgi
from tests.support.ports import free_port
from tests.support.redis_server import RedisServer

MANY = 10_000
GATE_PAGES = r"/console/v1/gates$"


@dataclass
class Replica:
    ops: ChatOps
    catalog: Catalog


@dataclass
class Fleet:
    faults: Faults
    app: Any
    url: str
    redis_url: str

    def gate_pages(self) -> int:
        """How many pages of the gate list Statsig was asked for so far."""
        return sum(
            1 for r in self.app.state.request_log if r.method == "GET" and r.path.endswith("/gates")
        )

    @asynccontextmanager
    async def replica(self, *, list_wait: float = 2.0, **catalog: Any) -> AsyncIterator[Replica]:
        client = ConsoleClient(
            "console-test", base_url=self.url, retry_policy=RetryPolicy(budget=0.0)
        )
        redis = aioredis.Redis.from_url(self.redis_url)
        shared = Catalog(client, redis, prefix="test-bot:", **catalog)
        ops = ChatOps(client, sandbox_policy(), catalog=shared, list_wait=list_wait)
        try:
            yield Replica(ops, shared)
        finally:
            await ops.aclose()
            await client.aclose()
            await redis.aclose()


@pytest.fixture
async def fleet(redis_server: RedisServer, redis_client: aioredis.Redis) -> AsyncIterator[Fleet]:
    state = demo_state()
    state.add_many_gates(MANY)
    faults = Faults()
    app = create_sandbox_app(state, faults=faults)
    async with serve_asgi(app) as url:
        yield Fleet(faults, app, url, redis_server.url)
        faults.clear()


CTX = Context(Actor.for_shell("alice@example.com"), surface="shell")


async def _reply(replica: Replica, text: str) -> Reply:
    result = await replica.ops.handle(text, CTX)
    assert isinstance(result, Reply), text
    return result


async def _whole(replica: Replica, text: str) -> Reply:
    """The whole answer: the list after a "loading" first part, if there was one."""
    reply = await _reply(replica, text)
    while reply.follow_up is not None:
        reply = await reply.follow_up()
    return reply


async def test_a_cold_list_answers_loading_at_once_then_the_list(fleet: Fleet) -> None:
    hold = fleet.faults.hold(GATE_PAGES, method="GET")  # Statsig is slow to list today
    async with fleet.replica(list_wait=0.2) as replica:
        first = await asyncio.wait_for(_reply(replica, "gate list"), timeout=5)
        assert first.ok and first.follow_up is not None
        assert "Loading every gate from Statsig" in text_of(first)
        hold.release()
        rest = await asyncio.wait_for(first.follow_up(), timeout=60)
    assert rest.ok and rest.follow_up is None
    listed = text_of(rest)
    assert "checkout_v2" in listed and "more on the next page" in listed
    assert rest.share is not None  # the whole answer is shareable, not the "loading" line
    assert fleet.gate_pages() == MANY // 100 + 1  # one walk (the demo's gates fill one more)


async def test_a_second_replica_lists_from_the_shared_catalog(fleet: Fleet) -> None:
    async with fleet.replica() as first:
        await first.catalog.items("gate")
    walked = fleet.gate_pages()
    assert walked > MANY // 100
    async with fleet.replica() as second:
        reply = await _reply(second, "gate list bulk_gate_0999")
        page2 = await _reply(second, "gate list --page 3")
    assert reply.ok and reply.follow_up is None
    assert "bulk_gate_09999" in text_of(reply)
    assert page2.ok and "page 3" in text_of(page2)
    assert fleet.gate_pages() == walked  # nobody walked Statsig again


async def test_two_replicas_starting_cold_walk_statsig_once(fleet: Fleet) -> None:
    async with fleet.replica() as a, fleet.replica() as b:
        first, second = await asyncio.gather(a.catalog.items("gate"), b.catalog.items("gate"))
    assert first is not None and second is not None and len(first) == len(second) > MANY
    assert fleet.gate_pages() == MANY // 100 + 1


async def test_a_stale_list_is_served_while_it_is_read_again(fleet: Fleet) -> None:
    now = [1_000_000.0]
    async with fleet.replica(ttl=30.0, clock=lambda: now[0]) as replica:
        await replica.catalog.items("gate")
        fleet.app.state.sandbox.add_gate("brand_new_gate")
        now[0] += 31  # older than the ttl: stale
        hold = fleet.faults.hold(GATE_PAGES, method="GET")
        stale = await asyncio.wait_for(_reply(replica, "gate list brand_new"), timeout=5)
        assert stale.ok and stale.follow_up is None
        assert "No gates found" in text_of(stale)  # the old list, at once
        await asyncio.wait_for(hold.arrived(), timeout=5)  # ... and a walk has begun
        hold.release()

        async def refreshed() -> str:
            while "brand_new_gate" not in (
                text := text_of(await _reply(replica, "gate list brand_new"))
            ):
                await asyncio.sleep(0.05)
            return text

        assert "brand_new_gate" in await asyncio.wait_for(refreshed(), timeout=60)


async def test_statsig_failing_on_a_cold_list_is_a_clear_answer(fleet: Fleet) -> None:
    fleet.faults.add(GATE_PAGES, "500", method="GET", times=None)
    async with fleet.replica() as replica:
        reply = await _reply(replica, "gate list")
    assert not reply.ok and reply.follow_up is None
    assert "Statsig could not do that" in text_of(reply)
    assert "internal error" in text_of(reply)


async def test_statsig_failing_on_a_later_refresh_keeps_the_list(fleet: Fleet) -> None:
    now = [1_000_000.0]
    async with fleet.replica(clock=lambda: now[0]) as replica:
        await replica.catalog.items("gate")
        fleet.faults.add(GATE_PAGES, "500", method="GET", times=None)
        now[0] += 31
        reply = await _reply(replica, "gate list bulk_gate_0000")
        assert reply.ok and "bulk_gate_00001" in text_of(reply)
        await asyncio.sleep(0.2)  # the failed refresh is logged, not raised anywhere
        again = await _reply(replica, "gate list bulk_gate_0000")
    assert again.ok and "bulk_gate_00001" in text_of(again)


async def test_a_change_through_the_bot_shows_in_the_list_at_once(fleet: Fleet) -> None:
    async with fleet.replica() as replica:
        await replica.catalog.items("gate")
        walked = fleet.gate_pages()
        result = await replica.ops.handle("gate disable bulk_gate_00042 tidy", CTX)
        assert not isinstance(result, Reply), text_of(result)
        assert (await replica.ops.commit(result, CTX)).ok
        listed = text_of(await _reply(replica, "gate list bulk_gate_00042"))
    assert "⛔ bulk_gate_00042" in listed
    assert fleet.gate_pages() == walked


async def test_a_cold_unknown_name_answers_without_waiting_for_every_name(fleet: Fleet) -> None:
    hold = fleet.faults.hold(GATE_PAGES, method="GET")
    async with fleet.replica(list_wait=0.2) as replica:
        reply = await asyncio.wait_for(_reply(replica, "gate show bulk_gate_0004"), timeout=5)
        hold.release()
    assert not reply.ok
    assert "no gate named bulk_gate_0004" in text_of(reply)
    assert "gate search bulk_gate_0004" in text_of(reply)  # how to find it meanwhile


async def test_an_unreadable_shared_list_is_walked_again(fleet: Fleet) -> None:
    async with fleet.replica() as first:
        await first.catalog.items("gate")
    redis = aioredis.Redis.from_url(fleet.redis_url)
    try:
        await redis.set("test-bot:catalog:gate", b"%020.6f" % 9e9 + b"not zlib")
    finally:
        await redis.aclose()
    walked = fleet.gate_pages()
    async with fleet.replica() as second:
        items = await second.catalog.items("gate")
    assert items is not None and len(items) > MANY
    assert fleet.gate_pages() == 2 * walked


async def test_lists_work_with_redis_down(fleet: Fleet) -> None:
    down = Fleet(fleet.faults, fleet.app, fleet.url, f"redis://127.0.0.1:{free_port()}/0")
    async with down.replica() as replica:
        reply = await _whole(replica, "gate list bulk_gate_0999")  # walked here
        again = await _reply(replica, "gate list bulk_gate_0998")
    assert reply.ok and "bulk_gate_09999" in text_of(reply)
    assert again.ok and "bulk_gate_09989" in text_of(again)
    assert fleet.gate_pages() == MANY // 100 + 1  # walked once, kept in the process
