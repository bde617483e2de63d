"""Kills when Redis is down (issue 10.4): the responder's kill still snapshots and
disables, its message carries the snapshot so Restore works from the message alone
(checked against the gate as it is then), and approval requests fail closed."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from bot.ops.policy.rules import Policy
from bot.render.ids import INCIDENT_RESTORE, INCIDENT_RESTORE_TICKET
from tests.slack.harness import (
    BotInstance,
    World,
    all_text,
    bot_instance,
    button_value,
    eventually,
    visible,
    wait_responses,
    world,
)
from tests.support.redis_server import RedisServer
from tests.support.tcp_proxy import TcpProxy

RESPONDERS = Policy.from_toml(
    '[groups]\nresponders = ["U2BOB"]\n[incident]\nresponders = "responders"\nbreak_glass = true\n'
)
GATE = "mobile_dark_mode"


@pytest.fixture
async def proxy(redis_server: RedisServer, redis_client: aioredis.Redis) -> AsyncIterator[TcpProxy]:
    relay = TcpProxy("127.0.0.1", redis_server.port)
    await relay.up()
    try:
        yield relay
    finally:
        await relay.down()


@pytest.fixture
async def flaky(proxy: TcpProxy) -> AsyncIterator[tuple[World, BotInstance]]:
    async with world(proxy.url) as shared, contextlib.AsyncExitStack() as stack:
        bot = await stack.enter_async_context(bot_instance(shared, policy=RESPONDERS))
        yield shared, bot


async def _killed_without_redis(w: World, bot: BotInstance, proxy: TcpProxy) -> tuple[str, str]:
    await proxy.down()
    _, url = await bot.command(f"kill {GATE} INC-15 Redis is down too", user="U2BOB")
    await wait_responses(bot.slack, url)
    [loud] = await eventually(lambda: [m for m in visible(bot.slack) if "KILLED" in m.text])
    gate = w.state.get("gate", GATE)
    assert gate is not None and gate["isEnabled"] is False
    text = all_text({"blocks": loud.blocks})
    assert "audit record could not be saved" in text and "carries the snapshot" in text
    assert button_value(loud, INCIDENT_RESTORE) is None  # no request to name
    ticket = button_value(loud, INCIDENT_RESTORE_TICKET)
    assert ticket is not None
    return ticket, loud.ts


async def test_restore_from_the_kill_message_after_redis_is_back(
    flaky: tuple[World, BotInstance], proxy: TcpProxy
) -> None:
    w, bot = flaky
    ticket, ts = await _killed_without_redis(w, bot, proxy)

    _, url = await bot.command("gate rollout new_nav 40 --rule Rollout ramp", user="U1ALICE")
    [refused] = await wait_responses(bot.slack, url)
    assert "unavailable" in all_text(refused).lower(), "approval requests fail closed"

    await proxy.up()
    _, url = await bot.click(INCIDENT_RESTORE_TICKET, ticket, user="U2BOB", message_ts=ts)
    await wait_responses(bot.slack, url)
    gate = w.state.get("gate", GATE)
    assert gate is not None
    await eventually(lambda: gate["isEnabled"] is True)


async def test_a_gate_edited_since_refuses_the_message_restore(
    flaky: tuple[World, BotInstance], proxy: TcpProxy
) -> None:
    w, bot = flaky
    ticket, ts = await _killed_without_redis(w, bot, proxy)
    gate = w.state.get("gate", GATE)
    assert gate is not None
    gate["rules"][0]["passPercentage"] = 9
    w.state.touch_gate(GATE)
    await proxy.up()
    _, url = await bot.click(INCIDENT_RESTORE_TICKET, ticket, user="U2BOB", message_ts=ts)
    [answer] = await wait_responses(bot.slack, url)
    assert "Restore refused" in all_text(answer) and "now 9" in all_text(answer)
    assert gate["isEnabled"] is False


async def test_a_forged_or_stale_ticket_is_out_of_date(
    flaky: tuple[World, BotInstance], proxy: TcpProxy
) -> None:
    _, bot = flaky
    _, url = await bot.click(INCIDENT_RESTORE_TICKET, "t1.not-a-ticket", user="U2BOB")
    [answer] = await wait_responses(bot.slack, url)
    assert "out of date" in all_text(answer)


async def test_the_kill_is_recorded_once_redis_is_back(
    flaky: tuple[World, BotInstance], proxy: TcpProxy
) -> None:
    w, bot = flaky
    await _killed_without_redis(w, bot, proxy)
    workflow = bot.deps.chatops.workflow
    assert workflow is not None and workflow.spool is not None
    assert len(workflow.spool.pending()) == 1, "spooled on local disk"

    await proxy.up()
    await workflow.sweep()
    assert workflow.spool.pending() == []
    source = await workflow.snapshot_for_restore(GATE)
    assert source is not None and source.action == "incident.kill", "restore <gate> finds it"
    events = await workflow.audit_entries(entity=("gate", GATE))
    assert any(e.event == "finished" for e in events)
    await workflow.sweep()
    assert len([e for e in await workflow.audit_entries(entity=("gate", GATE))
                if e.event == "finished"]) == 1, "recorded once"  # fmt: skip


async def test_a_ticket_the_bot_did_not_sign_restores_nothing(
    flaky: tuple[World, BotInstance], proxy: TcpProxy
) -> None:
    """Review finding: a hand-made ticket (any rules, no version) must not restore."""
    from bot.ops.model.tickets import RestoreTicket

    w, bot = flaky
    ticket, ts = await _killed_without_redis(w, bot, proxy)
    await proxy.up()
    gate = w.state.get("gate", GATE)
    assert gate is not None
    forged = RestoreTicket(GATE, True, list(reversed(gate["rules"])), 1, 1)
    for value in (forged.encode(b"not-the-bot-key"), ticket[:-4] + "AAAA"):
        assert value is not None
        _, url = await bot.click(INCIDENT_RESTORE_TICKET, value, user="U2BOB", message_ts=ts)
        [answer] = await wait_responses(bot.slack, url)
        assert "out of date" in all_text(answer)
    assert gate["isEnabled"] is False
