"""Changes the policy allows at once: recorded, then executed exactly once.

The request goes through the same states as an approved one (created, self-approved,
claimed, finished), so the audit trail and ``restore`` work the same way. A break-glass
``kill`` does not wait for Redis: if Redis cannot be reached, or another open kill request
holds the gate's lock, the gate is still disabled and the result says the audit record is
missing (the snapshot then goes into the announcement itself).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from redis.exceptions import RedisError

from bot.approvals.execute import Execution, Executor
from bot.approvals.freeze import exempt_from_freeze
from bot.approvals.notify import Notifications
from bot.approvals.results import RunResult, StoredPlan
from bot.approvals.store import ApprovalStore
from bot.ops.actions.registry import KILL_ACTION, action_words, is_incident, is_lock_exempt
from bot.ops.model.identity import Actor
from bot.ops.model.plans import Outcome, Plan
from bot.ops.model.requests import ApprovalRequest, LockHeld
from bot.ops.model.tickets import RestoreTicket
from bot.render.approvals import (
    render_kill_announcement,
    render_lock_held,
    render_notice,
    render_run_result,
    render_run_warnings,
    render_unavailable,
)

__all__ = ["RUN_NOW_TTL_SECONDS", "create_request", "run_now"]

log = logging.getLogger(__name__)

RUN_NOW_TTL_SECONDS = 3600.0
"""Lifetime of a run-now record's pending stage (it is approved the moment it is made)."""


async def create_request(
    store: ApprovalStore,
    stored: StoredPlan,
    requester: Actor,
    *,
    channel: str | None,
    quorum: int,
    approver_group: str,
    ttl_seconds: float,
) -> ApprovalRequest | LockHeld:
    """Open a request for ``stored.plan`` (the one way both run-now and submit create)."""
    plan = stored.plan
    return await store.create(
        action=plan.action,
        entity_kind=plan.entity_kind,
        entity_id=plan.entity_id,
        plan_json=stored.encode(),
        fingerprint=plan.fingerprint(),
        requester_id=requester.user_id,
        requester_email=requester.email,
        reason=plan.reason,
        channel=channel or "",
        quorum=quorum,
        approver_group=approver_group,
        ttl_seconds=ttl_seconds,
    )


async def _supersede(
    store: ApprovalStore, notify: Notifications, held: LockHeld, plan: Plan, requester: Actor
) -> bool:
    """Cancel the pending incident request that holds the gate, in favour of this one.

    A responder's kill or restore runs at once; a kill or restore by someone else that is
    still waiting for a responder's approval must not block it (it would only run the same
    change later, on an older plan). Anything past pending (approved, executing) is left.
    """
    words = action_words(plan.action)
    reason = (
        f"{requester.label} ran a {words} of {plan.entity_id} at once as an incident "
        "responder, which replaces this request"
    )
    done = await store.supersede(held.holder_request_id, requester.user_id, reason)
    if done.ok:
        log.info("request %s superseded by a responder's %s", held.holder_request_id, words)
        await notify.transition(held.holder_request_id)
    return done.ok


@dataclass(frozen=True, slots=True)
class FrozenMeanwhile:
    """The claim found a freeze that began after the plan was checked."""

    request_id: str


async def _record_and_run(
    store: ApprovalStore,
    executor: Executor,
    notify: Notifications,
    plan: Plan,
    requester: Actor,
    channel: str | None,
    freeze_override: str,
) -> Execution | LockHeld | FrozenMeanwhile | None:
    """Create, self-approve, claim and run; ``None`` if the claim was lost (cannot happen
    unless someone else approved the same fresh request); :class:`FrozenMeanwhile` when a
    freeze was switched on after the plan passed its check (the request waits, approved)."""
    stored = StoredPlan(
        plan=plan, need=None, requester_label=requester.label, freeze_override=freeze_override
    )
    created = await create_request(
        store, stored, requester, channel=channel, quorum=1, approver_group="",
        ttl_seconds=RUN_NOW_TTL_SECONDS,
    )  # fmt: skip
    held = created if isinstance(created, LockHeld) else None
    if (
        held is not None
        and is_incident(plan.action)
        and await _supersede(store, notify, held, plan, requester)
    ):
        created = await create_request(
            store, stored, requester, channel=channel, quorum=1, approver_group="",
            ttl_seconds=RUN_NOW_TTL_SECONDS,
        )  # fmt: skip
    if isinstance(created, LockHeld):
        return created
    await store.approve(
        created.id, requester.user_id, plan.fingerprint(), 1, allow_self=True,
        email=requester.email, statsig_role=requester.statsig_role,
    )  # fmt: skip
    # Planned a moment ago by this very call: no stale check, so a kill stays one PUT.
    respect_freeze = not exempt_from_freeze(plan.action, stored)
    execution = await executor.claim_and_run(
        created.id, check_stale=False, respect_freeze=respect_freeze
    )
    if execution is None and respect_freeze and await store.freeze.current() is not None:
        return FrozenMeanwhile(created.id)
    return execution


async def run_now(
    store: ApprovalStore,
    executor: Executor,
    notify: Notifications,
    plan: Plan,
    requester: Actor,
    *,
    channel: str | None,
    freeze_override: str = "",
    ticket_key: bytes = b"",
) -> RunResult:
    """Record ``plan`` as a request and execute it once; see the module docstring.
    ``ticket_key`` signs the Restore button of a kill that Redis could not record."""
    is_kill = is_lock_exempt(plan.action)  # a kill: it runs past locks and outages
    note = ""
    try:
        ran = await _record_and_run(
            store, executor, notify, plan, requester, channel, freeze_override
        )
    except RedisError:
        if not is_incident(plan.action):
            return RunResult(render_unavailable(), None, None, audit_saved=False)
        ran = None
        note = (
            "Redis is unreachable, so this kill has no audit record yet; its Restore button "
            "carries the snapshot."
            if is_kill
            else "Redis is unreachable, so this restore has no audit record."
        )
    if isinstance(ran, LockHeld):
        if not is_kill:
            message = render_lock_held(ran, action=plan.action, entity_id=plan.entity_id)
            return RunResult(message, None, None, audit_saved=True)
        note = f"another open kill request ({ran.holder_request_id}) holds this gate; ran anyway"
        ran = None
    if isinstance(ran, FrozenMeanwhile):
        text = (
            "Changes were frozen a moment ago, so nothing was sent: your change waits as "
            f"approved request {ran.request_id} and runs once the freeze is lifted."
        )
        return RunResult(render_notice(text, ok=False), None, ran.request_id, audit_saved=True)
    if ran is not None:
        return _result(plan, ran.outcome, requester, ran.request_id, ran.recorded, note, ticket_key)
    if not is_incident(plan.action):
        return RunResult(render_notice("Nothing ran: the request was taken over.", ok=False),
                         None, None, audit_saved=True)  # fmt: skip
    outcome, _ = await executor.run(plan, check_stale=False)
    return _result(plan, outcome, requester, None, False, note, ticket_key)


def _result(
    plan: Plan,
    outcome: Outcome,
    requester: Actor,
    request_id: str | None,
    audit_saved: bool,
    note: str,
    ticket_key: bytes,
) -> RunResult:
    message = render_run_result(outcome, audit_saved=audit_saved, note=note)
    warnings = render_run_warnings(audit_saved=audit_saved, note=note)
    announcement = None
    if plan.action == KILL_ACTION:
        ticket = (
            None
            if audit_saved
            else RestoreTicket.of(plan.entity_id, plan.snapshot, outcome.after).encode(ticket_key)
        )
        announcement = render_kill_announcement(
            plan,
            outcome,
            request_id=request_id if audit_saved else None,
            requester=requester.label,
            audit_saved=audit_saved,
            ticket=ticket,
        )
    return RunResult(message, outcome, request_id, audit_saved, announcement, warnings)
