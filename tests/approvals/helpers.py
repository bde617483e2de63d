"""Shared test helpers: a controllable clock and a way to drive a request to any state."""

from __future__ import annotations

from bot.approvals.store import ApprovalStore
from bot.ops.model.requests import ApprovalRequest
from bot.ops.model.states import ApprovalState

REQUESTER = "U_REQ"
APPROVER = "U_APPROVER"
EXECUTOR = "exec-1"
FINGERPRINT = "fp-1"
TTL = 3600.0
LEASE = 60.0
START = 1_700_000_000.0


class FakeClock:
    """The store's clock, moved only by the test."""

    def __init__(self, start: float = START) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


async def make_request(
    store: ApprovalStore,
    *,
    entity_id: str = "checkout_v2",
    action: str = "gate.disable",
    quorum: int = 1,
    requester_id: str = REQUESTER,
) -> ApprovalRequest:
    created = await store.create(
        action=action,
        entity_kind="gate",
        entity_id=entity_id,
        plan_json='{"isEnabled": false}',
        fingerprint=FINGERPRINT,
        requester_id=requester_id,
        requester_email="req@example.com",
        reason="INC-231 errors spiking",
        channel="C123",
        quorum=quorum,
        approver_group="approvers",
        ttl_seconds=TTL,
    )
    assert isinstance(created, ApprovalRequest), created
    return created


async def reach(
    store: ApprovalStore, clock: FakeClock, state: ApprovalState, *, entity_id: str = "nav"
) -> str:
    """Create a request and drive it, through the public API, into ``state``."""
    request = await make_request(store, entity_id=entity_id)
    rid = request.id
    steps = {
        ApprovalState.PENDING: [],
        ApprovalState.APPROVED: ["approve"],
        ApprovalState.EXECUTING: ["approve", "claim"],
        ApprovalState.EXECUTED: ["approve", "claim", "finish"],
        ApprovalState.FAILED: ["approve", "claim", "finish"],
        ApprovalState.SUBMITTED_FOR_REVIEW: ["approve", "claim", "finish"],
        ApprovalState.REVIEW_REJECTED: ["approve", "claim", "review", "resolve"],
        ApprovalState.REVIEW_UNRESOLVED: ["approve", "claim", "review", "resolve"],
        ApprovalState.REJECTED: ["reject"],
        ApprovalState.CANCELLED: ["cancel"],
        ApprovalState.EXPIRED: ["expire"],
    }[state]
    for step in steps:
        if step == "approve":
            result = await store.approve(rid, APPROVER, FINGERPRINT, 1)
        elif step == "claim":
            result = await store.claim(rid, EXECUTOR, LEASE)
        elif step == "finish":
            result = await store.finish(rid, EXECUTOR, state, {"message": "done"})
        elif step == "review":
            result = await store.finish(
                rid, EXECUTOR, ApprovalState.SUBMITTED_FOR_REVIEW, {"review_id": "r1"}
            )
        elif step == "resolve":
            result = await store.resolve_review(rid, state, {"message": "review over"})
        elif step == "reject":
            result = await store.reject(rid, APPROVER, "too risky")
        elif step == "cancel":
            result = await store.cancel(rid, REQUESTER)
        else:
            clock.advance(TTL + 1)
            result = await store.expire(rid)
        assert result.ok, (step, result)
    got = await store.get(rid)
    assert got is not None and got.state is state
    return rid
