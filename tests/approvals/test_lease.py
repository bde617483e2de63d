"""The executor's lease: renewed right before the Statsig call, on the Redis server's clock.

Findings fixed here: the executor could call Statsig after its lease had run out (a slow
stale check), and it updated the surface (slow) between claim and mutation.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from bot.approvals.execute import DEFAULT_LEASE_SECONDS
from bot.approvals.store import ApprovalStore
from bot.ops.model.states import ApprovalState, Refusal
from bot.sandbox.faults import Faults
from tests.approvals.helpers import EXECUTOR, LEASE, FakeClock, make_request, reach
from tests.approvals.workflow_env import ALICE, BOB, Env, scene


@pytest.fixture
async def env(redis_client: aioredis.Redis) -> AsyncIterator[Env]:
    async with scene(redis_client) as built:
        yield built


def _faults(env: Env) -> Faults:
    faults: Faults = env.app.state.faults
    return faults


async def _approved(env: Env, plan_kind: str = "disable") -> str:
    """Approved in Redis, not claimed yet (so the test drives the executor itself)."""
    wf = env.workflow()
    plan = await (env.disable_plan() if plan_kind == "disable" else env.rollout_plan())
    submitted = await wf.submit(plan, env.need(plan), ALICE, channel="C1")
    assert submitted.request is not None
    rid = submitted.request.id
    fingerprint = submitted.request.plan_fingerprint
    assert (await env.store.approve(rid, BOB.user_id, fingerprint, 1)).ok
    return rid


async def test_renew_extends_only_a_live_lease_of_its_holder(
    store: ApprovalStore, clock: FakeClock
) -> None:
    rid = await reach(store, clock, ApprovalState.EXECUTING)
    assert (await store.renew(rid, "someone-else", LEASE)).refusal is Refusal.NOT_LEASE_HOLDER
    clock.advance(LEASE - 1)
    renewed = await store.renew(rid, EXECUTOR, LEASE)
    assert renewed.ok
    request = await store.get(rid)
    assert request is not None and request.lease_expires_at is not None
    assert request.lease_expires_at.timestamp() == clock.now + LEASE
    clock.advance(LEASE)  # exactly at the end: too late
    late = await store.renew(rid, EXECUTOR, LEASE)
    assert (late.ok, late.refusal, late.state) == (
        False,
        Refusal.LEASE_EXPIRED,
        ApprovalState.EXECUTING,
    )
    assert await store.interrupted_due() == [rid]
    assert (await store.renew(rid, EXECUTOR, LEASE)).refusal is Refusal.INTERRUPTED


async def test_a_lease_lost_during_the_stale_check_never_reaches_statsig(env: Env) -> None:
    rid = await _approved(env)
    wf = env.workflow(name="slow-replica")
    hold = _faults(env).hold(r"/gates/checkout_v2$", method="GET")  # the stale re-read
    task = asyncio.create_task(wf.executor.claim_and_run(rid))
    await hold.arrived()
    env.clock.advance(61)  # the lease (60 s in this scene) runs out while the read hangs
    hold.release()

    execution = await task

    assert execution is not None and not execution.recorded
    assert execution.state is ApprovalState.EXECUTING
    assert "Not sent to Statsig" in execution.outcome.message
    assert env.mutations == []
    request = await wf.get(rid)
    assert request is not None and request.state is ApprovalState.EXECUTING
    report = await env.workflow(name="survivor").sweep()
    assert report.interrupted == {rid: "failed"}
    assert env.mutations == []


async def test_nothing_reaches_the_surface_between_claim_and_the_mutation(env: Env) -> None:
    rid = await _approved(env)
    wf = env.workflow()
    updates_before = list(env.notifier.updates)
    hold = _faults(env).hold(r"/gates/checkout_v2/disable$", method="PUT")
    task = asyncio.create_task(wf.executor.claim_and_run(rid))
    await hold.arrived()

    assert env.notifier.updates == updates_before  # claimed and calling Statsig, silently
    request = await env.store.get(rid)
    assert request is not None and request.state is ApprovalState.EXECUTING
    assert request.lease_expires_at is not None and request.claimed_at is not None
    renewed = [e for e in await env.store.audit() if e.event == "lease_renewed"]
    assert [e.request_id for e in renewed] == [rid]

    hold.release()
    execution = await task
    assert execution is not None and execution.state is ApprovalState.EXECUTED
    assert env.notifier.updates == [*updates_before, rid]


def test_the_default_lease_outlasts_the_worst_case_inside_it() -> None:
    # mutation + read-back, each: retry budget (10 s) + one attempt's four 10 s phases;
    # then finish on Redis (5 s socket timeout, 3 tries, backoff ≤ 0.5 s).
    worst = 2 * (10 + 4 * 10) + 3 * 5 + 2 * 0.5
    assert 2 * worst <= DEFAULT_LEASE_SECONDS


async def test_without_a_clock_the_store_uses_the_redis_server_time(
    redis_client: aioredis.Redis,
) -> None:
    store = ApprovalStore(redis_client)  # production: no clock
    request = await make_request(store)
    assert (await store.approve(request.id, "U_A", "fp-1", 1)).ok
    assert (await store.claim(request.id, "exec", 300)).ok
    seconds, micros = await redis_client.time()
    server_now = seconds + micros / 1_000_000
    claimed = await store.get(request.id)
    assert claimed is not None and claimed.lease_expires_at is not None
    assert claimed.claimed_at is not None
    assert abs(claimed.claimed_at.timestamp() - server_now) < 5
    lease = claimed.lease_expires_at.timestamp() - claimed.claimed_at.timestamp()
    assert lease == pytest.approx(300, abs=1e-3)
    assert abs(await store.now() - server_now) < 5
    assert (await store.renew(request.id, "exec", 300)).ok


async def test_a_stopping_executor_releases_only_its_own_leases(
    store: ApprovalStore, clock: FakeClock
) -> None:
    """Issue 11.6: on shutdown the leases end now, so another replica verifies at once."""
    mine = await reach(store, clock, ApprovalState.EXECUTING, entity_id="nav")
    assert await store.interrupted_due() == [], "a live lease is nobody else's yet"
    assert await store.release_leases("someone-else") == []
    assert await store.release_leases(EXECUTOR) == [mine]
    assert await store.interrupted_due() == [mine], "reclaimable now, not in LEASE seconds"
    assert await store.release_leases(EXECUTOR) == [], "nothing left to release"
