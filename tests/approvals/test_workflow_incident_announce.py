"""A kill or restore that runs after an approval is announced once, loudly, with Restore."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from bot.ops.actions.incident import IncidentKill, Restore
from bot.ops.model.identity import Actor
from bot.ops.model.states import ApprovalState
from bot.render.common import Message
from bot.render.ids import INCIDENT_RESTORE
from tests.approvals.workflow_env import BOB, MALLORY, ONCALL, Env, scene
from tests.support.redis_server import RedisServer


@pytest.fixture
async def env(redis_client: aioredis.Redis) -> AsyncIterator[Env]:
    async with scene(redis_client) as built:
        yield built


def _restore_value(message: Message) -> str | None:
    """The value of the message's Restore button, if it has one."""
    for block in message.blocks:
        for element in block.get("elements", []):
            if isinstance(element, dict) and element.get("action_id") == INCIDENT_RESTORE:
                return str(element.get("value"))
    return None


async def _requested_kill(env: Env, requester: Actor = MALLORY) -> str:
    """A non-responder's kill: an approval request that any one responder may approve."""
    plan = await env.plan(IncidentKill("checkout_v2", reason="INC-42 checkout errors"))
    submitted = await env.workflow().submit(plan, env.need(plan, requester), requester,
                                            channel="C1")  # fmt: skip
    assert submitted.request is not None and submitted.request.quorum == 1
    return submitted.request.id


async def test_an_approved_kill_is_announced_once_with_a_restore_button(env: Env) -> None:
    rid = await _requested_kill(env)
    assert env.notifier.announcements == []  # a request alone is not an incident message

    click = await env.workflow().approve(rid, ONCALL)

    assert click.ok and click.outcome is not None and click.outcome.succeeded
    assert env.state.gates["checkout_v2"]["isEnabled"] is False
    [(channel, loud, incident)] = env.notifier.announcements
    assert channel == "C1" and incident is True
    assert "KILLED" in loud.text and "checkout_v2" in loud.text
    assert _restore_value(loud) == rid
    shown = str(loud.blocks)
    assert "INC-42 checkout errors" in shown and f"<@{ONCALL.user_id}>" in shown
    card = await env.workflow().render_request(rid)
    assert card is not None and _restore_value(card) == rid  # one-click restore on the card


async def test_twenty_concurrent_approvals_of_a_kill_announce_once(
    redis_server: RedisServer, env: Env
) -> None:
    clients = [aioredis.Redis.from_url(redis_server.url) for _ in range(2)]
    try:
        replicas = [env.workflow(c, name=f"replica-{i}") for i, c in enumerate(clients)]
        rid = await _requested_kill(env)

        results = await asyncio.gather(*(replicas[i % 2].approve(rid, ONCALL) for i in range(20)))

        assert len([r for r in results if r.outcome is not None]) == 1
        assert [m.method for m in env.mutations] == ["PUT"]
        assert len(env.notifier.announcements) == 1
        assert env.notifier.announcements[0][2] is True
        assert _restore_value(env.notifier.announcements[0][1]) == rid
    finally:
        for client in clients:
            await client.aclose()


async def test_a_break_glass_kill_is_left_to_its_surface(env: Env) -> None:
    plan = await env.plan(IncidentKill("checkout_v2", reason="INC-43"))
    ran = await env.workflow().run_now(plan, ONCALL, channel="C1")
    assert ran.announcement is not None  # the surface posts this one
    assert env.notifier.announcements == []


async def test_other_approved_changes_are_not_announced(env: Env) -> None:
    plan = await env.disable_plan()
    submitted = await env.workflow().submit(plan, env.need(plan, MALLORY), MALLORY, channel="C1")
    assert submitted.request is not None
    click = await env.workflow().approve(submitted.request.id, BOB)
    assert click.outcome is not None and click.outcome.succeeded
    assert env.notifier.announcements == []
    card = await env.workflow().render_request(submitted.request.id)
    assert card is not None and _restore_value(card) is None


async def test_an_approved_restore_is_announced_in_the_same_places(env: Env) -> None:
    before = dict(env.state.gates["checkout_v2"])
    rid = await _requested_kill(env)
    await env.workflow().approve(rid, ONCALL)
    source = await env.workflow().snapshot_for_restore(rid)
    assert source is not None
    plan = await env.plan(Restore("checkout_v2", source.snapshot, reason="fixed",
                                  after_kill=source.after_kill))  # fmt: skip
    submitted = await env.workflow().submit(plan, env.need(plan, MALLORY), MALLORY, channel="C1")
    assert submitted.request is not None

    await env.workflow().approve(submitted.request.id, BOB)

    assert env.state.gates["checkout_v2"]["isEnabled"] is True
    assert env.state.gates["checkout_v2"]["rules"] == before["rules"]
    assert len(env.notifier.announcements) == 2
    channel, loud, incident = env.notifier.announcements[1]
    assert channel == "C1" and incident is True
    assert "Restored" in loud.text and "checkout_v2" in loud.text


async def test_a_kill_verified_after_an_interruption_is_announced_once(env: Env) -> None:
    rid = await _requested_kill(env)
    request = await env.store.get(rid)
    assert request is not None
    approved = await env.store.approve(rid, ONCALL.user_id, request.plan_fingerprint, 1)
    assert approved.state is ApprovalState.APPROVED
    assert (await env.store.claim(rid, "dead-replica", 60)).ok
    await env.client.disable_gate("checkout_v2")  # the call went out, then the replica died
    env.clock.advance(61)

    reports = [await env.workflow(name=n).sweep() for n in ("survivor", "other")]

    assert reports[0].interrupted == {rid: "executed"} and reports[1].interrupted == {}
    [(channel, loud, incident)] = env.notifier.announcements
    assert channel == "C1" and incident and _restore_value(loud) == rid
