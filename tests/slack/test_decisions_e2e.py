"""``/statsig approve|reject|cancel <id>``: the messages tell people to type them (issue 9.16)."""

from __future__ import annotations

from bot.ops.policy.rules import Policy
from bot.render.ids import APPROVAL_APPROVE
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


async def _card(bot: BotInstance, text: str) -> tuple[str, str]:
    _, url = await bot.command(text, user="U1ALICE")
    await wait_responses(bot.slack, url)
    [card] = await eventually(lambda: [m for m in visible(bot.slack) if text.split()[2] in m.text])
    request_id = button_value(card, APPROVAL_APPROVE)
    assert request_id is not None
    return request_id, card.ts


async def _say(bot: BotInstance, text: str, user: str) -> str:
    _, url = await bot.command(text, user=user)
    return all_text((await wait_responses(bot.slack, url))[0])


async def test_approve_reject_and_cancel_as_commands(bot: BotInstance) -> None:
    rollout, rollout_ts = await _card(bot, "gate rollout new_nav 30 ramp")
    assert "own request" in await _say(bot, f"approve {rollout}", "U1ALICE")
    assert "Approved" in await _say(bot, f"approve {rollout}", "U2BOB")
    gate = bot.world.state.get("gate", "new_nav")
    assert gate is not None and len(bot.world.mutations("/gates/new_nav")) == 1
    await eventually(lambda: "executed" in bot.slack.message(CHANNEL, rollout_ts).text)

    disable, disable_ts = await _card(bot, "gate disable mobile_dark_mode flaky")
    needs = await _say(bot, f"reject {disable}", "U2BOB")
    assert "a rejection needs a reason" in needs and "*Usage:* `/statsig reject" in needs
    assert "Rejected" in await _say(bot, f'reject {disable} "not during the sale"', "U2BOB")
    await eventually(lambda: "rejected" in bot.slack.message(CHANNEL, disable_ts).text)

    launch, _ = await _card(bot, "gate archive legacy_banner cleanup")
    assert "Only the requester" in await _say(bot, f"cancel {launch}", "U2BOB")
    assert "Cancelled" in await _say(bot, f"cancel {launch}", "U1ALICE")
    assert "No open request" in await _say(bot, "approve req_nothing_here", "U2BOB")
    assert len(bot.world.mutations()) == 1  # only the approved rollout ran


async def test_words_after_space_separated_ids_are_never_taken_silently(bot: BotInstance) -> None:
    """Issue 9.10: ``gate override X pass user_1 QA team`` added "QA" and "team" as IDs."""
    answer = await _say(bot, "gate override new_nav pass user_1 QA team", "U1ALICE")
    assert "Not sent: are all of these IDs?" in answer
    assert "`user_1`" in answer and "`QA`" in answer and "-- the reason" in answer
    assert visible(bot.slack) == [] and bot.world.mutations() == []
    sent = await _say(bot, "gate override new_nav pass user_1 -- QA team", "U1ALICE")
    assert "Approval requested" in sent
    [card] = await eventually(lambda: visible(bot.slack))
    assert "user_1" in all_text({"b": card.blocks}) and "QA team" in all_text({"b": card.blocks})
    assert "Not sent" not in await _say(
        bot, "segment add-ids beta_users u1,u2 new testers", "U2BOB"
    )


async def test_the_channel_allow_list_covers_reads_unless_the_policy_opens_them(
    w: World,
) -> None:
    """Issue 9.7: summaries, audit and lists answered in any channel and DM."""
    w.slack.add_channel("C0ELSEWHERE", "random")
    closed = Policy.from_toml(f'[channels]\nallowed = ["{CHANNEL}"]\n')
    async with bot_instance(w, policy=closed) as bot:
        for text in ("gate checkout_v2", "audit", "gate list", "help"):
            _, url = await bot.command(text, channel="C0ELSEWHERE")
            said = all_text((await wait_responses(bot.slack, url))[0])
            assert "does not act in this channel" in said, text
        _, url = await bot.command("gate checkout_v2", channel=CHANNEL)
        assert "checkout_v2" in all_text((await wait_responses(bot.slack, url))[0])
    opened = Policy.from_toml(f'[channels]\nallowed = ["{CHANNEL}"]\nreads_anywhere = true\n')
    async with bot_instance(w, policy=opened) as bot:
        _, url = await bot.command("gate checkout_v2", channel="C0ELSEWHERE")
        assert "does not act" not in all_text((await wait_responses(bot.slack, url))[0])
        _, url = await bot.command("gate disable checkout_v2 why", channel="C0ELSEWHERE")
        assert "does not act in this channel" in all_text((await wait_responses(bot.slack, url))[0])
    assert w.mutations() == []
