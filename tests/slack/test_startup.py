"""Start-up: background work starts without blocking, and the picker copes with a cold cache."""

from __future__ import annotations

import asyncio
import contextlib
import time

from bot.approvals.duties import BackgroundDuties
from bot.slack.views import modals
from tests.slack.harness import World, bot_instance, deps_for, eventually
from tests.support.slack_signing import interactivity_body

GATE_LISTING = r"/console/v1/gates$"


def _suggestion(query: str) -> bytes:
    return interactivity_body(
        {
            "type": "block_suggestion",
            "action_id": modals.GATE_PICKER,
            "block_id": modals.GATE_BLOCK,
            "value": query,
            "team": {"id": "T1"},
            "user": {"id": "U1ALICE", "team_id": "T1"},
            "view": {"id": "V1", "callback_id": modals.DISABLE_GATE_MODAL},
        }
    )


def _duty_tasks() -> list[asyncio.Task[object]]:
    return [t for t in asyncio.all_tasks() if t.get_name() == "approval-duties" and not t.done()]


async def test_start_background_returns_at_once_with_one_sweep_loop(w: World) -> None:
    from bot.slack.wiring import start_background

    hold = w.faults.hold(GATE_LISTING, method="GET")  # Statsig is slow to list gates
    try:
        async with deps_for(w) as (_, deps), contextlib.AsyncExitStack() as stack:
            duties = start_background(deps, stack, duties_interval=3600)
            assert isinstance(duties, BackgroundDuties) and duties.running
            assert len(_duty_tasks()) == 1  # exactly one sweep loop
            await asyncio.wait_for(hold.arrived(), 5)  # the warm-up listing is under way
            hold.release()
            assert deps.gate_names is not None
            assert await eventually(lambda: deps.gate_names.search("dark"))
        assert _duty_tasks() == []  # the stack stopped it
    finally:
        hold.release()


async def test_cold_cache_and_slow_statsig_still_answer_options_in_time(w: World) -> None:
    hold = w.faults.hold(GATE_LISTING, method="GET")
    try:
        async with bot_instance(w) as bot:
            started = time.perf_counter()
            response = await bot.post(_suggestion("dark"), timeout=2.5)
            assert time.perf_counter() - started < 2.5
            assert response.json() == {"options": []}  # nothing known yet, said at once
            await asyncio.wait_for(hold.arrived(), 5)
            hold.release()  # the listing goes on in the background and fills the cache

            async def names() -> list[str]:
                answer = await bot.post(_suggestion("dark"))
                return [o["value"] for o in answer.json()["options"]]

            assert "mobile_dark_mode" in await eventually(names)
    finally:
        hold.release()
