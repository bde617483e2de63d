"""The loud message of a kill or restore that ran after an approval.

A break-glass kill is announced by the surface that ran it (``RunResult.announcement``). A
kill approved later runs inside a click, on whichever replica won the claim, where no
command reply exists to carry the announcement, so the workflow posts it through the
notifier instead (DESIGN §5: a kill always posts a loud message with a Restore button).
Only the caller that records the ``executed`` state calls :func:`incident_announcement`,
so concurrent clicks announce once.

Usage::

    loud = incident_announcement(request)
    if loud is not None:
        await notifier.announce(request.channel or None, loud, incident=True)
"""

from __future__ import annotations

from bot.approvals.results import outcome_of, stored_plan
from bot.ops.actions.registry import RESTORE_ACTION, is_announced
from bot.ops.model.requests import ApprovalRequest
from bot.ops.model.states import ApprovalState
from bot.render.approvals import render_kill_announcement, render_restore_result
from bot.render.common import Message

__all__ = ["incident_announcement"]


def incident_announcement(request: ApprovalRequest) -> Message | None:
    """The announcement for an executed, approved kill or restore; ``None`` otherwise.

    Requests that ran at once (``run_now``, stored without a ``need``) are skipped: their
    surface already posted the announcement from ``RunResult``.
    """
    if not is_announced(request.action) or request.state is not ApprovalState.EXECUTED:
        return None
    stored, outcome = stored_plan(request), outcome_of(request)
    if stored is None or outcome is None or stored.need is None:
        return None
    if request.action == RESTORE_ACTION:
        return render_restore_result(stored.plan.entity_id, outcome)
    return render_kill_announcement(
        stored.plan,
        outcome,
        request_id=request.id,
        requester=stored.requester_label or request.requester.user_id,
        audit_saved=True,
        approved_by=[a.user_id for a in request.approvals],
    )
