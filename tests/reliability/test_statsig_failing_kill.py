"""A kill while Statsig fails (issue 10.4): retried within the budget, the channel told
while it is, exactly one disable that took effect, and the result checked by a read."""

from __future__ import annotations

import contextlib

import httpx

from bot.ops.policy.rules import Policy
from bot.statsig.client import ConsoleClient
from tests.slack.harness import CHANNEL, World, all_text, bot_instance, eventually, visible

RESPONDERS = Policy.from_toml(
    '[groups]\nresponders = ["U2BOB"]\n[incident]\nresponders = "responders"\nbreak_glass = true\n'
)
DISABLE = r"/gates/mobile_dark_mode/disable$"


async def test_a_kill_through_three_503s_completes_and_the_channel_heard(w: World) -> None:
    w.faults.add(DISABLE, "503", method="PUT", times=3)
    async with contextlib.AsyncExitStack() as stack:
        console = ConsoleClient(
            "console-test",
            base_url="http://sandbox",
            transport=httpx.ASGITransport(app=w.sandbox),
            retry_budget=20.0,
        )
        stack.push_async_callback(console.aclose)
        bot = await stack.enter_async_context(bot_instance(w, policy=RESPONDERS, console=console))
        bot.deps.progress_every = 0.0  # every retry said (the default is every 3 s)
        _, url = await bot.command("kill mobile_dark_mode INC-12 checkout down", user="U2BOB")
        killed = await eventually(
            lambda: [m for m in visible(bot.slack) if "KILLED" in m.text], timeout=20
        )
        assert killed
        heard = [m for m in bot.slack.messages(CHANNEL) if "Still trying" in m.text]
        assert len(heard) >= 2, [m.text for m in bot.slack.messages(CHANNEL)]
        assert "503" in all_text({"blocks": heard[0].blocks})
        puts = [r for r in w.sandbox.state.request_log if r.method == "PUT"]
        assert [r.status for r in puts] == [503, 503, 503, 200], "one disable took effect"
        log = w.sandbox.state.request_log
        after = log[log.index(puts[-1]) + 1]  # checked by a read, not taken from the answer
        assert after.method == "GET" and after.path.endswith("/gates/mobile_dark_mode")
        gate = w.state.get("gate", "mobile_dark_mode")
        assert gate is not None and gate["isEnabled"] is False
        assert url
