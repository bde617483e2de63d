"""A "Share in channel" button on every read: lists, searches, help, approvals, audit."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bot.chatops.service import share_ref
from bot.ops.commands.parse import parse
from bot.render.common import Message, section
from bot.render.ids import LIST_NEXT_PAGE, SHARE_IN_CHANNEL
from bot.render.values import ReplyRef, duration_text
from bot.slack.share import with_share_button
from tests.slack.harness import BotInstance, all_text, visible, wait_responses


def _button(payload: dict[str, Any], action_id: str) -> str | None:
    for block in payload.get("blocks") or []:
        for element in block.get("elements", []) or []:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return str(element["value"])
    return None


SHARED = [
    ("gate list --tag critical", "list:gate:1:--tag critical", "checkout_v2"),
    ("gate search dark", "list:gate:1:dark", "mobile_dark_mode"),
    ("help gate rollout", "help:gate rollout", "rollout"),
    ("approvals mine", "approvals:mine", "Your approval requests"),
    ("audit mobile_dark_mode --since 2h", "audit:2h:mobile_dark_mode", "mobile_dark_mode"),
]


@pytest.mark.parametrize(("text", "value", "expected"), SHARED)
async def test_reads_carry_a_share_button_that_reposts_for_everyone(
    bot: BotInstance, text: str, value: str, expected: str
) -> None:
    response, url = await bot.command(text)
    assert response.status_code == 200
    [answer] = await wait_responses(bot.slack, url)
    assert answer["response_type"] == "ephemeral"
    assert _button(answer, SHARE_IN_CHANNEL) == value
    _, click_url = await bot.click(SHARE_IN_CHANNEL, value, user="U1ALICE")
    [shared] = await wait_responses(bot.slack, click_url)
    assert shared["response_type"] == "in_channel"
    assert expected in all_text(shared).replace("\u200b", "")
    assert _button(shared, SHARE_IN_CHANNEL) is None  # the channel's copy has no buttons
    assert _button(shared, LIST_NEXT_PAGE) is None
    assert len(visible(bot.slack)) == 1
    assert bot.world.mutations() == []


async def test_the_next_page_can_be_shared_too(bot: BotInstance) -> None:
    bot.world.state.add_many_gates(45)
    _, url = await bot.command("gate list bulk_gate")
    [first] = await wait_responses(bot.slack, url)
    page_ref = _button(first, LIST_NEXT_PAGE)
    assert page_ref is not None
    _, click_url = await bot.click(LIST_NEXT_PAGE, page_ref, user="U1ALICE")
    [second] = await wait_responses(bot.slack, click_url)
    assert _button(second, SHARE_IN_CHANNEL) == "list:gate:2:bulk_gate"


async def test_a_tampered_share_value_changes_nothing(bot: BotInstance) -> None:
    _, url = await bot.click(SHARE_IN_CHANNEL, "approvals:everything", user="U1ALICE")
    [answer] = await wait_responses(bot.slack, url)
    assert answer["response_type"] == "ephemeral"
    assert "Error" in all_text(answer)
    assert visible(bot.slack) == []


@pytest.mark.parametrize(
    "ref",
    [
        ReplyRef("list", noun="config", page=3, query="pricing --tag a:b"),
        ReplyRef("help", query="gate rollout"),
        ReplyRef("help"),
        ReplyRef("approvals", scope="pending"),
        ReplyRef("audit", query="checkout_v2", since="3d"),
        ReplyRef("audit"),
    ],
)
def test_reply_refs_round_trip(ref: ReplyRef) -> None:
    value = ref.encode()
    assert value is not None and len(value) <= 2000
    assert ReplyRef.decode(value) == ref


@pytest.mark.parametrize(
    "value", ["", "gate:checkout_v2", "list:gate:0:x", "list:nope:1:x", "list:gate:x:y", "a:b"]
)
def test_malformed_reply_refs_are_refused(value: str) -> None:
    with pytest.raises(ValueError):
        ReplyRef.decode(value)


def test_an_overlong_reference_gets_no_button() -> None:
    ref = ReplyRef("list", noun="gate", query="q" * 3000)
    assert ref.encode() is None
    msg = Message("x", [section("x")])
    assert with_share_button(msg, ref) == msg


def test_refs_are_built_from_the_read_command() -> None:
    assert share_ref(parse("gate search checkout")) == ReplyRef(  # type: ignore[arg-type]
        "list", noun="gate", query="checkout"
    )
    assert share_ref(parse("gate show checkout_v2")) is None  # type: ignore[arg-type]
    assert duration_text(timedelta(hours=2)) == "2h"
    assert duration_text(timedelta(days=14)) == "2w"
    assert duration_text(timedelta(minutes=90)) == "90m"
