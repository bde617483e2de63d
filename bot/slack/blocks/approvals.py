"""Approval and incident messages: the approval card, its thread entries, DMs, kill notices.

The card is re-rendered from the stored request on every transition (Slack ``chat.update``),
so it is a pure function of :class:`ApprovalCard`: buttons while pending, a verdict line
once decided. Thread entries are one line per audit event. Every user or Statsig string is
escaped here; user IDs become mentions only when they look like Slack IDs.

Usage::

    render_approval_card(ApprovalCard(request, plan, need=need))
    render_thread_entry(event)
    render_kill_announcement(plan, outcome, request_id=rid, requester="Alice", audit_saved=True)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.approvals.models import UNVERIFIED_INTERRUPTION, ApprovalRequest, AuditEvent, LockHeld
from bot.approvals.states import ApprovalState
from bot.ops.plans import Outcome, OutcomeStatus, Plan
from bot.ops.policy import KILL_ACTION, NeedsApproval
from bot.slack.blocks.common import (
    Message,
    actions,
    button,
    compact_json,
    context,
    esc,
    esc_plain,
    fmt_time,
    header,
    ident,
    link,
    message,
    person,
    plural,
    section,
)
from bot.slack.blocks.ids import (
    APPROVAL_APPROVE,
    APPROVAL_CANCEL,
    APPROVAL_REJECT,
    INCIDENT_RESTORE,
)
from bot.slack.blocks.plans import render_outcome, render_plan
from bot.statsig.links import console_url

__all__ = [
    "ApprovalCard",
    "mention",
    "render_approval_card",
    "render_approver_invitation",
    "render_kill_announcement",
    "render_lock_held",
    "render_notice",
    "render_requester_dm",
    "render_restore_result",
    "render_run_result",
    "render_thread_entry",
    "render_unavailable",
]

UNAVAILABLE = (
    "Approvals are unavailable: Redis cannot be reached, so nothing was recorded or changed. "
    "Try again in a minute; for an emergency, a responder's `kill` still works."
)


def mention(user_id: str) -> str:
    """``<@U123>`` for Slack user IDs, the email for shell users (see :func:`person`)."""
    return person(user_id)


@dataclass(frozen=True)
class ApprovalCard:
    """Everything the approval card shows; ``review_result`` is the Statsig review's fate
    (``"committed"``/``"rejected"``) once the watcher saw it."""

    request: ApprovalRequest
    plan: Plan | None
    need: NeedsApproval | None = None
    outcome: Outcome | None = None
    review_result: str | None = None
    project_id: str | None = None


_STATE_ICONS = {
    ApprovalState.PENDING: "⏳",
    ApprovalState.APPROVED: "✅",
    ApprovalState.EXECUTING: "⚙️",
    ApprovalState.EXECUTED: "✅",
    ApprovalState.FAILED: "❌",
    ApprovalState.SUBMITTED_FOR_REVIEW: "🕒",
    ApprovalState.REVIEW_REJECTED: "🚫",
    ApprovalState.REVIEW_UNRESOLVED: "⌛",
    ApprovalState.REJECTED: "🚫",
    ApprovalState.CANCELLED: "↩️",
    ApprovalState.EXPIRED: "⌛",
}


def _approvers_text(card: ApprovalCard, *, got: int | None = None) -> str:
    """ "1 approval from group approvers"; with ``got``, "0 of 1 approval from …"."""
    request, need = card.request, card.need
    group = need.approvers.name if need else request.approver_group or "approvers"
    progress = "" if got is None else f"{got} of "
    text = f"{progress}{plural(request.quorum, 'approval')} from group {ident(group, 60)}"
    if need and need.statsig_reviewers:
        who = ", ".join(esc(r, 60) for r in need.statsig_reviewers[:8])
        text += f", Statsig reviewers only ({who})"
    if need and need.allow_self_approval:
        text += "; self-approval allowed"
    return text


def _verdict(card: ApprovalCard) -> str:
    """One line saying where the request stands (escaped mrkdwn)."""
    request = card.request
    state = request.state
    icon = _STATE_ICONS.get(state, "•")
    if state is ApprovalState.PENDING:
        needs = _approvers_text(card, got=len(request.approvals))
        expires = fmt_time(request.expires_at)
        line = f"{icon} *Waiting for approval*: {needs}; expires {expires}"
        if request.invalidated_reason:
            line += f"\n⚠️ Approvals were reset because {esc(request.invalidated_reason, 500)}."
        return line
    if state is ApprovalState.APPROVED:
        return f"{icon} *Approved*; about to run."
    if state is ApprovalState.EXECUTING:
        extra = " The executor stopped responding; checking Statsig." if request.interrupted else ""
        return f"{icon} *Executing*…{extra}"
    if state is ApprovalState.REJECTED and request.rejection is not None:
        reason = esc(request.rejection.reason, 500)
        return f"{icon} *Rejected* by {mention(request.rejection.user_id)}: {reason}"
    if state is ApprovalState.CANCELLED:
        return f"{icon} *Cancelled* by the requester."
    if state is ApprovalState.EXPIRED:
        return f"{icon} *Expired*: nobody decided before {fmt_time(request.expires_at)}."
    return _finished_verdict(card, icon)


def _finished_verdict(card: ApprovalCard, icon: str) -> str:
    request, outcome = card.request, card.outcome
    detail = esc(outcome.message, 800) if outcome else ""
    if request.state is ApprovalState.EXECUTED:
        how = " (verified after interruption)" if request.interrupted else ""
        return f"{icon} *Executed*{how}. {detail}".rstrip()
    if request.state is ApprovalState.FAILED:
        if request.interrupted and outcome is not None and outcome.error == UNVERIFIED_INTERRUPTION:
            return f"{icon} *Failed: interrupted (could not verify)*. {detail}".rstrip()
        if request.interrupted:
            return (
                f"{icon} *Failed: interrupted*. The executor stopped mid-way and Statsig does "
                "not show the change; it was not retried. Check the entity and ask again."
            )
        error = f" ({esc(outcome.error, 300)})" if outcome and outcome.error else ""
        return f"{icon} *Failed*{error}. {detail}".rstrip()
    review = ident(outcome.review_id, 60) if outcome and outcome.review_id else "–"
    if request.state is ApprovalState.REVIEW_REJECTED:
        return f"{icon} *Not applied*: Statsig review {review} was rejected or withdrawn."
    if request.state is ApprovalState.REVIEW_UNRESOLVED:
        return (
            f"{icon} *Unresolved*: Statsig review {review} was still undecided when the bot "
            "stopped watching it; check the console."
        )
    line = f"{icon} *Submitted for review in Statsig* (review {review}); not applied yet."
    if card.review_result == "committed":
        line = f"✅ *Applied*: Statsig review {review} was committed."
    elif card.review_result == "rejected":
        line = f"🚫 *Not applied*: Statsig review {review} was rejected or withdrawn."
    return line


def _request_lines(card: ApprovalCard) -> str:
    """Who asked and why (once: the plan below leaves its reason out), and who approved.

    The quorum is stated once, by the pending verdict further down.
    """
    request = card.request
    lines = [f"*Requested by* {mention(request.requester.user_id)}"]
    if request.reason:
        lines.append(f"*Reason* {esc(request.reason, 500)}")
    if request.approvals:
        who = ", ".join(mention(a.user_id) for a in request.approvals[:10])
        lines.append(f"*Approved by* {who}")
    return "\n".join(lines)


def _buttons(request_id: str, plan: Plan | None) -> dict[str, Any]:
    approve = button("Approve", APPROVAL_APPROVE, request_id, style="primary")
    summary = esc(plan.summary, 200) if plan else "this change"
    approve["confirm"] = {
        "title": {"type": "plain_text", "text": "Approve this change?"},
        "text": {
            "type": "mrkdwn",
            "text": f"It runs at once when the quorum is reached: {summary}",
        },
        "confirm": {"type": "plain_text", "text": "Approve"},
        "deny": {"type": "plain_text", "text": "Back"},
    }
    return actions(
        [
            approve,
            button("Reject", APPROVAL_REJECT, request_id, style="danger"),
            button("Cancel", APPROVAL_CANCEL, request_id),
        ]
    )


def _plan_blocks(plan: Plan | None) -> list[dict[str, Any]]:
    if plan is None:
        return [section("The stored plan could not be read.")]
    # The plan's own header and reason would repeat ours; keep the rest of its body.
    return [b for b in render_plan(plan, with_reason=False).blocks if b.get("type") != "header"]


def render_approval_card(card: ApprovalCard) -> Message:
    """The approval message: plan, blast radius, who asked and why, verdict, buttons."""
    request, plan = card.request, card.plan
    title = plan.summary if plan else f"{request.action} {request.entity_id}"
    icon = _STATE_ICONS.get(request.state, "•")
    body: list[dict[str, Any]] = [
        header(f"{icon} Approval: {esc_plain(title, 120)}"),
        section(_request_lines(card)),
        *_plan_blocks(plan),
        section(_verdict(card)),
    ]
    tail: list[dict[str, Any]] = []
    if request.state is ApprovalState.PENDING:
        tail.append(_buttons(request.id, plan))
    elif request.state is ApprovalState.EXECUTED and request.action == KILL_ACTION:
        # An approved kill keeps one-click restore on its own card, like the announcement.
        tail.append(_restore_button(request.id))
    tail.append(
        context([f"request {ident(request.id, 70)}", f"created {fmt_time(request.created_at)}"])
    )
    fallback = (
        f"Approval {request.state.value}: {esc_plain(title, 200)} "
        f"(requested by {mention(request.requester.user_id)})"
    )
    return message(fallback, body, tail)


_EVENT_TEXT = {
    "created": "requested this change",
    "approval": "approved",
    "approved": "approved; the quorum is reached",
    "rejected": "rejected it",
    "cancelled": "cancelled it",
    "expired": "expired: nobody decided in time",
    "claimed": "started executing it",
    "interrupted": "found the executor gone; checking Statsig",
    "invalidated": "cleared the approvals: the plan or the entity changed",
    "review_committed": "saw the Statsig review committed",
    "review_rejected": "saw the Statsig review rejected",
    "review_unresolved": "stopped watching the Statsig review: still undecided",
    "lease_renewed": "is sending the change to Statsig",
}


def render_thread_entry(event: AuditEvent) -> Message:
    """One thread reply per transition: who did what, when."""
    actor = mention(event.actor)
    if event.event in ("finished", "finished_interrupted"):
        what = f"finished it: *{esc(event.to_state.value, 40)}*"
        if event.event == "finished_interrupted":
            what += " (after an interruption)"
    else:
        what = esc(_EVENT_TEXT.get(event.event, event.event), 200)
    extra = []
    if event.detail.get("approvals") and event.detail.get("quorum"):
        extra.append(f"{event.detail['approvals']} of {event.detail['quorum']}")
    if event.detail.get("reason"):
        extra.append(f"reason: {esc(event.detail['reason'], 300)}")
    line = (
        f"{actor} {what}" + (f" ({'; '.join(extra)})" if extra else "") + f" · {fmt_time(event.at)}"
    )
    fallback = f"{mention(event.actor)}: {esc_plain(event.event, 40)} → {event.to_state.value}"
    return message(fallback, [section(line)])


def render_requester_dm(card: ApprovalCard) -> Message:
    """The requester's copy of the result, with the verdict first."""
    plan, request = card.plan, card.request
    title = plan.summary if plan else f"{request.action} {request.entity_id}"
    lines = [f"Your request {ident(request.id, 70)}: {esc(title, 300)}", _verdict(card)]
    fallback = f"Your request is {request.state.value}: {esc_plain(title, 200)}"
    return message(fallback, [section("\n".join(lines))])


def render_approver_invitation(card: ApprovalCard, *, channel: str | None) -> Message:
    """A DM to a required approver: what is asked, by whom, and where to decide.

    No buttons: the plan may change before anyone decides (and the channel card is then
    re-rendered), so approving is only possible on the card, never on a stale copy.
    """
    request, plan = card.request, card.plan
    title = plan.summary if plan else f"{request.action} {request.entity_id}"
    where = f" in <#{channel}>" if channel and re.fullmatch(r"[CG][A-Z0-9]{2,}", channel) else ""
    lines = [
        f"{mention(request.requester.user_id)} asks for your approval{where}: {esc(title, 300)}",
        f"*Needs* {_approvers_text(card)}",
    ]
    if request.reason:
        lines.append(f"*Reason* {esc(request.reason, 500)}")
    place = f"the request's card{where}" if where else "the request's card"
    lines.append(
        f"Approve or reject it on {place} (request {ident(request.id, 70)}), which always "
        "shows the current plan."
    )
    fallback = f"Approval requested: {esc_plain(title, 200)}"
    return message(fallback, [section("\n".join(lines))])


def _snapshot_text(snapshot: dict[str, Any] | None) -> str:
    if not snapshot:
        return "–"
    kept = {k: snapshot.get(k) for k in ("id", "isEnabled", "rules", "version") if k in snapshot}
    return compact_json(kept, 2500)


def render_kill_announcement(
    plan: Plan,
    outcome: Outcome,
    *,
    request_id: str | None,
    requester: str,
    audit_saved: bool,
    project_id: str | None = None,
    approved_by: Sequence[str] = (),
) -> Message:
    """The loud channel message of a kill, with a Restore button when it can be restored.

    Without an audit record (Redis down) the snapshot is written into the message itself,
    so the previous state is never lost. ``approved_by`` names who approved a kill that
    was not break-glass (user IDs).
    """
    killed = outcome.status in (OutcomeStatus.APPLIED, OutcomeStatus.NOOP)
    gate = ident(plan.entity_id)
    if killed:
        title = f"🚨 KILLED: gate {esc_plain(plan.entity_id, 100)} is disabled"
    else:
        title = f"🚨 KILL NOT DONE: gate {esc_plain(plan.entity_id, 100)}"
    by = f"*Gate* {gate} · *by* {esc(requester, 80)}"
    if approved_by:
        by += " · *approved by* " + ", ".join(mention(a) for a in approved_by[:10])
    lines = [by]
    if outcome.status is not OutcomeStatus.APPLIED:  # "Killed: … is disabled" is the title
        lines.append(esc(outcome.message, 800))
    if plan.reason:
        lines.append(f"*Reason* {esc(plan.reason, 500)}")
    if outcome.error and outcome.error not in outcome.message:
        lines.append(f"*Error* {esc(outcome.error, 500)}")
    body: list[dict[str, Any]] = [header(title), section("\n".join(lines))]
    if not audit_saved:
        body.append(
            section(
                "⚠️ *The audit record could not be saved* (Redis unreachable). "
                f"The state before the kill, to restore by hand:\n{_snapshot_text(plan.snapshot)}"
            )
        )
    tail: list[dict[str, Any]] = []
    if killed and request_id is not None:
        tail.append(_restore_button(request_id))
    url = console_url("gate", plan.entity_id, project_id)
    tail.append(
        context(
            [link(url, "Open in Statsig")]
            + ([f"request {ident(request_id, 70)}"] if request_id else [])
        )
    )
    fallback = esc_plain(title, 200)
    if outcome.status is not OutcomeStatus.APPLIED:
        fallback += f". {esc_plain(outcome.message, 300)}"
    return message(fallback, body, tail)


def _restore_button(request_id: str) -> dict[str, Any]:
    return actions([button("Restore", INCIDENT_RESTORE, request_id, style="danger")])


def render_restore_result(
    gate_id: str, outcome: Outcome | None = None, *, refusal: str | None = None
) -> Message:
    """What ``restore`` did, or why it refused (with the diff in ``refusal``)."""
    if refusal is not None or outcome is None:
        text = f"↩️ *Restore refused* for gate {ident(gate_id)}\n{esc_multiline(refusal or '')}"
        return message(f"Restore refused for {esc_plain(gate_id, 100)}", [section(text)])
    ok = outcome.status in (OutcomeStatus.APPLIED, OutcomeStatus.NOOP)
    icon = "✅ *Restored*" if ok else "❌ *Restore failed*"
    lines = [f"{icon}: gate {ident(gate_id)}", esc(outcome.message, 800)]
    if outcome.error:
        lines.append(f"*Error* {esc(outcome.error, 500)}")
    fallback = f"{'Restored' if ok else 'Restore failed'}: {esc_plain(gate_id, 100)}"
    return message(fallback, [section("\n".join(lines))])


def esc_multiline(value: str, limit: int = 2500) -> str:
    """Escape text line by line, keeping its line breaks (diffs span several lines)."""
    lines = value.splitlines()[:40]
    return "\n".join(esc(line, 300) for line in lines)[:limit]


def render_notice(text: str, *, ok: bool = True, details: Sequence[str] = ()) -> Message:
    """A short private answer (to a click, a refused request); ``text`` is escaped here."""
    icon = "✅" if ok else "⚠️"
    lines = [f"{icon} {esc(text, 1500)}", *(esc_multiline(d, 1500) for d in details)]
    return message(esc_plain(text, 500), [section("\n".join(lines))])


def render_lock_held(holder: LockHeld, *, action: str, entity_id: str) -> Message:
    """Another open request holds this entity and action (Atlantis-style lock)."""
    text = (
        f"⚠️ There is already an open {ident(action, 60)} request for {ident(entity_id)}: "
        f"{ident(holder.holder_request_id, 70)} by {mention(holder.holder_requester)}. "
        "Wait for it to finish, or ask them to cancel it."
    )
    fallback = (
        f"Locked: an open {esc_plain(action, 60)} request exists for {esc_plain(entity_id, 100)}"
    )
    return message(fallback, [section(text)])


def render_unavailable(detail: str = "") -> Message:
    """Redis is down: the approval path fails closed and says so."""
    text = UNAVAILABLE + (f" ({detail})" if detail else "")
    return message(esc_plain(text, 500), [section("⚠️ " + esc(text, 1500))])


def render_run_result(
    outcome: Outcome, *, audit_saved: bool, note: str = "", project_id: str | None = None
) -> Message:
    """A change that ran at once; says loudly when its audit record is missing."""
    base = render_outcome(outcome, project_id=project_id)
    extra: list[dict[str, Any]] = []
    if not audit_saved:
        extra.append(
            section(
                "⚠️ *The audit record could not be saved* (Redis unreachable); "
                "the change ran anyway."
            )
        )
    if note:
        extra.append(section("⚠️ " + esc(note, 1000)))
    suffix = " (audit record NOT saved)" if not audit_saved else ""
    return message(base.text + suffix, [*extra, *base.blocks])
