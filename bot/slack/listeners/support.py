"""What every listener does around the core: identify the person, deliver replies, fail softly.

Listeners ack first and then call :func:`run_guarded`, which turns any exception into a
friendly private message (never a stack trace) and counts the outcome. Replies go out the
way DESIGN §7 fixes: the answer to the person through the ``response_url`` Slack gave us
(or ``chat.postEphemeral``/a DM when there is none). Channel posts and approval cards are
:mod:`bot.slack.listeners.delivery`'s job.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.chatops.replies import Context
from bot.ops.model.identity import Actor
from bot.render.common import Message
from bot.render.errors import render_error
from bot.slack.deps import SlackDeps
from bot.slack.identity import IdentityError

__all__ = [
    "Target",
    "actor_for",
    "context_for",
    "run_guarded",
    "send_private",
    "slack_error_code",
]

_log = structlog.get_logger(__name__)


class Target:
    """Where a private answer goes: a ``response_url``, else an ephemeral, else a DM."""

    def __init__(
        self, user_id: str, channel_id: str | None = None, response_url: str | None = None
    ) -> None:
        self.user_id = user_id
        self.channel_id = channel_id or None
        self.response_url = response_url or None


def slack_error_code(exc: SlackApiError) -> str:
    try:
        return str(exc.response.get("error") or "unknown_error")
    except AttributeError:
        return "unknown_error"


async def actor_for(deps: SlackDeps, user_id: str) -> Actor:
    """The full actor; raises :class:`IdentityError` (a user-facing message)."""
    return await deps.identity.actor(user_id)


async def context_for(deps: SlackDeps, user_id: str, channel_id: str | None) -> Context:
    return Context(actor=await actor_for(deps, user_id), channel_id=channel_id or None)


async def send_private(
    deps: SlackDeps,
    target: Target,
    msg: Message,
    *,
    in_channel: bool = False,
    replace_original: bool = False,
) -> None:
    """Answer one person; ``in_channel`` makes a ``response_url`` answer visible to all."""
    if target.response_url is not None:
        payload: dict[str, Any] = {
            **msg.to_dict(),
            "response_type": "in_channel" if in_channel else "ephemeral",
            "replace_original": replace_original,
        }
        response = await AsyncWebhookClient(target.response_url).send_dict(payload)
        if response.status_code == 200:
            return
        _log.warning("slack.response_url_failed", status=response.status_code)
    if target.channel_id is not None:
        try:
            if in_channel:
                await deps.client.chat_postMessage(channel=target.channel_id, **msg.to_dict())
            else:
                await deps.client.chat_postEphemeral(
                    channel=target.channel_id, user=target.user_id, **msg.to_dict()
                )
            return
        except SlackApiError as exc:
            _log.warning("slack.ephemeral_failed", error=slack_error_code(exc))
    await _direct_message(deps, target.user_id, msg)


async def _direct_message(deps: SlackDeps, user_id: str, msg: Message) -> None:
    try:
        opened = await deps.client.conversations_open(users=user_id)
        await deps.client.chat_postMessage(channel=opened["channel"]["id"], **msg.to_dict())
    except SlackApiError as exc:
        _log.warning("slack.dm_failed", error=slack_error_code(exc))


async def run_guarded(
    deps: SlackDeps, kind: str, target: Target, work: Callable[[], Awaitable[None]]
) -> None:
    """Run post-ack work; any failure becomes a friendly private message, never a trace.
    The work counts as in flight, so a shutdown waits for it (``SlackDeps.drain``)."""
    deps.track()
    try:
        await work()
    except IdentityError as exc:
        deps.metrics.handled.labels(kind=kind, result="denied").inc()
        _log.warning("slack.identity_failed", kind=kind, user=target.user_id, reason=exc.code)
        await _safe_send(deps, target, render_error("I could not identify you", str(exc)))
        return
    except Exception:
        deps.metrics.handled.labels(kind=kind, result="error").inc()
        _log.exception("slack.listener_failed", kind=kind)
        msg = render_error(
            "Something went wrong on my side",
            "Nothing was changed by this failure. Please try again; if it keeps happening, "
            "tell the team that runs this bot.",
        )
        await _safe_send(deps, target, msg)
        return
    deps.metrics.handled.labels(kind=kind, result="ok").inc()


async def _safe_send(deps: SlackDeps, target: Target, msg: Message) -> None:
    try:
        await send_private(deps, target, msg)
    except Exception:
        _log.exception("slack.error_reply_failed")
