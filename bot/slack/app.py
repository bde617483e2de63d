"""The Bolt ``AsyncApp``: built from settings and dependencies, with no side effects.

:func:`create_app` reads nothing from the environment and performs no I/O: the Web API
client, Redis and the core come in through :class:`~bot.slack.deps.SlackDeps`, so tests
build the app against fakes and production builds it in :mod:`bot.slack.server`. Bolt only
calls ``auth.test`` lazily, on the first request.

``process_before_response`` stays ``False``: Bolt answers Slack the moment a listener calls
``ack()`` and lets the listener continue, which is what keeps every ack inside Slack's
3-second window however slow Statsig is.

Usage::

    app = create_app(settings, deps)
    http_app = create_http_app(app, deps)          # bot.slack.server
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse

from bot.config import Settings
from bot.slack.deps import SlackDeps
from bot.slack.listeners import Registry, register_all

__all__ = ["build_app", "create_app"]

_log = structlog.get_logger(__name__)


def _dedupe_middleware(deps: SlackDeps) -> Callable[..., Awaitable[BoltResponse | None]]:
    """Drop Events API deliveries whose ``event_id`` some replica already took."""

    async def dedupe_events(
        body: dict[str, Any], next: Callable[[], Awaitable[BoltResponse]]
    ) -> BoltResponse | None:
        if body.get("type") == "event_callback":
            event_id = str(body.get("event_id") or "")
            if not await deps.event_dedupe().first_delivery(event_id):
                deps.metrics.duplicate_events.inc()
                return BoltResponse(status=200, body="")
        return await next()

    return dedupe_events


async def _on_error(error: Exception, body: dict[str, Any]) -> None:
    """Last resort: log the failure (never echo it to Slack; listeners answer people)."""
    _log.error("slack.unhandled_error", error=type(error).__name__, kind=body.get("type"))


def create_app(settings: Settings, deps: SlackDeps) -> AsyncApp:
    """Build the Bolt app with every listener registered; safe to call many times."""
    return build_app(settings, deps)[0]


def build_app(settings: Settings, deps: SlackDeps) -> tuple[AsyncApp, Registry]:
    """:func:`create_app`, also returning what the app listens to (for the manifest test)."""
    secret = settings.slack_signing_secret
    app = AsyncApp(
        client=deps.client,
        signing_secret=secret.get_secret_value() if secret is not None else "",
        name="statsig-bot",
        logger=logging.getLogger("bot.slack.bolt"),
        process_before_response=False,
        raise_error_for_unhandled_request=False,
    )
    app.use(_dedupe_middleware(deps))
    app.error(_on_error)
    registry = register_all(app, deps)
    return app, registry
