"""``recent`` over signed Slack requests (issue 10.3): its Disable button is the kill path."""

from __future__ import annotations

from bot.ops.policy.rules import Policy
from bot.render.ids import INCIDENT_KILL
from tests.slack.harness import World, all_text, bot_instance, eventually, wait_responses

POLICY = Policy.from_toml(
    """
[groups]
responders = ["U2BOB"]
[incident]
responders = "responders"
break_glass = true
"""
)


def _kill_values(payload: dict[str, object]) -> list[str]:
    return [
        str(element.get("value"))
        for block in payload.get("blocks") or []  # type: ignore[attr-defined]
        for element in block.get("elements", [])
        if element.get("action_id") == INCIDENT_KILL
    ]


async def test_the_disable_button_of_recent_kills_the_gate(w: World) -> None:
    async with bot_instance(w, policy=POLICY) as bot:
        async with w.console() as console:  # a change made in the console, not from chat
            await console.update_gate("new_nav", {"description": "tweaked by hand"})
        _, url = await bot.command("recent 2h", user="U2BOB")
        [listing] = await wait_responses(bot.slack, url)
        assert "new_nav" in all_text(listing)
        assert "new_nav" in _kill_values(listing)

        _, url = await bot.click(INCIDENT_KILL, "new_nav", user="U2BOB")
        await wait_responses(bot.slack, url)

        await eventually(lambda: w.state.get("gate", "new_nav")["isEnabled"] is False)
        _, url = await bot.click(INCIDENT_KILL, "../secrets", user="U2BOB")
        [refused] = await wait_responses(bot.slack, url)
        assert "out of date" in all_text(refused)
