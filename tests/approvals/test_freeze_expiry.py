"""A request that waited for a freeze past its expiry is told at ``freeze off``, not dropped."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from bot.ops.model.states import ApprovalState
from tests.approvals.workflow_env import ALICE, BOB, ONCALL, Env, scene


@pytest.fixture
async def env(redis_client: aioredis.Redis) -> AsyncIterator[Env]:
    async with scene(redis_client) as built:
        yield built


async def test_a_request_that_expired_while_frozen_is_told_at_freeze_off(env: Env) -> None:
    wf = env.workflow()
    plan = await env.rollout_plan()
    submitted = await wf.submit(plan, env.need(plan), ALICE, channel="C1")
    assert submitted.request is not None
    rid = submitted.request.id
    await wf.freeze_on(ONCALL, "INC-21", None)
    assert (await wf.approve(rid, BOB)).ok  # quorum reached; it waits for the freeze
    request = await wf.get(rid)
    assert request is not None and request.state is ApprovalState.APPROVED
    env.clock.advance(request.expires_at.timestamp() - env.clock.now + 1)
    updates, dms = len(env.notifier.updates), len(env.notifier.dms)

    lifted, ran = await wf.freeze_off(ONCALL, "over")

    assert lifted is not None and ran == []
    request = await wf.get(rid)
    assert request is not None and request.state is ApprovalState.EXPIRED
    assert rid in env.notifier.updates[updates:], "its card is redrawn"
    assert [user for user, _ in env.notifier.dms[dms:]] == [ALICE.user_id], "she is told"
    assert env.mutations == []
