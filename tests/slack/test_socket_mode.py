"""The same listeners over Socket Mode, against a local server speaking the envelope format.

Every flow the HTTP tests drive has a Socket Mode twin here: a change and its approval
card, approve and reject (with the reason form), the disable shortcut with its type-ahead
options, the rollout form with an inline error returned in the envelope's ack, ``edit
gate``, App Home, and the ack arriving before Statsig answers.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

from bot.render.ids import APPROVAL_APPROVE, APPROVAL_REJECT
from bot.slack.app import create_app
from bot.slack.deps import SlackDeps
from bot.slack.views import modals
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

Socket = tuple[SocketModeServer, SlackDeps]


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
    wf = deps.chatops.workflow
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


def _interaction(w: World, kind: str, user: str = "U1ALICE", **fields: Any) -> dict[str, Any]:
    return {
        "type": kind,
        "team": {"id": "T1", "domain": "fake"},
        "user": {"id": user, "team_id": "T1"},
        "api_app_id": "A0APP",
        "trigger_id": w.slack.new_trigger_id(),
        **fields,
    }


def _click(w: World, action_id: str, value: str, user: str, message_ts: str) -> tuple[dict, str]:
    url = w.slack.new_response_url(channel_id=CHANNEL, user_id=user, message_ts=message_ts)
    payload = _interaction(
        w, "block_actions", user,
        channel={"id": CHANNEL}, response_url=url,
        container={"type": "message", "message_ts": message_ts, "channel_id": CHANNEL},
        actions=[{"action_id": action_id, "value": value, "type": "button", "block_id": "b",
                  "action_ts": "1"}],
    )  # fmt: skip
    return payload, url


def _submission(w: World, view: dict[str, Any], values: dict[str, Any], user: str) -> dict:
    return _interaction(w, "view_submission", user, view={**view, "state": {"values": values}})


async def _card_for(w: World, server: SocketModeServer, text: str) -> tuple[str, Any]:
    payload, url = _command(w, text)
    await server.request("slash_commands", payload)
    await wait_responses(w.slack, url)
    [card] = await eventually(lambda: visible(w.slack))
    request_id = button_value(card, APPROVAL_APPROVE)
    assert request_id is not None
    return request_id, card


async def test_reject_over_socket_mode_opens_the_form_and_needs_a_reason(
    w: World, socket: Socket
) -> None:
    server, deps = socket
    request_id, card = await _card_for(w, server, "gate disable mobile_dark_mode flaky")
    click, _ = _click(w, APPROVAL_REJECT, request_id, "U2BOB", card.ts)
    await server.request("interactive", click)
    [opened] = await w.slack.wait_for_calls("views.open")
    form = {**w.slack.view(opened.response["view"]["id"]).data, "id": opened.response["view"]["id"]}
    assert form["callback_id"] == modals.REJECT_MODAL
    ack = await server.request("interactive", _submission(w, form, {}, "U2BOB"))
    assert ack["payload"]["response_action"] == "errors"
    assert modals.REASON_BLOCK in ack["payload"]["errors"]
    reason = {modals.REASON_BLOCK: {modals.REASON: {"type": "plain_text_input",
                                                    "value": "not during the sale"}}}  # fmt: skip
    ack = await server.request("interactive", _submission(w, form, reason, "U2BOB"))
    assert not ack.get("payload")  # closes the form
    await eventually(lambda: "rejected" in w.slack.message(CHANNEL, card.ts).text)
    # The clicker's own answer is the last thing the reject does; wait for it, so no work
    # of this test is still using Redis when the fixture closes it.
    await eventually(
        lambda: any("Rejected" in str(c.args) for c in w.slack.calls_to("chat.postEphemeral"))
    )
    assert w.mutations() == []


async def test_disable_shortcut_options_and_submission_over_socket_mode(
    w: World, socket: Socket
) -> None:
    server, _ = socket
    shortcut = _interaction(w, "shortcut", callback_id=modals.DISABLE_GATE_SHORTCUT,
                            action_ts="1")  # fmt: skip
    await server.request("interactive", shortcut)
    [opened] = await w.slack.wait_for_calls("views.open")
    view = {**opened.args["view"], "id": opened.response["view"]["id"]}
    assert view["callback_id"] == modals.DISABLE_GATE_MODAL
    suggestion = _interaction(
        w, "block_suggestion", action_id=modals.GATE_PICKER, block_id=modals.GATE_BLOCK,
        value="dark", view=view,
    )  # fmt: skip
    ack = await asyncio.wait_for(server.request("interactive", suggestion), 2.5)
    assert "mobile_dark_mode" in [o["value"] for o in ack["payload"]["options"]]
    values = {
        modals.GATE_BLOCK: {modals.GATE_PICKER: {"type": "external_select",
                                                 "selected_option": {"value": "mobile_dark_mode"}}},
        modals.CHANNEL_BLOCK: {modals.CHANNEL_PICKER: {"type": "conversations_select",
                                                       "selected_conversation": CHANNEL}},
    }  # fmt: skip
    ack = await server.request("interactive", _submission(w, view, values, "U1ALICE"))
    assert not ack.get("payload")
    [card] = await eventually(lambda: visible(w.slack))
    assert "mobile_dark_mode" in card.text and button_value(card, APPROVAL_APPROVE)


async def test_edit_gate_and_rollout_form_errors_in_the_ack_over_socket_mode(
    w: World, socket: Socket
) -> None:
    server, _ = socket
    payload, _ = _command(w, "edit gate mobile_dark_mode")
    await server.request("slash_commands", payload)
    [opened] = await w.slack.wait_for_calls("views.open")
    await w.slack.wait_for_calls("views.update")
    view_id = opened.response["view"]["id"]
    form = {**w.slack.view(view_id).data, "id": view_id}
    assert form["callback_id"] == modals.ROLLOUT_MODAL
    [rules] = [b for b in form["blocks"] if b.get("block_id") == modals.ROLLOUT_RULE_BLOCK]
    android = next(o["value"] for o in rules["element"]["options"]
                   if o["text"]["text"].startswith("Android"))  # fmt: skip

    def values(pct: str) -> dict[str, Any]:
        return {
            modals.ROLLOUT_RULE_BLOCK: {
                modals.ROLLOUT_RULE: {"selected_option": {"value": android}}
            },
            modals.ROLLOUT_PCT_BLOCK: {modals.ROLLOUT_PCT: {"value": pct}},
        }

    ack = await server.request("interactive", _submission(w, form, values("25"), "U1ALICE"))
    assert ack["payload"] == {
        "response_action": "errors",
        "errors": {modals.ROLLOUT_PCT_BLOCK: "The rule already passes 25%: nothing to change. "
                   "Pick another percentage."},
    }  # fmt: skip
    ack = await server.request("interactive", _submission(w, form, values("40"), "U1ALICE"))
    assert not ack.get("payload")
    [card] = await eventually(lambda: visible(w.slack))
    assert button_value(card, APPROVAL_APPROVE) and w.mutations() == []


async def test_app_home_over_socket_mode_lists_what_waits(w: World, socket: Socket) -> None:
    server, _ = socket
    request_id, _ = await _card_for(w, server, "gate disable mobile_dark_mode flaky")
    event = {
        "type": "event_callback", "team_id": "T1", "api_app_id": "A0APP",
        "event_id": "Ev0HOMESOCKET", "event_time": 1,
        "event": {"type": "app_home_opened", "user": "U2BOB", "tab": "home"},
    }  # fmt: skip
    await server.request("events_api", event)
    await w.slack.wait_for_calls("views.publish")
    home = w.slack.home_view("U2BOB")
    assert home is not None
    assert request_id in all_text(home.data).replace("\u200b", "")


@pytest.mark.parametrize("text", ["gate show mobile_dark_mode", "gate disable mobile_dark_mode"])
async def test_socket_mode_acks_before_statsig_answers(w: World, socket: Socket, text: str) -> None:
    server, _ = socket
    hold = w.faults.hold(r"/gates/mobile_dark_mode$", method="GET")
    try:
        payload, url = _command(w, text)
        ack = await asyncio.wait_for(server.request("slash_commands", payload), 2.0)
        assert not ack.get("payload")
        await asyncio.wait_for(hold.arrived(), 5)  # Statsig is being asked, and held
        assert w.slack.responses(url) == []
    finally:
        hold.release()
    assert await wait_responses(w.slack, url)
