"""Refuse a second request on a locked entity *before* the confirmation prompt.

The approval store holds one lock per entity (one open change at a time, whatever the
action; kill and restore have a lane of their own) and refuses a second request, but that
check runs on commit: the user would confirm a plan only to hear it cannot be requested.
Proposing looks at the open requests first and answers at once, naming the holder ("you"
when it is the same person), what it changes, and the ``cancel`` that frees the lock. The
store's lock stays the real guard against races; this is only the early, friendly answer.

Kills are exempt (a kill runs even while another request holds its gate), and so is an
incident action that runs at once: a responder's restore replaces a pending one.
"""

from __future__ import annotations

import logging

from bot.approvals.store.keys import lane_of
from bot.approvals.workflow import ApprovalWorkflow
from bot.chatops.replies import Reply
from bot.ops.actions.registry import is_incident, is_lock_exempt
from bot.ops.model.decisions import Allowed, Denied, NeedsApproval
from bot.ops.model.identity import Actor
from bot.ops.model.plans import Plan
from bot.ops.model.requests import LockHeld
from bot.render.approvals import render_lock_held

__all__ = ["open_request_lock"]

log = logging.getLogger(__name__)


async def open_request_lock(
    workflow: ApprovalWorkflow | None,
    plan: Plan,
    actor: Actor,
    decision: Allowed | NeedsApproval | Denied,
) -> Reply | None:
    """The refusal when an open request already holds ``plan``'s entity.

    ``None`` when the entity is free, when this change may pass the lock (a kill; an
    incident action that runs at once), or when the open requests cannot be read (Redis
    down): committing then reports the outage itself.
    """
    if workflow is None or is_lock_exempt(plan.action):
        return None
    if is_incident(plan.action) and isinstance(decision, Allowed):
        return None
    try:
        requests = [*await workflow.pending(), *await workflow.in_review()]
    except Exception:  # an outage is answered on commit; never block planning on it
        log.info("open requests unreadable while proposing; the store's lock still applies")
        return None
    lane = lane_of(plan.action)
    for request in requests:
        same = (request.entity_kind, request.entity_id) == (plan.entity_kind, plan.entity_id)
        if not same or lane_of(request.action) != lane:
            continue
        holder = LockHeld(
            holder_request_id=request.id,
            holder_requester=request.requester.user_id,
            holder_action=request.action,
        )
        yours = request.requester.user_id == actor.user_id or (
            actor.email is not None and request.requester.email == actor.email
        )
        message = render_lock_held(
            holder, action=plan.action, entity_id=plan.entity_id, yours=yours
        )
        return Reply(message=message, ok=False)
    return None
