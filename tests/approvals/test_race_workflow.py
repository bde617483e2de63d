"""Issue 5's approve-vs-reject race, at the workflow level, on two replicas.

50 approves and 50 rejects land at once on one request, through two ApprovalWorkflow
instances with their own Redis clients, against the sandbox; 100 runs, a fresh gate each.
Every run ends in exactly one terminal state, and a run that ended rejected sent nothing.
"""

from __future__ import annotations

import asyncio
import re

import redis.asyncio as aioredis

from bot.approvals.workflow import ApprovalWorkflow
from bot.ops.model.states import ApprovalState
from bot.sandbox.entities import everyone, make_rule
from tests.approvals.workflow_env import ALICE, BOB, CAROL, Env, scene
from tests.support.redis_server import RedisServer

RUNS = 100
CLICKS_EACH = 50
TERMINAL_EVENTS = {"rejected", "finished", "finished_interrupted", "expired", "cancelled"}


def _replica(url: str) -> aioredis.Redis:
    pool = aioredis.BlockingConnectionPool.from_url(url, max_connections=32, timeout=20)
    return aioredis.Redis.from_pool(pool)


async def _one_run(env: Env, replicas: list[ApprovalWorkflow], run: int) -> ApprovalState:
    gate = f"race_gate_{run}"
    env.state.add_gate(gate, rules=[make_rule(gate, 0, "Everyone", 10, [everyone()])])
    plan = await env.rollout_plan(gate, pct=30)
    submitted = await replicas[run % 2].submit(plan, env.need(plan), ALICE, channel="C1")
    assert submitted.request is not None, submitted.message.text
    rid = submitted.request.id
    clicks = [replicas[i % 2].approve(rid, (BOB, CAROL)[i % 2]) for i in range(CLICKS_EACH)] + [
        replicas[(i + 1) % 2].reject(rid, (CAROL, BOB)[i % 2], f"no ({i})")
        for i in range(CLICKS_EACH)
    ]
    order = list(range(len(clicks)))
    # Interleave approves and rejects so neither kind is always scheduled first.
    order.sort(key=lambda i: (i * 7919 + run) % len(clicks))
    results = await asyncio.gather(*(clicks[i] for i in order))

    assert all(r.message.text for r in results), "every clicker gets an answer"
    request = await replicas[0].get(rid)
    assert request is not None
    events = [e for e in await env.store.audit_for_entity("gate", gate) if e.request_id == rid]
    ends = [e for e in events if e.event in TERMINAL_EVENTS]
    assert len(ends) == 1, [e.event for e in events]
    assert ends[0].to_state is request.state
    sent = [m for m in env.mutations if re.search(rf"/gates/{gate}(/|$)", m.path)]
    if request.state is ApprovalState.REJECTED:
        assert sent == [], "a rejected run must not reach Statsig"
        assert [r.ok for r in results].count(True) == 1  # the one reject that counted
    else:
        assert request.state is ApprovalState.EXECUTED, request.state
        assert len(sent) == 1
        assert sum(1 for r in results if r.outcome is not None) == 1
    return request.state


async def test_fifty_approves_and_fifty_rejects_on_two_replicas_100_times(
    redis_server: RedisServer, redis_client: aioredis.Redis
) -> None:
    clients = [_replica(redis_server.url) for _ in range(2)]
    try:
        async with scene(redis_client) as env:
            replicas = [env.workflow(c, name=f"replica-{i}") for i, c in enumerate(clients)]
            endings = [await _one_run(env, replicas, run) for run in range(RUNS)]
    finally:
        for client in clients:
            await client.aclose()
    # The interleaving puts an approve first in some runs and a reject first in others, so
    # both endings must show up: a race that always ends one way would not test the other.
    assert set(endings) == {ApprovalState.EXECUTED, ApprovalState.REJECTED}, endings
