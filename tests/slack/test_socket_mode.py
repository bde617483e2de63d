"""The same listeners over Socket Mode, against a local server speaking the envelope format."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

from bot.slack.app import create_app
from bot.slack.blocks.ids import APPROVAL_APPROVE
from bot.slack.deps import SlackDeps
from tests.slack.harness import (
    CHANNEL,
    World,
    all_text,
    button_value,
    deps_for,
    eventually,
    visible,
    wait_responses,
)
from tests.support.socket_mode import SocketModeServer


@pytest.fixture
async def socket(w: World) -> AsyncIterator[tuple[SocketModeServer, SlackDeps]]:
    async with SocketModeServer() as server, deps_for(w) as (settings, deps):
        w.slack.socket_mode_url = server.url
        handler = AsyncSocketModeHandler(
            create_app(settings, deps), w.slack.app_token, web_client=deps.client
        )
        await handler.connect_async()  # type: ignore[no-untyped-call]
        try:
            await server.wait_connected()
            yield server, deps
        finally:
            await handler.close_async()  # type: ignore[no-untyped-call]


def _command(w: World, text: str, user: str = "U1ALICE") -> tuple[dict[str, Any], str]:
    url = w.slack.new_response_url(channel_id=CHANNEL, user_id=user)
    payload = {
        "team_id": "T1", "channel_id": CHANNEL, "user_id": user, "command": "/statsig",
        "text": text, "response_url": url, "trigger_id": w.slack.new_trigger_id(),
        "api_app_id": "A0APP",
    }  # fmt: skip
    return payload, url


async def test_command_read_and_approval_over_socket_mode(
    w: World, socket: tuple[SocketModeServer, SlackDeps]
) -> None:
    server, deps = socket
    payload, url = _command(w, "gate show mobile_dark_mode")
    ack = await server.request("slash_commands", payload)
    assert "payload" not in ack or not ack["payload"]  # empty ack, answer follows
    assert "mobile_dark_mode" in all_text((await wait_responses(w.slack, url))[0])

    payload, url = _command(w, "gate disable mobile_dark_mode flaky")
    await server.request("slash_commands", payload)
    await wait_responses(w.slack, url)
    [card] = await eventually(lambda: visible(w.slack))
    request_id = button_value(card, APPROVAL_APPROVE)
    assert request_id is not None
    wf = deps.workflow
    assert wf is not None

    async def attached() -> bool:
        request = await wf.get(request_id)
        return request is not None and request.message_ts == card.ts

    await eventually(attached)
    click_url = w.slack.new_response_url(channel_id=CHANNEL, user_id="U2BOB",
                                         message_ts=card.ts)  # fmt: skip
    click = {
        "type": "block_actions", "user": {"id": "U2BOB", "team_id": "T1"},
        "team": {"id": "T1"}, "api_app_id": "A0APP", "trigger_id": w.slack.new_trigger_id(),
        "channel": {"id": CHANNEL}, "response_url": click_url,
        "container": {"type": "message", "message_ts": card.ts, "channel_id": CHANNEL},
        "actions": [{"action_id": APPROVAL_APPROVE, "value": request_id, "type": "button",
                     "block_id": "b", "action_ts": "1"}],
    }  # fmt: skip
    await server.request("interactive", click)
    assert "Approved" in all_text((await wait_responses(w.slack, click_url))[0])
    assert len(w.mutations("/gates/mobile_dark_mode/disable")) == 1


async def test_redelivered_socket_event_runs_once(
    w: World, socket: tuple[SocketModeServer, SlackDeps]
) -> None:
    server, deps = socket
    envelope = {
        "type": "event_callback", "team_id": "T1", "api_app_id": "A0APP",
        "event_id": "Ev0SOCKET", "event_time": 1,
        "event": {"type": "app_home_opened", "user": "U2BOB", "tab": "home"},
    }  # fmt: skip
    await server.request("events_api", envelope)
    await server.request("events_api", envelope, retry_attempt=1, retry_reason="timeout")
    await w.slack.wait_for_calls("views.publish")
    assert deps.metrics.duplicate_events._value.get() == 1  # noqa: SLF001
    assert len(w.slack.calls_to("views.publish")) == 1
