"""Click-time rules: people (not IDs) count, today's policy decides, stale plans are re-shown.

* one person with two Slack user IDs (same email) counts once, and cannot approve their own
  request under the other ID;
* at click time the decision is re-derived from the current policy: quorum (never below the
  stored one), self-approval, approver group, and a policy that now denies the request;
  approvals by people who are no longer eligible do not count towards the quorum;
* when approvals are voided because the entity moved, the channel card is re-rendered with
  the new plan and says why.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from bot.approvals.clicks import refusal_text
from bot.approvals.store import ApprovalStore
from bot.ops.model.identity import Actor
from bot.ops.model.requests import TransitionResult
from bot.ops.model.states import ApprovalState, Refusal
from bot.ops.policy.rules import Policy
from tests.approvals.helpers import FINGERPRINT, REQUESTER, make_request
from tests.approvals.workflow_env import ALICE, BOB, CAROL, POLICY_TOML, Env, scene

BOB_AGAIN = Actor("UBOB2", "Bob@Example.com", "Bob (second account)", statsig_role="Member")
ALICE_AGAIN = Actor("UALICE2", "ALICE@example.com", "Alice (2)", statsig_role="Member")
DAVE = Actor("UDAVE", "dave@example.com", "Dave", statsig_role="Member")

OPEN_POLICY = """
[groups]
approvers = ["*"]

[defaults]
approvals_required = 1
approvers = "approvers"

[[rules]]
actions = ["gate.*"]
tags = ["critical"]
approvers = "approvers"
approvals_required = 2
"""


@pytest.fixture
async def env(redis_client: aioredis.Redis) -> AsyncIterator[Env]:
    async with scene(redis_client) as built:
        yield built


async def _submit(env: Env, gate: str = "checkout_v2", requester: Actor = ALICE) -> str:
    plan = await env.rollout_plan(gate)
    submitted = await env.workflow().submit(plan, env.need(plan, requester), requester,
                                            channel="C1")  # fmt: skip
    assert submitted.request is not None, submitted.message.text
    return submitted.request.id


# -- one person, one vote -----------------------------------------------------------------


async def test_the_store_counts_people_not_user_ids(store: ApprovalStore) -> None:
    request = await make_request(store, quorum=2)
    first = await store.approve(request.id, "U_B1", FINGERPRINT, 2, email="b@example.com")
    assert (first.ok, first.approvals) == (True, 1)
    second = await store.approve(request.id, "U_B2", FINGERPRINT, 2, email="B@Example.com ")
    assert (second.ok, second.refusal) == (False, Refusal.ALREADY_APPROVED)
    own = await store.approve(request.id, "U_REQ_OTHER", FINGERPRINT, 2, email="REQ@example.com")
    assert (own.ok, own.refusal) == (False, Refusal.SELF_APPROVAL)
    assert (await store.approve(request.id, REQUESTER, FINGERPRINT, 2)).refusal is (
        Refusal.SELF_APPROVAL
    )
    done = await store.approve(request.id, "U_C", FINGERPRINT, 2, email="c@example.com")
    assert (done.state, done.approvals) == (ApprovalState.APPROVED, 2)
    stored = await store.get(request.id)
    assert stored is not None
    assert [(a.user_id, a.person) for a in stored.approvals] == [
        ("U_B1", "b@example.com"),
        ("U_C", "c@example.com"),
    ]


async def test_two_slack_ids_of_one_person_count_once(env: Env) -> None:
    wf = env.workflow()
    wf = env.workflow(policy=Policy.from_toml(OPEN_POLICY))
    rid = await _submit(env, "critical_gate")
    assert (await wf.approve(rid, BOB)).ok

    twice = await wf.approve(rid, BOB_AGAIN)

    assert not twice.ok and "count once" in twice.message.text
    own = await wf.approve(rid, ALICE_AGAIN)
    assert not own.ok and "own request" in own.message.text
    assert env.mutations == []
    request = await wf.get(rid)
    assert request is not None and request.state is ApprovalState.PENDING
    assert [a.user_id for a in request.approvals] == [BOB.user_id]
    assert (await wf.approve(rid, CAROL)).outcome is not None
    assert len(env.mutations) == 1


# -- today's policy -----------------------------------------------------------------------


async def test_a_raised_quorum_applies_to_pending_requests(env: Env) -> None:
    wf = env.workflow()
    rid = await _submit(env)
    wf = env.workflow(
        policy=Policy.from_toml(
            POLICY_TOML.replace("approvals_required = 1", "approvals_required = 2")
        )
    )

    card = await wf.render_request(rid)
    assert card is not None and "0 of 2 approvals" in str(card.blocks)  # today's, not 1

    first = await wf.approve(rid, BOB)

    assert first.ok and "1 of 2" in first.message.text and env.mutations == []
    card = await wf.render_request(rid)
    assert card is not None and "1 of 2 approvals" in str(card.blocks)
    assert (await wf.approve(rid, CAROL)).outcome is not None
    assert len(env.mutations) == 1


async def test_a_lowered_quorum_never_goes_below_the_stored_one(env: Env) -> None:
    wf = env.workflow()
    rid = await _submit(env, "critical_gate")  # stored quorum 2
    wf = env.workflow(
        policy=Policy.from_toml(
            POLICY_TOML.replace("approvals_required = 2", "approvals_required = 1")
        )
    )
    first = await wf.approve(rid, BOB)
    assert first.ok and "1 of 2" in first.message.text and env.mutations == []


async def test_self_approval_follows_todays_policy(env: Env) -> None:
    permissive = POLICY_TOML.replace(
        "approvals_required = 1\n", "approvals_required = 1\nallow_self_approval = true\n", 1
    )
    env.policy = Policy.from_toml(permissive)
    wf = env.workflow()
    rid = await _submit(env)
    wf = env.workflow(policy=Policy.from_toml(POLICY_TOML))  # self-approval switched off since

    own = await wf.approve(rid, ALICE)

    assert not own.ok and "own request" in own.message.text
    assert env.mutations == []


async def test_a_policy_that_now_denies_the_request_refuses_and_says_why(env: Env) -> None:
    wf = env.workflow()
    rid = await _submit(env)
    wf = env.workflow(
        policy=Policy.from_toml(
            POLICY_TOML + '\n[[rules]]\nactions = ["gate.*"]\nrequesters = "responders"\n'
        )
    )

    click = await wf.approve(rid, BOB)

    assert not click.ok
    assert "no longer allows this request" in click.message.text
    assert "only group 'responders' may request it" in click.message.text
    assert "You can't" not in click.message.text  # the clicker is not the requester
    rejected = await wf.reject(rid, BOB, "policy changed")
    assert not rejected.ok and "no longer allows" in rejected.message.text
    assert env.mutations == []


async def test_approvals_of_people_no_longer_eligible_do_not_count(env: Env) -> None:
    wf = env.workflow()
    wf = env.workflow(
        policy=Policy.from_toml(POLICY_TOML.replace('"UALICE"]', '"UALICE", "UDAVE"]'))
    )
    rid = await _submit(env, "critical_gate")  # needs 2
    assert (await wf.approve(rid, BOB)).ok
    # Bob leaves the approver group: his approval stays on record but no longer counts.
    wf = env.workflow(policy=Policy.from_toml(POLICY_TOML.replace('["UBOB", ', '["UDAVE", ')))

    carol = await wf.approve(rid, CAROL)

    assert carol.ok and "1 of 2" in carol.message.text
    assert env.mutations == []
    request = await wf.get(rid)
    assert request is not None and request.state is ApprovalState.PENDING
    assert {a.user_id for a in request.approvals} == {BOB.user_id, CAROL.user_id}
    assert (await wf.approve(rid, DAVE)).outcome is not None
    assert len(env.mutations) == 1


# -- approvals bound to the plan the approver saw ------------------------------------------


async def test_voided_approvals_rerender_the_card_with_the_new_plan_and_why(env: Env) -> None:
    wf = env.workflow()
    rid = await _submit(env, "critical_gate")
    assert (await wf.approve(rid, BOB)).ok
    env.state.gates["critical_gate"]["rules"][0]["passPercentage"] = 40
    env.state.touch_gate("critical_gate")
    updates = len(env.notifier.updates)

    voided = await wf.approve(rid, CAROL)

    assert not voided.ok
    assert env.notifier.updates[updates:] == [rid]  # the channel card is re-rendered
    card = await wf.render_request(rid)
    assert card is not None
    shown = str(card.blocks)
    assert "Approvals were reset because" in shown
    assert "changed in Statsig" in shown
    assert "40% → 25%" in shown and "10% → 25%" not in shown
    request = await wf.get(rid)
    assert request is not None and request.approvals == []
    entry = await wf.thread_entry(rid)
    assert entry is not None and "changed in Statsig" in str(entry.blocks)


def test_finished_requests_are_answered_in_one_form() -> None:
    def said(state: ApprovalState) -> str:
        result = TransitionResult(
            request_id="r1", ok=False, state=state, refusal=Refusal.WRONG_STATE
        )
        return refusal_text(result)

    assert said(ApprovalState.EXECUTED) == "This request was already executed."
    assert said(ApprovalState.CANCELLED) == "This request was already cancelled."
    assert said(ApprovalState.EXPIRED) == "This request was already expired."
