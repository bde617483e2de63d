"""Slack's side of :class:`bot.approvals.notify.Notifier`: keep approval cards and threads true.

The workflow calls :meth:`SlackNotifier.request_updated` after every transition, from
whichever replica made it. The card is re-rendered from Redis (``render_request``), so
concurrent transitions converge on the latest state whatever order the updates land in,
and the workflow's entry for the latest transition goes into the card's thread. Requests
without a posted card (shell requests, a failed post) are skipped silently.

:meth:`SlackNotifier.announce` posts the loud message of a kill or restore that ran after an
approval, in the request's channel and in the policy's incident channel.

Usage::

    notifier = SlackNotifier(web_client, policy=policy)
    workflow = ApprovalWorkflow(store, client, policy, notifier=notifier)
    notifier.bind(workflow)
"""

from __future__ import annotations

from typing import Protocol

import structlog
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.ops.model.requests import ApprovalRequest
from bot.ops.policy.rules import Policy
from bot.render.common import Message

__all__ = ["CardSource", "SlackNotifier"]

_log = structlog.get_logger(__name__)


class CardSource(Protocol):
    """Where the notifier reads a request and its card from (the approval workflow)."""

    async def get(self, request_id: str) -> ApprovalRequest | None: ...

    async def render_request(self, request_id: str) -> Message | None: ...

    async def thread_entry(self, request_id: str) -> Message | None: ...

    async def add_card(self, request_id: str, channel: str, ts: str) -> None: ...


class SlackNotifier:
    """Updates the card with ``chat.update``, threads each transition, sends DMs, and
    posts incident announcements (to ``policy.incident_channel`` too)."""

    def __init__(
        self,
        client: AsyncWebClient,
        workflow: CardSource | None = None,
        *,
        policy: Policy | None = None,
    ) -> None:
        self._client = client
        self._workflow = workflow
        self._policy = policy

    def bind(self, workflow: CardSource) -> None:
        """The workflow needs the notifier and the notifier the workflow: bind after both."""
        self._workflow = workflow

    async def request_updated(self, request_id: str) -> None:
        wf = self._workflow
        if wf is None:
            return
        request = await wf.get(request_id)
        if request is None or not request.channel or not request.message_ts:
            return
        card = await wf.render_request(request_id)
        if card is not None:
            await self._call_update(request.channel, request.message_ts, card)
        entry = await wf.thread_entry(request_id)
        if entry is not None:
            await self._post(request.channel, entry, thread_ts=request.message_ts)

    async def notify_user(self, user_id: str, message: Message) -> None:
        if user_id[:1] not in ("U", "W"):
            return  # shell pseudo-users have no Slack DM
        try:
            opened = await self._client.conversations_open(users=user_id)
        except SlackApiError as exc:
            _log.warning("slack.notifier.dm_open_failed", error=_code(exc))
            return
        await self._post(str(opened["channel"]["id"]), message)

    async def announce(
        self,
        channel_id: str | None,
        message: Message,
        *,
        incident: bool,
        request_id: str | None = None,
    ) -> None:
        incident_channel = self._policy.incident_channel if self._policy and incident else None
        targets = [c for c in (channel_id, incident_channel) if c]
        for channel in dict.fromkeys(targets):  # the incident channel itself: post once
            try:
                ts = await self._post(channel, message)
                if ts and request_id and self._workflow is not None:
                    await self._workflow.add_card(request_id, channel, ts)
            except Exception as exc:  # one channel's failure must not silence the other
                error = type(exc).__name__
                _log.warning("slack.notifier.announce_failed", channel=channel, error=error)

    async def update_message(self, channel_id: str, ts: str, message: Message) -> None:
        await self._call_update(channel_id, ts, message)

    async def post_in_thread(self, channel_id: str, thread_ts: str, message: Message) -> None:
        await self._post(channel_id, message, thread_ts=thread_ts)

    async def _call_update(self, channel: str, ts: str, card: Message) -> None:
        try:
            await self._client.chat_update(channel=channel, ts=ts, **card.to_dict())
        except SlackApiError as exc:
            _log.warning("slack.notifier.update_failed", error=_code(exc))

    async def _post(
        self, channel: str, message: Message, thread_ts: str | None = None
    ) -> str | None:
        """Post; the message's ``ts``, or ``None`` when Slack refused (logged)."""
        try:
            response = await self._client.chat_postMessage(
                channel=channel, thread_ts=thread_ts, **message.to_dict()
            )
        except SlackApiError as exc:
            _log.warning("slack.notifier.post_failed", channel=channel, error=_code(exc))
            return None
        return str(response.get("ts") or "") or None


def _code(exc: SlackApiError) -> str:
    try:
        return str(exc.response.get("error") or "unknown_error")
    except AttributeError:
        return "unknown_error"
