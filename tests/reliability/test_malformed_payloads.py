"""Signed but malformed: every payload Slack could never send is a 400 (or an unhandled
404), never a 500, never a listener crash, never a change; only Slack's content types are
read, and one signed request has one effect however often and however it is delivered."""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from bot.ops.policy.rules import Policy
from bot.render.ids import APPROVAL_APPROVE
from bot.slack.views import modals
from tests.slack.harness import (
    CHANNEL,
    SECRET,
    BotInstance,
    World,
    bot_instance,
    eventually,
    wait_responses,
)
from tests.support.slack_signing import (
    FORM,
    JSON,
    event_body,
    interactivity_body,
    sign,
    slash_command_body,
)

RESPONDERS = Policy.from_toml(
    """
[groups]
responders = ["U2BOB"]
[incident]
responders = "responders"
break_glass = true
"""
)
_USER = {"id": "U2BOB", "team_id": "T1"}
_TEAM = {"id": "T1", "domain": "fake"}


def _rollout_view() -> dict[str, Any]:
    rule_option = {"text": {"type": "plain_text", "text": "Beta"}, "value": "rule-1|10"}
    return {
        "id": "V0FUZZ",
        "type": "modal",
        "hash": "1.abc",
        "callback_id": modals.ROLLOUT_MODAL,
        "private_metadata": json.dumps({"g": "mobile_dark_mode", "c": CHANNEL}),
        "blocks": [
            {
                "block_id": modals.ROLLOUT_RULE_BLOCK,
                "element": {"action_id": modals.ROLLOUT_RULE, "options": [rule_option]},
            }
        ],
        "state": {
            "values": {
                modals.ROLLOUT_RULE_BLOCK: {modals.ROLLOUT_RULE: {"selected_option": rule_option}},
                modals.ROLLOUT_PCT_BLOCK: {modals.ROLLOUT_PCT: {"value": "25"}},
            }
        },
    }


def _bases() -> dict[str, dict[str, Any]]:
    """One well-formed payload of each kind the app listens to."""
    common = {"team": _TEAM, "user": _USER, "api_app_id": "A0APP", "trigger_id": "1.2.3"}
    click = {
        **common,
        "type": "block_actions",
        "channel": {"id": CHANNEL},
        "container": {"type": "message", "message_ts": "1.000001", "channel_id": CHANNEL},
        "message": {"ts": "1.000001"},
        "actions": [{"action_id": APPROVAL_APPROVE, "block_id": "b", "value": "req-none"}],
    }
    preview = {
        **common,
        "type": "block_actions",
        "view": _rollout_view(),
        "container": {"type": "view", "view_id": "V0FUZZ"},
        "actions": [{"action_id": modals.ROLLOUT_PCT, "block_id": modals.ROLLOUT_PCT_BLOCK}],
    }
    return {
        "approve click": click,
        "form preview": preview,
        "rollout submission": {**common, "type": "view_submission", "view": _rollout_view()},
        "reject submission": {
            **common,
            "type": "view_submission",
            "view": {
                "id": "V0REJ",
                "type": "modal",
                "callback_id": modals.REJECT_MODAL,
                "private_metadata": "{}",
                "state": {"values": {modals.REASON_BLOCK: {modals.REASON: {"value": "no"}}}},
            },
        },
        "options": {
            **common,
            "type": "block_suggestion",
            "action_id": modals.GATE_PICKER,
            "block_id": modals.GATE_BLOCK,
            "value": "mob",
        },
        "shortcut": {**common, "type": "shortcut", "callback_id": modals.DISABLE_GATE_SHORTCUT},
    }


_ODD_VALUES: tuple[Any, ...] = (None, 7, "x", [], {}, True, [1, 2])


def _mutants() -> Iterator[tuple[str, dict[str, Any]]]:
    """Each base with one field removed or given another type, top level and nested."""
    for name, base in _bases().items():
        for key in base:
            dropped = copy.deepcopy(base)
            del dropped[key]
            yield f"{name}: without {key}", dropped
            for value in _ODD_VALUES:
                if type(value) is type(base[key]) and value == base[key]:
                    continue
                yield f"{name}: {key}={value!r}", {**copy.deepcopy(base), key: value}
    nested: list[tuple[str, str, list[str], Any]] = [
        ("user id a number", "approve click", ["user", "id"], 5),
        ("an action that is a number", "approve click", ["actions"], [5]),
        ("an empty action", "approve click", ["actions"], [{}]),
        ("action value an object", "approve click", ["actions", 0, "value"], {"a": 1}),  # type: ignore[list-item]
        ("a block state that is text", "rollout submission", ["view", "state", "values"],
         {modals.ROLLOUT_PCT_BLOCK: "x"}),
        ("an element state that is text", "rollout submission", ["view", "state", "values"],
         {modals.ROLLOUT_PCT_BLOCK: {modals.ROLLOUT_PCT: "25"}}),
        ("state values a list", "rollout submission", ["view", "state", "values"], []),
        ("a selected option that is text", "rollout submission",
         ["view", "state", "values", modals.ROLLOUT_RULE_BLOCK, modals.ROLLOUT_RULE,
          "selected_option"], "rule-1|10"),
        ("metadata not JSON", "rollout submission", ["view", "private_metadata"], "{{{"),
        ("metadata a number", "rollout submission", ["view", "private_metadata"], 12),
        ("callback id a list", "rollout submission", ["view", "callback_id"], ["x"]),
        ("view type missing", "rollout submission", ["view", "type"], None),
        ("blocks of text", "form preview", ["view", "blocks"], ["x"]),
        ("a block element that is text", "form preview", ["view", "blocks"],
         [{"block_id": modals.ROLLOUT_RULE_BLOCK, "element": "x"}]),
        ("options that are text", "form preview", ["view", "blocks"],
         [{"block_id": modals.ROLLOUT_RULE_BLOCK, "element": {"options": "x"}}]),
        ("an option label that is text", "form preview", ["view", "blocks"],
         [{"block_id": modals.ROLLOUT_RULE_BLOCK,
           "element": {"options": [{"text": "Beta", "value": "rule-1|10"}]}}]),
        ("view hash a number", "form preview", ["view", "hash"], 5),
        ("typed query a number", "options", ["value"], 5),
    ]  # fmt: skip
    bases = _bases()
    for label, base_name, path, value in nested:
        mutant = copy.deepcopy(bases[base_name])
        node: Any = mutant
        for part in path[:-1]:
            node = node[part]
        if value is None:
            del node[path[-1]]
        else:
            node[path[-1]] = value
        yield f"{base_name}: {label}", mutant


MUTANTS = list(_mutants())


@pytest.fixture
async def responder_bot(w: World) -> AsyncIterator[BotInstance]:
    async with bot_instance(w, policy=RESPONDERS) as instance:
        yield instance


async def test_every_malformed_interaction_is_answered_without_a_500_or_a_crash(
    bot: BotInstance,
) -> None:
    assert len(MUTANTS) > 150
    statuses: dict[int, int] = {}
    for case, payload in MUTANTS:
        response = await bot.post(interactivity_body(payload))
        assert response.status_code in (200, 400, 404), case
        assert b"Traceback" not in response.content, case
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
    await asyncio.sleep(0.5)  # whatever a listener still did after its ack
    crashed = bot.deps.metrics.handled.labels(kind="form_preview", result="error")._value.get()  # noqa: SLF001
    for kind in ("approve", "form", "reject", "shortcut"):
        crashed += bot.deps.metrics.handled.labels(kind=kind, result="error")._value.get()  # noqa: SLF001
    assert crashed == 0
    assert [r for r in bot.world.sandbox.state.request_log if r.method != "GET"] == []
    assert statuses.get(400, 0) > 100  # most of them never reach a listener


@pytest.mark.parametrize(
    ("case", "event"),
    [
        ("event a string", "app_home_opened"),
        ("event without type", {"user": "U2BOB"}),
        ("event type a number", {"type": 5}),
        ("event user a list", {"type": "app_home_opened", "user": ["U2BOB"], "tab": "home"}),
        ("event tab an object", {"type": "app_home_opened", "user": "U2BOB", "tab": {}}),
    ],
)
async def test_malformed_events_are_400(bot: BotInstance, case: str, event: Any) -> None:
    body = event_body({"type": "app_home_opened"}, f"Ev0{abs(hash(case)) % 10**8:08d}")
    envelope = json.loads(body)
    envelope["event"] = event
    response = await bot.post(json.dumps(envelope).encode())
    assert response.status_code == 400, case
    assert bot.slack.calls_to("views.publish") == []


@pytest.mark.parametrize("value", ["[]", '"text"', "5", "null", '[{"type": "event_callback"}]'])
async def test_json_that_is_not_an_object_is_400(bot: BotInstance, value: str) -> None:
    response = await bot.post(value.encode(), extra={"Content-Type": JSON})
    assert response.status_code == 400
    assert bot.slack.calls == []


@pytest.mark.parametrize(
    ("case", "fields"),
    [
        ("no user", {"user_id": None}),
        ("no command", {"command": None}),
        ("a field twice", {"text": ["gate list", "kill mobile_dark_mode"]}),
    ],
)
async def test_malformed_slash_commands_are_400(
    bot: BotInstance, case: str, fields: dict[str, Any]
) -> None:
    url = bot.slack.new_response_url(channel_id=CHANNEL, user_id="U2BOB")
    body = slash_command_body("gate list", "U2BOB", CHANNEL, url, bot.slack.new_trigger_id())
    pairs = [p.split("=", 1) for p in body.decode().split("&")]
    rebuilt: list[str] = []
    for name, value in pairs:
        if name not in fields:
            rebuilt.append(f"{name}={value}")
        elif isinstance(fields[name], list):
            rebuilt += [f"{name}={v.replace(' ', '+')}" for v in fields[name]]
    response = await bot.post("&".join(rebuilt).encode())
    assert response.status_code == 400, case
    assert bot.world.sandbox.state.request_log == []


async def test_a_command_mentioning_payload_is_answered(bot: BotInstance) -> None:
    """Bolt reads any form body containing ``payload`` as interactivity: not ours."""
    _, url = await bot.command("gate payload_checks")
    [answer] = await wait_responses(bot.slack, url)
    assert "payload_checks" in json.dumps(answer)


def _kill_body(bot: BotInstance) -> bytes:
    url = bot.slack.new_response_url(channel_id=CHANNEL, user_id="U2BOB")
    return slash_command_body(
        "kill mobile_dark_mode INC-4", "U2BOB", CHANNEL, url, bot.slack.new_trigger_id()
    )


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/xml", "multipart/form-data; boundary=x", "", "application/json"],
)
async def test_a_signed_kill_under_another_content_type_is_not_run(
    responder_bot: BotInstance, content_type: str
) -> None:
    body = _kill_body(responder_bot)
    headers = {"Content-Type": content_type, **sign(body, SECRET, int(time.time()))}
    response = await responder_bot.http.post(
        f"{responder_bot.url}/slack/events", content=body, headers=headers
    )
    assert response.status_code in (400, 415)
    await asyncio.sleep(0.3)
    assert responder_bot.world.mutations() == []


async def test_one_signed_kill_delivered_many_times_runs_once(responder_bot: BotInstance) -> None:
    body = _kill_body(responder_bot)
    signature = sign(body, SECRET, int(time.time()))
    encodings = [FORM, f"{FORM}; charset=utf-8", FORM.upper(), f"{FORM};charset=UTF-8"]

    async def deliver(content_type: str) -> int:
        response = await responder_bot.http.post(
            f"{responder_bot.url}/slack/events",
            content=body,
            headers={"Content-Type": content_type, **signature},
        )
        return response.status_code

    deliveries = itertools.islice(itertools.cycle(encodings), 12)
    statuses = await asyncio.gather(*(deliver(c) for c in deliveries))
    assert set(statuses) == {200}
    await eventually(lambda: responder_bot.world.mutations("/gates/mobile_dark_mode"))
    await asyncio.sleep(0.5)
    assert len(responder_bot.world.mutations("/gates/mobile_dark_mode")) == 1
    replayed = responder_bot.deps.metrics.refused.labels(reason="replayed")._value.get()  # noqa: SLF001
    assert replayed == 11


@pytest.mark.parametrize(
    "kind",
    ["interactive_message", "dialog_submission", "dialog_cancellation", "workflow_step_edit"],
)
async def test_payload_types_the_app_does_not_use_never_reach_a_listener(
    bot: BotInstance, kind: str
) -> None:
    payload = {
        "type": kind,
        "callback_id": APPROVAL_APPROVE,
        "team": {"id": "T1"},
        "user": {"id": "U2BOB", "team_id": "T1"},
        "channel": "C0OPS",
        "actions": [5],
    }
    response = await bot.post(interactivity_body(payload))
    assert response.status_code == 400
    await asyncio.sleep(0.2)
    errors = bot.deps.metrics.handled.labels(kind="approve", result="error")._value.get()  # noqa: SLF001
    assert errors == 0


async def test_a_slash_command_sent_as_json_is_refused(responder_bot: BotInstance) -> None:
    url = responder_bot.slack.new_response_url(channel_id=CHANNEL, user_id="U2BOB")
    fields = {"command": "/statsig", "text": "kill mobile_dark_mode INC", "user_id": "U2BOB",
              "team_id": "T1", "channel_id": CHANNEL, "response_url": url}  # fmt: skip
    response = await responder_bot.post(json.dumps(fields).encode(), extra={"Content-Type": JSON})
    assert response.status_code == 400
    await asyncio.sleep(0.2)
    assert responder_bot.world.mutations() == []


async def test_slacks_ssl_check_is_answered(bot: BotInstance) -> None:
    body = b"ssl_check=1&token=deprecated-verification-token"
    response = await bot.http.post(
        f"{bot.url}/slack/events", content=body, headers={"Content-Type": FORM}
    )
    assert response.status_code == 200
    assert bot.slack.calls == []
