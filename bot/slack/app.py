"""The Bolt ``AsyncApp``: built from settings and dependencies, with no side effects.

:func:`create_app` reads nothing from the environment and performs no I/O: the Web API
client, Redis and the core come in through :class:`~bot.slack.deps.SlackDeps`, so tests
build the app against fakes and production builds it in :mod:`bot.slack.server`. Bolt only
calls ``auth.test`` lazily, on the first request.

``process_before_response`` stays ``False``: Bolt answers Slack the moment a listener calls
``ack()`` and lets the listener continue, which is what keeps every ack inside Slack's
3-second window however slow Statsig is.

Three global middlewares run before any listener, in both HTTP and Socket Mode: the
payload's shape (:mod:`bot.slack.payloads`), the installed workspace
(:mod:`bot.slack.workspace`) and the Events API's ``event_id`` (:mod:`bot.slack.dedupe`).

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
from bot.slack.edge import SHAPE_CHECKED
from bot.slack.listeners import Registry, register_all
from bot.slack.payloads import payload_problem

__all__ = ["build_app", "create_app"]

_log = structlog.get_logger(__name__)


Next = Callable[[], Awaitable[BoltResponse]]
Middleware = Callable[..., Awaitable[BoltResponse | None]]


def _shape_middleware(deps: SlackDeps) -> Middleware:
    """A payload whose fields do not have Slack's types never reaches a listener: 400.

    Over HTTP the edge has checked already (Bolt's own middleware reads fields before
    ours runs) and says so in the context; this is the check for Socket Mode."""

    async def check_shape(
        body: dict[str, Any], context: dict[str, Any], next: Next
    ) -> BoltResponse | None:
        if context.get(SHAPE_CHECKED):
            return await next()
        problem = payload_problem(body)
        if problem is not None:
            deps.metrics.refused.labels(reason="malformed").inc()
            _log.warning("slack.malformed_payload", problem=problem)
            return BoltResponse(status=400, body='{"error":"malformed request"}')
        return await next()

    return check_shape


def _workspace_middleware(deps: SlackDeps) -> Middleware:
    """Drop (200, nothing run) whatever another workspace, enterprise or app sends."""

    async def installed_only(body: dict[str, Any], next: Next) -> BoltResponse | None:
        reason = await deps.workspace_guard().refusal(body)
        if reason is not None:
            deps.metrics.refused.labels(reason="foreign").inc()
            _log.warning("slack.foreign_request_dropped", reason=reason, kind=_kind(body))
            return BoltResponse(status=200, body="")
        return await next()

    return installed_only


def _kind(body: dict[str, Any]) -> str:
    kind = body.get("type") or ("command" if "command" in body else "unknown")
    return str(kind)[:40]


def _dedupe_middleware(deps: SlackDeps) -> Middleware:
    """Drop Events API deliveries whose ``event_id`` some replica already took."""

    async def dedupe_events(body: dict[str, Any], next: Next) -> BoltResponse | None:
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
    for middleware in (_shape_middleware, _workspace_middleware, _dedupe_middleware):
        app.use(middleware(deps))
    app.error(_on_error)
    registry = register_all(app, deps)
    return app, registry
