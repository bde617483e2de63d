"""The change freeze over signed Slack requests, the sandbox and a real redis-server
(issue 10.2): a responder freezes, a rollout is refused with a clear message, a kill still
runs, an approval clicked during the freeze waits and runs after ``freeze off``."""

from __future__ import annotations

from typing import Any

from bot.ops.policy.rules import Policy
from bot.render.ids import APPROVAL_APPROVE
from tests.slack.harness import (
    CHANNEL,
    World,
    all_text,
    bot_instance,
    button_value,
    eventually,
    visible,
    wait_responses,
)

INCIDENT = "C0INCIDENT"
POLICY = Policy.from_toml(
    f"""
[groups]
responders = ["U2BOB"]
admins = ["U1ALICE"]
[channels]
incident = "{INCIDENT}"
[defaults]
approvals_required = 1
[incident]
responders = "responders"
break_glass = true
"""
)


def _flat(payload: dict[str, object]) -> str:
    return " ".join(all_text(payload).split())


def _card(bot: Any, ts: str) -> str:
    posted = bot.slack.message(CHANNEL, ts)
    return _flat({"blocks": posted.blocks, "text": posted.text})


async def test_a_freeze_refuses_a_rollout_lets_a_kill_through_and_holds_an_approval(
    w: World,
) -> None:
    w.slack.add_channel(INCIDENT, "incidents")
    async with bot_instance(w, policy=POLICY) as bot:
        # Before the freeze: Alice asks for a rollout; it waits for an approval.
        _, url = await bot.command("gate rollout new_nav 25 ramp", user="U1ALICE")
        await wait_responses(bot.slack, url)
        [card] = await eventually(
            lambda: [m for m in visible(bot.slack) if button_value(m, APPROVAL_APPROVE)]
        )
        request_id = button_value(card, APPROVAL_APPROVE)

        response, url = await bot.command("freeze on INC-77 checkout down --for 2h", user="U2BOB")
        assert response.status_code == 200
        await wait_responses(bot.slack, url)
        await eventually(lambda: any("frozen" in m.text for m in visible(bot.slack, INCIDENT)))

        _, url = await bot.command("gate disable new_nav cleanup", user="U3CAROL")
        [refusal] = await wait_responses(bot.slack, url)
        said = _flat(refusal)
        assert "refused while changes are frozen" in said and "INC-77" in said
        assert "<@U2BOB>" in said and "--override-freeze" in said
        assert refusal.get("response_type") != "in_channel"

        _, url = await bot.command("kill checkout_v2 INC-77", user="U2BOB")
        await wait_responses(bot.slack, url)
        await eventually(lambda: w.state.get("gate", "checkout_v2")["isEnabled"] is False)

        _, url = await bot.click(APPROVAL_APPROVE, request_id, user="U3CAROL", message_ts=card.ts)
        [answer] = await wait_responses(bot.slack, url)
        assert "waits" in _flat(answer)
        await eventually(lambda: "waiting for the change freeze" in _card(bot, card.ts))
        gate = w.state.get("gate", "new_nav")
        assert gate is not None and gate["rules"][0]["passPercentage"] == 10

        _, url = await bot.command("freeze off INC-77 resolved", user="U2BOB")
        await wait_responses(bot.slack, url)
        await eventually(lambda: gate["rules"][0]["passPercentage"] == 25)
        await eventually(lambda: "Executed" in _card(bot, card.ts))
        assert len([m for m in w.mutations("/gates/new_nav") if m.method == "PATCH"]) == 1
