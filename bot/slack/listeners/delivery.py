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

import re
from dataclasses import dataclass

import structlog
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.ops.replies import Reply
from bot.slack.blocks.common import Message, esc, ident, message, section
from bot.slack.deps import SlackDeps
from bot.slack.detached import is_detached, mark_detached
from bot.slack.listeners.support import Target, send_private, slack_error_code

__all__ = [
    "PostResult",
    "channel_mention",
    "deliver",
    "post_channel",
    "post_failure_notice",
    "refresh_clicked_card",
]

_log = structlog.get_logger(__name__)
_CHANNEL_ID = re.compile(r"^[CDG][A-Z0-9]{2,40}$")
_NOT_MEMBER = frozenset({"not_in_channel", "channel_not_found"})


@dataclass(frozen=True, slots=True)
class PostResult:
    """A channel post: its ``ts``, or Slack's error code (``ratelimited`` for a 429)."""

    ts: str | None = None
    error: str | None = None


def channel_mention(channel_id: str | None) -> str:
    """``<#C123>`` for a channel ID we were given; built here, so it is never escaped."""
    if channel_id and _CHANNEL_ID.match(channel_id):
        return f"<#{channel_id}>"
    return "this conversation"


async def post_channel(deps: SlackDeps, channel_id: str, msg: Message) -> PostResult:
    """Post in a channel; Slack's refusal comes back as a code, never as an exception."""
    try:
        response = await deps.client.chat_postMessage(channel=channel_id, **msg.to_dict())
    except SlackApiError as exc:
        status = getattr(exc.response, "status_code", 200)
        code = "ratelimited" if status == 429 else slack_error_code(exc)
        code = "ratelimited" if code == "rate_limited" else code
        _log.warning("slack.post_failed", channel=channel_id, error=code)
        return PostResult(error=code)
    ts = str(response.get("ts") or "")
    return PostResult(ts=ts) if ts else PostResult(error="no_ts")


def _cause(channel: str | None, code: str) -> tuple[str, str]:
    """What went wrong, and what would fix it, in words."""
    where = channel_mention(channel)
    if code == "no_channel":
        return "There is no channel to post in here", ""
    if code == "ratelimited":
        return f"Slack is rate-limiting my messages in {where} right now", ""
    if code in _NOT_MEMBER:
        return (
            f"I am not a member of {where}",
            "Invite me with `/invite @statsig-ops` so cards there update themselves.",
        )
    if code == "is_archived":
        return f"{where} is archived", ""
    return f"Slack refused my message in {where} ({esc(code, 60)})", ""


def post_failure_notice(
    channel: str | None, code: str, *, request_id: str | None, via_response_url: bool
) -> Message:
    """The requester's private explanation of a refused channel post."""
    cause, fix = _cause(channel, code)
    if request_id and via_response_url:
        what = (
            "so I posted the approval request there through your command instead. That copy "
            "does not update itself; its buttons still work and show the request's state."
        )
    elif request_id:
        what = (
            f"so approval request {ident(request_id, 40)} has no card there. Approvers find "
            "it in my Home tab and with `/statsig approvals pending`."
        )
    elif via_response_url:
        what = "so I posted the announcement there through your command instead."
    else:
        what = "so the announcement was not posted."
    text = f"⚠️ {cause}, {what}" + (f" {fix}" if fix else "")
    return message(text, [section(text)])


async def refresh_clicked_card(deps: SlackDeps, target: Target, request_id: str) -> None:
    """Redraw a detached card from the request's state through the click's response_url."""
    if target.response_url is None or deps.workflow is None:
        return
    if not await is_detached(deps, request_id):
        return
    card = await deps.workflow.render_request(request_id)
    if card is None:
        return
    payload = {**card.to_dict(), "response_type": "in_channel", "replace_original": True}
    response = await AsyncWebhookClient(target.response_url).send_dict(payload)
    if response.status_code != 200:
        _log.warning("slack.card_refresh_failed", status=response.status_code)


async def deliver(
    deps: SlackDeps, reply: Reply, target: Target, *, replace_original: bool = False
) -> None:
    """Send a core reply: the person's part, the channel's announcements, the incident copy."""
    channel = target.channel_id
    in_channel = reply.visibility == "channel"
    await send_private(deps, target, reply.message, in_channel=in_channel,
                       replace_original=replace_original)  # fmt: skip
    for index, announcement in enumerate(reply.announcements):
        request_id = reply.request_id if index == 0 else None
        posted = await post_channel(deps, channel, announcement) if channel else PostResult()
        if posted.ts is not None and channel:
            if request_id and deps.workflow is not None:
                await deps.workflow.attach_message(request_id, channel, posted.ts)
            continue
        await _fallback(deps, target, announcement, request_id, posted.error or "no_channel")
    incident = deps.policy.incident_channel
    if reply.incident_announcement is not None and incident and incident != channel:
        await post_channel(deps, incident, reply.incident_announcement)


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
    notice = post_failure_notice(
        target.channel_id, code, request_id=request_id, via_response_url=via_response_url
    )
    await send_private(deps, target, notice)
