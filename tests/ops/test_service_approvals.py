"""ChatOps with the approval workflow on a real redis-server: submit, approve, kill, restore."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from bot.approvals.store import ApprovalStore
from bot.chatops.replies import Proposal, Reply
from bot.chatops.service import ChatOps
from bot.ops.model.decisions import Allowed, NeedsApproval
from bot.ops.policy.directory import StatsigDirectory
from bot.runtime import sandbox_policy
from bot.shell.render import render_text
from tests.ops.service_support import ALICE, BOB, CAROL, DAVE, Env, sandbox_client

workflow_module = pytest.importorskip("bot.approvals.workflow")


@pytest.fixture
async def env(redis_client: aioredis.Redis) -> AsyncIterator[Env]:
    async with sandbox_client() as (client, app):
        policy = sandbox_policy()
        directory = StatsigDirectory(client)
        workflow = workflow_module.ApprovalWorkflow(
            ApprovalStore(redis_client), client, policy, directory=directory
        )
        ops = ChatOps(client, policy, workflow=workflow, directory=directory)
        yield Env(ops, client, app)


async def _commit(env: Env, text: str, email: str = ALICE) -> tuple[Proposal, Reply]:
    ctx = await env.ctx(email)
    proposal = await env.ops.handle(text, ctx)
    assert isinstance(proposal, Proposal), render_text(proposal.message)
    return proposal, await env.ops.commit(proposal, ctx)


def _rule_pct(env: Env, gate: str) -> float:
    return float(env.state.gates[gate]["rules"][0]["passPercentage"])


async def test_rollout_waits_for_another_persons_approval(env: Env) -> None:
    proposal, reply = await _commit(env, "gate rollout new_nav 25 ramp")
    assert isinstance(proposal.decision, NeedsApproval)
    assert reply.ok and reply.request_id is not None and len(reply.announcements) == 1
    assert "Approve" in render_text(reply.announcements[0])
    assert _rule_pct(env, "new_nav") == 10  # nothing ran yet
    listing = await env.ops.handle("approvals", await env.ctx(BOB))
    assert reply.request_id in render_text(listing.message)
    mine = await env.ops.handle("approvals mine", await env.ctx(BOB))
    assert reply.request_id not in render_text(mine.message)
    assert env.ops.workflow is not None
    own = await env.ops.workflow.approve(reply.request_id, (await env.ctx(ALICE)).actor)
    assert not own.ok
    click = await env.ops.workflow.approve(reply.request_id, (await env.ctx(BOB)).actor)
    assert click.ok and _rule_pct(env, "new_nav") == 25
    audit = render_text((await env.ops.handle("audit new_nav", await env.ctx())).message)
    assert "[bot] requested roll out gate new_nav: ramp" in audit


async def test_kill_runs_at_once_and_restore_puts_it_back(env: Env) -> None:
    proposal, killed = await _commit(env, "kill checkout_v2 INC-7 errors")
    assert isinstance(proposal.decision, Allowed)
    assert killed.ok and killed.request_id and killed.incident_announcement is not None
    assert env.state.gates["checkout_v2"]["isEnabled"] is False
    restore, restored = await _commit(env, f"restore {killed.request_id} all clear")
    assert restore.plan.action == "incident.restore"
    assert restored.ok, render_text(restored.message)
    assert env.state.gates["checkout_v2"]["isEnabled"] is True


async def test_kill_by_a_non_responder_needs_a_responder(env: Env) -> None:
    proposal, reply = await _commit(env, "kill checkout_v2", email=CAROL)
    assert isinstance(proposal.decision, NeedsApproval)
    assert reply.request_id is not None
    assert env.state.gates["checkout_v2"]["isEnabled"] is True


async def test_restore_of_nothing_says_so(env: Env) -> None:
    reply = await env.ops.handle("restore new_nav", await env.ctx())
    assert isinstance(reply, Reply) and not reply.ok
    assert "nothing to restore for new_nav" in render_text(reply.message)


async def test_pending_lists_only_what_the_actor_may_approve(env: Env) -> None:
    # payments_3ds requires a Statsig review by alice or bob; carol requests the change.
    _, reply = await _commit(env, "gate rollout payments_3ds 60 more traffic", CAROL)
    request_id = reply.request_id
    assert request_id is not None

    async def pending_for(email: str) -> str:
        return render_text(
            (await env.ops.handle("approvals pending", await env.ctx(email))).message
        )

    assert request_id in await pending_for(BOB)  # a Statsig reviewer, not the requester
    assert request_id not in await pending_for(CAROL)  # her own request
    assert request_id not in await pending_for(DAVE)  # Read Only in Statsig
    _, other = await _commit(env, "gate rollout new_nav 30 ramp", ALICE)
    carols = await pending_for(CAROL)
    assert other.request_id is not None and other.request_id in carols
    assert request_id not in carols
    everything = render_text((await env.ops.handle("approvals", await env.ctx(DAVE))).message)
    assert request_id in everything and other.request_id in everything
    assert "by carol@example.com" in everything and "shell:" not in everything


async def test_audit_merges_the_bot_trail_with_statsig(env: Env) -> None:
    _, reply = await _commit(env, "gate rollout new_nav 25 ramp", ALICE)
    assert reply.request_id is not None
    result = await env.ops.handle("audit new_nav --since 1h", await env.ctx())
    audit = render_text(result.message, width=400)
    assert f"[bot] requested roll out gate new_nav: ramp (request {reply.request_id})" in audit
    assert "alice@example.com" in audit and "shell:" not in audit


async def _commit_in_channel(env: Env, text: str, email: str = ALICE) -> Reply:
    ctx = dataclasses.replace(await env.ctx(email), channel_id="C0PAYMENTS", surface="slack")
    proposal = await env.ops.handle(text, ctx)
    assert isinstance(proposal, Proposal), render_text(proposal.message)
    return await env.ops.commit(proposal, ctx)


async def test_a_request_is_named_once_and_the_card_says_who_approves(env: Env) -> None:
    reply = await _commit_in_channel(env, "gate rollout new_nav 25 ramp")
    assert reply.request_id is not None
    assert render_text(reply.message).strip() == f"Approval requested: {reply.request_id}."
    assert "approval from group" in render_text(reply.announcements[0])


async def test_a_kills_private_copy_points_to_the_channel_announcement(env: Env) -> None:
    reply = await _commit_in_channel(env, "kill checkout_v2 INC-7 errors")
    assert reply.ok and len(reply.announcements) == 1
    private, loud = render_text(reply.message), render_text(reply.announcements[0])
    assert "Announced in <#C0PAYMENTS>" in str(reply.message.blocks)
    assert "checkout_v2" in private
    assert "KILLED" in loud and "INC-7" in loud
    assert "INC-7" not in private and "Open in Statsig" not in private  # not the whole message
