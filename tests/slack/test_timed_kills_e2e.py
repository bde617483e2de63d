"""Timed kills end to end (issue 10.1): signed Slack requests, two app instances on one
Redis, the sandbox, and a third instance started after the kill (a restart).

The windows are real minutes, so the test moves the timer's due time in Redis instead of
waiting, exactly as the passing of time would; the replicas then poll together.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from bot.ops.policy.rules import Policy
from bot.render.ids import (
    INCIDENT_RESTORE,
    PIPELINE_ABORT,
    PIPELINE_PAUSE,
    RESTORE_ANYWAY,
    RESTORE_KEEP,
    TIMER_EXTEND,
)
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

POLICY = Policy.from_toml(
    """
[groups]
responders = ["U2BOB"]
[incident]
responders = "responders"
break_glass = true
"""
)
GATE = "mobile_dark_mode"


def _text(message: Any) -> str:
    return all_text({"blocks": message.blocks, "text": message.text})


async def _due_now(bot: BotInstance, kill_id: str, *, ended: bool) -> None:
    """Time passes: the timer's next step (the early reminder, or the end) is due."""
    timers = bot.deps.chatops.workflow.store.timers  # type: ignore[union-attr]
    timer = await timers.get(kill_id)
    assert timer is not None
    now = await timers.now()
    if ended:
        timer = timer.model_copy(update={"ends_at": now - timedelta(seconds=1), "reminded": True})
    else:
        timer = timer.model_copy(update={"ends_at": now + timedelta(minutes=4)})
    await timers.schedule(timer)


async def _poll(*bots: BotInstance) -> None:
    await asyncio.gather(*(b.deps.chatops.timers.fire_due() for b in bots))


async def test_a_timed_kill_reminds_is_extended_and_restores_itself_once(w: World) -> None:
    async with bot_instance(w, policy=POLICY) as one, bot_instance(w, policy=POLICY) as two:
        _, url = await one.command(f"kill {GATE} --for 10m --auto-restore INC-8 crash", "U2BOB")
        await wait_responses(one.slack, url)
        [loud] = await eventually(lambda: [m for m in visible(one.slack) if "KILLED" in m.text])
        kill_id = button_value(loud, INCIDENT_RESTORE)
        assert kill_id is not None and "10 minutes" in _text(loud)

        await _due_now(one, kill_id, ended=False)
        await _poll(one, two)
        [early] = await eventually(lambda: one.slack.thread(CHANNEL, loud.ts))
        assert "ends in 4 minutes" in _text(early) and "<@U2BOB>" in _text(early)
        assert button_value(early, TIMER_EXTEND) == kill_id

        _, url = await two.click(TIMER_EXTEND, kill_id, user="U2BOB", message_ts=loud.ts)
        assert "10 minutes more" in all_text((await wait_responses(two.slack, url))[0])
        await eventually(lambda: len(one.slack.thread(CHANNEL, loud.ts)) == 2)

        await _due_now(one, kill_id, ended=True)
        async with bot_instance(w, policy=POLICY) as restarted:
            await _poll(one, two, restarted)
            await eventually(lambda: (w.state.get("gate", GATE) or {}).get("isEnabled"))
            said = [_text(m) for m in one.slack.thread(CHANNEL, loud.ts)]
            assert sum("restored it" in s for s in said) == 1, said
            patches = [m for m in w.mutations(f"/gates/{GATE}") if m.method == "PATCH"]
            assert len(patches) == 1, "one restore, whichever instance polled"
            await _poll(one, two, restarted)
            assert len([m for m in w.mutations(f"/gates/{GATE}") if m.method == "PATCH"]) == 1


async def test_a_refused_restore_offers_restore_anyway_with_a_reason(w: World) -> None:
    async with bot_instance(w, policy=POLICY) as bot:
        _, url = await bot.command(f"kill {GATE} INC-11 crash", "U2BOB")
        await wait_responses(bot.slack, url)
        [loud] = await eventually(lambda: [m for m in visible(bot.slack) if "KILLED" in m.text])
        kill_id = button_value(loud, INCIDENT_RESTORE)
        assert kill_id is not None
        gate = w.state.get("gate", GATE)
        assert gate is not None
        gate["rules"][0]["passPercentage"] = 7
        w.state.touch_gate(GATE)

        _, url = await bot.click(INCIDENT_RESTORE, kill_id, user="U2BOB", message_ts=loud.ts)
        [refusal] = await wait_responses(bot.slack, url)
        assert "Restore refused" in all_text(refusal) and "now 7" in all_text(refusal)
        buttons = [e for b in refusal["blocks"] if b["type"] == "actions" for e in b["elements"]]
        assert [e["action_id"] for e in buttons] == [RESTORE_ANYWAY, RESTORE_KEEP]

        await bot.click(RESTORE_ANYWAY, kill_id, user="U2BOB", message_ts=loud.ts)
        [opened] = await bot.slack.wait_for_calls("views.open")
        view = bot.slack.view(opened.response["view"]["id"]).data
        assert view["callback_id"] == modals.RESTORE_ANYWAY_MODAL
        empty = await bot.submit(view, {}, user="U2BOB")
        assert modals.REASON_BLOCK in empty.json()["errors"]
        typed = {"type": "plain_text_input", "value": "the edit was the bug"}
        reason = {modals.REASON_BLOCK: {modals.REASON: typed}}
        assert (await bot.submit(view, reason, user="U2BOB")).status_code == 200
        await eventually(lambda: gate["isEnabled"] is True)
        assert gate["rules"][0]["passPercentage"] != 7, "the snapshot went back over the edit"


async def test_a_running_release_pipeline_is_named_after_the_kill_with_pause(w: World) -> None:
    """Issue 10.4: the pipeline would change the killed gate again; responders stop it."""
    async with bot_instance(w, policy=POLICY) as bot:
        _, url = await bot.command("kill new_nav INC-13 nav broken", "U2BOB")
        await wait_responses(bot.slack, url)
        [loud] = await eventually(lambda: [m for m in visible(bot.slack) if "KILLED" in m.text])
        [notice] = await eventually(lambda: bot.slack.thread(CHANNEL, loud.ts))
        assert "release pipeline is still running" in _text(notice)
        pause = button_value(notice, PIPELINE_PAUSE)
        assert pause == "trigger_new_nav_1|phase_10"
        assert button_value(notice, PIPELINE_ABORT) == "trigger_new_nav_1"

        _, url = await bot.click(PIPELINE_PAUSE, pause, user="U3CAROL", message_ts=loud.ts)
        assert "only incident responders" in all_text((await wait_responses(bot.slack, url))[0])
        _, url = await bot.click(PIPELINE_PAUSE, pause, user="U2BOB", message_ts=loud.ts)
        assert "paused" in all_text((await wait_responses(bot.slack, url))[0])
        assert w.state.pipeline_triggers["trigger_new_nav_1"]["status"] == "PAUSED"


async def test_a_gate_without_a_pipeline_costs_no_pipeline_read(w: World) -> None:
    async with bot_instance(w, policy=POLICY) as bot:
        _, url = await bot.command(f"kill {GATE} INC-14", "U2BOB")
        await wait_responses(bot.slack, url)
        await eventually(lambda: [m for m in visible(bot.slack) if "KILLED" in m.text])
        reads = [r.path for r in w.sandbox.state.request_log if "pipeline" in r.path]
        assert reads == []
