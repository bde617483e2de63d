"""Redis unreachable: listings say approvals are unavailable instead of "No requests."."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.approvals.errors import ApprovalsUnavailable
from bot.approvals.store import ApprovalStore
from bot.approvals.store.health import connect_redis
from bot.approvals.workflow import ApprovalWorkflow
from bot.chatops.service import ChatOps
from bot.ops.model.identity import Actor
from bot.ops.policy.directory import StatsigDirectory
from bot.runtime import sandbox_policy
from bot.shell.render import render_text
from tests.ops.service_support import Env, sandbox_client
from tests.shell.shell_support import shell
from tests.support.ports import free_port


@pytest.fixture
async def env() -> AsyncIterator[Env]:
    redis = connect_redis(f"redis://127.0.0.1:{free_port()}/0", timeout=0.5)
    try:
        async with sandbox_client() as (client, app):
            policy = sandbox_policy()
            directory = StatsigDirectory(client)
            workflow = ApprovalWorkflow(ApprovalStore(redis), client, policy, directory=directory)
            yield Env(ChatOps(client, policy, workflow=workflow, directory=directory), client, app)
    finally:
        await redis.aclose()


async def test_workflow_listings_raise_rather_than_answer_nothing(env: Env) -> None:
    workflow = env.ops.workflow
    assert isinstance(workflow, ApprovalWorkflow)
    with pytest.raises(ApprovalsUnavailable):
        await workflow.pending()
    with pytest.raises(ApprovalsUnavailable):
        await workflow.mine(Actor.for_shell("alice@example.com"))
    with pytest.raises(ApprovalsUnavailable):
        await workflow.audit_entries(since_seconds=3600)


@pytest.mark.parametrize("text", ["approvals", "approvals mine", "approvals pending"])
async def test_approvals_listing_fails_visibly(env: Env, text: str) -> None:
    reply = await env.ops.handle(text, await env.ctx())
    shown = render_text(reply.message)
    assert not reply.ok
    assert "Approvals are unavailable: Redis cannot be reached" in shown
    assert "No requests" not in shown


async def test_audit_still_shows_statsig_with_a_note(env: Env) -> None:
    reply = await env.ops.handle("audit --since 30d", await env.ctx())
    shown = render_text(reply.message)
    assert reply.ok
    assert "chat audit trail is unavailable" in shown
    assert "[bot]" not in shown and len(shown.splitlines()) > 3  # Statsig's own entries


async def test_shell_approvals_with_a_dead_redis_exits_1() -> None:
    ran = await shell(command="approvals", env={"REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"})
    assert ran.code == 1
    assert "Redis cannot be reached" in ran.out and "No requests" not in ran.out
