"""Many clicks at once, from two replicas: no lost, duplicated or contradictory transitions."""

from __future__ import annotations

import asyncio
import random
from collections import Counter

from bot.approvals.store import ApprovalStore
from bot.ops.model.requests import TransitionResult
from bot.ops.model.states import ApprovalState, Refusal
from tests.approvals.helpers import FINGERPRINT, LEASE, REQUESTER, make_request

# What each of the 500 requests goes through, and the audit events that must result.
PATHS: dict[str, tuple[ApprovalState, list[str]]] = {
    "executed": (ApprovalState.EXECUTED, ["created", "approved", "claimed", "finished"]),
    "failed": (ApprovalState.FAILED, ["created", "approval", "approved", "claimed", "finished"]),
    "rejected": (ApprovalState.REJECTED, ["created", "rejected"]),
    "cancelled": (ApprovalState.CANCELLED, ["created", "cancelled"]),
    "approved": (ApprovalState.APPROVED, ["created", "approved"]),
}


async def _twice(*calls: asyncio.Future[TransitionResult]) -> TransitionResult:
    """The same click delivered by both replicas (a Slack retry): exactly one may succeed."""
    results = await asyncio.gather(*calls)
    winners = [r for r in results if r.ok]
    assert len(winners) == 1, results
    return winners[0]


async def _decide(a: ApprovalStore, b: ApprovalStore, rid: str, path: str) -> None:
    f = asyncio.ensure_future
    if path == "executed":
        await _twice(
            f(a.approve(rid, "U_A", FINGERPRINT, 1)), f(b.approve(rid, "U_A", FINGERPRINT, 1))
        )
        await _twice(f(a.claim(rid, "exec-a", LEASE)), f(b.claim(rid, "exec-b", LEASE)))
        current = await a.get(rid)
        assert current is not None and current.executor is not None
        await a.finish(rid, current.executor, ApprovalState.EXECUTED, {"ok": True})
    elif path == "failed":
        await asyncio.gather(
            a.approve(rid, "U_A", FINGERPRINT, 2), b.approve(rid, "U_B", FINGERPRINT, 2)
        )
        await _twice(f(b.claim(rid, "exec-b", LEASE)), f(a.claim(rid, "exec-a", LEASE)))
        current = await b.get(rid)
        assert current is not None and current.executor is not None
        await b.finish(rid, current.executor, ApprovalState.FAILED, {"error": "boom"})
    elif path == "rejected":
        await _twice(f(a.reject(rid, "U_A", "no")), f(b.reject(rid, "U_A", "no")))
    elif path == "cancelled":
        await _twice(f(a.cancel(rid, REQUESTER)), f(b.cancel(rid, REQUESTER)))
    else:
        await _twice(
            f(b.approve(rid, "U_B", FINGERPRINT, 1)), f(a.approve(rid, "U_B", FINGERPRINT, 1))
        )


async def test_500_requests_created_and_decided_concurrently(
    replicas: tuple[ApprovalStore, ApprovalStore],
) -> None:
    store, replica_b = replicas
    names = list(PATHS)
    plan = {f"g{i}": names[i % len(names)] for i in range(500)}
    created = await asyncio.gather(
        *(
            make_request(replicas[i % 2], entity_id=entity, quorum=2 if path == "failed" else 1)
            for i, (entity, path) in enumerate(plan.items())
        )
    )
    path_of = {request.id: plan[request.entity_id] for request in created}
    assert len(path_of) == 500
    await asyncio.gather(*(_decide(store, replica_b, rid, path) for rid, path in path_of.items()))

    requests = await asyncio.gather(*(store.get(rid) for rid in path_of))
    for request in requests:
        assert request is not None
        assert request.state is PATHS[path_of[request.id]][0]
    events = await store.audit(count=10_000)
    per_request: dict[str, list[str]] = {rid: [] for rid in path_of}
    for event in events:
        per_request[event.request_id].append(event.event)
    for rid, got in per_request.items():
        assert got == PATHS[path_of[rid]][1], rid
    assert len(events) == sum(len(PATHS[p][1]) for p in path_of.values())
    assert await store.list_pending() == []
    still_open = Counter(r.state for r in await store.list_by_requester(REQUESTER))
    assert still_open == Counter({ApprovalState.APPROVED: 100})


async def test_200_approvers_at_once_then_200_claimers(
    replicas: tuple[ApprovalStore, ApprovalStore],
) -> None:
    store, replica_b = replicas
    request = await make_request(store, quorum=2)
    results = await asyncio.gather(
        *(replicas[i % 2].approve(request.id, f"U{i}", FINGERPRINT, 2) for i in range(200))
    )
    counted = [r for r in results if r.ok]
    assert len(counted) == 2
    assert [r.state for r in counted].count(ApprovalState.APPROVED) == 1
    assert {r.refusal for r in results if not r.ok} <= {Refusal.WRONG_STATE}
    stored = await store.get(request.id)
    assert stored is not None and stored.state is ApprovalState.APPROVED
    assert len(stored.approvals) == 2
    assert [e.event for e in await store.audit()] == ["created", "approval", "approved"]

    claims = await asyncio.gather(
        *(replicas[i % 2].claim(request.id, f"exec-{i}", LEASE) for i in range(200))
    )
    winners = [i for i, r in enumerate(claims) if r.ok]
    assert len(winners) == 1
    stored = await store.get(request.id)
    assert stored is not None and stored.executor == f"exec-{winners[0]}"
    assert [e.event for e in await store.audit()][-1] == "claimed"
    assert len(await store.audit()) == 4


async def test_200_clicks_by_one_user_count_once(
    replicas: tuple[ApprovalStore, ApprovalStore],
) -> None:
    store, replica_b = replicas
    request = await make_request(store, quorum=2)
    results = await asyncio.gather(
        *(replicas[i % 2].approve(request.id, "U_SAME", FINGERPRINT, 2) for i in range(200))
    )
    assert sum(r.ok for r in results) == 1
    assert Counter(r.refusal for r in results if not r.ok) == {Refusal.ALREADY_APPROVED: 199}
    stored = await store.get(request.id)
    assert stored is not None and stored.state is ApprovalState.PENDING
    assert [a.user_id for a in stored.approvals] == ["U_SAME"]


async def test_approve_reject_race_repeated(
    replicas: tuple[ApprovalStore, ApprovalStore],
) -> None:
    store, replica_b = replicas
    rng = random.Random(1234)
    outcomes: Counter[ApprovalState] = Counter()
    for run in range(100):
        request = await make_request(store, entity_id=f"race_{run}")
        calls = [("approve", i) for i in range(50)] + [("reject", i) for i in range(50)]
        rng.shuffle(calls)
        results = await asyncio.gather(
            *(
                replicas[i % 2].approve(request.id, f"UA{i}", FINGERPRINT, 1)
                if kind == "approve"
                else replicas[i % 2].reject(request.id, f"UR{i}", "conflicts with launch")
                for kind, i in calls
            )
        )
        winners = [r for r in results if r.ok]
        assert len(winners) == 1
        final = await store.get(request.id)
        assert final is not None and final.state is winners[0].state
        assert all(r.state is final.state for r in results)
        assert all(r.refusal is Refusal.WRONG_STATE for r in results if not r.ok)
        assert len(await store.audit_for_entity("gate", f"race_{run}")) == 2
        claim = await replica_b.claim(request.id, "exec", LEASE)
        if final.state is ApprovalState.REJECTED:
            assert final.approvals == [] and not claim.ok
            assert claim.refusal is Refusal.WRONG_STATE
        else:
            assert final.state is ApprovalState.APPROVED and final.rejection is None
            assert len(final.approvals) == 1 and claim.ok
        outcomes[final.state] += 1
    assert sum(outcomes.values()) == 100
    assert set(outcomes) == {ApprovalState.APPROVED, ApprovalState.REJECTED}  # it really raced
