"""Forms end to end: rollout (with plan preview), overrides, the disable shortcut, races."""

from __future__ import annotations

import time
from typing import Any

import pytest
import structlog

from bot.slack.views import modals
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


def _current(bot: BotInstance, view_id: str) -> dict[str, Any]:
    """The view as Slack shows it now, with the id and hash a click or submission carries."""
    shown = bot.slack.view(view_id)
    return {**shown.data, "id": view_id, "hash": shown.hash}


async def _open_rollout(bot: BotInstance) -> dict[str, Any]:
    await bot.command("edit gate mobile_dark_mode")
    [opened] = await bot.slack.wait_for_calls("views.open")
    assert opened.args["view"]["callback_id"] == modals.LOADING_MODAL  # trigger spent first
    [update] = await bot.slack.wait_for_calls("views.update")
    assert update.args["hash"] == opened.response["view"]["hash"]  # guarded by the hash
    view = _current(bot, opened.response["view"]["id"])
    assert view["callback_id"] == modals.ROLLOUT_MODAL
    return view


def _rule_value(view: dict[str, Any], label_start: str) -> str:
    [block] = [b for b in view["blocks"] if b.get("block_id") == modals.ROLLOUT_RULE_BLOCK]
    return next(
        str(o["value"])
        for o in block["element"]["options"]
        if o["text"]["text"].startswith(label_start)
    )


def _rollout_values(view: dict[str, Any], pct: str, rule: str = "Android") -> dict[str, Any]:
    return {
        modals.ROLLOUT_RULE_BLOCK: {modals.ROLLOUT_RULE: _select(_rule_value(view, rule))},
        modals.ROLLOUT_PCT_BLOCK: {modals.ROLLOUT_PCT: {"type": "number_input", "value": pct}},
    }


async def test_rollout_form_previews_the_plan_and_submits_a_request(bot: BotInstance) -> None:
    view = await _open_rollout(bot)
    assert "Android (25%)" in all_text(view)
    values = _rollout_values(view, "60")
    await bot.click(modals.ROLLOUT_PCT, "", user="U1ALICE",
                    view={**view, "state": {"values": values}})  # fmt: skip
    [_, preview_update] = await bot.slack.wait_for_calls("views.update", 2)
    assert preview_update.args["hash"] == view["hash"]
    preview = bot.slack.view(view["id"]).data
    assert "60" in all_text(preview) and "Plan" in all_text(preview)
    assert _rule_value(preview, "Android") == _rule_value(view, "Android")

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
    auto_alone = {
        **values_in,
        modals.KILL_AUTO_RESTORE_BLOCK: {modals.KILL_AUTO_RESTORE: {
            "type": "checkboxes", "selected_options": [{"value": modals.AUTO_RESTORE}]}},
    }  # fmt: skip
    refused = (await bot.submit(view, auto_alone)).json()
    assert set(refused["errors"]) == {modals.KILL_AUTO_RESTORE_BLOCK}
    timed = {
        **auto_alone,
        modals.KILL_WINDOW_BLOCK: {modals.KILL_WINDOW: {
            "type": "static_select", "selected_option": {"value": "30m"}}},
    }  # fmt: skip
    assert (await bot.submit(view, timed)).status_code == 200
    [card] = await eventually(lambda: visible(bot.slack))
    assert "disable" in card.text and "mobile_dark_mode" in card.text
    assert "30 minutes" in all_text({"blocks": card.blocks}), "the form's window is the kill's"


async def test_edit_of_a_non_gate_explains_which_forms_exist(bot: BotInstance) -> None:
    response, url = await bot.command("edit config pricing_tiers")
    assert response.status_code == 200
    answer = (await wait_responses(bot.slack, url))[0]
    assert "gate" in all_text(answer)


async def test_rollout_to_the_current_percentage_is_refused_inline(bot: BotInstance) -> None:
    view = await _open_rollout(bot)
    reply = await bot.submit(view, _rollout_values(view, "25"))
    assert reply.json() == {
        "response_action": "errors",
        "errors": {
            modals.ROLLOUT_PCT_BLOCK: "The rule already passes 25%: nothing to change. "
            "Pick another percentage."
        },
    }
    assert visible(bot.slack) == [] and bot.world.mutations() == []


async def test_submitted_rule_is_named_by_its_base_id_not_its_label(bot: BotInstance) -> None:
    gate = bot.world.state.get("gate", "mobile_dark_mode")
    assert gate is not None
    android = next(r for r in gate["rules"] if r["name"] == "Android")
    view = await _open_rollout(bot)
    ref = modals.parse_rule_value(_rule_value(view, "Android"))
    assert ref == (android.get("baseID") or android["id"], 25.0)
    assert (await bot.submit(view, _rollout_values(view, "40"))).status_code == 200
    [card] = await eventually(lambda: visible(bot.slack))
    assert "Android" in all_text({"blocks": card.blocks}) and "40" in card.text + all_text(
        {"blocks": card.blocks}
    )


async def test_a_stale_preview_never_overwrites_a_newer_form(bot: BotInstance) -> None:
    view = await _open_rollout(bot)
    stale = {**view, "hash": "1.stale", "state": {"values": _rollout_values(view, "70")}}
    with structlog.testing.capture_logs() as logs:
        await bot.click(modals.ROLLOUT_PCT, "", user="U1ALICE", view=stale)
        [_, refused] = await bot.slack.wait_for_calls("views.update", 2)
        await eventually(lambda: [e for e in logs if e["event"] == "slack.views_update_superseded"])
    assert refused.response["error"] == "hash_conflict"
    assert bot.slack.view(view["id"]).data == {k: v for k, v in view.items()
                                               if k not in ("id", "hash")}  # fmt: skip


async def test_a_refused_first_update_replaces_loading_with_an_error(bot: BotInstance) -> None:
    bot.slack.fail_with("views.update", "view_too_large")
    with structlog.testing.capture_logs() as logs:
        await bot.command("edit gate mobile_dark_mode")
        [opened] = await bot.slack.wait_for_calls("views.open")
        [refused, fallback] = await bot.slack.wait_for_calls("views.update", 2)
    assert refused.response["error"] == "view_too_large"  # logged before the fallback call
    assert "hash" not in fallback.args  # the error view goes in whatever is shown now
    shown = bot.slack.view(opened.response["view"]["id"]).data
    assert shown["callback_id"] == modals.RESULT_MODAL
    assert "could not show this form" in all_text(shown)
    assert any(e["event"] == "slack.views_update_failed" for e in logs)


async def _open_overrides(bot: BotInstance) -> dict[str, Any]:
    view = await _open_rollout(bot)
    await bot.click(modals.OPEN_OVERRIDES, "mobile_dark_mode", user="U1ALICE", view=view)
    await eventually(
        lambda: bot.slack.view(view["id"]).data["callback_id"] == modals.OVERRIDES_MODAL
    )
    return _current(bot, view["id"])


@pytest.mark.parametrize(
    ("mode", "env", "ids", "expected"),
    [
        ("fail", "staging", "user_9", ["staging", "user_9"]),
        ("remove", modals.ALL_ENVIRONMENTS, "user_1", ["user_1"]),
    ],
)
async def test_overrides_form_with_an_environment_and_remove(
    bot: BotInstance, mode: str, env: str, ids: str, expected: list[str]
) -> None:
    bot.world.state.gate_overrides["mobile_dark_mode"]["passingUserIDs"].append("user_1")
    form = await _open_overrides(bot)
    values = {
        modals.OVERRIDE_MODE_BLOCK: {modals.OVERRIDE_MODE: _select(mode)},
        modals.OVERRIDE_IDS_BLOCK: {modals.OVERRIDE_IDS: _text(ids)},
        modals.OVERRIDE_ENV_BLOCK: {modals.OVERRIDE_ENV: _select(env)},
    }
    assert (await bot.submit(form, values)).status_code == 200
    [card] = await eventually(lambda: visible(bot.slack))
    text = all_text({"blocks": card.blocks}).replace("\u200b", "")
    assert all(word in text for word in expected), text
    wf = bot.deps.chatops.workflow
    assert wf is not None
    [request] = await wf.pending()
    assert request.action == "gate.override" and request.entity_id == "mobile_dark_mode"
    assert bot.world.mutations() == []
