"""Faults: a dead executor, a stuck approval, Redis down, Redis restarted (with and without AOF)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from bot.approvals.errors import ApprovalsUnavailable
from bot.approvals.store.health import connect_redis
from bot.ops.actions.incident import IncidentKill
from bot.ops.model.plans import OutcomeStatus
from bot.ops.model.states import ApprovalState
from bot.render.ids import INCIDENT_RESTORE_TICKET
from tests.approvals.workflow_env import ALICE, BOB, ONCALL, Env, scene
from tests.support.redis_server import RedisServer


@pytest.fixture
async def env(redis_client: aioredis.Redis) -> AsyncIterator[Env]:
    async with scene(redis_client) as built:
        yield built


async def _approved_but_unclaimed(env: Env) -> str:
    """A request approved in Redis whose approving replica never got to run it."""
    wf = env.workflow()
    plan = await env.disable_plan()
    submitted = await wf.submit(plan, env.need(plan), ALICE, channel="C1")
    assert submitted.request is not None
    rid = submitted.request.id
    result = await env.store.approve(rid, BOB.user_id, submitted.request.plan_fingerprint, 1)
    assert result.state is ApprovalState.APPROVED
    return rid


async def test_executor_killed_before_the_statsig_call_ends_failed_interrupted(env: Env) -> None:
    rid = await _approved_but_unclaimed(env)
    assert (await env.store.claim(rid, "dead-replica", 60)).ok  # …and it dies here
    wf = env.workflow(name="survivor")
    assert (await wf.sweep()).interrupted == {}  # the lease is still running
    env.clock.advance(61)

    report = await wf.sweep()

    assert report.interrupted == {rid: "failed"}
    request = await wf.get(rid)
    assert request is not None and request.state is ApprovalState.FAILED and request.interrupted
    card = await wf.render_request(rid)
    assert card is not None and "Failed: interrupted" in str(card.blocks)
    assert env.mutations == []
    assert (await wf.sweep()).interrupted == {}
    assert env.mutations == []


async def test_executor_killed_after_the_statsig_call_is_verified_not_rerun(env: Env) -> None:
    rid = await _approved_but_unclaimed(env)
    assert (await env.store.claim(rid, "dead-replica", 60)).ok
    await env.client.disable_gate("checkout_v2")  # the call went out, then the replica died
    env.clock.advance(61)

    report = await env.workflow(name="survivor").sweep()

    assert report.interrupted == {rid: "executed"}
    assert len(env.mutations) == 1
    card = await env.workflow().render_request(rid)
    assert card is not None and "verified after interruption" in str(card.blocks)


async def test_a_stuck_approval_is_claimed_and_run_once_by_a_sweeper(env: Env) -> None:
    rid = await _approved_but_unclaimed(env)
    wf = env.workflow(name="sweeper")
    assert (await wf.sweep()).recovered == []  # within the grace period
    env.clock.advance(600)
    first, second = await wf.sweep(), await env.workflow(name="other").sweep()
    assert first.recovered == [rid] and second.recovered == []
    assert len(env.mutations) == 1
    assert env.state.gates["checkout_v2"]["isEnabled"] is False


async def test_redis_down_fails_closed_but_a_break_glass_kill_still_runs(
    env: Env, tmp_path: Path
) -> None:
    server = RedisServer(tmp_path / "redis")
    server.start()
    redis = connect_redis(server.url, timeout=1.0)
    try:
        wf = env.workflow(redis)
        plan = await env.rollout_plan()
        submitted = await wf.submit(plan, env.need(plan), ALICE, channel="C1")
        assert submitted.request is not None
        rid = submitted.request.id
        server.stop()

        click = await wf.approve(rid, BOB)
        assert not click.ok and "Approvals are unavailable" in click.message.text
        again = await wf.submit(plan, env.need(plan), ALICE, channel="C1")
        assert again.request is None and "Redis cannot be reached" in again.message.text
        assert env.mutations == []
        ran = await wf.run_now(await env.rollout_plan(pct=40), ONCALL, channel="C1")
        assert ran.outcome is None and not ran.audit_saved and env.mutations == []

        kill = await env.plan(IncidentKill("checkout_v2", reason="INC-9"))
        killed = await wf.run_now(kill, ONCALL, channel="C1")

        assert killed.outcome is not None and killed.outcome.status is OutcomeStatus.APPLIED
        assert killed.audit_saved is False and killed.request_id is None
        assert env.state.gates["checkout_v2"]["isEnabled"] is False
        assert "audit record" in killed.message.text
        assert killed.announcement is not None
        shown = str(killed.announcement.blocks)
        assert "could not be saved" in shown and "carries the snapshot" in shown
        buttons = [
            e["action_id"]
            for b in killed.announcement.blocks
            if b.get("type") == "actions"
            for e in b["elements"]
        ]
        assert buttons == [INCIDENT_RESTORE_TICKET]  # no request: the message holds the snapshot
        assert [m.method for m in env.mutations] == ["PUT"]
        assert await wf.get(rid) is None
        with pytest.raises(ApprovalsUnavailable):  # never "nothing is pending"
            await wf.pending()
    finally:
        await redis.aclose()
        server.stop()


async def test_pending_requests_survive_a_restart_with_aof(env: Env, tmp_path: Path) -> None:
    server = RedisServer(tmp_path / "aof", appendonly=True)
    server.start()
    redis = connect_redis(server.url, timeout=2.0)
    try:
        wf = env.workflow(redis)
        plan = await env.rollout_plan()
        submitted = await wf.submit(plan, env.need(plan), ALICE, channel="C1")
        assert submitted.request is not None
        server.restart()
        assert [r.id for r in await wf.pending()] == [submitted.request.id]
        click = await wf.approve(submitted.request.id, BOB)
        assert click.ok and click.outcome is not None
        assert len(env.mutations) == 1
    finally:
        await redis.aclose()
        server.stop()


async def test_without_persistence_vanished_requests_never_execute(
    env: Env, tmp_path: Path
) -> None:
    server = RedisServer(tmp_path / "volatile")
    server.start()
    redis = connect_redis(server.url, timeout=2.0)
    try:
        wf = env.workflow(redis)
        plan = await env.rollout_plan()
        submitted = await wf.submit(plan, env.need(plan), ALICE, channel="C1")
        assert submitted.request is not None
        server.restart()
        click = await wf.approve(submitted.request.id, BOB)
        assert not click.ok and "No open request" in click.message.text
        assert env.mutations == []
    finally:
        await redis.aclose()
        server.stop()
