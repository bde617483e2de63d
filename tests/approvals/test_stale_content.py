"""The stale check when the entity carries neither ``version`` nor ``lastModifiedTime``.

Without them nothing could tell that the entity moved, and a stale plan passed silently;
now the plan's snapshot (``isEnabled`` and ``rules``) is compared with the entity instead.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from bot.ops.actions.stale import check_base
from bot.ops.model.plans import OutcomeStatus, Plan
from bot.ops.model.states import ApprovalState
from tests.approvals.workflow_env import ALICE, BOB, Env, scene


@pytest.fixture
async def env(redis_client: aioredis.Redis) -> AsyncIterator[Env]:
    async with scene(redis_client) as built:
        for gate in built.state.gates.values():
            gate.pop("version", None)
            gate.pop("lastModifiedTime", None)
        yield built


async def _plan(env: Env) -> Plan:
    plan = await env.rollout_plan()
    assert plan.base_version is None and plan.base_modified_time is None
    assert plan.snapshot is not None and "rules" in plan.snapshot
    return plan


async def test_an_unchanged_entity_is_not_stale(env: Env) -> None:
    staleness = await check_base(env.client, await _plan(env))
    assert not staleness.stale and staleness.proceed


@pytest.mark.parametrize("edit", ["rules", "isEnabled"])
async def test_a_content_change_is_stale(env: Env, edit: str) -> None:
    plan = await _plan(env)
    gate = env.state.gates["checkout_v2"]
    if edit == "rules":
        gate["rules"][0]["passPercentage"] = 60
    else:
        gate["isEnabled"] = False

    staleness = await check_base(env.client, plan)

    assert staleness.stale and not staleness.proceed
    assert staleness.changes or staleness.rule_changes


async def test_the_executor_refuses_a_plan_whose_content_moved(env: Env) -> None:
    wf = env.workflow()
    plan = await _plan(env)
    submitted = await wf.submit(plan, env.need(plan), ALICE, channel="C1")
    assert submitted.request is not None
    env.state.gates["checkout_v2"]["rules"][0]["passPercentage"] = 60

    click = await wf.approve(submitted.request.id, BOB)

    assert click.outcome is not None and click.outcome.status is OutcomeStatus.FAILED
    assert "changed in Statsig" in click.outcome.message
    assert env.mutations == []
    request = await wf.get(submitted.request.id)
    assert request is not None and request.state is ApprovalState.FAILED
