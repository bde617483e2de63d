"""Delivering a core reply: the person's answer, the channel's cards, and failed posts.

An approval card is posted with ``chat.postMessage`` (the client retries 429s, honouring
``Retry-After``) and its ``ts`` attached to the request, so every later transition updates
it in place. When Slack still refuses the post, the card is not dropped and the request is
not silently left without one:

- with a ``response_url`` (a slash command), the card is posted in the channel through it.
  Such a message cannot be edited with ``chat.update``, so the request is marked
  *detached* in Redis: its buttons keep working (the workflow answers from the request's
  state) and every click refreshes the card through the click's own ``response_url``;
- without one (a form submission), the request stays pending with no card; approvers find
  it in the Home tab and with ``/statsig approvals pending``.

We keep the request rather than cancel it: a rate-limited incident channel is exactly when
an approval must not be lost. Either way the requester is told the real cause (rate
limited, not in the channel, or Slack's error code) and what to do about it.
"""

from __future__ import annotations

from dataclasses import dataclass

import structlog
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.chatops.replies import Reply
from bot.render.common import Message
from bot.render.replies import render_post_failure
from bot.slack.deps import SlackDeps
from bot.slack.detached import is_detached, mark_detached
from bot.slack.listeners.support import Target, send_private, slack_error_code

__all__ = [
    "PostResult",
    "complete",
    "deliver",
    "post_channel",
    "refresh_clicked_card",
]

_log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class PostResult:
    """A channel post: its ``ts``, or Slack's error code (``ratelimited`` for a 429)."""

    ts: str | None = None
    error: str | None = None


async def post_channel(
    deps: SlackDeps, channel_id: str, msg: Message, *, thread_ts: str | None = None
) -> PostResult:
    """Post in a channel (in a thread with ``thread_ts``); Slack's refusal comes back as a
    code, never as an exception."""
    try:
        response = await deps.client.chat_postMessage(
            channel=channel_id, thread_ts=thread_ts, **msg.to_dict()
        )
    except SlackApiError as exc:
        status = getattr(exc.response, "status_code", 200)
        code = "ratelimited" if status == 429 else slack_error_code(exc)
        code = "ratelimited" if code == "rate_limited" else code
        _log.warning("slack.post_failed", channel=channel_id, error=code)
        return PostResult(error=code)
    ts = str(response.get("ts") or "")
    return PostResult(ts=ts) if ts else PostResult(error="no_ts")


async def refresh_clicked_card(deps: SlackDeps, target: Target, request_id: str) -> None:
    """Redraw a detached card from the request's state through the click's response_url."""
    if target.response_url is None:
        return
    if not await is_detached(deps, request_id):
        return
    card = await deps.chatops.requests.card(request_id)
    if card is None:
        return
    payload = {**card.to_dict(), "response_type": "in_channel", "replace_original": True}
    response = await AsyncWebhookClient(target.response_url).send_dict(payload)
    if response.status_code != 200:
        _log.warning("slack.card_refresh_failed", status=response.status_code)


async def complete(reply: Reply) -> Reply:
    """The whole answer, for a surface that sends one message (a shared or paged list)."""
    while reply.follow_up is not None:
        reply = await reply.follow_up()
    return reply


async def deliver(
    deps: SlackDeps, reply: Reply, target: Target, *, replace_original: bool = False
) -> None:
    """Send a core reply: the person's part, the channel's announcements, the incident copy,
    then the rest of a slow answer in place of its "loading" message."""
    channel = target.channel_id
    in_channel = reply.visibility == "channel"
    await send_private(deps, target, reply.message, in_channel=in_channel,
                       replace_original=replace_original)  # fmt: skip
    thread: str | None = None
    for index, announcement in enumerate(reply.announcements):
        request_id = reply.request_id if index == 0 else None
        posted = await post_channel(deps, channel, announcement) if channel else PostResult()
        if posted.ts is not None and channel:
            if request_id:
                thread = posted.ts
                await deps.chatops.requests.attach_card(request_id, channel, posted.ts)
            continue
        await _fallback(deps, target, announcement, request_id, posted.error or "no_channel")
    incident = deps.chatops.incident_channel
    if reply.incident_announcement is not None and incident and incident != channel:
        posted = await post_channel(deps, incident, reply.incident_announcement)
        if posted.ts is not None and reply.request_id:
            await deps.chatops.requests.attach_announcement(reply.request_id, incident, posted.ts)
    if reply.incident_announcement is not None and reply.request_id:
        # The kill skipped counting what uses the gate; now that it landed, fill it in.
        await deps.chatops.requests.fill_in_references(reply.request_id)
        # And a release pipeline still running on it would change it again: say so.
        running = await deps.chatops.pipelines.after_kill(reply.request_id)
        if running is not None and channel:
            await post_channel(deps, channel, running, thread_ts=thread)
    if reply.follow_up is not None:  # "loading…" went first; the answer takes its place
        rest = await reply.follow_up()
        await deliver(deps, rest, target, replace_original=target.response_url is not None)


async def _fallback(
    deps: SlackDeps, target: Target, card: Message, request_id: str | None, code: str
) -> None:
    via_response_url = target.response_url is not None
    if via_response_url:
        await send_private(deps, target, card, in_channel=True)
        if request_id:
            await mark_detached(deps, request_id, code)
    _log.warning(
        "slack.card_not_attached",
        request_id=request_id,
        channel=target.channel_id,
        error=code,
        via_response_url=via_response_url,
    )
    notice = render_post_failure(
        target.channel_id, code, request_id=request_id, via_response_url=via_response_url
    )
    await send_private(deps, target, notice)
