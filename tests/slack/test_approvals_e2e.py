"""Approval cards end to end: approve, refuse, reject, cancel, approved kill, restore, races."""

from __future__ import annotations

import asyncio
import copy
import itertools

from bot.ops.policy.rules import Policy
from bot.render.ids import APPROVAL_APPROVE, APPROVAL_CANCEL, APPROVAL_REJECT, INCIDENT_RESTORE
from bot.slack.views import modals
from tests.slack.harness import (
    CHANNEL,
    BotInstance,
    World,
    all_text,
    bot_instance,
    button_value,
    eventually,
    visible,
    wait_responses,
)


async def _request(bot: BotInstance, text: str = "gate disable mobile_dark_mode flaky") -> tuple:
    _, url = await bot.command(text)
    await wait_responses(bot.slack, url)
    await bot.slack.wait_for_calls("chat.postMessage")
    [card] = visible(bot.slack)
    request_id = button_value(card, APPROVAL_APPROVE)
    assert request_id is not None
    wf = bot.deps.chatops.workflow
    assert wf is not None

    async def attached() -> bool:
        request = await wf.get(request_id)
        return request is not None and request.message_ts == card.ts

    await eventually(attached)
    return request_id, card


async def test_approve_runs_once_updates_card_threads_and_dms(bot: BotInstance) -> None:
    request_id, card = await _request(bot)
    _, url = await bot.click(APPROVAL_APPROVE, request_id, user="U2BOB", message_ts=card.ts)
    assert "Approved" in all_text((await wait_responses(bot.slack, url))[0])
    assert len(bot.world.mutations("/gates/mobile_dark_mode/disable")) == 1
    await eventually(lambda: bot.slack.message(CHANNEL, card.ts).edits)
    await eventually(lambda: "executed" in bot.slack.message(CHANNEL, card.ts).text)
    updated = bot.slack.message(CHANNEL, card.ts)
    assert button_value(updated, APPROVAL_APPROVE) is None  # buttons gone once decided
    assert bot.slack.thread(CHANNEL, card.ts)
    dm = await eventually(lambda: [m for m in bot.slack.messages() if m.channel.startswith("D")])
    assert "mobile_dark_mode" in dm[-1].text


async def test_self_approval_is_explained_and_changes_nothing(bot: BotInstance) -> None:
    request_id, card = await _request(bot)
    _, url = await bot.click(APPROVAL_APPROVE, request_id, user="U1ALICE", message_ts=card.ts)
    answer = (await wait_responses(bot.slack, url))[0]
    assert answer["response_type"] == "ephemeral"
    assert "own request" in all_text(answer)
    assert bot.world.mutations() == []
    assert bot.slack.calls_to("chat.update") == []


async def test_read_only_statsig_user_cannot_approve(bot: BotInstance) -> None:
    request_id, card = await _request(bot)
    _, url = await bot.click(APPROVAL_APPROVE, request_id, user="U4DAVE", message_ts=card.ts)
    assert "Read Only" in all_text((await wait_responses(bot.slack, url))[0])
    assert bot.world.mutations() == []


async def test_reject_opens_a_form_that_needs_a_reason(bot: BotInstance) -> None:
    request_id, card = await _request(bot)
    await bot.click(APPROVAL_REJECT, request_id, user="U2BOB", message_ts=card.ts)
    [opened] = await bot.slack.wait_for_calls("views.open")
    view = bot.slack.view(opened.response["view"]["id"])
    assert view.data["callback_id"] == modals.REJECT_MODAL
    reply = await bot.submit(view.data, {}, user="U2BOB")
    assert reply.json()["response_action"] == "errors"
    assert modals.REASON_BLOCK in reply.json()["errors"]
    values = {modals.REASON_BLOCK: {modals.REASON: {"type": "plain_text_input",
                                                    "value": "not during the sale"}}}  # fmt: skip
    reply = await bot.submit(view.data, values, user="U2BOB")
    assert reply.status_code == 200 and reply.content == b""
    await eventually(lambda: "rejected" in bot.slack.message(CHANNEL, card.ts).text)
    thread = await eventually(lambda: bot.slack.thread(CHANNEL, card.ts))
    assert "not during the sale" in all_text({"blocks": thread[-1].blocks})
    assert bot.world.mutations() == []


async def test_reject_on_a_finished_request_says_so_instead_of_opening_a_form(
    bot: BotInstance,
) -> None:
    """Issue 9.15: a Reject click on an executed or cancelled request opened the form."""
    request_id, card = await _request(bot)
    _, url = await bot.click(APPROVAL_APPROVE, request_id, user="U2BOB", message_ts=card.ts)
    await wait_responses(bot.slack, url)
    _, url = await bot.click(APPROVAL_REJECT, request_id, user="U3CAROL", message_ts=card.ts)
    answer = all_text((await wait_responses(bot.slack, url))[0])
    assert "already executed" in answer
    assert bot.slack.calls_to("views.open") == []


async def test_requester_can_cancel_others_cannot(bot: BotInstance) -> None:
    request_id, card = await _request(bot)
    _, url = await bot.click(APPROVAL_CANCEL, request_id, user="U2BOB", message_ts=card.ts)
    await wait_responses(bot.slack, url)
    assert "pending" in bot.slack.message(CHANNEL, card.ts).text
    _, url = await bot.click(APPROVAL_CANCEL, request_id, user="U1ALICE", message_ts=card.ts)
    await wait_responses(bot.slack, url)
    await eventually(lambda: "cancelled" in bot.slack.message(CHANNEL, card.ts).text)
    assert bot.world.mutations() == []


RESPONDERS = Policy.from_toml(
    """
[groups]
responders = ["U1ALICE"]
[incident]
responders = "responders"
break_glass = true
"""
)


async def test_break_glass_kill_runs_at_once_and_restore_button_works(w: World) -> None:
    async with bot_instance(w, policy=RESPONDERS) as bot:
        _, url = await bot.command("kill mobile_dark_mode INC-7 crashes")
        await wait_responses(bot.slack, url)
        assert len(w.mutations("/gates/mobile_dark_mode/disable")) == 1
        [loud] = await eventually(lambda: visible(bot.slack))
        assert "KILLED" in loud.text
        restore = button_value(loud, "incident_restore")
        assert restore is not None
        _, url = await bot.click("incident_restore", restore, user="U1ALICE", message_ts=loud.ts)
        answer = (await wait_responses(bot.slack, url))[0]
        assert "Traceback" not in all_text(answer)
        gate = w.state.get("gate", "mobile_dark_mode")
        assert gate is not None
        await eventually(lambda: gate["isEnabled"] is True)


INCIDENT_CHANNEL = "C0INCIDENT"
BOB_RESPONDS = Policy.from_toml(
    f"""
[groups]
responders = ["U2BOB"]
[channels]
incident = "{INCIDENT_CHANNEL}"
[incident]
responders = "responders"
break_glass = true
"""
)


async def test_approved_kill_is_announced_loudly_and_restore_works(w: World) -> None:
    w.slack.add_channel(INCIDENT_CHANNEL, "incidents")
    before = copy.deepcopy(w.state.get("gate", "mobile_dark_mode") or {})
    async with bot_instance(w, policy=BOB_RESPONDS) as bot:
        request_id, card = await _request(bot, "kill mobile_dark_mode INC-8 crashes")
        assert w.mutations() == [] and visible(bot.slack, INCIDENT_CHANNEL) == []

        _, url = await bot.click(APPROVAL_APPROVE, request_id, user="U2BOB", message_ts=card.ts)
        await wait_responses(bot.slack, url)

        assert len(w.mutations("/gates/mobile_dark_mode")) == 1
        [incident_copy] = await eventually(lambda: visible(bot.slack, INCIDENT_CHANNEL))
        loud = await eventually(lambda: [m for m in visible(bot.slack) if "KILLED" in m.text])
        for message in (loud[0], incident_copy):
            assert "KILLED" in message.text and "INC-8 crashes" in all_text({"b": message.blocks})
            assert button_value(message, INCIDENT_RESTORE) == request_id
        await eventually(lambda: "executed" in bot.slack.message(CHANNEL, card.ts).text)
        updated = bot.slack.message(CHANNEL, card.ts)
        assert button_value(updated, INCIDENT_RESTORE) == request_id
        assert button_value(updated, APPROVAL_APPROVE) is None

        _, url = await bot.click(INCIDENT_RESTORE, request_id, user="U2BOB", message_ts=card.ts)
        assert "Traceback" not in all_text((await wait_responses(bot.slack, url))[0])
        gate = w.state.get("gate", "mobile_dark_mode")
        assert gate is not None
        await eventually(lambda: gate["isEnabled"] is True)
        assert gate["rules"] == before["rules"]
        # announced once; since issue 9.2 that one message now says it was restored
        kill_cards = [m for m in visible(bot.slack) if "KILLED" in m.text or "RESTORED" in m.text]
        assert len(kill_cards) == 1
        await eventually(lambda: "RESTORED" in bot.slack.message(CHANNEL, kill_cards[0].ts).text)


async def test_200_concurrent_approvals_on_two_replicas_mutate_once(w: World) -> None:
    clickers = ["U2BOB", "U3CAROL"] + [f"U7X{i:03d}" for i in range(18)]
    for index, user_id in enumerate(clickers[2:]):
        w.slack.add_user(user_id, f"member{index}", email="bob@example.com")
    async with bot_instance(w, policy=Policy()) as one, bot_instance(w) as two:
        request_id, card = await _request(one)
        users = itertools.cycle(clickers)
        replicas = itertools.cycle([one, two])

        async def click() -> str:
            bot = next(replicas)
            _, url = await bot.click(APPROVAL_APPROVE, request_id, user=next(users),
                                     message_ts=card.ts)  # fmt: skip
            return url

        urls = await asyncio.gather(*(click() for _ in range(200)))
        for url in urls:
            assert len(await wait_responses(w.slack, url, timeout=30)) == 1
        assert len(w.mutations("/gates/mobile_dark_mode/disable")) == 1
        await eventually(lambda: "executed" in w.slack.message(CHANNEL, card.ts).text)
