"""Every change family over signed HTTP: request in the channel, approve, Statsig changed.

Each test asserts what people see (the card, the private answers) and what Statsig (the
sandbox) holds afterwards, so a command that is parsed but not wired would fail here.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.render.ids import APPROVAL_APPROVE
from tests.slack.harness import (
    CHANNEL,
    BotInstance,
    all_text,
    button_value,
    eventually,
    visible,
    wait_responses,
)


async def _request(bot: BotInstance, text: str, user: str = "U1ALICE") -> tuple[str, Any]:
    """Run a change command; returns the request ID and its card in the channel."""
    before = len(visible(bot.slack))
    _, url = await bot.command(text, user=user)
    [answer] = await wait_responses(bot.slack, url)
    assert "Approval requested" in all_text(answer), all_text(answer)
    cards = await eventually(lambda: len(visible(bot.slack)) > before and visible(bot.slack))
    card = cards[-1]
    request_id = button_value(card, APPROVAL_APPROVE)
    assert request_id is not None
    wf = bot.deps.chatops.workflow
    assert wf is not None

    async def attached() -> bool:
        request = await wf.get(request_id)
        return request is not None and request.message_ts == card.ts

    await eventually(attached)
    return request_id, card


async def _approve(bot: BotInstance, request_id: str, card: Any) -> None:
    _, url = await bot.click(APPROVAL_APPROVE, request_id, user="U2BOB", message_ts=card.ts)
    assert "Approved" in all_text((await wait_responses(bot.slack, url))[0])
    await eventually(lambda: "executed" in bot.slack.message(CHANNEL, card.ts).text)


FAMILIES: list[tuple[str, str, str, Any]] = [
    ("experiment start onboarding_tour go", "experiment", "onboarding_tour",
     lambda e: e["status"] == "active"),
    ("experiment abandon checkout_button_color no signal", "experiment", "checkout_button_color",
     lambda e: e["status"] == "abandoned"),
    ("experiment decide pricing_test Higher it won", "experiment", "pricing_test",
     lambda e: e["status"] == "decision_made"),
    ("segment add-ids beta_users u_new_1,u_new_2 QA", "segment", "beta_users", None),
    ("segment remove-ids internal_staff dave -- left", "segment", "internal_staff", None),
    ("gate launch new_nav shipped", "gate", "new_nav", lambda g: g["status"] == "Launched"),
    ("gate archive org_sso unused", "gate", "org_sso", lambda g: g["status"] == "Archived"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "kind", "entity", "check"), FAMILIES)
async def test_change_family_requests_then_runs_once_approved(
    bot: BotInstance, text: str, kind: str, entity: str, check: Any
) -> None:
    request_id, card = await _request(bot, text)
    assert entity in card.text or entity in all_text({"blocks": card.blocks})
    assert bot.world.mutations() == []  # nothing before the approval
    await _approve(bot, request_id, card)
    assert len(bot.world.mutations(entity)) >= 1
    if kind == "segment":
        ids = bot.world.state.segment_ids[entity]
        assert ("u_new_1" in ids and "u_new_2" in ids) if "add" in text else "dave" not in ids
    else:
        current = bot.world.state.get(kind, entity)
        assert current is not None and check(current)


async def test_gate_search_lists_matches_privately(bot: BotInstance) -> None:
    _, url = await bot.command("gate search dark")
    [answer] = await wait_responses(bot.slack, url)
    text = all_text(answer).replace("\u200b", "")
    assert answer["response_type"] == "ephemeral"
    assert "mobile_dark_mode" in text and "checkout_v2" not in text


async def test_typed_restore_puts_back_the_snapshot_after_approval(bot: BotInstance) -> None:
    disable_id, card = await _request(bot, "gate disable mobile_dark_mode flaky")
    await _approve(bot, disable_id, card)
    gate = bot.world.state.get("gate", "mobile_dark_mode")
    assert gate is not None and gate["isEnabled"] is False
    restore_id, restore_card = await _request(bot, f"restore {disable_id} fixed")
    assert restore_id != disable_id
    await _approve(bot, restore_id, restore_card)
    assert gate["isEnabled"] is True


async def test_approvals_mine_and_pending_show_the_right_requests(bot: BotInstance) -> None:
    request_id, _ = await _request(bot, "gate disable mobile_dark_mode flaky")

    async def answer(text: str, user: str) -> str:
        _, url = await bot.command(text, user=user)
        return all_text((await wait_responses(bot.slack, url))[0]).replace("\u200b", "")

    assert request_id in await answer("approvals mine", "U1ALICE")
    assert request_id not in await answer("approvals mine", "U2BOB")
    assert request_id in await answer("approvals pending", "U2BOB")
    assert request_id not in await answer("approvals pending", "U1ALICE")  # own request


async def test_audit_of_one_gate_since_two_hours(bot: BotInstance) -> None:
    request_id, card = await _request(bot, "gate disable mobile_dark_mode flaky")
    await _approve(bot, request_id, card)
    _, url = await bot.command("audit mobile_dark_mode --since 2h")
    [answer] = await wait_responses(bot.slack, url)
    text = all_text(answer).replace("\u200b", "")
    assert answer["response_type"] == "ephemeral"
    assert "mobile_dark_mode" in text and "disable" in text
    _, url = await bot.command("audit new_nav --since 2h")
    other = all_text((await wait_responses(bot.slack, url))[0]).replace("\u200b", "")
    assert "flaky" not in other
