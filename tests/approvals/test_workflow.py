"""The approval workflow end to end: submit → clicks → exactly one execution → messages.

Real Redis (the session server), the sandbox over ASGI, an injected clock, and a notifier
that records calls (the Slack edge).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from bot.approvals.workflow import ApprovalWorkflow
from bot.ops.model.plans import OutcomeStatus
from bot.ops.model.states import ApprovalState
from bot.render.ids import APPROVAL_APPROVE, APPROVAL_CANCEL, APPROVAL_REJECT
from tests.approvals.workflow_env import ALICE, BOB, CAROL, MALLORY, Env, policy, scene


@pytest.fixture
async def env(redis_client: aioredis.Redis) -> AsyncIterator[Env]:
    async with scene(redis_client) as built:
        yield built


def _buttons(blocks: list[dict[str, object]]) -> list[tuple[object, object]]:
    found = []
    for block in blocks:
        if block.get("type") == "actions":
            elements = block["elements"]
            assert isinstance(elements, list)
            found += [(e["action_id"], e["value"]) for e in elements]
    return found


async def _submit(env: Env, wf: ApprovalWorkflow, gate: str = "checkout_v2") -> str:
    plan = await env.rollout_plan(gate)
    result = await wf.submit(plan, env.need(plan), ALICE, channel="C1")
    assert result.request is not None, result.message.text
    return result.request.id


async def test_approval_runs_the_change_once_and_tells_everyone(env: Env) -> None:
    wf = env.workflow()
    plan = await env.rollout_plan()
    submitted = await wf.submit(plan, env.need(plan), ALICE, channel="C1")
    assert submitted.request is not None
    rid = submitted.request.id
    assert _buttons(submitted.message.blocks) == [
        (APPROVAL_APPROVE, rid),
        (APPROVAL_REJECT, rid),
        (APPROVAL_CANCEL, rid),
    ]
    approve = next(b for b in submitted.message.blocks if b.get("type") == "actions")
    assert "confirm" in approve["elements"][0]
    await wf.attach_message(rid, "C1", "1700000000.000100")

    click = await wf.approve(rid, BOB)

    assert click.ok and click.outcome is not None
    assert click.outcome.status is OutcomeStatus.APPLIED
    assert env.state.gates["checkout_v2"]["rules"][0]["passPercentage"] == 25
    assert len(env.mutations) == 1
    request = await wf.get(rid)
    assert request is not None and request.state is ApprovalState.EXECUTED
    assert request.message_ts == "1700000000.000100"
    # created, approved, finished: nothing is sent to the surface between claim and the
    # Statsig call (the lease is running), the card moves from approved to its outcome
    assert env.notifier.updates == [rid] * 3
    [(user, dm)] = env.notifier.dms
    assert user == ALICE.user_id and "executed" in dm.text
    card = await wf.render_request(rid)
    assert card is not None and _buttons(card.blocks) == []
    assert "Executed" in str(card.blocks)
    again = await wf.approve(rid, CAROL)
    assert not again.ok and "already executed" in again.message.text
    assert len(env.mutations) == 1


async def test_requester_cannot_approve_their_own_request(env: Env) -> None:
    wf = env.workflow()
    rid = await _submit(env, wf)
    click = await wf.approve(rid, ALICE)
    assert not click.ok and "own request" in click.message.text
    same_person_other_id = ALICE.__class__(
        "USHELLALICE", "ALICE@example.com", statsig_role="Member"
    )
    assert not (await wf.approve(rid, same_person_other_id)).ok
    assert env.mutations == []
    request = await wf.get(rid)
    assert request is not None and request.state is ApprovalState.PENDING


async def test_self_approval_only_where_the_policy_allows_it(redis_client: aioredis.Redis) -> None:
    extra = "\n[[rules]]\nactions = [\"gate.rollout\"]\napprovers = \"approvers\"\n" \
        "allow_self_approval = true\n"  # fmt: skip
    async with scene(redis_client, policy_extra=extra) as env:
        wf = env.workflow()
        rid = await _submit(env, wf)
        click = await wf.approve(rid, ALICE)
        assert click.ok, click.message.text
        assert len(env.mutations) == 1


async def test_outsiders_and_removed_approvers_are_refused(env: Env) -> None:
    wf = env.workflow()
    rid = await _submit(env, wf)
    outsider = await wf.approve(rid, MALLORY)
    assert not outsider.ok and "not in group" in outsider.message.text
    # Bob leaves the approver group after the message was posted.
    wf = env.workflow(
        policy=policy().__class__.from_toml(
            '[groups]\napprovers = ["UCAROL"]\n[defaults]\napprovers = "approvers"\n'
        )
    )
    removed = await wf.approve(rid, BOB)
    assert not removed.ok and "not in group" in removed.message.text
    assert env.mutations == []
    assert (await wf.approve(rid, CAROL)).ok
    assert len(env.mutations) == 1


async def test_a_group_missing_from_the_policy_refuses_everyone(env: Env) -> None:
    wf = env.workflow()
    rid = await _submit(env, wf)
    # Today's policy needs no approval, but the request keeps its quorum and names a group
    # that no longer exists: nobody can approve it.
    wf = env.workflow(
        policy=policy().__class__.from_toml(
            '[groups]\nothers = ["UBOB"]\n[defaults]\napprovals_required = 0\n'
        )
    )
    click = await wf.approve(rid, BOB)
    assert not click.ok and "no longer in the policy" in click.message.text
    assert env.mutations == []


async def test_quorum_two_needs_two_distinct_people(env: Env) -> None:
    wf = env.workflow()
    rid = await _submit(env, wf, gate="critical_gate")
    first = await wf.approve(rid, BOB)
    assert first.ok and "1 of 2" in first.message.text
    twice = await wf.approve(rid, BOB)
    assert not twice.ok and "count once" in twice.message.text
    assert env.mutations == []
    second = await wf.approve(rid, CAROL)
    assert second.ok and second.outcome is not None
    assert len(env.mutations) == 1


async def test_reject_needs_an_approver_and_a_reason_and_ends_it(env: Env) -> None:
    wf = env.workflow()
    rid = await _submit(env, wf)
    assert not (await wf.reject(rid, MALLORY, "no")).ok
    assert not (await wf.reject(rid, ALICE, "no")).ok
    blank = await wf.reject(rid, BOB, "  ")
    assert not blank.ok and "reason" in blank.message.text
    rejected = await wf.reject(rid, BOB, "too <!channel> risky")
    assert rejected.ok
    request = await wf.get(rid)
    assert request is not None and request.state is ApprovalState.REJECTED
    card = await wf.render_request(rid)
    assert card is not None and _buttons(card.blocks) == []
    assert "<!channel>" not in str(card.blocks)
    assert not (await wf.approve(rid, CAROL)).ok
    assert env.mutations == []
    assert env.notifier.dms[-1][0] == ALICE.user_id


async def test_only_the_requester_cancels(env: Env) -> None:
    wf = env.workflow()
    rid = await _submit(env, wf)
    refused = await wf.cancel(rid, BOB)
    assert not refused.ok and "Only the requester" in refused.message.text
    assert (await wf.cancel(rid, ALICE)).ok
    request = await wf.get(rid)
    assert request is not None and request.state is ApprovalState.CANCELLED


async def test_one_open_request_per_entity(env: Env) -> None:
    wf = env.workflow()
    rid = await _submit(env, wf)
    plan = await env.rollout_plan(pct=30)
    second = await wf.submit(plan, env.need(plan), CAROL, channel="C1")
    assert second.request is None and second.lock_holder is not None
    assert second.lock_holder.holder_request_id == rid
    assert rid in second.message.text or rid in str(second.message.blocks)
    other_action = await env.disable_plan()  # issue 9.3: another action is refused too
    third = await wf.submit(other_action, env.need(other_action), CAROL, channel="C1")
    assert third.request is None and third.lock_holder is not None
    assert third.lock_holder.holder_action == "gate.rollout"
    assert "roll out gate" in third.message.text
    other_gate = await env.rollout_plan("critical_gate")
    assert (await wf.submit(other_gate, env.need(other_gate), CAROL, channel="C1")).ok


async def test_expired_requests_lose_their_buttons_and_refuse_clicks(env: Env) -> None:
    wf = env.workflow()
    rid = await _submit(env, wf)
    env.clock.advance(24 * 3600 + 1)
    report = await wf.sweep()
    assert report.expired == [rid]
    assert (await wf.sweep()).expired == []  # idempotent
    request = await wf.get(rid)
    assert request is not None and request.state is ApprovalState.EXPIRED
    card = await wf.render_request(rid)
    assert card is not None and _buttons(card.blocks) == [] and "Expired" in str(card.blocks)
    click = await wf.approve(rid, BOB)
    assert not click.ok and "expired" in click.message.text
    assert env.mutations == []
    assert env.notifier.dms[-1][0] == ALICE.user_id


async def test_unknown_request_ids_are_answered(env: Env) -> None:
    wf = env.workflow()
    for rid in ("doesnotexist123", "../../etc", ""):
        click = await wf.approve(rid, BOB)
        assert not click.ok and "No open request" in click.message.text
    assert await wf.render_request("doesnotexist123") is None


async def test_approve_and_reject_race_ends_in_one_state(env: Env) -> None:
    for _round in range(20):
        wf_a, wf_b = env.workflow(name="a"), env.workflow(name="b")
        rid = await _submit(env, wf_a)
        before = len(env.mutations)
        results = await asyncio.gather(
            *[wf_a.approve(rid, BOB) if i % 2 else wf_b.reject(rid, CAROL, "no") for i in range(8)]
        )
        request = await wf_a.get(rid)
        assert request is not None
        assert request.state in (ApprovalState.EXECUTED, ApprovalState.REJECTED)
        winners = [r for r in results if r.ok]
        assert len(winners) == 1
        ran = len(env.mutations) - before
        assert ran == (1 if request.state is ApprovalState.EXECUTED else 0)
        env.state.gates["checkout_v2"]["rules"][0]["passPercentage"] = 10


async def test_approvers_are_invited_by_dm_when_the_policy_says_so(
    redis_client: aioredis.Redis,
) -> None:
    async with scene(redis_client, policy_extra="\n[notifications]\ndm_approvers = true\n") as env:
        wf = env.workflow()
        rid = await _submit(env, wf)
        invited = sorted(user for user, _ in env.notifier.dms)
        assert invited == [BOB.user_id, CAROL.user_id]  # never the requester
        # No buttons in the DM: the plan may change, only the channel card can be approved.
        for _, dm in env.notifier.dms:
            assert _buttons(dm.blocks) == []
            assert rid in str(dm.blocks) and "card" in dm.blocks[-1]["text"]["text"]
