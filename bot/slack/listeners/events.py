"""Events API: ``app_home_opened`` publishes the person's Home tab.

Events are acked by Bolt before the listener runs; duplicates (Slack redelivers when it did
not get a timely 2xx) are dropped earlier, by the ``event_id`` middleware in
:mod:`bot.slack.app`, so this listener runs once per event across replicas.
"""

from __future__ import annotations

from typing import Any

import structlog
from slack_sdk.errors import SlackApiError

from bot.ops.model.identity import Actor
from bot.slack.deps import SlackDeps
from bot.slack.identity import IdentityError
from bot.slack.listeners.registry import Registrar
from bot.slack.views.home import home_view

__all__ = ["publish_home", "register"]

_log = structlog.get_logger(__name__)


async def publish_home(deps: SlackDeps, user_id: str) -> None:
    """Build and publish ``user_id``'s Home tab; a partial tab beats no tab."""
    note = None
    try:
        actor = await deps.identity.actor(user_id)
    except IdentityError as exc:
        actor, note = Actor(user_id), str(exc)
    home = await deps.chatops.requests.home(actor)
    if not home.available:
        _log.warning("slack.home_approvals_unavailable", user=user_id, redis=home.note)
    view = home_view(
        waiting=home.waiting,
        mine=home.mine,
        recent=home.recent,
        note=note or (home.note if home.available else None),
        approvals_available=home.available,
        freeze=home.freeze,
        timers=home.timers,
        now=home.now,
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
