"""Timed kills (issue 10.1) through ChatOps, on a real redis-server and the sandbox.

The store runs on a fake clock, so the windows pass in an instant; everything else is
real: the timers' sorted set and claim script, two "replicas" (two ChatOps with their own
workflows) polling one Redis, a "restart" (a third one built after the kill), and the
restore going through the same door as a typed one.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import redis.asyncio as aioredis
from starlette.applications import Starlette

from bot.approvals.store import ApprovalStore
from bot.approvals.workflow import ApprovalWorkflow
from bot.chatops.replies import Proposal, Reply
from bot.chatops.service import ChatOps
from bot.ops.policy.directory import StatsigDirectory
from bot.runtime import sandbox_policy
from bot.shell.render import render_text
from bot.statsig.client import ConsoleClient
from tests.approvals.helpers import FakeClock
from tests.approvals.workflow_env import RecordingNotifier
from tests.ops.service_support import ALICE, BOB, CAROL, Env, sandbox_client

GATE = "checkout_v2"
CHANNEL, KILL_TS = "C0OPS", "1700000000.000100"


@dataclass
class Replica:
    ops: ChatOps
    workflow: ApprovalWorkflow
    notifier: RecordingNotifier


class TimerEnv(Env):
    clock: FakeClock
    redis: aioredis.Redis
    replicas: list[Replica]

    def replica(self) -> Replica:
        """Another process on the same Redis, Statsig and clock."""
        policy = sandbox_policy()
        notifier = RecordingNotifier()
        directory = StatsigDirectory(self.client)
        store = ApprovalStore(self.redis, clock=self.clock)
        workflow = ApprovalWorkflow(
            store, self.client, policy, directory=directory, clock=self.clock, notifier=notifier
        )
        ops = ChatOps(self.client, policy, workflow=workflow, directory=directory)
        built = Replica(ops, workflow, notifier)
        self.replicas.append(built)
        return built


@pytest.fixture
async def env(redis_client: aioredis.Redis) -> AsyncIterator[TimerEnv]:
    async with sandbox_client() as (client, app):
        built = _env(client, app, redis_client)
        first = built.replica()
        built.ops = first.ops
        yield built


def _env(client: ConsoleClient, app: Starlette, redis: aioredis.Redis) -> TimerEnv:
    placeholder = ChatOps(client, sandbox_policy())
    built = TimerEnv(placeholder, client, app)
    built.clock, built.redis, built.replicas = FakeClock(time.time()), redis, []
    return built


async def _kill(env: TimerEnv, text: str, email: str = ALICE) -> str:
    ctx = await env.ctx(email)
    proposal = await env.ops.handle(text, ctx)
    assert isinstance(proposal, Proposal), render_text(proposal.message)
    reply = await env.ops.commit(proposal, ctx)
    assert reply.ok and reply.request_id, render_text(reply.message)
    # What the surface does with the loud message: it becomes the kill's thread.
    await env.replicas[0].workflow.attach_message(reply.request_id, CHANNEL, KILL_TS)
    return reply.request_id


def _threads(env: TimerEnv) -> list[str]:
    return [
        render_text(m)
        for r in env.replicas
        for channel, ts, m in r.notifier.threads
        if (channel, ts) == (CHANNEL, KILL_TS)
    ]


def _enabled(env: TimerEnv) -> bool:
    return bool(env.state.gates[GATE]["isEnabled"])


async def _fire_everywhere(env: TimerEnv) -> int:
    counts = await asyncio.gather(*(r.ops.timers.fire_due() for r in env.replicas))
    return sum(counts)


async def test_a_timed_kill_reminds_before_and_at_the_end_with_the_three_buttons(
    env: TimerEnv,
) -> None:
    kill_id = await _kill(env, f"kill {GATE} --for 30m INC-1 checkout errors")
    assert not _enabled(env)
    [running] = await env.ops.timers.active()
    assert running.gate_id == GATE and running.window_s == 1800

    env.clock.advance(60)
    assert await _fire_everywhere(env) == 0 and _threads(env) == []
    env.clock.advance(24 * 60 + 1)  # 5 minutes before the end
    assert await _fire_everywhere(env) == 1
    [early] = _threads(env)
    assert "ends in 5 minutes" in early and "ask again" in early
    buttons = [b for r in env.replicas for _, _, m in r.notifier.threads for b in _buttons(m)]
    assert buttons == ["Restore now", "Keep disabled (30 minutes more)", "Keep disabled for good"]

    env.clock.advance(5 * 60)
    assert await _fire_everywhere(env) == 1
    assert "is over" in _threads(env)[-1] and "still disabled" in _threads(env)[-1]
    assert not _enabled(env), "without --auto-restore nothing is restored"
    assert await env.ops.timers.active() == []
    assert kill_id


def _buttons(message: object) -> list[str]:
    blocks = getattr(message, "blocks", [])
    return [
        e["text"]["text"]
        for b in blocks
        if b.get("type") == "actions"
        for e in b.get("elements", [])
    ]


async def test_auto_restore_runs_once_with_two_replicas_and_after_a_restart(
    env: TimerEnv,
) -> None:
    await _kill(env, f"kill {GATE} --for 10m --auto-restore INC-2 bad deploy")
    env.replica()  # a second replica on the same Redis
    env.clock.advance(10 * 60 + 1)  # the early reminder's time has passed as well
    env.replica()  # and one that started after the kill: nothing lives in a process

    fired = await _fire_everywhere(env)
    while await _fire_everywhere(env):  # the end comes after the early reminder
        fired += 1
    assert _enabled(env), "restored"
    restores = [r for r in env.app.state.request_log if r.method == "PATCH" and GATE in r.path]
    assert len(restores) == 1, "exactly one restore, whoever polled"
    said = _threads(env)
    assert sum("restored it" in s for s in said) == 1
    assert await env.ops.timers.active() == []


async def test_a_changed_gate_refuses_the_auto_restore_and_the_thread_says_why(
    env: TimerEnv,
) -> None:
    await _kill(env, f"kill {GATE} --for 5m --auto-restore INC-3")
    env.state.touch_gate(GATE)  # someone edits the gate in the console meanwhile
    rules = env.state.gates[GATE]["rules"]
    rules[0]["passPercentage"] = 1
    env.clock.advance(5 * 60 + 1)
    await _fire_everywhere(env)
    [said] = _threads(env)
    assert "not restored" in said and "stays disabled" in said
    assert "changed" in said.lower()
    assert not _enabled(env)


async def test_keep_disabled_extends_and_for_good_stops_the_reminders(env: TimerEnv) -> None:
    kill_id = await _kill(env, f"kill {GATE} --for 20m INC-4")
    [before] = await env.ops.timers.active()

    refused = await env.ops.timers.extend(kill_id, await env.ctx(CAROL))
    assert not refused.ok and "responder" in render_text(refused.message)
    extended = await env.ops.timers.extend(kill_id, await env.ctx(BOB))
    assert extended.ok and "20 minutes more" in render_text(extended.message)
    [after] = await env.ops.timers.active()
    assert (after.ends_at - before.ends_at).total_seconds() == 20 * 60
    assert any("keeps gate" in s for s in _threads(env))

    kept = await env.ops.timers.keep(kill_id, await env.ctx(ALICE))
    assert kept.ok and "for good" in render_text(kept.message)
    assert await env.ops.timers.active() == []
    env.clock.advance(3600)
    assert await _fire_everywhere(env) == 0


async def test_restoring_by_hand_stops_the_timer(env: TimerEnv) -> None:
    kill_id = await _kill(env, f"kill {GATE} --for 1h INC-5")
    ctx = await env.ctx(BOB)
    proposal = await env.ops.handle(f"restore {kill_id} fixed", ctx)
    assert isinstance(proposal, Proposal)
    restored = await env.ops.commit(proposal, ctx)
    assert restored.ok and _enabled(env)
    assert await env.ops.timers.active() == []
    env.clock.advance(2 * 3600)
    assert await _fire_everywhere(env) == 0 and _threads(env) == []


async def test_a_kill_for_too_short_or_auto_restore_alone_is_a_usage_error(
    env: TimerEnv,
) -> None:
    for text in (f"kill {GATE} --auto-restore INC", f"kill {GATE} --for 1m INC"):
        reply = await env.ops.handle(text, await env.ctx())
        assert isinstance(reply, Reply) and not reply.ok, text
    assert _enabled(env)


async def test_approvals_and_home_list_the_running_timed_kills(env: TimerEnv) -> None:
    await _kill(env, f"kill {GATE} --for 2h --auto-restore INC-6")
    env.clock.advance(30 * 60)
    listing = await env.ops.handle("approvals", await env.ctx(BOB))
    assert isinstance(listing, Reply)
    text = render_text(listing.message)
    assert "Timed kills" in text and GATE in text and "1 h 30 min left" in text
    assert "restores itself" in text
    home = await env.ops.requests.home((await env.ctx(BOB)).actor)
    assert [t.gate_id for t in home.timers] == [GATE] and home.now is not None


async def test_a_restore_over_changes_shows_three_states_and_anyway_restores_them(
    env: TimerEnv,
) -> None:
    """Issue 10.6: snapshot · as the kill left it · now, then Restore anyway / Keep current."""
    kill_id = await _kill(env, f"kill {GATE} INC-9")
    before = env.state.gates[GATE]["rules"][0]["passPercentage"]
    env.state.gates[GATE]["rules"][0]["passPercentage"] = 3
    env.state.touch_gate(GATE)

    refused = await env.ops.handle(f"restore {kill_id} all clear", await env.ctx(BOB))
    assert isinstance(refused, Reply) and not refused.ok
    text = render_text(refused.message)
    assert f"before the kill {before:g} · at kill time {before:g} · now 3" in text, text
    assert "at kill time" in text
    assert _buttons(refused.message) == ["Restore snapshot anyway", "Keep current"]

    usage = await env.ops.handle(f"restore {kill_id} --anyway", await env.ctx(BOB))
    assert isinstance(usage, Reply) and "needs a reason" in render_text(usage.message)

    ctx = await env.ctx(BOB)
    anyway = await env.ops.handle(f"restore {kill_id} --anyway -- the hand edit was a mistake", ctx)
    assert isinstance(anyway, Proposal), render_text(anyway.message)
    assert "Restoring over changes made since" in render_text(anyway.message)
    done = await env.ops.commit(anyway, ctx)
    assert done.ok, render_text(done.message)
    assert _enabled(env) and env.state.gates[GATE]["rules"][0]["passPercentage"] == before


async def test_keep_current_leaves_the_gate_and_stops_the_timer(env: TimerEnv) -> None:
    kill_id = await _kill(env, f"kill {GATE} --for 1h INC-10")
    refused = await env.ops.timers.keep_current(kill_id, await env.ctx(CAROL))
    assert not refused.ok and await env.ops.timers.active() != [], "only the killer or a responder"
    kept = await env.ops.timers.keep_current(kill_id, await env.ctx(ALICE))
    assert kept.ok and "as it is now" in render_text(kept.message)
    assert await env.ops.timers.active() == [] and not _enabled(env)
    assert any("as it is now" in s for s in _threads(env))


async def test_an_auto_restore_that_needs_approval_says_so_and_the_gate_stays_off(
    env: TimerEnv,
) -> None:
    """Review finding: carol is no responder; her timed kill is approved by bob, and at
    the end her restore becomes a request, which must not read "restored it"."""
    ctx = await env.ctx(CAROL)
    proposal = await env.ops.handle(f"kill {GATE} --for 10m --auto-restore INC-16", ctx)
    assert isinstance(proposal, Proposal)
    asked = await env.ops.commit(proposal, ctx)
    assert asked.request_id is not None
    approved = await env.replicas[0].workflow.approve(asked.request_id, (await env.ctx(BOB)).actor)
    assert approved.ok and not _enabled(env)
    await env.replicas[0].workflow.attach_message(asked.request_id, CHANNEL, KILL_TS)
    env.clock.advance(10 * 60 + 1)
    while await _fire_everywhere(env):
        pass
    said = _threads(env)[-2:]
    assert any("not restored" in s for s in said), said
    assert not any("restored it" in s for s in said), said
    assert not _enabled(env)


async def test_a_reminder_is_not_posted_twice_when_a_lease_runs_out(env: TimerEnv) -> None:
    """Review finding: the reminder is recorded before it is posted, so a replica whose
    lease ran out cannot post it again."""
    await _kill(env, f"kill {GATE} --for 30m INC-17")
    store = env.replicas[0].workflow.store
    env.clock.advance(25 * 60 + 1)
    [first] = await store.timers.claim_due(lease=1.0)
    env.clock.advance(2)  # its lease ran out: another replica takes the same timer
    [second] = await store.timers.claim_due(lease=1.0)
    assert first == second
    ops = env.replicas[0].ops
    await ops.timers._fire(second)  # noqa: SLF001
    await ops.timers._fire(first)  # noqa: SLF001 - the slow replica finishes at last
    assert sum("ends in" in s for s in _threads(env)) == 1


async def test_keep_disabled_during_the_end_wins_over_the_auto_restore(env: TimerEnv) -> None:
    kill_id = await _kill(env, f"kill {GATE} --for 5m --auto-restore INC-18")
    store = env.replicas[0].workflow.store
    env.clock.advance(5 * 60 + 1)
    [claimed] = await store.timers.claim_due()
    extended = await env.ops.timers.extend(kill_id, await env.ctx(BOB))
    assert extended.ok
    await env.replicas[0].ops.timers._fire(claimed)  # noqa: SLF001
    assert not _enabled(env), "the extension stands: no restore"
    [timer] = await env.ops.timers.active()
    assert timer.ends_at > claimed.ends_at


async def test_a_window_longer_than_30_days_is_refused(env: TimerEnv) -> None:
    reply = await env.ops.handle(f"kill {GATE} --for 60d INC", await env.ctx())
    assert isinstance(reply, Reply) and "at most 30 days" in render_text(reply.message)


async def test_a_second_kill_of_a_timed_killed_gate_decides_how_long_it_stays_off(
    env: TimerEnv,
) -> None:
    """Review finding: the gate is already off, so the new kill changes nothing in Statsig,
    but the earlier kill's auto-restore must not turn it back on behind its back."""
    await _kill(env, f"kill {GATE} --for 10m --auto-restore INC-19")
    ctx = await env.ctx(BOB)
    longer = await env.ops.handle(f"kill {GATE} --for 2h INC-19 worse than we thought", ctx)
    assert isinstance(longer, Reply) and "2 h more" in render_text(longer.message)
    [timer] = await env.ops.timers.active()
    assert timer.window_s == 7200 and not timer.auto_restore
    env.clock.advance(15 * 60)
    while await _fire_everywhere(env):
        pass
    assert not _enabled(env), "the first kill's 10-minute auto-restore is gone"

    untimed = await env.ops.handle(f"kill {GATE} INC-19 until we fix it", ctx)
    assert isinstance(untimed, Reply) and "for good" in render_text(untimed.message)
    assert await env.ops.timers.active() == []


async def test_a_gate_turned_on_by_hand_ends_the_reminders(env: TimerEnv) -> None:
    await _kill(env, f"kill {GATE} --for 30m INC-20")
    env.state.gates[GATE]["isEnabled"] = True  # someone turned it back on in the console
    env.clock.advance(25 * 60 + 1)
    await _fire_everywhere(env)
    [said] = _threads(env)
    assert "is on again" in said and "ends in" not in said
    assert await env.ops.timers.active() == []
