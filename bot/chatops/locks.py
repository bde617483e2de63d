"""Refuse a second request on a locked entity *before* the confirmation prompt.

The approval store takes an entity+action lock when a request opens (and refuses a second
one), but that check runs on commit: the user would confirm a plan only to hear it cannot
be requested. Proposing looks at the open requests first and answers at once, naming the
holder ("you" when it is the same person) and the ``cancel`` that frees the lock. The
store's lock stays the real guard against races; this is only the early, friendly answer.

Kills are exempt: a kill runs even while another request holds its gate.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.chatops.replies import Reply
from bot.ops.actions.registry import is_lock_exempt
from bot.ops.model.identity import Actor
from bot.ops.model.plans import Plan
from bot.ops.model.requests import LockHeld
from bot.render.approvals import render_lock_held

__all__ = ["open_request_lock"]

log = logging.getLogger(__name__)


async def open_request_lock(workflow: Any, plan: Plan, actor: Actor) -> Reply | None:
    """The refusal when an open request already holds ``plan``'s entity and action.

    ``None`` when the entity is free, or when the open requests cannot be read (Redis
    down): committing then reports the outage itself.
    """
    if workflow is None or is_lock_exempt(plan.action):
        return None
    try:
        requests = [*await workflow.pending(), *await workflow.in_review()]
    except Exception:  # an outage is answered on commit; never block planning on it
        log.info("open requests unreadable while proposing; the store's lock still applies")
        return None
    for request in requests:
        if (request.entity_kind, request.entity_id, request.action) != (
            plan.entity_kind,
            plan.entity_id,
            plan.action,
        ):
            continue
        holder = LockHeld(holder_request_id=request.id, holder_requester=request.requester.user_id)
        yours = request.requester.user_id == actor.user_id or (
            actor.email is not None and request.requester.email == actor.email
        )
        message = render_lock_held(
            holder, action=plan.action, entity_id=plan.entity_id, yours=yours
        )
        return Reply(message=message, ok=False)
    return None
