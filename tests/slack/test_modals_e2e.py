"""Forms end to end: rollout (with plan preview), overrides, the disable shortcut."""

from __future__ import annotations

import time
from typing import Any

from bot.slack.blocks import modals
from tests.slack.harness import (
    BotInstance,
    all_text,
    button_value,
    eventually,
    visible,
    wait_responses,
)
from tests.support.slack_signing import interactivity_body


def _select(value: str) -> dict[str, Any]:
    return {"type": "static_select", "selected_option": {"value": value}}


def _text(value: str) -> dict[str, Any]:
    return {"type": "plain_text_input", "value": value}


async def _open_rollout(bot: BotInstance) -> dict[str, Any]:
    await bot.command("edit gate mobile_dark_mode")
    [opened] = await bot.slack.wait_for_calls("views.open")
    assert opened.args["view"]["callback_id"] == modals.LOADING_MODAL  # trigger spent first
    await bot.slack.wait_for_calls("views.update")
    view = bot.slack.view(opened.response["view"]["id"]).data
    assert view["callback_id"] == modals.ROLLOUT_MODAL
    return {**view, "id": opened.response["view"]["id"]}


async def test_rollout_form_previews_the_plan_and_submits_a_request(bot: BotInstance) -> None:
    view = await _open_rollout(bot)
    assert "Android (25%)" in all_text(view)
    values = {
        modals.ROLLOUT_RULE_BLOCK: {modals.ROLLOUT_RULE: _select("Android")},
        modals.ROLLOUT_PCT_BLOCK: {modals.ROLLOUT_PCT: {"type": "number_input", "value": "60"}},
    }
    await bot.click(modals.ROLLOUT_PCT, "", user="U1ALICE",
                    view={**view, "state": {"values": values}})  # fmt: skip
    await bot.slack.wait_for_calls("views.update", 2)
    preview = bot.slack.view(view["id"]).data
    assert "60" in all_text(preview) and "Plan" in all_text(preview)

    bad = {**values, modals.ROLLOUT_PCT_BLOCK: {modals.ROLLOUT_PCT: {"value": "150"}}}
    reply = await bot.submit(view, bad)
    assert reply.json() == {
        "response_action": "errors",
        "errors": {modals.ROLLOUT_PCT_BLOCK: "Enter a percentage from 0 to 100."},
    }
    reply = await bot.submit(view, {**values, modals.REASON_BLOCK: {modals.REASON: _text("ramp")}})
    assert reply.status_code == 200 and reply.content == b""
    [card] = await eventually(lambda: visible(bot.slack))
    assert button_value(card, "approval_approve") and "mobile_dark_mode" in card.text
    assert bot.world.mutations() == []


async def test_overrides_form_adds_ids_for_one_environment(bot: BotInstance) -> None:
    view = await _open_rollout(bot)
    await bot.click(modals.OPEN_OVERRIDES, "mobile_dark_mode", user="U1ALICE", view=view)
    await eventually(
        lambda: bot.slack.view(view["id"]).data["callback_id"] == modals.OVERRIDES_MODAL
    )
    form = {**bot.slack.view(view["id"]).data, "id": view["id"]}
    assert "production" in all_text(form).lower()
    reply = await bot.submit(form, {modals.OVERRIDE_IDS_BLOCK: {modals.OVERRIDE_IDS: _text("")}})
    assert reply.json()["errors"] == {modals.OVERRIDE_IDS_BLOCK: "Enter at least one ID."}
    values = {
        modals.OVERRIDE_MODE_BLOCK: {modals.OVERRIDE_MODE: _select("pass")},
        modals.OVERRIDE_IDS_BLOCK: {modals.OVERRIDE_IDS: _text("user_1, user_2\nuser_3")},
        modals.OVERRIDE_ENV_BLOCK: {modals.OVERRIDE_ENV: _select(modals.ALL_ENVIRONMENTS)},
    }
    reply = await bot.submit(form, values)
    assert reply.status_code == 200
    [card] = await eventually(lambda: visible(bot.slack))
    assert "user_3" in all_text({"blocks": card.blocks}).replace("\u200b", "")


async def test_edit_of_an_unknown_gate_shows_the_error_in_the_form(bot: BotInstance) -> None:
    await bot.command("edit gate no_such_gate")
    [opened] = await bot.slack.wait_for_calls("views.open")
    await bot.slack.wait_for_calls("views.update")
    view = bot.slack.view(opened.response["view"]["id"]).data
    assert view["callback_id"] == modals.RESULT_MODAL
    assert "no_such_gate" in all_text(view).replace("\u200b", "")


async def test_disable_shortcut_picker_and_submit(bot: BotInstance) -> None:
    shortcut = {
        "type": "shortcut",
        "callback_id": modals.DISABLE_GATE_SHORTCUT,
        "team": {"id": "T1"},
        "user": {"id": "U1ALICE", "team_id": "T1"},
        "trigger_id": bot.slack.new_trigger_id(),
        "action_ts": "1",
    }
    assert (await bot.post(interactivity_body(shortcut))).status_code == 200
    [opened] = await bot.slack.wait_for_calls("views.open")
    view = {**opened.args["view"], "id": opened.response["view"]["id"]}
    assert view["callback_id"] == modals.DISABLE_GATE_MODAL

    suggestion = {
        "type": "block_suggestion",
        "action_id": modals.GATE_PICKER,
        "block_id": modals.GATE_BLOCK,
        "value": "mobile",
        "team": {"id": "T1"},
        "user": {"id": "U1ALICE", "team_id": "T1"},
        "view": view,
    }
    started = time.perf_counter()
    response = await bot.post(interactivity_body(suggestion))
    assert time.perf_counter() - started < 3
    values = [o["value"] for o in response.json()["options"]]
    assert "mobile_dark_mode" in values

    missing = await bot.submit(view, {})
    assert set(missing.json()["errors"]) == {modals.GATE_BLOCK, modals.CHANNEL_BLOCK}
    values_in = {
        modals.GATE_BLOCK: {modals.GATE_PICKER: {"type": "external_select",
                                                 "selected_option": {"value": "mobile_dark_mode"}}},
        modals.CHANNEL_BLOCK: {modals.CHANNEL_PICKER: {"type": "conversations_select",
                                                       "selected_conversation": "C0OPS"}},
    }  # fmt: skip
    assert (await bot.submit(view, values_in)).status_code == 200
    [card] = await eventually(lambda: visible(bot.slack))
    assert "disable" in card.text and "mobile_dark_mode" in card.text


async def test_edit_of_a_non_gate_explains_which_forms_exist(bot: BotInstance) -> None:
    response, url = await bot.command("edit config pricing_tiers")
    assert response.status_code == 200
    answer = (await wait_responses(bot.slack, url))[0]
    assert "gate" in all_text(answer)
