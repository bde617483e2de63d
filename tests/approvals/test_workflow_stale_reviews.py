"""Stale plans, Statsig review settings, and incident kill/restore through the workflow."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from bot.approvals.results import outcome_of
from bot.ops.actions.incident import IncidentKill, Restore, RestoreRefused
from bot.ops.model.plans import OutcomeStatus
from bot.ops.model.states import ApprovalState
from bot.render.ids import INCIDENT_RESTORE
from bot.sandbox import reviews as sandbox_reviews
from tests.approvals.workflow_env import ALICE, BOB, CAROL, ONCALL, Env, scene


@pytest.fixture
async def env(redis_client: aioredis.Redis) -> AsyncIterator[Env]:
    async with scene(redis_client) as built:
        yield built


async def test_a_relative_plan_is_refused_when_the_entity_moved(env: Env) -> None:
    wf = env.workflow()
    plan = await env.rollout_plan()
    submitted = await wf.submit(plan, env.need(plan), ALICE, channel="C1")
    assert submitted.request is not None
    env.state.touch_gate("checkout_v2")

    click = await wf.approve(submitted.request.id, BOB)

    assert click.outcome is not None and click.outcome.status is OutcomeStatus.FAILED
    assert "changed in Statsig" in click.outcome.message
    assert "version" in click.outcome.message
    assert env.mutations == []
    request = await wf.get(submitted.request.id)
    assert request is not None and request.state is ApprovalState.FAILED
    assert request.outcome is not None and request.outcome.get("stale") is True
    # Issue 9.15: the approver is not told "✅ Approved. Not applied"
    said = click.message.blocks[0]["text"]["text"]
    assert said.startswith("⚠️") and "Approved. Not applied" not in click.message.text
    assert "the plan was stale, so nothing was sent" in said and "ask again" in said


async def test_an_absolute_plan_proceeds_and_says_the_base_moved(env: Env) -> None:
    wf = env.workflow()
    plan = await env.disable_plan()
    submitted = await wf.submit(plan, env.need(plan), ALICE, channel="C1")
    assert submitted.request is not None
    env.state.touch_gate("checkout_v2")

    click = await wf.approve(submitted.request.id, BOB)

    assert click.outcome is not None and click.outcome.status is OutcomeStatus.APPLIED
    assert "base moved" in click.outcome.message
    assert env.state.gates["checkout_v2"]["isEnabled"] is False


async def test_an_entity_change_voids_collected_approvals(env: Env) -> None:
    wf = env.workflow()
    plan = await env.rollout_plan("critical_gate")
    submitted = await wf.submit(plan, env.need(plan), ALICE, channel="C1")
    assert submitted.request is not None
    rid = submitted.request.id
    assert (await wf.approve(rid, BOB)).ok
    env.state.gates["critical_gate"]["rules"][0]["passPercentage"] = 40
    env.state.touch_gate("critical_gate")

    voided = await wf.approve(rid, CAROL)

    assert not voided.ok and "approvals were cleared" in voided.message.text
    request = await wf.get(rid)
    assert request is not None and request.approvals == [] and request.invalidated_at
    card = await wf.render_request(rid)
    assert card is not None and "40% → 25%" in str(card.blocks)
    assert (await wf.approve(rid, CAROL)).ok and (await wf.approve(rid, BOB)).ok
    assert env.state.gates["critical_gate"]["rules"][0]["passPercentage"] == 25
    assert len(env.mutations) == 1


async def test_statsig_review_narrows_approvers_and_is_watched_until_committed(
    env: Env,
) -> None:
    wf = env.workflow()
    plan = await env.rollout_plan("reviewed_gate")
    assert plan.review_required
    submitted = await wf.submit(plan, env.need(plan), ALICE, channel="C1")
    assert submitted.request is not None
    rid = submitted.request.id
    refused = await wf.approve(rid, BOB)
    assert not refused.ok and "not a Statsig reviewer" in refused.message.text

    click = await wf.approve(rid, CAROL)

    assert click.outcome is not None and click.outcome.status is OutcomeStatus.PENDING_REVIEW
    assert env.mutations[0].headers.get("x-respect-review-settings") == "true"
    request = await wf.get(rid)
    assert request is not None and request.state is ApprovalState.SUBMITTED_FOR_REVIEW
    outcome = outcome_of(request)
    assert outcome is not None and outcome.review_id
    assert await wf.watch_reviews_once() == 0  # not due yet
    env.clock.advance(31)
    assert await wf.watch_reviews_once() == 0  # still pending in Statsig
    sandbox_reviews.commit(env.state, outcome.review_id)
    env.clock.advance(3600)
    updates = len(env.notifier.updates)

    assert await wf.watch_reviews_once() == 1

    assert len(env.notifier.updates) == updates + 1
    card = await wf.render_request(rid)
    assert card is not None and "was committed" in str(card.blocks)
    env.clock.advance(3600)
    assert await wf.watch_reviews_once() == 0
    events = await wf.audit_entries(entity=("gate", "reviewed_gate"))
    assert events[-1].event == "review_committed"


async def test_a_rejected_statsig_review_is_reported(env: Env) -> None:
    wf = env.workflow()
    plan = await env.rollout_plan("reviewed_gate")
    submitted = await wf.submit(plan, env.need(plan), ALICE, channel="C1")
    assert submitted.request is not None
    click = await wf.approve(submitted.request.id, CAROL)
    assert click.outcome is not None and click.outcome.review_id
    sandbox_reviews.reject(env.state, click.outcome.review_id)
    env.clock.advance(60)
    assert await wf.watch_reviews_once() == 1
    card = await wf.render_request(submitted.request.id)
    assert card is not None and "was rejected" in str(card.blocks)
    assert env.notifier.dms[-1][0] == ALICE.user_id


async def test_kill_snapshots_announces_and_restores_exactly(env: Env) -> None:
    wf = env.workflow()
    before = dict(env.state.gates["checkout_v2"])
    kill = await env.plan(IncidentKill("checkout_v2", reason="INC-231 errors"))

    killed = await wf.run_now(kill, ONCALL, channel="C1")

    assert killed.audit_saved and killed.request_id is not None
    assert killed.outcome is not None and killed.outcome.status is OutcomeStatus.APPLIED
    assert killed.announcement is not None
    assert f"'{INCIDENT_RESTORE}'" in str(killed.announcement.blocks)
    assert f"'value': '{killed.request_id}'" in str(killed.announcement.blocks)
    assert [m.method for m in env.mutations] == ["PUT"]
    by_id = await wf.snapshot_for_restore(killed.request_id)
    by_gate = await wf.snapshot_for_restore("checkout_v2")
    assert by_id is not None and by_gate is not None and by_id == by_gate
    assert by_id.snapshot["isEnabled"] is True and by_id.snapshot["rules"] == before["rules"]

    restore = Restore("checkout_v2", by_id.snapshot, reason="fixed", after_kill=by_id.after_kill)
    plan = await env.plan(restore)
    restored = await wf.run_now(plan, ONCALL, channel="C1")

    assert restored.outcome is not None and restored.outcome.succeeded
    assert env.state.gates["checkout_v2"]["isEnabled"] is True
    assert env.state.gates["checkout_v2"]["rules"] == before["rules"]


async def test_restore_refuses_when_the_gate_changed_since_the_kill(env: Env) -> None:
    wf = env.workflow()
    kill = await env.plan(IncidentKill("checkout_v2", reason="INC-1"))
    killed = await wf.run_now(kill, ONCALL, channel="C1")
    assert killed.request_id is not None
    source = await wf.snapshot_for_restore(killed.request_id)
    assert source is not None
    env.state.touch_gate("checkout_v2")
    restore = Restore("checkout_v2", source.snapshot, after_kill=source.after_kill)
    with pytest.raises(RestoreRefused) as refused:
        await env.plan(restore)
    assert "since the kill" in refused.value.user_message


@pytest.mark.parametrize("verdict", ["commit", "reject"])
async def test_a_kill_held_for_review_is_announced_again_when_statsig_decides(
    env: Env, verdict: str
) -> None:
    """Issue 10.5: the first message said "still ON"; the verdict is said as loudly."""
    wf = env.workflow()
    kill = await env.plan(IncidentKill("reviewed_gate", reason="INC-7", window_s=1800))
    held = await wf.run_now(kill, ONCALL, channel="C1")
    assert held.outcome is not None and held.outcome.status is OutcomeStatus.PENDING_REVIEW
    assert held.request_id is not None and held.outcome.review_id
    assert await wf.timers.active() == [], "a held kill starts no timer"
    announced = len(env.notifier.announcements)

    decide = sandbox_reviews.commit if verdict == "commit" else sandbox_reviews.reject
    decide(env.state, held.outcome.review_id)
    env.clock.advance(60)
    assert await wf.watch_reviews_once() == 1

    channel, notice, incident = env.notifier.announcements[announced]
    assert (channel, incident) == ("C1", True)
    text = notice.text
    if verdict == "commit":
        assert "review committed" in text and "disabled now" in text
        [timer] = await wf.timers.active()
        assert timer.id == held.request_id, "the timed kill's window starts when it lands"
    else:
        assert "review rejected" in text and "did not happen" in text
        assert await wf.timers.active() == []
    env.clock.advance(3600)
    assert await wf.watch_reviews_once() == 0
    assert len(env.notifier.announcements) == announced + 1, "announced once"
