"""The change freeze (issue 10.2) through ChatOps, on a real redis-server and the sandbox.

Who may freeze, what a freeze refuses and lets through, the admins' override, requests
approved during a freeze waiting and running once it is lifted, and a timed freeze ending
by itself on the store's clock.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from bot.approvals.store import ApprovalStore
from bot.approvals.sweeper import APPROVED_GRACE_SECONDS
from bot.approvals.workflow import ApprovalWorkflow
from bot.chatops.replies import Proposal, Reply
from bot.chatops.service import ChatOps
from bot.ops.model.states import ApprovalState
from bot.ops.policy.directory import StatsigDirectory
from bot.runtime import sandbox_policy
from bot.shell.render import render_text
from tests.approvals.helpers import FakeClock
from tests.ops.service_support import ALICE, BOB, CAROL, Env, sandbox_client


class FreezeEnv(Env):
    clock: FakeClock
    workflow: ApprovalWorkflow


@pytest.fixture
async def env(redis_client: aioredis.Redis) -> AsyncIterator[FreezeEnv]:
    clock = FakeClock(time.time())
    async with sandbox_client() as (client, app):
        policy = sandbox_policy()  # alice, bob: responders; alice: admin; carol: neither
        directory = StatsigDirectory(client)
        store = ApprovalStore(redis_client, clock=clock)
        workflow = ApprovalWorkflow(store, client, policy, directory=directory, clock=clock)
        ops = ChatOps(client, policy, workflow=workflow, directory=directory)
        built = FreezeEnv(ops, client, app)
        built.clock, built.workflow = clock, workflow
        yield built


async def _say(env: Env, text: str, email: str = ALICE) -> Reply:
    reply = await env.ops.handle(text, await env.ctx(email))
    assert isinstance(reply, Reply), text
    return reply


async def _commit(env: Env, text: str, email: str = ALICE) -> Reply:
    ctx = await env.ctx(email)
    proposal = await env.ops.handle(text, ctx)
    assert isinstance(proposal, Proposal), render_text(proposal.message)
    return await env.ops.commit(proposal, ctx)


def _pct(env: Env, gate: str = "new_nav") -> float:
    return float(env.state.gates[gate]["rules"][0]["passPercentage"])


async def test_a_freeze_refuses_a_rollout_with_who_why_since_and_the_way_out(
    env: FreezeEnv,
) -> None:
    frozen = await _say(env, "freeze on INC-231 checkout errors --for 2h", email=BOB)
    assert frozen.ok and frozen.visibility == "channel"
    assert frozen.incident_announcement is not None  # the incident channel hears it too
    carol = await env.ctx(CAROL)
    reads_before = len(env.app.state.request_log)

    refused = await env.ops.handle("gate rollout new_nav 25 ramp", carol)

    assert isinstance(refused, Reply) and not refused.ok
    text = render_text(refused.message)
    assert "roll out gate new_nav is refused while changes are frozen" in text
    assert "bob@example.com" in text and "INC-231 checkout errors" in text
    assert "since" in text and "until" in text
    assert "--override-freeze" in text and "freeze off" in text
    assert len(env.app.state.request_log) == reads_before, "a frozen change reads nothing"
    assert _pct(env) == 10
    status = render_text((await _say(env, "freeze", email=CAROL)).message)
    assert "Changes are frozen" in status and "INC-231" in status


async def test_kill_and_restore_run_during_a_freeze(env: FreezeEnv) -> None:
    await _say(env, "freeze on INC-9", email=BOB)

    killed = await _commit(env, "kill checkout_v2 INC-9 errors")
    assert killed.ok, render_text(killed.message)
    assert env.state.gates["checkout_v2"]["isEnabled"] is False
    restored = await _commit(env, f"restore {killed.request_id} all clear")
    assert restored.ok, render_text(restored.message)
    assert env.state.gates["checkout_v2"]["isEnabled"] is True


async def test_only_responders_and_admins_switch_the_freeze(env: FreezeEnv) -> None:
    denied = await _say(env, "freeze on carol wants a break", email=CAROL)
    assert not denied.ok and "responders" in render_text(denied.message)
    assert env.workflow is not None and await env.workflow.freeze_state() is None

    await _say(env, "freeze on INC-1", email=BOB)
    not_lifted = await _say(env, "freeze off", email=CAROL)
    assert not not_lifted.ok
    assert await env.workflow.freeze_state() is not None
    lifted = await _say(env, "freeze off fixed", email=ALICE)
    assert lifted.ok and "no longer frozen" in render_text(lifted.message)
    assert await env.workflow.freeze_state() is None
    again = await _say(env, "freeze off", email=ALICE)
    assert again.ok and "not frozen" in render_text(again.message)


async def test_only_an_admin_overrides_the_freeze_and_it_is_announced(env: FreezeEnv) -> None:
    await _say(env, "freeze on INC-4 payments down", email=BOB)

    # Bob is a responder, not an admin: no override for him.
    refused = await env.ops.handle(
        'gate enable legacy_banner --override-freeze "hotfix"', await env.ctx(BOB)
    )
    assert isinstance(refused, Reply) and not refused.ok
    assert "only admins can override the freeze" in render_text(refused.message)

    ctx = await env.ctx(ALICE)
    text = 'gate disable new_nav --override-freeze "INC-4 needs it off" hotfix'
    proposal = await env.ops.handle(text, ctx)
    assert isinstance(proposal, Proposal)
    assert "overrides the freeze" in render_text(proposal.message)  # said before confirming
    ran = await env.ops.commit(proposal, ctx)

    assert ran.ok, render_text(ran.message)
    assert env.state.gates["new_nav"]["isEnabled"] is False
    loud = ran.incident_announcement
    assert loud is not None and loud in ran.announcements
    text = " ".join(render_text(loud).split())
    assert "Freeze override" in text and "INC-4 needs it off" in text and "alice" in text


async def test_a_freeze_that_starts_after_the_plan_refuses_its_confirmation(
    env: FreezeEnv,
) -> None:
    ctx = await env.ctx(ALICE)
    proposal = await env.ops.handle("gate disable new_nav cleanup", ctx)
    assert isinstance(proposal, Proposal)
    await _say(env, "freeze on INC-5", email=BOB)

    reply = await env.ops.commit(proposal, ctx)

    assert not reply.ok and "refused while changes are frozen" in render_text(reply.message)
    assert env.state.gates["new_nav"]["isEnabled"] is True


async def test_a_request_approved_during_a_freeze_waits_then_runs_once_after_it(
    env: FreezeEnv,
) -> None:
    requested = await _commit(env, "gate rollout new_nav 25 ramp")  # before the freeze
    rid = requested.request_id
    assert rid is not None
    await _say(env, "freeze on INC-6 latency", email=BOB)
    card = render_text(await env.workflow.render_request(rid) or requested.message)
    assert "does not run while the freeze is on" in card

    click = await env.workflow.approve(rid, (await env.ctx(CAROL)).actor)

    assert click.ok and "waits" in render_text(click.message)
    again = await env.workflow.approve(rid, (await env.ctx(ALICE)).actor)
    assert not again.ok and "waits for the change freeze" in render_text(again.message)
    assert _pct(env) == 25 - 15  # nothing ran
    request = await env.workflow.get(rid)
    assert request is not None and request.state is ApprovalState.APPROVED
    assert "waiting for the change freeze" in render_text(
        await env.workflow.render_request(rid) or click.message
    )
    env.clock.advance(APPROVED_GRACE_SECONDS + 1)
    assert (await env.workflow.sweep()).recovered == [], "a sweeper leaves it while frozen"
    assert _pct(env) == 10

    lifted = await _say(env, "freeze off INC-6 resolved", email=BOB)

    assert lifted.ok and "1 approved request(s) that waited for it ran" in " ".join(
        render_text(lifted.message).split()
    )
    assert _pct(env) == 25
    request = await env.workflow.get(rid)
    assert request is not None and request.state is ApprovalState.EXECUTED
    assert (await env.workflow.sweep()).recovered == []
    rollouts = [m for m in env.app.state.request_log if m.method == "PATCH" and "new_nav" in m.path]
    assert len(rollouts) == 1, "it ran exactly once"


async def test_a_timed_freeze_ends_by_itself_and_the_sweeper_runs_what_waited(
    env: FreezeEnv,
) -> None:
    rid = (await _commit(env, "gate rollout new_nav 25 ramp")).request_id
    assert rid is not None
    await _say(env, "freeze on INC-7 --for 30m", email=BOB)
    assert (await env.workflow.approve(rid, (await env.ctx(CAROL)).actor)).ok
    assert _pct(env) == 10

    env.clock.advance(30 * 60 + 1)

    assert await env.workflow.freeze_state() is None
    assert "not frozen" in render_text((await _say(env, "freeze", email=CAROL)).message)
    assert (await env.workflow.sweep()).recovered == [rid]
    assert _pct(env) == 25


async def test_help_and_home_say_that_changes_are_frozen(env: FreezeEnv) -> None:
    assert "Changes are frozen by" not in render_text(
        (await _say(env, "help", email=CAROL)).message
    )
    await _say(env, "freeze on INC-8 db failover", email=BOB)

    assert "Changes are frozen by" in render_text((await _say(env, "help", email=CAROL)).message)
    home = await env.ops.requests.home((await env.ctx(CAROL)).actor)
    assert home.freeze is not None and home.freeze.reason == "INC-8 db failover"


async def test_redis_down_the_freeze_says_so_and_a_kill_still_runs(
    env: FreezeEnv, redis_client: aioredis.Redis
) -> None:
    await redis_client.connection_pool.disconnect()
    broken = ApprovalStore(aioredis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2))
    env.workflow.store.freeze = broken.freeze

    status = await _say(env, "freeze on INC-10", email=BOB)

    assert not status.ok
    assert "change freeze is unavailable" in render_text(status.message)
    assert "Traceback" not in render_text(status.message)
    killed = await _commit(env, "kill checkout_v2 INC-10 errors", email=BOB)
    assert killed.ok and env.state.gates["checkout_v2"]["isEnabled"] is False
    await broken.redis.aclose()


async def test_a_freeze_switched_on_between_the_check_and_the_claim_still_holds(
    env: FreezeEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race the claim script closes: the click's own check saw no freeze, a responder
    froze changes a moment later, and the claim must not run the change anyway."""
    import bot.approvals.clicks as clicks

    requested = await _commit(env, "gate rollout new_nav 25 ramp")
    rid = requested.request_id
    assert rid is not None
    checked = clicks.holding_freeze
    bob = (await env.ctx(BOB)).actor

    async def check_then_freeze(*args: object) -> object:
        verdict = await checked(*args)  # type: ignore[arg-type]
        await env.workflow.freeze_on(bob, "INC-9 froze just now", None)
        return verdict

    monkeypatch.setattr(clicks, "holding_freeze", check_then_freeze)
    click = await env.workflow.approve(rid, (await env.ctx(CAROL)).actor)
    monkeypatch.setattr(clicks, "holding_freeze", checked)

    assert click.ok and "frozen just now" in render_text(click.message)
    assert _pct(env) == 10, "nothing ran"
    request = await env.workflow.get(rid)
    assert request is not None and request.state is ApprovalState.APPROVED
    lifted = await _say(env, "freeze off INC-9 over", email=BOB)
    assert _pct(env) == 25, render_text(lifted.message)


async def test_an_unreadable_freeze_still_freezes_until_it_is_lifted(
    env: FreezeEnv, redis_client: aioredis.Redis
) -> None:
    store = env.workflow.store
    await redis_client.set(store.keys.freeze, b"{not a freeze")
    refused = await _say(env, "gate rollout new_nav 25 ramp")
    assert not refused.ok and "could not be read" in render_text(refused.message)
    lifted = await _say(env, "freeze off the record was broken", email=BOB)
    assert lifted.ok
    assert await store.freeze.current() is None
    assert isinstance(
        await env.ops.handle("gate rollout new_nav 25 ramp", await env.ctx()), Proposal
    )
