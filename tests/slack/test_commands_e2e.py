"""``/statsig`` end to end over signed HTTP: every command family, replies and errors."""

from __future__ import annotations

import asyncio
import json

import pytest

from bot.render.ids import LIST_NEXT_PAGE, SHARE_IN_CHANNEL
from tests.slack.harness import (
    CHANNEL,
    BotInstance,
    all_text,
    button_value,
    eventually,
    visible,
    wait_responses,
)


async def _ask(bot: BotInstance, text: str, user: str = "U1ALICE") -> dict[str, object]:
    response, url = await bot.command(text, user=user)
    assert response.status_code == 200
    assert response.content == b""  # the ack carries nothing; the answer follows
    return (await wait_responses(bot.slack, url))[0]


READS = [
    ("help", "gate"),
    ("gate show mobile_dark_mode", "mobile_dark_mode"),
    ("gate list --tag critical", "checkout_v2"),
    ("gate history checkout_v2", "checkout_v2"),
    ("config list", "config"),
    ("experiment list", "experiment"),
    ("segment list", "segment"),
    ("approvals", "approval requests"),
    ("audit", "audit"),
]


async def test_reads_answer_privately_through_response_url(bot: BotInstance) -> None:
    for text, expected in READS:
        answer = await _ask(bot, text)
        assert answer["response_type"] == "ephemeral", text
        assert expected in all_text(answer).lower().replace("\u200b", ""), text
    assert visible(bot.slack) == []  # nothing shown to the channel
    assert bot.world.mutations() == []


async def test_share_in_channel_reposts_a_read_for_everyone(bot: BotInstance) -> None:
    answer = await _ask(bot, "gate show mobile_dark_mode")
    ref = next(
        e["value"]
        for b in answer["blocks"]  # type: ignore[attr-defined]
        for e in b.get("elements", [])
        if isinstance(e, dict) and e.get("action_id") == SHARE_IN_CHANNEL
    )
    _, url = await bot.click(SHARE_IN_CHANNEL, ref, user="U1ALICE")
    shared = (await wait_responses(bot.slack, url))[0]
    assert shared["response_type"] == "in_channel"
    assert "mobile_dark_mode" in all_text(shared)


async def test_next_page_replaces_the_list(bot: BotInstance) -> None:
    bot.world.state.add_many_gates(45)
    answer = await _ask(bot, "gate list bulk_gate")
    ref = next(
        e["value"]
        for b in answer["blocks"]  # type: ignore[attr-defined]
        for e in b.get("elements", [])
        if isinstance(e, dict) and e.get("action_id") == LIST_NEXT_PAGE
    )
    assert json.loads(ref)["p"] == 2
    _, url = await bot.click(LIST_NEXT_PAGE, ref, user="U1ALICE")
    page2 = (await wait_responses(bot.slack, url))[0]
    assert page2["replace_original"] is True
    assert all_text(page2) != all_text(answer)


async def test_a_list_of_10000_gates_acks_and_says_loading_then_answers(bot: BotInstance) -> None:
    bot.world.state.add_many_gates(10_000)
    hold = bot.world.faults.hold(r"/console/v1/gates$", method="GET")  # a slow first walk
    response, url = await bot.command("gate list")  # fails unless acked within Slack's 3 s
    assert response.status_code == 200
    loading = (await wait_responses(bot.slack, url))[0]
    assert "Loading every gate from Statsig" in all_text(loading)
    assert loading["response_type"] == "ephemeral"
    hold.release()
    answer = (await wait_responses(bot.slack, url, count=2, timeout=60))[1]
    assert answer["replace_original"] is True  # the list takes the "loading" line's place
    assert "checkout_v2" in all_text(answer) and "more on the next page" in all_text(answer)
    assert SHARE_IN_CHANNEL in json.dumps(answer["blocks"])  # shareable once complete
    assert visible(bot.slack) == []


CHANGES = [
    "gate disable mobile_dark_mode flaky on android",
    "gate enable legacy_banner back again",
    "gate rollout new_nav 50 --rule Rollout ramp",
    "gate override beta_testers pass user_1,user_2 QA",
    "config disable pricing_tiers bad values",
    "kill checkout_v2 INC-1 errors",
]


async def test_changes_post_an_approval_card_in_the_channel(bot: BotInstance) -> None:
    wf = bot.deps.chatops.workflow
    assert wf is not None
    for count, text in enumerate(CHANGES, start=1):
        answer = await _ask(bot, text)
        assert answer["response_type"] == "ephemeral"
        assert "Approval requested" in all_text(answer), text
        cards = await eventually(
            lambda n=count: len(visible(bot.slack)) == n and visible(bot.slack)
        )
        card = cards[-1]
        request_id = button_value(card, "approval_approve")
        assert request_id and button_value(card, "approval_reject") == request_id

        async def attached(rid: str = request_id, ts: str = card.ts) -> bool:
            request = await wf.get(rid)
            return request is not None and request.message_ts == ts and request.channel == CHANNEL

        await eventually(attached)
    assert bot.world.mutations() == []  # nothing runs before an approval


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("gate show chekout_v2", "checkout_v2"),  # did you mean
        ("gate frobnicate x", "Usage"),
        ("gate rollout mobile_dark_mode 250", "Error"),
    ],
)
async def test_mistakes_get_a_friendly_private_error(
    bot: BotInstance, text: str, fragment: str
) -> None:
    answer = await _ask(bot, text)
    assert answer["response_type"] == "ephemeral"
    assert fragment in all_text(answer)
    assert "Traceback" not in all_text(answer)


async def test_statsig_outage_is_a_friendly_message(bot: BotInstance) -> None:
    bot.world.faults.add(r"/gates/mobile_dark_mode$", "503", times=None)
    answer = await _ask(bot, "gate show mobile_dark_mode")
    text = all_text(answer)
    assert "Statsig" in text and "Traceback" not in text


async def test_a_bot_user_cannot_make_changes(bot: BotInstance) -> None:
    answer = await _ask(bot, "gate disable mobile_dark_mode", user="U9BOT")
    assert "no email" in all_text(answer)
    assert visible(bot.slack) == []


async def test_missing_email_scope_is_explained(bot: BotInstance) -> None:
    bot.slack.scopes.discard("users:read.email")
    answer = await _ask(bot, "gate disable mobile_dark_mode")
    assert "users:read.email" in all_text(answer)
    assert visible(bot.slack) == []


@pytest.mark.parametrize(
    "text",
    ["gate show mobile_dark_mode", "gate disable mobile_dark_mode", "edit gate mobile_dark_mode"],
)
async def test_ack_arrives_before_statsig_answers(bot: BotInstance, text: str) -> None:
    hold = bot.world.faults.hold(r"/gates/mobile_dark_mode$", method="GET")
    try:
        # BotInstance.post gives the ack 2 s (Slack's limit is 3), so a regression fails fast.
        response, url = await bot.command(text)
        assert response.status_code == 200  # Slack has its ack...
        await asyncio.wait_for(hold.arrived(), 5)  # ...while Statsig's answer is held
        assert bot.slack.responses(url) == []
        assert bot.slack.calls_to("views.update") == []
    finally:
        hold.release()
    if text.startswith("edit"):
        [opened] = bot.slack.calls_to("views.open")  # the trigger was spent before the read
        await bot.slack.wait_for_calls("views.update")
        shown = bot.slack.view(opened.response["view"]["id"]).data
        assert "mobile_dark_mode" in all_text(shown)
        return
    answer = (await wait_responses(bot.slack, url))[0]
    expected = "Approval requested" if "disable" in text else "mobile_dark_mode"
    assert expected in all_text(answer)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("gate rollout mobile_dark_mode 25 --rule Android", "rule Android already passes 25%"),
        ("gate enable mobile_dark_mode", "mobile_dark_mode is already enabled"),
    ],
)
async def test_a_change_that_changes_nothing_is_answered_privately(
    bot: BotInstance, text: str, why: str
) -> None:
    answer = await _ask(bot, text)
    assert answer["response_type"] == "ephemeral"
    assert f"Nothing to change: {why}." in all_text(answer).replace("\u200b", "")
    assert visible(bot.slack) == [] and bot.world.mutations() == []
    wf = bot.deps.chatops.workflow
    assert wf is not None
    assert await wf.pending() == []
