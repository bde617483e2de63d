"""200 approve clicks at once through two workflow replicas: exactly one mutation."""

from __future__ import annotations

import asyncio

import redis.asyncio as aioredis

from bot.ops.model.identity import Actor
from bot.ops.model.states import ApprovalState
from tests.approvals.workflow_env import ALICE, BOB, CAROL, scene
from tests.support.redis_server import RedisServer


def _replica(url: str) -> aioredis.Redis:
    pool = aioredis.BlockingConnectionPool.from_url(url, max_connections=32, timeout=20)
    return aioredis.Redis.from_pool(pool)


async def test_200_concurrent_approvals_on_two_replicas_run_the_change_once(
    redis_server: RedisServer, redis_client: aioredis.Redis
) -> None:
    clients = [_replica(redis_server.url) for _ in range(2)]
    try:
        async with scene(redis_client) as env:
            replicas = [env.workflow(c, name=f"replica-{i}") for i, c in enumerate(clients)]
            plan = await env.rollout_plan()
            submitted = await replicas[0].submit(plan, env.need(plan), ALICE, channel="C1")
            assert submitted.request is not None
            rid = submitted.request.id
            clickers = [BOB, CAROL, Actor("UALICE", "alice@example.com", statsig_role="Member")]

            results = await asyncio.gather(
                *(replicas[i % 2].approve(rid, clickers[i % 3]) for i in range(200))
            )

            assert len(results) == 200 and all(r.message.text for r in results)
            executed = [r for r in results if r.outcome is not None]
            assert len(executed) == 1
            assert len(env.mutations) == 1
            assert env.mutations[0].method == "PATCH"
            request = await replicas[1].get(rid)
            assert request is not None and request.state is ApprovalState.EXECUTED
            assert len(request.approvals) == 1
            assert "UALICE" not in {a.user_id for a in request.approvals}
            # Each of the requester's clicks is answered: refused as her own request, or, when
            # it arrives after the quorum (a slow machine), told the request already ran.
            theirs = [r for i, r in enumerate(results) if i % 3 == 2]
            assert not any(r.ok for r in theirs)
            assert all(
                "own request" in r.message.text or "already" in r.message.text for r in theirs
            ), {r.message.text for r in theirs}
    finally:
        for client in clients:
            await client.aclose()
