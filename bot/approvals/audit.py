"""One audit list for ``/statsig audit``: the bot's Redis trail merged with Statsig's log.

The bot's events become :class:`~bot.statsig.models.AuditLogEntry` values (the shape the
renderer already shows), marked ``[bot]`` so readers can tell who wrote them, and the two
sources are merged newest first. Statsig's own entries about changes the bot made appear
too: both views are kept, because they answer different questions (who asked and who
approved, versus what Statsig applied).

Usage::

    events = await workflow.audit_entries(entity=("gate", "checkout_v2"))
    statsig = (await client.list_audit_logs()).data
    render_audit(merge_audit(events, statsig, name="checkout_v2"))
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from bot.approvals.models import AuditEvent
from bot.statsig.models import AuditLogEntry

__all__ = ["BOT_MARK", "event_as_entry", "merge_audit"]

BOT_MARK = "[bot]"

_EVENT_WORDS = {
    "created": "requested",
    "approval": "approved (counted)",
    "approved": "approved (quorum reached)",
    "claimed": "started executing",
    "finished": "finished",
    "finished_interrupted": "finished after an interruption",
    "interrupted": "executor lost",
    "invalidated": "approvals voided (plan or entity changed)",
}


def event_as_entry(event: AuditEvent) -> AuditLogEntry:
    """A bot audit event in Statsig's audit-log shape."""
    at = event.at.astimezone(UTC)
    what = _EVENT_WORDS.get(event.event, event.event.replace("_", " "))
    reason = f": {event.detail['reason']}" if event.detail.get("reason") else ""
    return AuditLogEntry(
        id=f"bot:{event.id}",
        name=event.entity_id,
        change_log=(
            f"{BOT_MARK} {event.action} {what} → {event.to_state.value}{reason} "
            f"(request {event.request_id})"
        ),
        action_type=f"bot_{event.event}",
        date=at.strftime("%Y-%m-%d"),
        time=at.strftime("%H:%M:%S"),
        updated_by=event.shown_actor,
    )


def _when(entry: AuditLogEntry) -> datetime:
    return entry.when or datetime.min.replace(tzinfo=UTC)


def merge_audit(
    events: Sequence[AuditEvent],
    statsig: Sequence[AuditLogEntry],
    *,
    name: str | None = None,
    since: datetime | None = None,
    limit: int = 100,
) -> list[AuditLogEntry]:
    """Both trails, newest first, optionally only about ``name`` and only after ``since``.

    Statsig entries name the entity by its display name, which is usually its ID; the
    filter compares both case-insensitively. Undated entries sort last.
    """
    wanted = name.casefold() if name else None
    entries = [
        event_as_entry(e) for e in events if wanted is None or e.entity_id.casefold() == wanted
    ]
    entries += [s for s in statsig if wanted is None or (s.name or "").casefold() == wanted]
    if since is not None:
        entries = [e for e in entries if e.when is None or e.when >= since]
    entries.sort(key=_when, reverse=True)
    return entries[:limit]
