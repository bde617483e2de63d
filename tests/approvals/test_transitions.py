"""One narrative test per rule of the approval state machine."""

from __future__ import annotations

import re

import redis.asyncio as aioredis

from bot.approvals.store import ApprovalStore
from bot.approvals.store.codec import text
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


async def test_create_stores_every_field_and_an_unguessable_id(
    store: ApprovalStore, clock: FakeClock
) -> None:
    request = await make_request(store, quorum=2)
    assert re.fullmatch(r"[A-Za-z0-9_-]{16}", request.id)
    assert request.state is ApprovalState.PENDING
    assert (request.action, request.entity_kind, request.entity_id) == (
        "gate.disable",
        "gate",
        "checkout_v2",
    )
    assert request.plan_json == '{"isEnabled": false}'
    assert request.plan_fingerprint == FINGERPRINT
    assert (request.requester.user_id, request.requester.email) == (REQUESTER, "req@example.com")
    assert (request.reason, request.channel, request.quorum) == (
        "INC-231 errors spiking",
        "C123",
        2,
    )
    assert request.approver_group == "approvers"
    assert request.created_at.timestamp() == clock.now
    assert request.expires_at.timestamp() == clock.now + TTL
    assert request.approvals == [] and request.rejection is None and request.message_ts is None
    clock.advance(1)
    other = await make_request(store, entity_id="other_gate")
    assert other.id != request.id
    assert [r.id for r in await store.list_pending()] == [request.id, other.id]


async def test_one_open_change_per_entity_whatever_the_action(store: ApprovalStore) -> None:
    """Issue 9.3: a rollout, a disable and an override were open on one gate at once."""
    first = await make_request(store, entity_id="nav", action="gate.disable")
    for action in ("gate.disable", "gate.rollout", "gate.override"):
        held = await store.create(
            action=action,
            entity_kind="gate",
            entity_id="nav",
            plan_json="{}",
            fingerprint="x",
            requester_id="U_B",
        )
        assert held == LockHeld(
            holder_request_id=first.id, holder_requester=REQUESTER, holder_action="gate.disable"
        ), action
    other_entity = await make_request(store, entity_id="nav2", action="gate.rollout")
    # kill and restore have a lane of their own: they never wait behind a change
    kill = await make_request(store, entity_id="nav", action="incident.kill")
    second_kill = await store.create(
        action="incident.restore", entity_kind="gate", entity_id="nav", plan_json="{}",
        fingerprint="y", requester_id="U_B",
    )  # fmt: skip
    assert isinstance(second_kill, LockHeld) and second_kill.holder_request_id == kill.id
    assert len({first.id, other_entity.id, kill.id}) == 3
    assert await store.lock_holder("gate", "nav") == first.id
    assert await store.lock_holder("gate", "nav", "incident") == kill.id


async def test_a_superseded_request_says_who_replaced_it_and_why(store: ApprovalStore) -> None:
    pending = await make_request(store, entity_id="nav", action="incident.restore")
    refused = await store.supersede(pending.id, "U_RESP", "  ")
    assert not refused.ok and refused.refusal is Refusal.REASON_REQUIRED
    done = await store.supersede(pending.id, "U_RESP", "Rita restored it at once")
    assert done.ok and done.state is ApprovalState.CANCELLED
    stored = await store.get(pending.id)
    assert stored is not None and stored.superseded is not None
    assert (stored.superseded.user_id, stored.superseded.reason) == (
        "U_RESP",
        "Rita restored it at once",
    )
    assert await store.lock_holder("gate", "nav", "incident") is None  # the lock went with it
    assert (await store.cancel(pending.id, REQUESTER)).refusal is Refusal.WRONG_STATE


async def test_quorum_counts_each_approver_once(store: ApprovalStore, clock: FakeClock) -> None:
    request = await make_request(store, quorum=2)
    first = await store.approve(request.id, "U_A", FINGERPRINT, 2)
    assert (first.ok, first.state, first.approvals, first.quorum) == (
        True,
        ApprovalState.PENDING,
        1,
        2,
    )
    clock.advance(5)
    again = await store.approve(request.id, "U_A", FINGERPRINT, 2)
    assert (again.ok, again.refusal, again.state) == (
        False,
        Refusal.ALREADY_APPROVED,
        ApprovalState.PENDING,
    )
    second = await store.approve(request.id, "U_B", FINGERPRINT, 2)
    assert (second.ok, second.state, second.approvals) == (True, ApprovalState.APPROVED, 2)
    stored = await store.get(request.id)
    assert stored is not None
    assert [a.user_id for a in stored.approvals] == ["U_A", "U_B"]
    assert stored.approvals[0].at.timestamp() == clock.now - 5
    assert stored.approved_at is not None and stored.approved_at.timestamp() == clock.now
    events = [(e.event, e.actor, e.detail.get("approvals")) for e in await store.audit()]
    assert events == [
        ("created", REQUESTER, None),
        ("approval", "U_A", "1"),
        ("approved", "U_B", "2"),
    ]


async def test_stored_quorum_is_a_floor(store: ApprovalStore) -> None:
    request = await make_request(store, quorum=2)
    lowered = await store.approve(request.id, "U_A", FINGERPRINT, 1)
    assert (lowered.state, lowered.quorum) == (ApprovalState.PENDING, 2)
    raised = await store.approve(request.id, "U_B", FINGERPRINT, 3)
    assert (raised.state, raised.approvals, raised.quorum) == (ApprovalState.PENDING, 2, 3)


async def test_changed_plan_fingerprint_is_refused(store: ApprovalStore) -> None:
    request = await make_request(store)
    result = await store.approve(request.id, APPROVER, "fp-other", 1)
    assert (result.ok, result.refusal, result.state) == (
        False,
        Refusal.PLAN_CHANGED,
        ApprovalState.PENDING,
    )
    stored = await store.get(request.id)
    assert stored is not None and stored.approvals == []


async def test_requester_cannot_approve_unless_policy_allows(store: ApprovalStore) -> None:
    request = await make_request(store)
    refused = await store.approve(request.id, REQUESTER, FINGERPRINT, 1)
    assert refused.refusal is Refusal.SELF_APPROVAL
    allowed = await store.approve(request.id, REQUESTER, FINGERPRINT, 1, allow_self=True)
    assert allowed.state is ApprovalState.APPROVED


async def test_touching_a_request_past_expiry_expires_it(
    store: ApprovalStore, clock: FakeClock
) -> None:
    request = await make_request(store)
    clock.advance(TTL)
    result = await store.approve(request.id, APPROVER, FINGERPRINT, 1)
    assert (result.ok, result.refusal, result.state) == (
        False,
        Refusal.EXPIRED,
        ApprovalState.EXPIRED,
    )
    assert await store.expire_due() == []  # already done, nothing for the sweeper
    replacement = await make_request(store)  # the lock went with it
    assert replacement.state is ApprovalState.PENDING


async def test_expire_before_expiry_is_not_due(store: ApprovalStore, clock: FakeClock) -> None:
    request = await make_request(store)
    clock.advance(TTL - 1)
    result = await store.expire(request.id)
    assert (result.ok, result.refusal, result.state) == (
        False,
        Refusal.NOT_DUE,
        ApprovalState.PENDING,
    )


async def test_reject_needs_a_reason_and_records_it(store: ApprovalStore, clock: FakeClock) -> None:
    request = await make_request(store)
    blank = await store.reject(request.id, APPROVER, "  \n")
    assert (blank.refusal, blank.state) == (Refusal.REASON_REQUIRED, ApprovalState.PENDING)
    done = await store.reject(request.id, APPROVER, "blast radius too large")
    assert (done.ok, done.state) == (True, ApprovalState.REJECTED)
    stored = await store.get(request.id)
    assert stored is not None and stored.rejection is not None
    assert (stored.rejection.user_id, stored.rejection.reason) == (
        APPROVER,
        "blast radius too large",
    )
    assert stored.rejection.at.timestamp() == clock.now
    last = (await store.audit())[-1]
    assert (last.event, last.detail["reason"]) == ("rejected", "blast radius too large")
    claim = await store.claim(request.id, EXECUTOR, LEASE)
    assert (claim.ok, claim.refusal) == (False, Refusal.WRONG_STATE)


async def test_only_the_requester_can_cancel(store: ApprovalStore) -> None:
    request = await make_request(store)
    other = await store.cancel(request.id, APPROVER)
    assert (other.refusal, other.state) == (Refusal.NOT_REQUESTER, ApprovalState.PENDING)
    mine = await store.cancel(request.id, REQUESTER)
    assert (mine.ok, mine.state) == (True, ApprovalState.CANCELLED)


async def test_one_claim_wins_and_only_the_holder_finishes(
    store: ApprovalStore, clock: FakeClock
) -> None:
    rid = await reach(store, clock, ApprovalState.APPROVED)
    won = await store.claim(rid, EXECUTOR, LEASE)
    lost = await store.claim(rid, "exec-2", LEASE)
    assert won.ok and (lost.ok, lost.refusal, lost.state) == (
        False,
        Refusal.WRONG_STATE,
        ApprovalState.EXECUTING,
    )
    stranger = await store.finish(rid, "exec-2", ApprovalState.EXECUTED, {})
    assert (stranger.refusal, stranger.state) == (
        Refusal.NOT_LEASE_HOLDER,
        ApprovalState.EXECUTING,
    )
    done = await store.finish(rid, EXECUTOR, ApprovalState.SUBMITTED_FOR_REVIEW, {"review": "r1"})
    assert done.state is ApprovalState.SUBMITTED_FOR_REVIEW
    stored = await store.get(rid)
    assert stored is not None
    assert (stored.executor, stored.outcome) == (EXECUTOR, {"review": "r1"})
    # Statsig's review is still open: not finished, the lock held, the watcher scheduled.
    assert stored.finished_at is None and stored.is_open
    assert stored.review_since is not None and stored.review_since.timestamp() == clock.now
    assert await store.reviews_due() == []
    clock.advance(30)
    assert await store.reviews_due() == [rid]


async def test_lease_expiry_is_reported_once_and_blocks_the_old_executor(
    store: ApprovalStore, clock: FakeClock
) -> None:
    rid = await reach(store, clock, ApprovalState.EXECUTING)
    clock.advance(LEASE - 1)
    assert await store.interrupted_due() == []
    clock.advance(2)
    assert await store.interrupted_due() == [rid]
    assert await store.interrupted_due() == []
    assert await store.list_interrupted() == [rid]
    late = await store.finish(rid, EXECUTOR, ApprovalState.EXECUTED, {})
    assert (late.refusal, late.state) == (Refusal.INTERRUPTED, ApprovalState.EXECUTING)
    other = await store.finish(rid, "exec-2", ApprovalState.EXECUTED, {})
    assert other.refusal is Refusal.INTERRUPTED
    verdict = await store.finish_interrupted(
        rid, ApprovalState.EXECUTED, {"verified_after_interruption": True}
    )
    assert verdict.state is ApprovalState.EXECUTED
    stored = await store.get(rid)
    assert stored is not None and stored.interrupted
    assert stored.outcome == {"verified_after_interruption": True}
    assert await store.list_interrupted() == []
    assert [e.event for e in await store.audit()][-2:] == ["interrupted", "finished_interrupted"]


async def test_finish_interrupted_needs_a_reclaimed_request(
    store: ApprovalStore, clock: FakeClock
) -> None:
    rid = await reach(store, clock, ApprovalState.EXECUTING)
    result = await store.finish_interrupted(rid, ApprovalState.FAILED, {"error": "interrupted"})
    assert (result.refusal, result.state) == (Refusal.NOT_INTERRUPTED, ApprovalState.EXECUTING)


async def test_invalidate_clears_approvals_and_rebinds_the_plan(store: ApprovalStore) -> None:
    request = await make_request(store, quorum=2)
    await store.approve(request.id, "U_A", FINGERPRINT, 2)
    result = await store.invalidate_approvals(request.id, "fp-2", '{"isEnabled": true}')
    assert (result.ok, result.state, result.approvals, result.quorum) == (
        True,
        ApprovalState.PENDING,
        0,
        2,
    )
    stale = await store.approve(request.id, "U_B", FINGERPRINT, 2)
    assert stale.refusal is Refusal.PLAN_CHANGED
    again = await store.approve(request.id, "U_A", "fp-2", 2)
    assert (again.ok, again.approvals) == (True, 1)
    stored = await store.get(request.id)
    assert stored is not None
    assert (stored.plan_fingerprint, stored.plan_json) == ("fp-2", '{"isEnabled": true}')
    assert [e.detail.get("cleared_approvals") for e in await store.audit()][2] == "1"


async def test_message_ref_is_stored_only_for_existing_requests(
    store: ApprovalStore, redis_client: aioredis.Redis
) -> None:
    request = await make_request(store)
    assert await store.set_message_ref(request.id, "C999", "1700000000.000100")
    stored = await store.get(request.id)
    assert stored is not None
    assert (stored.channel, stored.message_ts) == ("C999", "1700000000.000100")
    assert not await store.set_message_ref("AAAAAAAAAAAAAAAA", "C1", "1.2")
    assert not await redis_client.exists(store.keys.request("AAAAAAAAAAAAAAAA"))


async def test_unknown_and_malformed_ids_are_not_found(
    store: ApprovalStore, redis_client: aioredis.Redis
) -> None:
    for rid in ("AAAAAAAAAAAAAAAA", "x}:{idx", "", "../../etc"):
        assert await store.get(rid) is None
        result = await store.approve(rid, APPROVER, FINGERPRINT, 1)
        assert (result.ok, result.refusal, result.state) == (False, Refusal.NOT_FOUND, None)
        assert not await store.set_message_ref(rid, "C1", "1.0")
    assert await redis_client.dbsize() == 0


async def test_script_flush_between_transitions(
    store: ApprovalStore, redis_client: aioredis.Redis
) -> None:
    request = await make_request(store)
    await redis_client.script_flush()
    assert (await store.approve(request.id, APPROVER, FINGERPRINT, 1)).ok
    await redis_client.script_flush()
    assert (await store.claim(request.id, EXECUTOR, LEASE)).ok
    await redis_client.script_flush()
    assert (await store.finish(request.id, EXECUTOR, ApprovalState.EXECUTED, {})).ok


async def test_a_pending_holder_past_expiry_does_not_block_a_new_request(
    store: ApprovalStore, clock: FakeClock
) -> None:
    stale = await make_request(store)
    clock.advance(TTL + 1)  # nobody ran the sweeper
    fresh = await make_request(store)
    assert fresh.id != stale.id
    expired = await store.get(stale.id)
    assert expired is not None and expired.state is ApprovalState.EXPIRED


async def test_audit_pages_and_entity_history(store: ApprovalStore, clock: FakeClock) -> None:
    nav = await reach(store, clock, ApprovalState.EXECUTED, entity_id="nav")
    other = await make_request(store, entity_id="search")
    everything = await store.audit()
    assert [e.event for e in everything] == [
        "created",
        "approved",
        "claimed",
        "finished",
        "created",
    ]
    assert [e.to_state for e in everything][:4] == [
        ApprovalState.PENDING,
        ApprovalState.APPROVED,
        ApprovalState.EXECUTING,
        ApprovalState.EXECUTED,
    ]
    assert everything[0].from_state is None
    after = await store.audit(since_id=everything[1].id, count=2)
    assert [e.id for e in after] == [everything[2].id, everything[3].id]
    assert [e.event for e in await store.audit(count=2)] == ["finished", "created"]
    nav_history = await store.audit_for_entity("gate", "nav")
    assert {e.request_id for e in nav_history} == {nav}
    assert len(nav_history) == 4
    assert [e.request_id for e in await store.audit_for_entity("gate", "search")] == [other.id]


async def test_prefix_separates_stores(redis_client: aioredis.Redis, clock: FakeClock) -> None:
    blue = ApprovalStore(redis_client, prefix="blue:", clock=clock)
    green = ApprovalStore(redis_client, prefix="green:", clock=clock)
    request = await make_request(blue)
    assert await green.get(request.id) is None
    assert isinstance(await make_request(green), type(request))  # no shared lock
    keys = [text(k) for k in await redis_client.keys("*")]
    assert keys and all(k.startswith(("blue:", "green:")) for k in keys)
