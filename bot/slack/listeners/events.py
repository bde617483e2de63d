"""Events API: ``app_home_opened`` publishes the person's Home tab.

Events are acked by Bolt before the listener runs; duplicates (Slack redelivers when it did
not get a timely 2xx) are dropped earlier, by the ``event_id`` middleware in
:mod:`bot.slack.app`, so this listener runs once per event across replicas.
"""

from __future__ import annotations

from typing import Any

import structlog
from slack_sdk.errors import SlackApiError

from bot.approvals.authorize import awaiting_approval_by
from bot.approvals.errors import ApprovalsUnavailable
from bot.approvals.models import ApprovalRequest, AuditEvent
from bot.ops.identity import Actor
from bot.slack.blocks.home import home_view
from bot.slack.deps import SlackDeps
from bot.slack.identity import IdentityError
from bot.slack.listeners.registry import Registrar
from bot.slack.listeners.support import redis_reachable

__all__ = ["RECENT_CHANGES_SECONDS", "publish_home", "register"]

RECENT_CHANGES_SECONDS = 7 * 24 * 3600.0
_log = structlog.get_logger(__name__)


async def publish_home(deps: SlackDeps, user_id: str) -> None:
    """Build and publish ``user_id``'s Home tab; a partial tab beats no tab.

    Redis is pinged first (a quick answer when it is down); the workflow's listings also
    raise :class:`ApprovalsUnavailable` rather than answer an empty "Waiting for your
    approval", which would be a lie ("nothing is waiting").
    """
    note = None
    try:
        actor = await deps.identity.actor(user_id)
    except IdentityError as exc:
        actor, note = Actor(user_id), str(exc)
    waiting: list[ApprovalRequest] = []
    mine: list[ApprovalRequest] = []
    recent: list[AuditEvent] = []
    wf = deps.workflow
    available = wf is None or await redis_reachable(deps)
    if wf is None:
        note = note or "Approvals are not available right now."
    elif not available:
        _log.warning("slack.home_approvals_unavailable", user=user_id, redis="unreachable")
    else:
        try:
            waiting = awaiting_approval_by(deps.policy, actor, await wf.pending())
            mine = await wf.mine(actor)
            recent = await wf.audit_entries(since_seconds=RECENT_CHANGES_SECONDS)
        except ApprovalsUnavailable:  # Redis went away after the ping
            _log.warning("slack.home_approvals_unavailable", user=user_id, redis="lost")
            waiting, mine, recent, available = [], [], [], False
        recent = sorted(recent, key=lambda e: e.at, reverse=True)
    view = home_view(
        waiting=waiting, mine=mine, recent=recent, note=note, approvals_available=available
    )
    try:
        await deps.client.views_publish(user_id=user_id, view=view)
    except SlackApiError as exc:
        _log.warning("slack.home_publish_failed", error=str(exc.response.get("error")))


def register(app: Registrar, deps: SlackDeps) -> None:
    async def on_home_opened(event: dict[str, Any]) -> None:
        if event.get("tab", "home") != "home":
            return
        user_id = str(event.get("user") or "")
        if not user_id:
            return
        try:
            await publish_home(deps, user_id)
        except Exception:
            deps.metrics.handled.labels(kind="home", result="error").inc()
            _log.exception("slack.home_failed")
            return
        deps.metrics.handled.labels(kind="home", result="ok").inc()

    app.event("app_home_opened", on_home_opened)
