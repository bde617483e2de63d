"""A change Statsig turned into a review keeps the entity lock until the review is decided.

committed → ``executed``; rejected or withdrawn → ``review_rejected``; still open at the
watch deadline → ``review_unresolved``. Each releases the lock, once, on one replica.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from bot.approvals.results import outcome_of
from bot.approvals.reviews_watch import GIVE_UP_AFTER_SECONDS
from bot.ops.model.requests import LockHeld
from bot.ops.model.states import OPEN_STATES, TERMINAL_STATES, ApprovalState
from bot.sandbox import reviews as sandbox_reviews
from tests.approvals.workflow_env import ALICE, CAROL, Env, scene


@pytest.fixture
async def env(redis_client: aioredis.Redis) -> AsyncIterator[Env]:
    async with scene(redis_client) as built:
        yield built


async def _in_review(env: Env) -> tuple[str, str]:
    wf = env.workflow()
    plan = await env.rollout_plan("reviewed_gate")
    submitted = await wf.submit(plan, env.need(plan), ALICE, channel="C1")
    assert submitted.request is not None
    click = await wf.approve(submitted.request.id, CAROL)
    assert click.outcome is not None and click.outcome.review_id
    return submitted.request.id, click.outcome.review_id


async def _blocked(env: Env) -> bool:
    plan = await env.rollout_plan("reviewed_gate", pct=40)
    again = await env.workflow().submit(plan, env.need(plan), ALICE, channel="C1")
    if again.request is not None:
        assert (await env.workflow().cancel(again.request.id, ALICE)).ok
    return isinstance(again.lock_holder, LockHeld)


def test_the_state_machine_says_a_review_is_open() -> None:
    assert ApprovalState.SUBMITTED_FOR_REVIEW in OPEN_STATES
    assert {ApprovalState.REVIEW_REJECTED, ApprovalState.REVIEW_UNRESOLVED} <= TERMINAL_STATES


async def test_the_lock_is_held_until_the_review_is_committed(env: Env) -> None:
    rid, review_id = await _in_review(env)
    wf = env.workflow(name="watcher")
    assert await _blocked(env)
    request = await wf.get(rid)
    assert request is not None and request.state is ApprovalState.SUBMITTED_FOR_REVIEW
    assert [r.id for r in await wf.mine(ALICE)] == [rid]  # still open: the requester sees it
    env.clock.advance(31)
    assert await wf.watch_reviews_once() == 0 and await _blocked(env)  # still open in Statsig
    sandbox_reviews.commit(env.state, review_id)
    env.clock.advance(3600)

    assert await wf.watch_reviews_once() == 1

    request = await wf.get(rid)
    assert request is not None and request.state is ApprovalState.EXECUTED
    outcome = outcome_of(request)
    assert outcome is not None and outcome.review_id == review_id
    assert not await _blocked(env)
    assert env.notifier.dms[-1][0] == ALICE.user_id
    events = [e.event for e in await wf.audit_entries(entity=("gate", "reviewed_gate"))]
    assert events.count("review_committed") == 1


async def test_a_rejected_review_ends_review_rejected_and_frees_the_lock(env: Env) -> None:
    rid, review_id = await _in_review(env)
    sandbox_reviews.reject(env.state, review_id)
    env.clock.advance(60)
    replicas = [env.workflow(name="w1"), env.workflow(name="w2")]

    resolved = [await w.watch_reviews_once() for w in replicas]

    assert resolved == [1, 0]  # one replica records it
    request = await replicas[1].get(rid)
    assert request is not None and request.state is ApprovalState.REVIEW_REJECTED
    card = await replicas[1].render_request(rid)
    assert card is not None and "was rejected or withdrawn" in str(card.blocks)
    assert not await _blocked(env)


async def test_a_review_open_past_the_deadline_ends_unresolved(env: Env) -> None:
    rid, _ = await _in_review(env)
    wf = env.workflow()
    env.clock.advance(GIVE_UP_AFTER_SECONDS - 60)
    assert await wf.watch_reviews_once() == 0 and await _blocked(env)
    env.clock.advance(3600)

    assert await wf.watch_reviews_once() == 1

    request = await wf.get(rid)
    assert request is not None and request.state is ApprovalState.REVIEW_UNRESOLVED
    card = await wf.render_request(rid)
    assert card is not None and "Unresolved" in str(card.blocks)
    assert not await _blocked(env)
    assert await env.store.reviews_due() == []
