"""The approval card and what follows it: thread entries, the requester's DM, invitations.

The card is re-rendered from the stored request on every transition (Slack ``chat.update``),
so it is a pure function of :class:`ApprovalCard`: buttons while pending, a verdict line
once decided. Thread entries are one line per audit event. Every user or Statsig string is
escaped here; user IDs become mentions only when they look like Slack IDs.

Usage::

    render_approval_card(ApprovalCard(request, plan, need=need))
    render_thread_entry(event)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.ops.actions.registry import KILL_ACTION, action_words
from bot.ops.model.decisions import NeedsApproval
from bot.ops.model.freeze import Freeze
from bot.ops.model.plans import Outcome, OutcomeStatus, Plan
from bot.ops.model.requests import UNVERIFIED_INTERRUPTION, ApprovalRequest, AuditEvent
from bot.ops.model.states import ApprovalState
from bot.render.approvals_incident import restore_button, restored_line
from bot.render.common import (
    Message,
    actions,
    button,
    context,
    esc,
    esc_plain,
    fmt_time,
    header,
    ident,
    message,
    person,
    plural,
    section,
)
from bot.render.freeze import waiting_line
from bot.render.ids import APPROVAL_APPROVE, APPROVAL_CANCEL, APPROVAL_REJECT
from bot.render.plans import render_plan
from bot.render.states import STATE_ICONS, result_words

__all__ = [
    "ApprovalCard",
    "mention",
    "render_approval_card",
    "render_approver_invitation",
    "render_requester_dm",
    "render_thread_entry",
]


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
    frozen: Freeze | None = None
    """The change freeze that holds this request back (it runs once lifted)."""

    @property
    def quorum(self) -> int:
        """Approvals needed: the stored quorum, or today's rules' when they raised it."""
        raised = self.need.approvals_required if self.need else 0
        return max(self.request.quorum, raised)


def _approvers_text(card: ApprovalCard, *, got: int | None = None) -> str:
    """ "1 approval from group approvers"; with ``got``, "0 of 1 approval from …"."""
    request, need = card.request, card.need
    if need:
        who = esc(need.approvers.described(), 300)
    else:
        who = f"group {ident(request.approver_group or 'approvers', 60)}"
    progress = "" if got is None else f"{got} of "
    text = f"{progress}{plural(card.quorum, 'approval')} from {who}"
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
    icon = STATE_ICONS.get(state, "•")
    if state is ApprovalState.PENDING:
        needs = _approvers_text(card, got=len(request.approvals))
        expires = fmt_time(request.expires_at)
        line = f"{icon} *Waiting for approval*: {needs}; expires {expires}"
        if request.invalidated_reason:
            line += f"\n⚠️ Approvals were reset because {esc(request.invalidated_reason, 500)}."
        if card.frozen is not None:
            line += f"\n{waiting_line(card.frozen)}"
        return line
    if state is ApprovalState.APPROVED and card.frozen is not None:
        return (
            f"{icon} *Approved*; waiting for the change freeze to end.\n{waiting_line(card.frozen)}"
        )
    if state is ApprovalState.APPROVED:
        return f"{icon} *Approved*; about to run."
    if state is ApprovalState.EXECUTING:
        extra = " The executor stopped responding; checking Statsig." if request.interrupted else ""
        return f"{icon} *Executing*…{extra}"
    if state is ApprovalState.REJECTED and request.rejection is not None:
        reason = esc(request.rejection.reason, 500)
        return f"{icon} *Rejected* by {mention(request.rejection.user_id)}: {reason}"
    if state is ApprovalState.CANCELLED and request.superseded is not None:
        who = mention(request.superseded.user_id)
        return f"{icon} *Cancelled* by {who}: {esc(request.superseded.reason, 500)}"
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
        if outcome is not None and outcome.status is OutcomeStatus.UNKNOWN:
            return f"❓ *Outcome unknown*{error}: check it in the console. {detail}".rstrip()
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
    title = plan.summary if plan else f"{action_words(request.action)} {request.entity_id}"
    icon = STATE_ICONS.get(request.state, "•")
    body: list[dict[str, Any]] = [
        header(f"{icon} Approval: {esc_plain(title, 120)}"),
        section(_request_lines(card)),
        *_plan_blocks(plan),
        section(_verdict(card)),
    ]
    if request.restored is not None:
        body.append(section(restored_line(request.restored)))
    tail: list[dict[str, Any]] = []
    if request.state is ApprovalState.PENDING:
        tail.append(_buttons(request.id, plan))
    elif (
        request.state is ApprovalState.EXECUTED
        and request.action == KILL_ACTION
        and request.restored is None
    ):
        # An approved kill keeps one-click restore on its own card, like the announcement.
        tail.append(restore_button(request.id))
    tail.append(
        context([f"request {ident(request.id, 70)}", f"created {fmt_time(request.created_at)}"])
    )
    fallback = (
        f"Approval {result_words(request.state, request.outcome)}: {esc_plain(title, 200)} "
        f"(requested by {mention(request.requester.user_id)})"
    )
    return message(fallback, body, tail)


_EVENT_TEXT = {
    "created": "requested this change",
    "approval": "approved",
    "approved": "approved; the quorum is reached",
    "rejected": "rejected it",
    "cancelled": "cancelled it",
    "superseded": "replaced it with their own, which ran at once",
    "expired": "expired: nobody decided in time",
    "claimed": "started executing it",
    "interrupted": "found the executor gone; checking Statsig",
    "invalidated": "cleared the approvals: the plan or the entity changed",
    "review_committed": "saw the Statsig review committed",
    "review_rejected": "saw the Statsig review rejected",
    "review_unresolved": "stopped watching the Statsig review: still undecided",
    "lease_renewed": "is sending the change to Statsig",
    "lease_released": "stopped (shutting down); another replica checks Statsig and finishes",
}


def render_thread_entry(event: AuditEvent) -> Message:
    """One thread reply per transition: who did what, when."""
    actor = mention(event.shown_actor)
    if event.event in ("finished", "finished_interrupted"):
        words = result_words(event.to_state, event.detail.get("outcome"))
        what = f"finished it: *{esc(words, 40)}*"
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
    who = mention(event.shown_actor)
    outcome = event.detail.get("outcome")
    fallback = f"{who}: {esc_plain(event.event, 40)} → {result_words(event.to_state, outcome)}"
    return message(fallback, [section(line)])


def render_requester_dm(card: ApprovalCard) -> Message:
    """The requester's copy of the result, with the verdict first."""
    plan, request = card.plan, card.request
    title = plan.summary if plan else f"{action_words(request.action)} {request.entity_id}"
    lines = [f"Your request {ident(request.id, 70)}: {esc(title, 300)}", _verdict(card)]
    words = result_words(request.state, request.outcome)
    fallback = f"Your request ({words}): {esc_plain(title, 200)}"
    return message(fallback, [section("\n".join(lines))])


def render_approver_invitation(card: ApprovalCard, *, channel: str | None) -> Message:
    """A DM to a required approver: what is asked, by whom, and where to decide.

    No buttons: the plan may change before anyone decides (and the channel card is then
    re-rendered), so approving is only possible on the card, never on a stale copy.
    """
    request, plan = card.request, card.plan
    title = plan.summary if plan else f"{action_words(request.action)} {request.entity_id}"
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
