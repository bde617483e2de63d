"""Which requests a change freeze holds back, and running them once it is lifted.

Only plan time refuses new changes (in :mod:`bot.chatops`); this is the other half: a
request opened before the freeze (or approved during it) reaches its quorum and then
*waits* in ``approved`` instead of running, and its card says so. Kill and restore are never
held, nor a request an admin made with ``--override-freeze``. When the freeze is lifted the
waiting requests run at once through the executor's exactly-once claim; a timed freeze that
simply ends is picked up by the sweeper like any other approved request nobody ran.
"""

from __future__ import annotations

from bot.approvals.results import StoredPlan
from bot.approvals.store import ApprovalStore
from bot.ops.actions.registry import is_incident
from bot.ops.model.freeze import Freeze
from bot.ops.model.requests import ApprovalRequest

__all__ = ["exempt_from_freeze", "holding_freeze"]


def exempt_from_freeze(action: str, stored: StoredPlan | None) -> bool:
    """Kill and restore, and a change an admin pushed through with ``--override-freeze``."""
    return is_incident(action) or (stored is not None and bool(stored.freeze_override))


async def holding_freeze(
    store: ApprovalStore, request: ApprovalRequest, stored: StoredPlan | None
) -> Freeze | None:
    """The freeze that keeps ``request`` from running now, or ``None``. Raises
    ``RedisError`` like the transitions around it."""
    if exempt_from_freeze(request.action, stored):
        return None
    return await store.freeze.current()
