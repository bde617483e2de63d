"""The expiry and interrupted-lease sweepers: idempotent, and safe from several replicas."""

from __future__ import annotations

import asyncio

import redis.asyncio as aioredis

from bot.approvals.store import ApprovalStore
from bot.ops.model.states import ApprovalState
from tests.approvals.helpers import LEASE, TTL, FakeClock, make_request


async def test_expire_due_twice(store: ApprovalStore, clock: FakeClock) -> None:
    due = [(await make_request(store, entity_id=f"due_{i}")).id for i in range(3)]
    clock.advance(10)
    later = await make_request(store, entity_id="later")
    clock.advance(TTL - 5)
    assert [r.id for r in await store.list_pending()] == [later.id]  # due ones are not offered
    assert sorted(await store.expire_due()) == sorted(due)
    assert await store.expire_due() == []
    assert [r.id for r in await store.list_pending()] == [later.id]
    expired = [e.request_id for e in await store.audit() if e.event == "expired"]
    assert sorted(expired) == sorted(due)


async def test_expire_due_respects_the_limit(store: ApprovalStore, clock: FakeClock) -> None:
    for i in range(5):
        await make_request(store, entity_id=f"g{i}")
    clock.advance(TTL)
    assert len(await store.expire_due(limit=2)) == 2
    assert len(await store.expire_due(limit=10)) == 3


async def test_two_replicas_sweep_at_once(
    store: ApprovalStore, replica_b: ApprovalStore, clock: FakeClock
) -> None:
    ids = {(await make_request(store, entity_id=f"g{i}")).id for i in range(60)}
    clock.advance(TTL)
    a, b = await asyncio.gather(store.expire_due(), replica_b.expire_due())
    assert set(a) | set(b) == ids
    assert not set(a) & set(b)
    events = [e for e in await store.audit(count=1000) if e.event == "expired"]
    assert sorted(e.request_id for e in events) == sorted(ids)


async def test_sweeper_prunes_entries_whose_request_is_gone(
    store: ApprovalStore, clock: FakeClock, redis_client: aioredis.Redis
) -> None:
    request = await make_request(store)
    await redis_client.delete(store.keys.request(request.id))
    clock.advance(TTL)
    assert await store.expire_due() == []
    assert await redis_client.zcard(store.keys.pending) == 0


async def test_two_replicas_reclaim_interrupted_leases_once(
    store: ApprovalStore, replica_b: ApprovalStore, clock: FakeClock
) -> None:
    ids = set()
    for i in range(20):
        request = await make_request(store, entity_id=f"g{i}")
        assert (await store.approve(request.id, "U_A", "fp-1", 1)).ok
        assert (await store.claim(request.id, f"exec-{i}", LEASE)).ok
        ids.add(request.id)
    clock.advance(LEASE)
    a, b = await asyncio.gather(store.interrupted_due(), replica_b.interrupted_due())
    assert set(a) | set(b) == ids and not set(a) & set(b)
    assert await store.interrupted_due() == []
    assert set(await store.list_interrupted()) == ids
    verdicts = await asyncio.gather(
        *(
            replica_b.finish_interrupted(rid, ApprovalState.FAILED, {"error": "interrupted"})
            for rid in ids
        )
    )
    assert all(v.state is ApprovalState.FAILED for v in verdicts)
    assert await store.list_interrupted() == []
