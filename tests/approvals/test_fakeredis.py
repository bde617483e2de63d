"""The same store code on fakeredis (Lua via lupa), as the shell's embedded mode runs it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import fakeredis
import fakeredis.aioredis
import pytest

from bot.approvals.store import ApprovalStore
from bot.ops.model.requests import LockHeld
from bot.ops.model.states import ApprovalState, Refusal
from tests.approvals.helpers import (
    APPROVER,
    EXECUTOR,
    FINGERPRINT,
    LEASE,
    REQUESTER,
    TTL,
    FakeClock,
    make_request,
    reach,
)


@pytest.fixture
async def fake_stores(clock: FakeClock) -> AsyncIterator[tuple[ApprovalStore, ApprovalStore]]:
    server = fakeredis.FakeServer()
    clients = [fakeredis.aioredis.FakeRedis(server=server) for _ in range(2)]
    try:
        yield ApprovalStore(clients[0], clock=clock), ApprovalStore(clients[1], clock=clock)
    finally:
        for client in clients:
            await client.aclose(close_connection_pool=True)


async def test_full_lifecycle(
    fake_stores: tuple[ApprovalStore, ApprovalStore], clock: FakeClock
) -> None:
    store, _ = fake_stores
    rid = await reach(store, clock, ApprovalState.EXECUTED)
    events = [e.event for e in await store.audit()]
    assert events == ["created", "approved", "claimed", "finished"]
    assert [e.request_id for e in await store.audit_for_entity("gate", "nav")] == [rid] * 4
    assert await store.list_by_requester(REQUESTER) == []


async def test_lock_fingerprint_and_reject(
    fake_stores: tuple[ApprovalStore, ApprovalStore],
) -> None:
    store, other = fake_stores
    request = await make_request(store)
    held = await other.create(
        action="gate.disable",
        entity_kind="gate",
        entity_id="checkout_v2",
        plan_json="{}",
        fingerprint="x",
        requester_id="U_B",
    )
    assert held == LockHeld(
        holder_request_id=request.id, holder_requester=REQUESTER, holder_action="gate.disable"
    )
    changed = await other.approve(request.id, APPROVER, "stale", 1)
    assert changed.refusal is Refusal.PLAN_CHANGED
    assert (await store.reject(request.id, APPROVER, "no")).state is ApprovalState.REJECTED
    assert not (await other.claim(request.id, EXECUTOR, LEASE)).ok
    assert isinstance(await make_request(other), type(request))


async def test_sweepers_and_concurrent_claims(
    fake_stores: tuple[ApprovalStore, ApprovalStore], clock: FakeClock
) -> None:
    store, other = fake_stores
    due = await make_request(store, entity_id="due")
    approved = await make_request(store, entity_id="approved")
    assert (await store.approve(approved.id, APPROVER, FINGERPRINT, 1)).ok
    claims = await asyncio.gather(
        *((store, other)[i % 2].claim(approved.id, f"exec-{i}", LEASE) for i in range(20))
    )
    assert sum(c.ok for c in claims) == 1
    clock.advance(TTL)
    assert await store.expire_due() == [due.id]
    assert await other.expire_due() == []
    assert await other.interrupted_due() == [approved.id]
    assert await store.interrupted_due() == []
    verdict = await store.finish_interrupted(approved.id, ApprovalState.FAILED, {"error": "x"})
    assert verdict.state is ApprovalState.FAILED
