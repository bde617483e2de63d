"""One audit list for ``/statsig audit``: the bot's Redis trail merged with Statsig's log.

The bot's events become :class:`~bot.statsig.models.AuditLogEntry` values (the shape the
renderer already shows), marked ``[bot]`` so readers can tell who wrote them, and the two
sources are merged newest first. Only what a person would call an event is shown (requested,
approved, rejected, cancelled, executed, failed, expired, submitted for review …); the
executor's own steps (claimed, lease renewed, interrupted) stay in the raw stream. Statsig's
own entries about changes the bot made appear too: both views are kept, because they answer
different questions (who asked and who approved, versus what Statsig applied).

Usage::

    events = await workflow.audit_entries(entity=("gate", "checkout_v2"))
    statsig = (await client.list_audit_logs()).data
    render_audit(merge_audit(events, statsig, name="checkout_v2", reasons={"req1": "INC-1"}))
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from bot.ops.actions.registry import action_words
from bot.ops.model.requests import AuditEvent
from bot.ops.model.states import ApprovalState
from bot.statsig.models import AuditLogEntry

__all__ = ["BOT_MARK", "INTERNAL_EVENTS", "event_as_entry", "merge_audit"]

BOT_MARK = "[bot]"

INTERNAL_EVENTS = frozenset({"claimed", "lease_renewed", "interrupted"})
"""The executor's own steps: recorded for debugging, never listed to people."""

_EVENT_WORDS = {
    "created": "requested",
    "approval": "approved",
    "approved": "approved",
    "rejected": "rejected",
    "cancelled": "cancelled",
    "superseded": "superseded",
    "expired": "expired",
    "invalidated": "voided the approvals of",
    "review_rejected": "Statsig review rejected:",
    "review_unresolved": "stopped watching the Statsig review of",
}

_FINISH_WORDS = {
    ApprovalState.EXECUTED: "executed",
    ApprovalState.FAILED: "failed",
    ApprovalState.SUBMITTED_FOR_REVIEW: "submitted for Statsig review:",
    ApprovalState.REVIEW_REJECTED: "Statsig review rejected:",
    ApprovalState.REVIEW_UNRESOLVED: "stopped watching the Statsig review of",
}


def _verb(event: AuditEvent) -> str:
    if event.event in ("finished", "finished_interrupted", "review_committed"):
        return _FINISH_WORDS.get(event.to_state, event.to_state.value.replace("_", " "))
    if event.event == "approval" and event.detail.get("approvals"):
        count, quorum = event.detail["approvals"], event.detail.get("quorum", "?")
        return f"approved ({count} of {quorum})"
    return _EVENT_WORDS.get(event.event, event.event.replace("_", " "))


def _failure(event: AuditEvent) -> str:
    """The error of a failed execution, read from the recorded outcome (JSON)."""
    if event.to_state is not ApprovalState.FAILED:
        return ""
    try:
        outcome = json.loads(event.detail.get("outcome") or "{}")
    except ValueError:
        return ""
    if not isinstance(outcome, dict):
        return ""
    return str(outcome.get("error") or outcome.get("message") or "")


def event_as_entry(event: AuditEvent, reason: str = "") -> AuditLogEntry:
    """A bot audit event in Statsig's audit-log shape, as one readable line.

    ``reason`` is the request's reason (the ``created`` event does not carry it).
    """
    at = event.at.astimezone(UTC)
    why = event.detail.get("reason") or _failure(event) or reason
    what = f"{_verb(event)} {action_words(event.action)} {event.entity_id}"
    return AuditLogEntry(
        id=f"bot:{event.id}",
        name=event.entity_id,
        change_log=f"{BOT_MARK} {what}{f': {why}' if why else ''} (request {event.request_id})",
        action_type=f"bot_{event.event}",
        date=at.strftime("%Y-%m-%d"),
        time=at.strftime("%H:%M:%S"),
        updated_by=event.shown_actor,
    )


def _visible(events: Sequence[AuditEvent]) -> list[AuditEvent]:
    """Drop internal steps, and the approval a change that ran at once records for itself
    (same person as the request, so nobody else approved anything)."""
    requester = {e.request_id: e.actor for e in events if e.event == "created"}
    return [
        e
        for e in events
        if e.event not in INTERNAL_EVENTS
        and not (e.event == "approved" and requester.get(e.request_id) == e.actor)
    ]


def _when(entry: AuditLogEntry) -> datetime:
    return entry.when or datetime.min.replace(tzinfo=UTC)


def merge_audit(
    events: Sequence[AuditEvent],
    statsig: Sequence[AuditLogEntry],
    *,
    name: str | None = None,
    since: datetime | None = None,
    limit: int = 100,
    reasons: Mapping[str, str] | None = None,
) -> list[AuditLogEntry]:
    """Both trails, newest first, optionally only about ``name`` and only after ``since``.

    Statsig entries name the entity by its display name, which is usually its ID; the
    filter compares both case-insensitively. Undated entries sort last. Both sources are
    put newest first before the (stable) sort, so events within one second keep that order.
    """
    wanted = name.casefold() if name else None
    why = reasons or {}
    ours = sorted(_visible(events), key=lambda e: (e.at, e.id), reverse=True)
    entries = [
        event_as_entry(e, why.get(e.request_id, "") if e.event == "created" else "")
        for e in ours
        if wanted is None or e.entity_id.casefold() == wanted
    ]
    entries += [s for s in statsig if wanted is None or (s.name or "").casefold() == wanted]
    if since is not None:
        entries = [e for e in entries if e.when is None or e.when >= since]
    entries.sort(key=_when, reverse=True)
    return entries[:limit]
