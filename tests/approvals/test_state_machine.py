"""Every transition from every state: legal ones succeed, the rest are refused with the state.

The expected outcome comes from ``TRANSITIONS`` (DESIGN §4); the scripts must agree with it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
import redis.asyncio as aioredis

from bot.approvals.store import ApprovalStore
from bot.ops.model.requests import LockHeld, TransitionResult
from bot.ops.model.states import TERMINAL_STATES, TRANSITIONS, ApprovalState, Refusal, Transition
from tests.approvals.helpers import (
    EXECUTOR,
    LEASE,
    REQUESTER,
    TTL,
    FakeClock,
    make_request,
    reach,
)

Attempt = Callable[[ApprovalStore, FakeClock, str], Awaitable[TransitionResult]]


async def _approve(store: ApprovalStore, clock: FakeClock, rid: str) -> TransitionResult:
    return await store.approve(rid, "U_SECOND", "fp-1", 1)


async def _reject(store: ApprovalStore, clock: FakeClock, rid: str) -> TransitionResult:
    return await store.reject(rid, "U_SECOND", "not now")


async def _cancel(store: ApprovalStore, clock: FakeClock, rid: str) -> TransitionResult:
    return await store.cancel(rid, REQUESTER)


async def _expire(store: ApprovalStore, clock: FakeClock, rid: str) -> TransitionResult:
    clock.advance(TTL + 1)
    return await store.expire(rid)


async def _invalidate(store: ApprovalStore, clock: FakeClock, rid: str) -> TransitionResult:
    return await store.invalidate_approvals(rid, "fp-2", '{"isEnabled": true}')


async def _claim(store: ApprovalStore, clock: FakeClock, rid: str) -> TransitionResult:
    return await store.claim(rid, "exec-2", LEASE)


async def _renew(store: ApprovalStore, clock: FakeClock, rid: str) -> TransitionResult:
    return await store.renew(rid, EXECUTOR, LEASE)


async def _resolve_review(store: ApprovalStore, clock: FakeClock, rid: str) -> TransitionResult:
    return await store.resolve_review(rid, ApprovalState.EXECUTED, {"message": "committed"})


async def _finish(store: ApprovalStore, clock: FakeClock, rid: str) -> TransitionResult:
    return await store.finish(rid, EXECUTOR, ApprovalState.EXECUTED, {"ok": True})


async def _reclaim(store: ApprovalStore, clock: FakeClock, rid: str) -> TransitionResult:
    clock.advance(LEASE + 1)
    return await store.reclaim(rid)


async def _finish_interrupted(store: ApprovalStore, clock: FakeClock, rid: str) -> TransitionResult:
    current = await store.get(rid)
    assert current is not None
    if current.state is ApprovalState.EXECUTING:
        # finish_interrupted only applies once a sweeper reclaimed the expired lease.
        clock.advance(LEASE + 1)
        assert (await store.reclaim(rid)).ok
    return await store.finish_interrupted(rid, ApprovalState.FAILED, {"error": "interrupted"})


ATTEMPTS: dict[Transition, Attempt] = {
    Transition.APPROVE: _approve,
    Transition.REJECT: _reject,
    Transition.CANCEL: _cancel,
    Transition.EXPIRE: _expire,
    Transition.INVALIDATE: _invalidate,
    Transition.CLAIM: _claim,
    Transition.RENEW: _renew,
    Transition.FINISH: _finish,
    Transition.RECLAIM: _reclaim,
    Transition.FINISH_INTERRUPTED: _finish_interrupted,
    Transition.RESOLVE_REVIEW: _resolve_review,
}


def test_every_transition_on_an_existing_request_is_tested() -> None:
    assert set(ATTEMPTS) == set(TRANSITIONS) == set(Transition) - {Transition.CREATE}


@pytest.mark.parametrize("start", list(ApprovalState), ids=str)
@pytest.mark.parametrize("transition", list(ATTEMPTS), ids=str)
async def test_transition_from_state(
    store: ApprovalStore, clock: FakeClock, transition: Transition, start: ApprovalState
) -> None:
    rid = await reach(store, clock, start)
    audit_before = len(await store.audit(count=1000))
    result = await ATTEMPTS[transition](store, clock, rid)
    sources, targets = TRANSITIONS[transition]
    after = await store.get(rid)
    assert after is not None
    if start in sources:
        assert result.ok, result
        assert result.state in targets
        assert after.state is result.state
        assert len(await store.audit(count=1000)) > audit_before
    else:
        assert not result.ok
        assert result.refusal is Refusal.WRONG_STATE
        assert result.state is start
        assert after.state is start
        assert len(await store.audit(count=1000)) == audit_before


@pytest.mark.parametrize("terminal", sorted(TERMINAL_STATES), ids=str)
async def test_terminal_state_releases_lock_and_indexes(
    store: ApprovalStore, clock: FakeClock, redis_client: aioredis.Redis, terminal: ApprovalState
) -> None:
    rid = await reach(store, clock, terminal)
    redis, keys = redis_client, store.keys
    assert await redis.zscore(keys.pending, rid) is None
    assert await redis.zscore(keys.leases, rid) is None
    assert await redis.zscore(keys.requester(REQUESTER), rid) is None
    assert not await redis.exists(keys.lock("gate", "nav", "gate.disable"))
    assert await store.list_by_requester(REQUESTER) == []
    again = await make_request(store, entity_id="nav")
    assert again.id != rid


@pytest.mark.parametrize(
    "state", [ApprovalState.PENDING, ApprovalState.APPROVED, ApprovalState.EXECUTING], ids=str
)
async def test_open_request_holds_the_entity_lock(
    store: ApprovalStore, clock: FakeClock, state: ApprovalState
) -> None:
    rid = await reach(store, clock, state)
    second = await store.create(
        action="gate.disable",
        entity_kind="gate",
        entity_id="nav",
        plan_json="{}",
        fingerprint="fp-x",
        requester_id="U_OTHER",
    )
    assert second == LockHeld(
        holder_request_id=rid, holder_requester=REQUESTER, holder_action="gate.disable"
    )
    mine = await store.list_by_requester(REQUESTER)
    assert [r.id for r in mine] == [rid]
    assert await store.list_by_requester("U_OTHER") == []
