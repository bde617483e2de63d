"""Only the installed workspace and app drive the bot: everything else is dropped unrun.

Every request here is signed with the app's real signing secret (the secret is the app's,
so another workspace the app is installed in signs just as well); only the workspace,
enterprise or app named inside differs.
"""

from __future__ import annotations

import asyncio
import json

import pytest

from bot.render.ids import APPROVAL_APPROVE
from bot.slack.views import modals
from tests.slack.harness import (
    CHANNEL,
    BotInstance,
    all_text,
    button_value,
    eventually,
    visible,
    wait_responses,
)
from tests.support.slack_signing import event_body, interactivity_body, slash_command_body

FOREIGN_CLICKS = {
    "another workspace": {
        "team": {"id": "T2OTHER", "domain": "other"},
        "user": {"id": "U2BOB", "team_id": "T2OTHER"},
    },
    "an enterprise we are not in": {"enterprise": {"id": "E9OTHER", "name": "Other Org"}},
    "another app": {"api_app_id": "A9OTHER"},
    "a shared-channel user from elsewhere": {"user": {"id": "U2BOB", "team_id": "T7CONNECT"}},
}


async def _pending_request(bot: BotInstance) -> tuple[str, str]:
    _, url = await bot.command("gate disable mobile_dark_mode flaky")
    await wait_responses(bot.slack, url)
    [card] = await eventually(lambda: visible(bot.slack))
    request_id = button_value(card, APPROVAL_APPROVE)
    assert request_id is not None
    return request_id, card.ts


async def _state(bot: BotInstance, request_id: str) -> str:
    workflow = bot.deps.chatops.workflow
    assert workflow is not None
    request = await workflow.get(request_id)
    assert request is not None
    return str(request.state)


async def test_clicks_naming_another_workspace_enterprise_or_app_execute_nothing(
    bot: BotInstance,
) -> None:
    request_id, ts = await _pending_request(bot)
    for case, overrides in FOREIGN_CLICKS.items():
        response, url = await bot.click(
            APPROVAL_APPROVE, request_id, user="U2BOB", message_ts=ts, overrides=overrides
        )
        assert response.status_code == 200, case
        assert response.content == b"", case
        await asyncio.sleep(0.2)  # time for a listener, had one been run
        assert bot.world.mutations() == [], case
        assert bot.slack.responses(url) == [], case  # not even an answer to that workspace
        assert "pending" in await _state(bot, request_id), case
    assert bot.deps.metrics.refused.labels(reason="foreign")._value.get() == len(FOREIGN_CLICKS)  # noqa: SLF001

    # The same click from the installed workspace is approved: the drops were the guard.
    _, url = await bot.click(APPROVAL_APPROVE, request_id, user="U2BOB", message_ts=ts)
    assert "Approved" in all_text((await wait_responses(bot.slack, url))[0])
    await eventually(lambda: bot.world.mutations("/gates/mobile_dark_mode/disable"))


@pytest.mark.parametrize(
    ("case", "fields"),
    [
        ("team", {"team_id": "T2OTHER"}),
        ("app", {"api_app_id": "A9OTHER"}),
    ],
)
async def test_a_kill_command_from_elsewhere_is_dropped(
    bot: BotInstance, case: str, fields: dict[str, str]
) -> None:
    url = bot.slack.new_response_url(channel_id=CHANNEL, user_id="U2BOB")
    body = slash_command_body(
        "kill mobile_dark_mode INC-1", "U2BOB", CHANNEL, url, bot.slack.new_trigger_id(), **fields
    )
    response = await bot.post(body)
    assert (response.status_code, response.content) == (200, b""), case
    await asyncio.sleep(0.3)
    assert bot.world.sandbox.state.request_log == [], case
    assert bot.slack.responses(url) == [], case
    assert bot.slack.calls_to("chat.postMessage") == [], case


async def test_an_enterprise_id_on_a_command_is_dropped(bot: BotInstance) -> None:
    url = bot.slack.new_response_url(channel_id=CHANNEL, user_id="U2BOB")
    body = slash_command_body("gate list", "U2BOB", CHANNEL, url, bot.slack.new_trigger_id())
    response = await bot.post(body + b"&enterprise_id=E9OTHER")
    assert (response.status_code, response.content) == (200, b"")
    await asyncio.sleep(0.3)
    assert bot.slack.responses(url) == []


async def test_events_views_and_options_from_elsewhere_are_dropped(bot: BotInstance) -> None:
    home = {"type": "app_home_opened", "user": "U2BOB", "channel": "D1", "tab": "home"}
    assert (await bot.post(event_body(home, "Ev0FOREIGN", team_id="T2OTHER"))).status_code == 200

    submission = {
        "type": "view_submission",
        "team": {"id": "T2OTHER", "domain": "other"},
        "user": {"id": "U2BOB", "team_id": "T2OTHER"},
        "api_app_id": "A0APP",
        "trigger_id": bot.slack.new_trigger_id(),
        "view": {
            "id": "V1",
            "type": "modal",
            "callback_id": modals.DISABLE_GATE_MODAL,
            "state": {
                "values": {
                    modals.GATE_BLOCK: {
                        modals.GATE_PICKER: {"selected_option": {"value": "mobile_dark_mode"}}
                    },
                    modals.CHANNEL_BLOCK: {
                        modals.CHANNEL_PICKER: {"selected_conversation": CHANNEL}
                    },
                }
            },
        },
    }
    assert (await bot.post(interactivity_body(submission))).status_code == 200

    options = {
        "type": "block_suggestion",
        "team": {"id": "T2OTHER"},
        "user": {"id": "U2BOB", "team_id": "T2OTHER"},
        "api_app_id": "A0APP",
        "action_id": modals.GATE_PICKER,
        "block_id": modals.GATE_BLOCK,
        "value": "mob",
    }
    answer = await bot.post(interactivity_body(options))
    assert answer.status_code == 200 and answer.content == b""

    await asyncio.sleep(0.3)
    assert bot.slack.calls_to("views.publish") == []
    assert bot.world.sandbox.state.request_log == []
    assert bot.slack.calls_to("chat.postMessage") == []

    # From the installed workspace the same options load is answered.
    ours = {**options, "team": {"id": "T1"}, "user": {"id": "U2BOB", "team_id": "T1"}}
    answered = await bot.post(interactivity_body(ours))
    assert "options" in json.loads(answered.content)
