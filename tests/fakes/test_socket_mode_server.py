"""The Socket Mode server double, checked with slack_sdk's own aiohttp SocketModeClient."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.async_client import AsyncBaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakes.slack import FakeSlack
from tests.support.socket_mode import SocketModeServer

COMMAND = {
    "command": "/statsig",
    "text": "gate list",
    "user_id": "U1",
    "channel_id": "C1",
    "team_id": "T1",
    "response_url": "http://127.0.0.1:9/commands/T1/1/x",
    "trigger_id": "1.2.abc",
}


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        yield fake


@pytest.fixture
async def server(slack: FakeSlack) -> AsyncIterator[SocketModeServer]:
    async with SocketModeServer() as socket_server:
        slack.socket_mode_url = socket_server.url
        yield socket_server


async def test_sdk_client_connects_receives_a_command_and_acks(
    slack: FakeSlack, server: SocketModeServer
) -> None:
    received: list[SocketModeRequest] = []

    async def listener(client: AsyncBaseSocketModeClient, request: SocketModeRequest) -> None:
        received.append(request)
        ack = SocketModeResponse(envelope_id=request.envelope_id, payload={"text": "on it"})
        await client.send_socket_mode_response(ack)

    client = SocketModeClient(
        app_token=slack.app_token,
        web_client=AsyncWebClient(base_url=slack.api_url),
        auto_reconnect_enabled=False,
    )
    client.socket_mode_request_listeners.append(listener)
    try:
        await client.connect()  # type: ignore[no-untyped-call]
        await server.wait_connected()
        ack = await server.request("slash_commands", COMMAND)
    finally:
        await client.close()  # type: ignore[no-untyped-call]
    [request] = received
    assert (request.type, request.payload) == ("slash_commands", COMMAND)
    assert ack == {"envelope_id": request.envelope_id, "payload": {"text": "on it"}}
    [open_call] = slack.calls_to("apps.connections.open")
    assert open_call.token == slack.app_token
    assert open_call.response["url"].startswith(server.url)
    assert server.sent[0]["accepts_response_payload"] is True


async def test_disconnect_makes_the_sdk_client_reconnect(
    slack: FakeSlack, server: SocketModeServer
) -> None:
    client = SocketModeClient(
        app_token=slack.app_token, web_client=AsyncWebClient(base_url=slack.api_url)
    )
    try:
        await client.connect()  # type: ignore[no-untyped-call]
        await server.wait_connected()
        await server.disconnect()
        await server.wait_connected(count=2)
    finally:
        await client.close()  # type: ignore[no-untyped-call]
    assert len(slack.calls_to("apps.connections.open")) == 2


async def test_hello_then_events_envelope_with_retry_fields(server: SocketModeServer) -> None:
    event = {"type": "event_callback", "event": {"type": "app_home_opened"}, "event_id": "Ev1"}
    async with aiohttp.ClientSession() as session, session.ws_connect(server.url) as ws:
        hello = json.loads(await ws.receive_str())
        assert hello["type"] == "hello"
        assert hello["connection_info"]["app_id"] == "A0APP"
        envelope_id = await server.send(
            "events_api", event, retry_attempt=2, retry_reason="timeout"
        )
        envelope = json.loads(await ws.receive_str())
        assert envelope == {
            "envelope_id": envelope_id,
            "type": "events_api",
            "payload": event,
            "accepts_response_payload": False,
            "retry_attempt": 2,
            "retry_reason": "timeout",
        }
        await ws.send_str(json.dumps({"envelope_id": envelope_id}))
        assert await server.wait_ack(envelope_id) == {"envelope_id": envelope_id}


async def test_unacked_envelope_times_out(server: SocketModeServer) -> None:
    async with aiohttp.ClientSession() as session, session.ws_connect(server.url) as ws:
        await ws.receive_str()  # hello
        envelope_id = await server.send("interactive", {"type": "block_actions"})
        with pytest.raises(asyncio.TimeoutError):
            await server.wait_ack(envelope_id, timeout=0.05)


async def test_send_without_a_client_is_an_error(server: SocketModeServer) -> None:
    with pytest.raises(RuntimeError):
        await server.send("slash_commands", COMMAND)


async def test_connections_open_needs_the_app_token(
    slack: FakeSlack, server: SocketModeServer
) -> None:
    as_bot = AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)
    with pytest.raises(SlackApiError) as caught:
        await as_bot.apps_connections_open(app_token=slack.bot_token)
    assert caught.value.response["error"] == "not_allowed_token_type"
    with pytest.raises(SlackApiError) as caught:
        await as_bot.apps_connections_open(app_token="xapp-1-wrong")
    assert caught.value.response["error"] == "invalid_auth"
    opened = await as_bot.apps_connections_open(app_token=slack.app_token)
    assert opened["url"].startswith("ws://127.0.0.1:")
