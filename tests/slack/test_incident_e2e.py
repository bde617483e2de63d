"""The incident path as responders and bystanders live it (issue 9: items 1 to 3).

Signed Slack requests against the real app, the sandbox and a real redis-server.
"""

from __future__ import annotations

from typing import Any

from bot.ops.policy.rules import Policy
from bot.render.ids import APPROVAL_APPROVE, INCIDENT_RESTORE
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
leads = ["U3CAROL", "U2BOB"]
[channels]
incident = "{INCIDENT}"
[defaults]
approvals_required = 1
[[rules]]
actions = ["gate.rollout"]
approvers = "leads"
approvals_required = 2
[incident]
responders = "responders"
break_glass = true
"""
)


def _text(message: Any) -> str:
    return all_text({"blocks": message.blocks, "text": message.text})


async def test_a_bystanders_restore_never_blocks_a_responder_and_every_kill_card_follows(
    w: World,
) -> None:
    w.slack.add_channel(INCIDENT, "incidents")
    async with bot_instance(w, policy=POLICY) as bot:
        _, url = await bot.command("kill mobile_dark_mode INC-9 crashes", user="U2BOB")
        await wait_responses(bot.slack, url)
        [loud] = await eventually(lambda: [m for m in visible(bot.slack) if "KILLED" in m.text])
        [copy] = await eventually(lambda: visible(bot.slack, INCIDENT))
        kill_id = button_value(loud, INCIDENT_RESTORE)
        assert kill_id is not None and button_value(copy, INCIDENT_RESTORE) == kill_id

        # Carol is no responder: her Restore becomes a request waiting for an approval.
        _, url = await bot.click(INCIDENT_RESTORE, kill_id, user="U3CAROL", message_ts=loud.ts)
        await wait_responses(bot.slack, url)
        [card] = await eventually(
            lambda: [m for m in visible(bot.slack) if button_value(m, APPROVAL_APPROVE)]
        )
        carols = button_value(card, APPROVAL_APPROVE)
        assert carols is not None
        gate = w.state.get("gate", "mobile_dark_mode")
        assert gate is not None and gate["isEnabled"] is False

        # Bob's Restore runs at once and replaces Carol's request, saying why.
        _, url = await bot.click(INCIDENT_RESTORE, kill_id, user="U2BOB", message_ts=loud.ts)
        answer = all_text((await wait_responses(bot.slack, url))[0])
        assert "already an open" not in answer and "Traceback" not in answer
        await eventually(lambda: gate["isEnabled"] is True)
        assert len(w.mutations("/gates/mobile_dark_mode")) == 2  # the kill and one restore
        await eventually(lambda: "Cancelled" in _text(bot.slack.message(CHANNEL, card.ts)))
        cancelled = _text(bot.slack.message(CHANNEL, card.ts))
        assert "<@U2BOB>" in cancelled and "replaces this request" in cancelled
        assert button_value(bot.slack.message(CHANNEL, card.ts), APPROVAL_APPROVE) is None

        # Both KILLED cards now say restored, by whom, and lose their Restore button.
        for channel, ts in ((CHANNEL, loud.ts), (INCIDENT, copy.ts)):
            await eventually(lambda c=channel, t=ts: "RESTORED" in bot.slack.message(c, t).text)
            redrawn = bot.slack.message(channel, ts)
            assert "Restored" in _text(redrawn) and "<@U2BOB>" in _text(redrawn)
            assert button_value(redrawn, INCIDENT_RESTORE) is None

        # A late click on an old card restores nothing twice.
        _, url = await bot.click(INCIDENT_RESTORE, kill_id, user="U2BOB", message_ts=loud.ts)
        await wait_responses(bot.slack, url)
        assert len(w.mutations("/gates/mobile_dark_mode")) == 2


async def test_one_open_change_per_gate_and_a_kill_voids_collected_approvals(w: World) -> None:
    async with bot_instance(w, policy=POLICY) as bot:
        _, url = await bot.command("gate rollout new_nav 30 ramp", user="U1ALICE")
        await wait_responses(bot.slack, url)
        [card] = await eventually(lambda: visible(bot.slack))
        rollout = button_value(card, APPROVAL_APPROVE)
        assert rollout is not None

        _, url = await bot.command("gate disable new_nav too slow", user="U3CAROL")
        refused = all_text((await wait_responses(bot.slack, url))[0])
        assert "already an open roll out gate request" in refused and rollout in refused
        _, url = await bot.command("gate override new_nav pass u1 -- QA", user="U3CAROL")
        assert "already an open" in all_text((await wait_responses(bot.slack, url))[0])
        assert len(visible(bot.slack)) == 1 and w.mutations() == []

        _, url = await bot.click(APPROVAL_APPROVE, rollout, user="U3CAROL", message_ts=card.ts)
        assert "1 of 2" in all_text((await wait_responses(bot.slack, url))[0])

        # A responder's kill runs past the lock and voids the rollout's approvals.
        _, url = await bot.command("kill new_nav INC-10", user="U2BOB")
        await wait_responses(bot.slack, url)
        await eventually(lambda: "reset" in _text(bot.slack.message(CHANNEL, card.ts)))
        redrawn = _text(bot.slack.message(CHANNEL, card.ts))
        assert "kill gate by bob@example.com" in redrawn and "0 of 2" in redrawn
        request = await bot.deps.chatops.workflow.get(rollout)  # type: ignore[union-attr]
        assert request is not None and request.approvals == []
        # Approving it now counts from zero, against today's gate.
        _, url = await bot.click(APPROVAL_APPROVE, rollout, user="U3CAROL", message_ts=card.ts)
        assert "1 of 2" in all_text((await wait_responses(bot.slack, url))[0])
        assert len(w.mutations("/gates/new_nav")) == 1  # only the kill


async def test_the_disable_shortcut_is_the_kill_path(w: World) -> None:
    """Issue 9.9: for responders the shortcut was an approval-gated disable, no Restore."""
    from bot.slack.views import modals
    from tests.support.slack_signing import interactivity_body

    async with bot_instance(w, policy=POLICY) as bot:
        shortcut = {
            "type": "shortcut", "callback_id": modals.DISABLE_GATE_SHORTCUT,
            "team": {"id": "T1"}, "user": {"id": "U2BOB", "team_id": "T1"},
            "trigger_id": bot.slack.new_trigger_id(), "action_ts": "1",
        }  # fmt: skip
        assert (await bot.post(interactivity_body(shortcut))).status_code == 200
        [opened] = await bot.slack.wait_for_calls("views.open")
        view = {**opened.args["view"], "id": opened.response["view"]["id"]}
        values = {
            modals.GATE_BLOCK: {modals.GATE_PICKER: {
                "type": "external_select", "selected_option": {"value": "mobile_dark_mode"}}},
            modals.CHANNEL_BLOCK: {modals.CHANNEL_PICKER: {
                "type": "conversations_select", "selected_conversation": CHANNEL}},
            modals.REASON_BLOCK: {modals.REASON: {"type": "plain_text_input", "value": "INC-11"}},
        }  # fmt: skip
        assert (await bot.submit(view, values, user="U2BOB")).status_code == 200
        [loud] = await eventually(lambda: [m for m in visible(bot.slack) if "KILLED" in m.text])
        assert button_value(loud, INCIDENT_RESTORE) is not None
        assert len(w.mutations("/gates/mobile_dark_mode/disable")) == 1  # at once, no approval
        assert "INC-11" in _text(loud)


async def test_the_kill_fills_in_its_blast_radius_after_the_disable(w: World) -> None:
    """Issue 9.5: "Used by: not checked" on the KILLED card and the responder's card."""
    w.slack.add_channel(INCIDENT, "incidents")
    async with bot_instance(w, policy=POLICY) as bot:
        _, url = await bot.command("kill checkout_v2 INC-13", user="U2BOB")
        await wait_responses(bot.slack, url)
        [loud] = await eventually(lambda: [m for m in visible(bot.slack) if "KILLED" in m.text])
        [copy] = await eventually(lambda: visible(bot.slack, INCIDENT))
        for channel, ts in ((CHANNEL, loud.ts), (INCIDENT, copy.ts)):
            await eventually(
                lambda c=channel, t=ts: "checking" not in _text(bot.slack.message(c, t))
            )
            text = _text(bot.slack.message(channel, ts))
            assert "*Used by*" in text and "could not be read" not in text
        assert len(w.mutations("/gates/checkout_v2/disable")) == 1

        # A bystander's kill waits for a responder: its card counts the users up front.
        _, url = await bot.command("kill mobile_dark_mode INC-14", user="U3CAROL")
        await wait_responses(bot.slack, url)
        [card] = await eventually(
            lambda: [m for m in visible(bot.slack) if button_value(m, APPROVAL_APPROVE)]
        )
        assert "not checked" not in _text(card)
        assert "not used by other gates" in _text(card) or "experiment" in _text(card)
