"""Interrupted executions and stuck approvals: never re-run, never stuck forever.

* issue 5's "executor killed between claim and Statsig call", with a real executor task;
* an interruption nobody can verify ends ``failed: interrupted (could not verify)`` and
  releases the entity lock after a deadline;
* an approved request nobody ran before its expiry is expired, not run by a sweeper.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from bot.approvals.execute import UNVERIFIED_ERROR, VERIFY_DEADLINE_SECONDS
from bot.approvals.results import outcome_of
from bot.ops.model.states import ApprovalState
from bot.sandbox.faults import Faults
from tests.approvals.workflow_env import ALICE, BOB, Env, scene

LEASE = 60.0  # the scene's executors use a 60 s lease


@pytest.fixture
async def env(redis_client: aioredis.Redis) -> AsyncIterator[Env]:
    async with scene(redis_client) as built:
        yield built


async def _submitted(env: Env) -> tuple[str, str]:
    plan = await env.disable_plan()
    submitted = await env.workflow().submit(plan, env.need(plan), ALICE, channel="C1")
    assert submitted.request is not None
    return submitted.request.id, submitted.request.plan_fingerprint


def _applied(env: Env) -> list[object]:
    return [m for m in env.mutations if m.status is not None and 200 <= m.status < 300]


async def test_executor_task_killed_between_claim_and_statsig_call(env: Env) -> None:
    rid, _ = await _submitted(env)
    faults: Faults = env.app.state.faults
    hold = faults.hold(r"/gates/checkout_v2/disable$", method="PUT")
    doomed = env.workflow(name="doomed-replica")
    task = asyncio.create_task(doomed.approve(rid, BOB))
    await hold.arrived()  # claimed, lease renewed, the PUT is on its way…
    task.cancel()  # …and the replica dies before Statsig acts on it
    with contextlib.suppress(asyncio.CancelledError):
        await task
    hold.release()
    survivor = env.workflow(name="survivor")
    assert (await survivor.sweep()).interrupted == {}  # the lease is still running
    env.clock.advance(LEASE + 1)

    report = await survivor.sweep()

    assert report.interrupted == {rid: "failed"}
    request = await survivor.get(rid)
    assert request is not None and request.state is ApprovalState.FAILED and request.interrupted
    assert _applied(env) == []
    assert env.state.gates["checkout_v2"]["isEnabled"] is True
    assert (await survivor.sweep()).interrupted == {} and (await survivor.sweep()).recovered == []
    puts = [m for m in env.mutations if m.method == "PUT"]
    assert len(puts) == 1, "the held call was the only one: no second execution"
    card = await survivor.render_request(rid)
    assert card is not None and "Failed: interrupted" in str(card.blocks)


async def test_an_interruption_nobody_can_verify_fails_after_the_deadline(env: Env) -> None:
    rid, fingerprint = await _submitted(env)
    assert (await env.store.approve(rid, BOB.user_id, fingerprint, 1)).ok
    assert (await env.store.claim(rid, "dead-replica", LEASE)).ok
    del env.state.gates["checkout_v2"]  # deleted in the console: reads answer 404
    wf = env.workflow(name="sweeper")
    env.clock.advance(LEASE + 1)

    assert (await wf.sweep()).interrupted == {}  # cannot tell yet: try again later
    env.clock.advance(VERIFY_DEADLINE_SECONDS / 2)
    assert (await wf.sweep()).interrupted == {}
    request = await wf.get(rid)
    assert request is not None and request.state is ApprovalState.EXECUTING
    env.clock.advance(VERIFY_DEADLINE_SECONDS / 2)

    report = await wf.sweep()

    assert report.interrupted == {rid: "failed"}
    request = await wf.get(rid)
    assert request is not None and request.state is ApprovalState.FAILED
    outcome = outcome_of(request)
    assert outcome is not None and outcome.error == UNVERIFIED_ERROR
    assert "no longer exists" in outcome.message
    card = await wf.render_request(rid)
    assert card is not None and "could not verify" in str(card.blocks)
    assert env.mutations == []
    # The entity lock is free again: a new request for the same gate and action opens.
    env.state.add_gate("checkout_v2")
    again = await wf.submit(await env.disable_plan(), env.need(await env.disable_plan()),
                            ALICE, channel="C1")  # fmt: skip
    assert again.request is not None, again.message.text


async def test_an_unreadable_plan_also_ends_after_the_deadline(env: Env) -> None:
    rid, fingerprint = await _submitted(env)
    assert (await env.store.approve(rid, BOB.user_id, fingerprint, 1)).ok
    assert (await env.store.claim(rid, "dead-replica", LEASE)).ok
    await env.store.redis.hset(env.store.keys.request(rid), "plan_json", "{not json")
    wf = env.workflow(name="sweeper")
    env.clock.advance(LEASE + 1)
    assert (await wf.sweep()).interrupted == {}
    env.clock.advance(VERIFY_DEADLINE_SECONDS)
    assert (await wf.sweep()).interrupted == {rid: "failed"}
    request = await wf.get(rid)
    assert request is not None and not request.is_open
    assert env.mutations == []


async def test_an_approved_request_past_its_ttl_is_expired_not_run(env: Env) -> None:
    rid, fingerprint = await _submitted(env)
    assert (await env.store.approve(rid, BOB.user_id, fingerprint, 1)).ok  # replica dies
    request = await env.store.get(rid)
    assert request is not None
    env.clock.now = request.expires_at.timestamp() + 1
    wf = env.workflow(name="sweeper")

    report = await wf.sweep()

    assert report.expired == [rid] and report.recovered == []
    expired = await wf.get(rid)
    assert expired is not None and expired.state is ApprovalState.EXPIRED
    assert env.mutations == []
    assert env.notifier.updates[-1] == rid  # the card shows it
    assert (await wf.sweep()).expired == []


async def test_a_late_claim_of_an_approved_request_expires_it(env: Env) -> None:
    rid, fingerprint = await _submitted(env)
    assert (await env.store.approve(rid, BOB.user_id, fingerprint, 1)).ok
    request = await env.store.get(rid)
    assert request is not None
    env.clock.now = request.expires_at.timestamp()

    assert await env.workflow().executor.claim_and_run(rid) is None

    expired = await env.store.get(rid)
    assert expired is not None and expired.state is ApprovalState.EXPIRED
    assert env.mutations == []
