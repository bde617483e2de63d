"""Every ``action_id`` our messages use, in one place.

Listeners register on these constants and renderers put them on buttons, so the two can
never drift. The approval and incident IDs are an external interface (DESIGN §7): their
button ``value`` is the approval request ID. Changing any string here breaks buttons on
messages already posted in Slack.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "ALL_ACTION_IDS",
    "APPROVAL_APPROVE",
    "APPROVAL_CANCEL",
    "APPROVAL_REJECT",
    "INCIDENT_KILL",
    "INCIDENT_RESTORE",
    "INCIDENT_RESTORE_TICKET",
    "LIST_NEXT_PAGE",
    "SHARE_IN_CHANNEL",
    "PIPELINE_ABORT",
    "PIPELINE_PAUSE",
    "RESTORE_ANYWAY",
    "RESTORE_KEEP",
    "TIMER_EXTEND",
    "TIMER_KEEP",
]

SHARE_IN_CHANNEL: Final = "share_in_channel"
"""Re-post a read result in the channel; value: a :class:`~bot.render.values.ShareRef`."""

LIST_NEXT_PAGE: Final = "list_next_page"
"""Show the next page of a list; value: a :class:`~bot.render.values.PageRef`."""

APPROVAL_APPROVE: Final = "approval_approve"
APPROVAL_REJECT: Final = "approval_reject"
APPROVAL_CANCEL: Final = "approval_cancel"
INCIDENT_RESTORE: Final = "incident_restore"
INCIDENT_RESTORE_TICKET: Final = "incident_restore_ticket"
"""Restore a kill made while Redis was down; value: a :class:`RestoreTicket` (the snapshot)."""
INCIDENT_KILL: Final = "incident_kill"
"""Kill a gate from a list of recent changes; value: the gate ID."""
PIPELINE_PAUSE: Final = "pipeline_pause"
"""Pause a release pipeline that would change a killed gate again; value ``trigger|phase``."""
PIPELINE_ABORT: Final = "pipeline_abort"
"""Abort that release pipeline; value: the trigger ID."""
RESTORE_ANYWAY: Final = "restore_anyway"
"""A refused restore's "Restore snapshot anyway" (asks why first); value: the kill's request."""
RESTORE_KEEP: Final = "restore_keep"
"""A refused restore's "Keep current": leave the gate as it is now; value: the kill's request."""
TIMER_EXTEND: Final = "timer_extend"
"""A timed kill's "Keep disabled": the same window again; value: the kill's request ID."""
TIMER_KEEP: Final = "timer_keep"
"""A timed kill's "Keep disabled for good": no more reminders; value: the kill's request ID."""

ALL_ACTION_IDS: Final = frozenset(
    {
        SHARE_IN_CHANNEL,
        LIST_NEXT_PAGE,
        APPROVAL_APPROVE,
        APPROVAL_REJECT,
        APPROVAL_CANCEL,
        INCIDENT_RESTORE,
        INCIDENT_KILL,
        INCIDENT_RESTORE_TICKET,
        TIMER_EXTEND,
        TIMER_KEEP,
        RESTORE_ANYWAY,
        RESTORE_KEEP,
        PIPELINE_PAUSE,
        PIPELINE_ABORT,
    }
)
