"""Listings of the approval workflow: ``approvals`` and ``audit``, and the answer to a
restore of a kill that Statsig still holds for review.

Split from :mod:`bot.chatops.changes` so that each module keeps one job.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.approvals.audit import merge_audit
from bot.approvals.authorize import awaiting_approval_by
from bot.approvals.errors import ApprovalsUnavailable
from bot.approvals.workflow import ApprovalWorkflow
from bot.chatops.replies import Reply
from bot.ops.actions.registry import action_words, is_restorable
from bot.ops.model.identity import Actor
from bot.ops.model.requests import ApprovalRequest, AuditEvent
from bot.ops.model.states import ApprovalState
from bot.ops.policy.rules import Policy
from bot.render import render_audit, render_error
from bot.render.replies import render_request_list
from bot.render.timers import with_timers
from bot.statsig.client import ConsoleClient

__all__ = [
    "approvals_reply",
    "audit_reply",
    "held_in_review",
    "redis_unavailable",
    "unavailable",
]


def unavailable(what: str) -> Reply:
    """The reply when the approval workflow is not running (no Redis, not configured)."""
    return Reply(
        message=render_error(
            "approvals are unavailable",
            f"{what} needs the approval workflow, which is not running in this deployment.",
        ),
        ok=False,
    )


def redis_unavailable(exc: ApprovalsUnavailable) -> Reply:
    """The reply when a listing could not reach Redis: never an empty "No requests."."""
    text = (
        f"Approvals are unavailable: Redis cannot be reached, so {exc.what} cannot be shown. "
        "Try again in a minute."
    )
    return Reply(message=render_error(text), ok=False)


async def approvals_reply(
    workflow: ApprovalWorkflow | None, scope: str, actor: Actor, *, policy: Policy | None = None
) -> Reply:
    """``approvals [mine|pending]``: open requests, the actor's own, or those awaiting them;
    ``approvals`` alone also lists the timed kills still running, with their time left.

    ``pending`` lists only what ``actor`` may approve (group, four eyes, Statsig role and
    reviewers, as a click would be judged); without a ``policy`` it hides only their own.
    """
    if workflow is None:
        return unavailable("Listing approval requests")
    try:
        requests, title = await _requests(workflow, scope, actor, policy)
        timers = await workflow.timers.active() if scope == "all" else []
        now = await workflow.timers.now()
    except ApprovalsUnavailable as exc:
        return redis_unavailable(exc)
    return Reply(message=with_timers(render_request_list(title, requests), timers, now))


async def _requests(
    workflow: ApprovalWorkflow, scope: str, actor: Actor, policy: Policy | None
) -> tuple[list[ApprovalRequest], str]:
    if scope == "mine":
        requests = list(await workflow.mine(actor))
        title = "Your approval requests"
    else:
        requests = list(await workflow.pending())
        title = "Open approval requests"
        if scope != "pending":  # in review at Statsig: open, but not approvable here
            requests += list(await workflow.in_review())
        else:
            mine = {r.id for r in await workflow.mine(actor)}
            requests = [r for r in requests if r.id not in mine]
            if policy is not None:
                requests = awaiting_approval_by(policy, actor, requests)
            title = "Approval requests waiting for you"
    return requests, title


async def audit_reply(
    workflow: ApprovalWorkflow | None,
    client: ConsoleClient,
    name: str | None,
    since_seconds: float | None,
) -> Reply:
    """``audit [name] [--since D]``: the bot's own trail merged with Statsig's audit log."""
    notes: list[str] = []
    since = None
    if since_seconds is not None:
        since = datetime.now(UTC) - timedelta(seconds=since_seconds)
    events: list[AuditEvent] = []
    if workflow is None:
        notes.append("the bot's own audit trail is unavailable (no approval workflow)")
    else:
        try:
            events = list(await workflow.audit_entries(since_seconds=since_seconds))
        except ApprovalsUnavailable:
            notes.append("the chat audit trail is unavailable (Redis cannot be reached)")
    page = await client.list_audit_logs(start_date=since.date() if since else None, limit=100)
    reasons = await _reasons(workflow, events) if workflow is not None else {}
    entries = merge_audit(events, page.data, name=name, since=since, limit=60, reasons=reasons)
    title = f"Audit: {name}" if name else "Audit log"
    return Reply(message=render_audit(entries, title=title, note="; ".join(notes) or None))


async def _reasons(workflow: ApprovalWorkflow, events: list[AuditEvent]) -> dict[str, str]:
    """Each requested change's reason: the ``created`` event does not carry it."""
    reasons: dict[str, str] = {}
    for request_id in {e.request_id for e in events if e.event == "created"}:
        try:
            request = await workflow.get(request_id)
        except ApprovalsUnavailable:
            return reasons
        if request is not None and request.reason:
            reasons[request_id] = request.reason
    return reasons


async def held_in_review(workflow: ApprovalWorkflow, target: str) -> Reply | None:
    """The answer to ``restore`` of a gate whose kill Statsig still holds for review: it
    was never disabled, so there is nothing to restore."""
    try:
        request = await workflow.get(target)
        held = [request] if request is not None else list(await workflow.in_review())
    except ApprovalsUnavailable:
        return None
    for r in held:
        if (
            r.state is ApprovalState.SUBMITTED_FOR_REVIEW
            and is_restorable(r.action)
            and (r.id == target or r.entity_id == target)
        ):
            text = (
                f"{r.entity_id} was never disabled: request {r.id} "
                f"({action_words(r.action)}) is still waiting for a Statsig review, so the gate "
                "is still ON and "
                "there is nothing to restore. To drop the change, withdraw the review in the "
                "Statsig console."
            )
            return Reply(message=render_error(text), ok=False)
    return None
