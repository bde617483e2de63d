"""Approval cards when Slack refuses ``chat.postMessage``: retry, fall back, explain."""

from __future__ import annotations

import time
from typing import Any

import pytest
import structlog

from bot.approvals.store import ApprovalStore
from bot.render.ids import APPROVAL_APPROVE
from bot.render.replies import render_post_failure
from bot.slack.detached import detached_key
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

DISABLE = "gate disable mobile_dark_mode flaky"


async def _attached(bot: BotInstance, request_id: str) -> tuple[str, str] | None:
    wf = bot.deps.chatops.workflow
    assert wf is not None
    request = await wf.get(request_id)
    assert request is not None
    return (request.channel, request.message_ts) if request.message_ts else None


async def test_a_rate_limited_post_is_retried_and_the_card_attached(bot: BotInstance) -> None:
    bot.slack.rate_limit("chat.postMessage", times=1, retry_after=1)
    _, url = await bot.command(DISABLE)
    [card] = await eventually(lambda: visible(bot.slack), timeout=15)
    statuses = [c.status for c in bot.slack.calls_to("chat.postMessage")]
    assert statuses[:2] == [429, 200]  # retried after Retry-After, then posted
    request_id = button_value(card, APPROVAL_APPROVE)
    assert request_id is not None
    assert await eventually(lambda: _attached(bot, request_id)) == (CHANNEL, card.ts)
    answers = await wait_responses(bot.slack, url)
    assert all("rate-limiting" not in all_text(a) for a in answers)


async def test_persistent_rate_limit_posts_through_the_command_and_clicks_refresh(
    bot: BotInstance,
) -> None:
    bot.slack.rate_limit("chat.postMessage", times=3, retry_after=0)
    with structlog.testing.capture_logs() as logs:
        _, url = await bot.command(DISABLE)
        answers = await wait_responses(bot.slack, url, count=3, timeout=15)
    assert [a["response_type"] for a in answers] == ["ephemeral", "in_channel", "ephemeral"]
    notice = all_text(answers[2])
    assert f"rate-limiting my messages in <#{CHANNEL}>" in notice and "&lt;" not in notice
    assert "buttons still work" in notice
    assert len(bot.slack.calls_to("chat.postMessage")) == 3  # one try and two retries
    [card] = visible(bot.slack)  # the card is in the channel, through the response_url
    request_id = button_value(card, APPROVAL_APPROVE)
    assert request_id is not None
    assert await _attached(bot, request_id) is None
    assert await bot.deps.redis.get(detached_key(bot.deps, request_id)) == b"ratelimited"
    assert any(e["event"] == "slack.card_not_attached" and e["error"] == "ratelimited"
               for e in logs)  # fmt: skip

    _, click_url = await bot.click(APPROVAL_APPROVE, request_id, message_ts=card.ts)
    assert "Approved" in all_text((await wait_responses(bot.slack, click_url))[0])
    refreshed = await eventually(
        lambda: (
            "executed" in bot.slack.message(CHANNEL, card.ts).text
            and bot.slack.message(CHANNEL, card.ts)
        )
    )
    assert button_value(refreshed, APPROVAL_APPROVE) is None  # no live buttons left
    assert bot.slack.calls_to("chat.update") == []
    assert len(bot.world.mutations("/gates/mobile_dark_mode/disable")) == 1


async def test_an_expired_detached_card_answers_and_redraws_on_the_next_click(
    bot: BotInstance,
) -> None:
    """A detached card is not redrawn when the request expires (README, Slack section);
    its next click says so and redraws it without live buttons."""
    bot.slack.rate_limit("chat.postMessage", times=3, retry_after=0)
    _, url = await bot.command(DISABLE)
    await wait_responses(bot.slack, url, count=3, timeout=15)
    [card] = visible(bot.slack)
    request_id = button_value(card, APPROVAL_APPROVE)
    assert request_id is not None and bot.deps.chatops.workflow is not None
    later = ApprovalStore(
        bot.deps.redis,
        prefix=bot.deps.settings.statsig_bot_redis_prefix,
        single_slot=bot.deps.settings.statsig_bot_redis_cluster,
        clock=lambda: time.time() + 3 * 86400,  # past the request's TTL
    )
    assert (await later.expire(request_id)).ok  # the sweeper's step, without a redraw
    assert button_value(bot.slack.message(CHANNEL, card.ts), APPROVAL_APPROVE) == request_id

    _, click_url = await bot.click(APPROVAL_APPROVE, request_id, message_ts=card.ts)

    assert "expired" in all_text((await wait_responses(bot.slack, click_url))[0]).lower()
    redrawn = await eventually(
        lambda: (
            "Expired" in str(bot.slack.message(CHANNEL, card.ts).blocks)
            and bot.slack.message(CHANNEL, card.ts)
        )
    )
    assert button_value(redrawn, APPROVAL_APPROVE) is None
    assert bot.world.mutations("/gates/mobile_dark_mode/disable") == []


async def test_not_in_channel_is_explained_with_an_unescaped_mention(bot: BotInstance) -> None:
    bot.slack.fail_with("chat.postMessage", "not_in_channel")
    _, url = await bot.command(DISABLE)
    answers = await wait_responses(bot.slack, url, count=3)
    notice = all_text(answers[2])
    assert f"I am not a member of <#{CHANNEL}>" in notice
    assert "/invite @statsig-ops" in notice and "&lt;#" not in notice
    [card] = visible(bot.slack)
    assert button_value(card, APPROVAL_APPROVE) is not None


def _shortcut_submission() -> tuple[dict[str, Any], dict[str, Any]]:
    view = modals.disable_gate_modal()
    values = {
        modals.GATE_BLOCK: {modals.GATE_PICKER: {"type": "external_select",
                                                 "selected_option": {"value": "mobile_dark_mode"}}},
        modals.CHANNEL_BLOCK: {modals.CHANNEL_PICKER: {"type": "conversations_select",
                                                       "selected_conversation": CHANNEL}},
    }  # fmt: skip
    return {**view, "id": "V0FORM"}, values


async def test_a_form_request_without_a_card_stays_pending_and_says_where_it_is(
    bot: BotInstance,
) -> None:
    bot.slack.fail_with("chat.postMessage", "not_in_channel")
    view, values = _shortcut_submission()
    assert (await bot.submit(view, values)).status_code == 200
    calls = await bot.slack.wait_for_calls("chat.postEphemeral", 2)
    notice = all_text(calls[-1].args)
    assert f"I am not a member of <#{CHANNEL}>" in notice
    assert "approvals pending" in notice
    assert visible(bot.slack) == []
    wf = bot.deps.chatops.workflow
    assert wf is not None
    [request] = await wf.pending()
    assert request.entity_id == "mobile_dark_mode" and not request.message_ts


async def test_a_public_channel_the_bot_never_joined_gets_the_card_anyway(
    bot: BotInstance,
) -> None:
    """With exactly the manifest's scopes (no chat:write.public), Slack refuses the post."""
    bot.slack.add_channel("C0PUBLIC", "public-talk", is_member=False)
    _, url = await bot.command(DISABLE, channel="C0PUBLIC")
    answers = await wait_responses(bot.slack, url, count=3)
    assert [c.response["error"] for c in bot.slack.calls_to("chat.postMessage")] == [
        "not_in_channel"
    ]
    assert "I am not a member of <#C0PUBLIC>" in all_text(answers[2])
    [card] = visible(bot.slack, "C0PUBLIC")
    assert button_value(card, APPROVAL_APPROVE) is not None


@pytest.mark.parametrize(
    ("channel", "code", "says"),
    [
        ("C0OPS", "ratelimited", "Slack is rate-limiting my messages in <#C0OPS>"),
        ("G0PRIV", "channel_not_found", "I am not a member of <#G0PRIV>"),
        ("C0OLD", "is_archived", "<#C0OLD> is archived"),
        ("C0OPS", "invalid_blocks", "Slack refused my message in <#C0OPS> (invalid_blocks)"),
        ("<!here>", "not_in_channel", "I am not a member of this conversation"),
        (None, "no_channel", "There is no channel to post in here"),
    ],
)
def test_the_requester_learns_the_real_cause(channel: str | None, code: str, says: str) -> None:
    with_card = render_post_failure(channel, code, request_id="r1", via_response_url=True)
    without = render_post_failure(channel, code, request_id="r1", via_response_url=False)
    assert says in with_card.text and says in without.text
    assert "buttons still work" in with_card.text
    assert "approvals pending" in without.text
    assert "<!here>" not in with_card.text + without.text
