"""Starting and stopping a timed kill's timer, as the kill and its restore finish.

Whoever records a request's final state calls :meth:`Notifications.finished` exactly once
(see :mod:`bot.approvals.execute`); that is where a timed kill that disabled its gate
starts its timer (from the window its plan carries, on the store's clock) and where a
restore stops the timer of the kill it undid. A new kill of the same gate replaces the
timers of earlier kills: the reminders must be about the kill that holds the gate now.
"""

from __future__ import annotations

from datetime import timedelta

from bot.approvals.results import outcome_of, stored_plan
from bot.approvals.store import ApprovalStore
from bot.ops.actions.registry import KILL_ACTION, RESTORE_ACTION
from bot.ops.model.plans import OutcomeStatus
from bot.ops.model.requests import ApprovalRequest
from bot.ops.model.states import ApprovalState
from bot.ops.model.timers import KillTimer, kill_window

__all__ = ["follow_timers"]


async def follow_timers(store: ApprovalStore, request: ApprovalRequest) -> KillTimer | None:
    """Start a timed kill's timer, or stop the one a restore ends; the timer started."""
    if request.state is not ApprovalState.EXECUTED:
        return None
    stored = stored_plan(request)
    if stored is None:
        return None
    if request.action == RESTORE_ACTION:
        source = str(stored.plan.change.get("sourceRequest") or "")
        if source:
            await store.timers.cancel(source)
        return None
    outcome = outcome_of(request)
    window = kill_window(stored.plan)
    if request.action != KILL_ACTION or window is None or outcome is None:
        return None
    if outcome.status is not OutcomeStatus.APPLIED:  # already off, or held: nothing to time
        return None
    for older in await store.timers.active():
        if older.gate_id == request.entity_id and older.id != request.id:
            await store.timers.cancel(older.id)
    seconds, auto_restore = window
    timer = KillTimer(
        id=request.id,
        gate_id=request.entity_id,
        killed_by=request.requester.user_id,
        window_s=seconds,
        auto_restore=auto_restore,
        ends_at=await store.timers.now() + timedelta(seconds=seconds),
    )
    await store.timers.schedule(timer)
    return timer
