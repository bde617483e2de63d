"""A change whose answer never came is read back and reported as it is: applied, not
applied, or unknown (check the console), never a flat "Failed".

Statsig here is the sandbox served over real HTTP on loopback, and the bot's client gives
up after 0.3 s, so a timeout is a real socket timeout. ``gate rollout`` is a ``PATCH`` of
a rule: not idempotent, so the client never resends it and only a read can tell.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator

import pytest

from bot.ops.policy.rules import Policy
from bot.render.ids import APPROVAL_APPROVE
from bot.statsig.client import ConsoleClient
from tests.slack.harness import (
    CHANNEL,
    BotInstance,
    World,
    bot_instance,
    button_value,
    eventually,
    visible,
    wait_responses,
)
from tests.support.asgi_server import serve_asgi

SELF_SERVICE = Policy.from_toml('[groups]\nops = ["U1ALICE"]\n[defaults]\napprovals_required = 0\n')
ROLLOUT = "gate rollout new_nav 50 --rule Rollout ramp"
RULE_PATCH = r"/gates/new_nav/rules/"


@pytest.fixture
async def slow_statsig_bot(w: World) -> AsyncIterator[BotInstance]:
    async with contextlib.AsyncExitStack() as stack:
        url = await stack.enter_async_context(serve_asgi(w.sandbox))
        console = ConsoleClient("console-test", base_url=url, timeout=0.3, retry_budget=0.5)
        stack.push_async_callback(console.aclose)
        bot = await stack.enter_async_context(bot_instance(w, policy=SELF_SERVICE, console=console))
        yield bot


def _rollout_pct(w: World) -> float:
    gate = w.state.get("gate", "new_nav")
    assert gate is not None
    [rule] = [r for r in gate["rules"] if r["name"] == "Rollout"]
    return float(rule["passPercentage"])


async def _answer(bot: BotInstance) -> str:
    _, url = await bot.command(ROLLOUT)
    return await _final(bot, url)


async def _final(bot: BotInstance, url: str) -> str:
    """The answer to the command, after any "still trying" progress lines."""

    def answered() -> str:
        said = [json.dumps(r, ensure_ascii=False) for r in bot.slack.responses(url)]
        return next((s for s in said if "Still trying" not in s), "")

    return str(await eventually(answered, timeout=15))


async def test_applied_although_the_answer_was_lost(slow_statsig_bot: BotInstance) -> None:
    w = slow_statsig_bot.world
    w.faults.add(RULE_PATCH, "lost_answer", method="PATCH", delay=1.0)
    text = await _answer(slow_statsig_bot)
    assert "Done" in text and "answered too late" in text, text
    assert "Failed" not in text
    assert _rollout_pct(w) == 50.0
    assert len(w.mutations(RULE_PATCH)) == 1  # never resent


async def test_applied_late_is_seen_by_a_later_read(slow_statsig_bot: BotInstance) -> None:
    w = slow_statsig_bot.world
    w.faults.add(RULE_PATCH, "timeout", method="PATCH", delay=0.8)  # lands after we gave up
    text = await _answer(slow_statsig_bot)
    assert "Done" in text and "answered too late" in text, text
    assert _rollout_pct(w) == 50.0


async def test_not_applied_says_so_and_to_read_again_before_retrying(
    slow_statsig_bot: BotInstance,
) -> None:
    w = slow_statsig_bot.world
    before = _rollout_pct(w)
    w.faults.add(RULE_PATCH, "hang", method="PATCH", delay=1.0)
    text = await _answer(slow_statsig_bot)
    assert "Not applied so far" in text and "read gate new_nav again" in text, text
    assert _rollout_pct(w) == before


async def test_unknown_when_statsig_cannot_be_read_back(slow_statsig_bot: BotInstance) -> None:
    w = slow_statsig_bot.world
    hold = w.faults.hold(RULE_PATCH, method="PATCH")
    w.faults.add(RULE_PATCH, "lost_answer", method="PATCH", delay=1.0)
    _, url = await slow_statsig_bot.command(ROLLOUT)
    await hold.arrived()  # the plan's reads are done: from now on Statsig cannot be read
    w.faults.add(r"/gates/new_nav$", "503", method="GET", times=None)
    hold.release()
    text = await _final(slow_statsig_bot, url)
    assert "Unknown whether it applied" in text and "console" in text, text
    assert "❓" in text


async def test_a_kill_whose_answers_are_all_lost_is_confirmed_by_reading(
    slow_statsig_bot: BotInstance,
) -> None:
    """The disable is idempotent, so it is resent within the budget; when every answer is
    lost the kill still says what the gate is now."""
    w = slow_statsig_bot.world
    w.faults.add(
        r"/gates/mobile_dark_mode/disable$", "lost_answer", method="PUT", times=None, delay=1.0
    )
    _, url = await slow_statsig_bot.command("kill mobile_dark_mode INC-7", user="U1ALICE")
    text = await _final(slow_statsig_bot, url)
    assert "Killed" in text and "answered too late" in text, text
    gate = w.state.get("gate", "mobile_dark_mode")
    assert gate is not None and gate["isEnabled"] is False


async def test_overrides_whose_answer_was_lost_are_read_back(
    slow_statsig_bot: BotInstance,
) -> None:
    w = slow_statsig_bot.world
    w.faults.add(r"/gates/new_nav/overrides$", "lost_answer", method="POST", delay=1.0)
    _, url = await slow_statsig_bot.command("gate override new_nav pass user_9 -- QA")
    text = await _final(slow_statsig_bot, url)
    assert "Done" in text and "answered too late" in text, text
    assert len(w.mutations("/gates/new_nav/overrides")) == 1


async def test_segment_ids_whose_answer_was_lost_are_read_back(
    slow_statsig_bot: BotInstance,
) -> None:
    w = slow_statsig_bot.world
    w.faults.add(r"/segments/beta_users/id_list$", "lost_answer", method="PATCH", delay=1.0)
    _, url = await slow_statsig_bot.command("segment add-ids beta_users u_lost_1,u_lost_2 -- QA")
    text = await _final(slow_statsig_bot, url)
    assert "Done" in text and "answered too late" in text, text
    assert len(w.mutations("/segments/beta_users/id_list")) == 1


async def test_an_approved_change_of_unknown_outcome_is_never_called_failed(
    w: World,
) -> None:
    async with contextlib.AsyncExitStack() as stack:
        url = await stack.enter_async_context(serve_asgi(w.sandbox))
        console = ConsoleClient("console-test", base_url=url, timeout=0.3, retry_budget=0.5)
        stack.push_async_callback(console.aclose)
        bot = await stack.enter_async_context(bot_instance(w, console=console))
        _, reply_url = await bot.command(ROLLOUT)
        await wait_responses(bot.slack, reply_url)
        [card] = await eventually(lambda: visible(bot.slack))
        request_id = button_value(card, APPROVAL_APPROVE)
        assert request_id is not None

        hold = w.faults.hold(RULE_PATCH, method="PATCH")
        w.faults.add(RULE_PATCH, "lost_answer", method="PATCH", delay=1.0)
        await bot.click(APPROVAL_APPROVE, request_id, user="U2BOB", message_ts=card.ts)
        await hold.arrived()
        w.faults.add(r"/gates/new_nav$", "503", method="GET", times=None)
        hold.release()

        def redrawn() -> str:
            edits = bot.slack.message(CHANNEL, card.ts).edits
            text = bot.slack.message(CHANNEL, card.ts).text
            return text if edits and "unknown" in text.lower() else ""

        text = await eventually(redrawn, timeout=15)
        assert "failed" not in text.lower(), text
        thread = " ".join(m.text for m in bot.slack.thread(CHANNEL, card.ts))
        assert "outcome unknown" in thread and "→ failed" not in thread
