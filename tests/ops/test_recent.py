"""``recent`` (issue 10.3): a change made in Statsig directly and one made from chat, merged,
grouped by entity, newest first, with working Disable and Restore buttons."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from bot.approvals.store import ApprovalStore
from bot.approvals.workflow import ApprovalWorkflow
from bot.chatops.replies import Proposal, Reply
from bot.chatops.service import ChatOps
from bot.ops.policy.directory import StatsigDirectory
from bot.render.common import Message
from bot.render.ids import INCIDENT_KILL, INCIDENT_RESTORE
from bot.runtime import sandbox_policy
from bot.shell.render import render_text
from tests.ops.service_support import ALICE, Env, sandbox_client


@pytest.fixture
async def env(redis_client: aioredis.Redis) -> AsyncIterator[Env]:
    async with sandbox_client() as (client, app):
        policy = sandbox_policy()
        directory = StatsigDirectory(client)
        workflow = ApprovalWorkflow(
            ApprovalStore(redis_client), client, policy, directory=directory
        )
        yield Env(ChatOps(client, policy, workflow=workflow, directory=directory), client, app)


async def _run(env: Env, text: str) -> Reply:
    ctx = await env.ctx(ALICE)
    result = await env.ops.handle(text, ctx)
    if isinstance(result, Proposal):
        result = await env.ops.commit(result, ctx)
    assert isinstance(result, Reply)
    return result


def _buttons(message: Message) -> dict[tuple[str, str], str]:
    """(action_id, value) → the name of the entity whose block precedes the button."""
    found: dict[tuple[str, str], str] = {}
    entity = ""
    for block in message.blocks:
        if block.get("type") == "section":
            entity = str(block["text"]["text"]).split("\n", 1)[0]
        for element in block.get("elements", []):
            if element.get("type") == "button":
                found[(element["action_id"], element["value"])] = entity
    return found


def _flat(message: Message) -> str:
    return " ".join(render_text(message).split())


async def test_recent_lists_a_console_change_and_a_chat_kill_newest_first_with_buttons(
    env: Env,
) -> None:
    await env.client.update_gate("new_nav", {"isEnabled": False})  # in the console, by hand
    killed = await _run(env, "kill checkout_v2 INC-12 errors")
    assert killed.ok and killed.request_id

    reply = await _run(env, "recent 2h")

    text = _flat(reply.message)
    assert reply.ok and "What changed in the last 2h" in text
    assert text.index("checkout_v2") < text.index("new_nav"), "newest first"
    assert "[bot] executed kill gate checkout_v2" in text
    buttons = _buttons(reply.message)
    assert "checkout_v2" in buttons[(INCIDENT_RESTORE, killed.request_id)]
    assert (INCIDENT_KILL, "new_nav") not in buttons, "new_nav is already disabled"
    assert (INCIDENT_KILL, "checkout_v2") not in buttons

    restored = await _run(env, f"restore {killed.request_id} recovered")  # the button's command
    assert restored.ok and env.state.gates["checkout_v2"]["isEnabled"] is True
    after = _buttons((await _run(env, "recent")).message)
    assert (INCIDENT_RESTORE, killed.request_id) not in after, "restored already"
    assert (INCIDENT_KILL, "checkout_v2") in after
    gated = await _run(env, "kill checkout_v2 -- disabled from the list of recent changes")
    assert gated.ok and env.state.gates["checkout_v2"]["isEnabled"] is False


async def test_recent_filters_by_tag_and_by_window(env: Env) -> None:
    await _run(env, "kill checkout_v2 INC-13")  # tagged critical, checkout
    await env.client.update_gate("new_nav", {"isEnabled": False})  # tagged web

    tagged = _flat((await _run(env, "recent --tag checkout")).message)

    assert "checkout_v2" in tagged and "new_nav" not in tagged
    nothing = _flat((await _run(env, "recent 30m --tag nothing_has_this")).message)
    assert "Nothing changed in the last 30m" in nothing


async def test_recent_says_which_trail_is_missing_when_statsig_fails(env: Env) -> None:
    await _run(env, "kill checkout_v2 INC-14")
    env.faults.add(r"/audit_logs", "500", times=None)

    reply = await _run(env, "recent")

    text = _flat(reply.message)
    assert reply.ok and "Statsig's audit log is unavailable" in text
    assert "checkout_v2" in text and "Traceback" not in text
