"""Shared scene for the workflow tests: the sandbox over ASGI, a store on real Redis, a clock.

``Env`` holds everything one test drives: the sandbox state and its request log (to count
mutations), workflows (one per "replica"), a fake clock and a notifier that records calls.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import redis.asyncio as aioredis
from starlette.applications import Starlette

from bot.approvals.store import ApprovalStore
from bot.approvals.workflow import ApprovalWorkflow
from bot.ops.actions.gate import GateDisable, GateRollout
from bot.ops.model.decisions import NeedsApproval
from bot.ops.model.identity import Actor
from bot.ops.model.plans import Plan
from bot.ops.policy.rules import Policy
from bot.render.common import Message
from bot.sandbox import SandboxState, create_sandbox_app
from bot.sandbox.entities import everyone, make_rule
from bot.statsig.client import ConsoleClient
from bot.statsig.retry import RetryPolicy
from tests.approvals.helpers import FakeClock

ALICE = Actor("UALICE", "alice@example.com", "Alice", statsig_role="Member")
BOB = Actor("UBOB", "bob@example.com", "Bob", statsig_role="Member")
CAROL = Actor("UCAROL", "carol@example.com", "Carol", statsig_role="Member")
MALLORY = Actor("UMALLORY", "mallory@example.com", "Mallory", statsig_role="Member")
ONCALL = Actor("UONCALL", "oncall@example.com", "On-call", statsig_role="Member")

POLICY_TOML = """
[groups]
approvers = ["UBOB", "UCAROL", "UALICE"]
responders = ["UONCALL"]

[defaults]
approvals_required = 1
approvers = "approvers"

[[rules]]
actions = ["gate.*"]
tags = ["critical"]
approvers = "approvers"
approvals_required = 2

[incident]
responders = "responders"
break_glass = true
"""


def policy(extra: str = "") -> Policy:
    return Policy.from_toml(POLICY_TOML + extra)


class KnownPeople:
    """The chat's people directory for these tests: the actors above, by ID and email."""

    def __init__(self, *actors: Actor) -> None:
        self._actors = actors

    async def members(self, names: Sequence[str]) -> list[Actor]:
        wanted = {n.casefold() for n in names}
        return [a for a in self._actors if {a.user_id.casefold(), str(a.email)} & wanted]

    async def by_email(self, email: str) -> Actor | None:
        return next((a for a in self._actors if a.email == email.casefold()), None)


class RecordingNotifier:
    """The surface edge: records every call instead of talking to Slack."""

    def __init__(self) -> None:
        self.updates: list[str] = []
        self.dms: list[tuple[str, Message]] = []
        self.announcements: list[tuple[str | None, Message, bool]] = []
        self.redrawn: list[tuple[str, str, Message]] = []
        self.threads: list[tuple[str, str, Message]] = []

    async def request_updated(self, request_id: str) -> None:
        self.updates.append(request_id)

    async def notify_user(self, user_id: str, message: Message) -> None:
        self.dms.append((user_id, message))

    async def announce(
        self,
        channel_id: str | None,
        message: Message,
        *,
        incident: bool,
        request_id: str | None = None,
    ) -> None:
        self.announcements.append((channel_id, message, incident))

    async def update_message(self, channel_id: str, ts: str, message: Message) -> None:
        self.redrawn.append((channel_id, ts, message))

    async def post_in_thread(self, channel_id: str, thread_ts: str, message: Message) -> None:
        self.threads.append((channel_id, thread_ts, message))


def sandbox_state() -> SandboxState:
    state = SandboxState.empty()
    rule = make_rule("checkout_v2", 0, "Everyone", 10, [everyone()], environments=["production"])
    state.add_gate("checkout_v2", rules=[rule], tags=["checkout"])
    critical = make_rule("critical_gate", 0, "Everyone", 50, [everyone()])
    state.add_gate("critical_gate", rules=[critical], tags=["critical"])
    reviewers = [{"id": "u-carol", "name": "Carol", "email": "carol@example.com"}]
    state.add_gate(
        "reviewed_gate",
        rules=[make_rule("reviewed_gate", 0, "Everyone", 20, [everyone()])],
        reviewSettings={"requiredReview": True, "allowedReviewers": reviewers},
    )
    return state


@dataclass
class Env:
    app: Starlette
    client: ConsoleClient
    store: ApprovalStore
    clock: FakeClock
    policy: Policy
    notifier: RecordingNotifier = field(default_factory=RecordingNotifier)

    @property
    def state(self) -> SandboxState:
        state: SandboxState = self.app.state.sandbox
        return state

    @property
    def mutations(self) -> list[Any]:
        return [r for r in self.app.state.request_log if r.method != "GET"]

    def workflow(
        self,
        redis: aioredis.Redis | None = None,
        name: str = "replica-a",
        *,
        policy: Policy | None = None,
    ) -> ApprovalWorkflow:
        """A replica on the shared store; ``policy`` is the one it was started with (today's,
        when a test changes the policy after a request was made)."""
        store = self.store if redis is None else ApprovalStore(redis, clock=self.clock)
        return ApprovalWorkflow(
            store, self.client, policy or self.policy, notifier=self.notifier, clock=self.clock,
            people=KnownPeople(ALICE, BOB, CAROL, MALLORY, ONCALL),
            executor_id=name, lease_seconds=60.0,
        )  # fmt: skip

    async def plan(self, action: Any) -> Plan:
        plan: Plan = action.plan(await action.load(self.client))
        return plan

    async def rollout_plan(self, gate: str = "checkout_v2", pct: float = 25) -> Plan:
        return await self.plan(GateRollout(gate, pct, reason="ramp up"))

    async def disable_plan(self, gate: str = "checkout_v2") -> Plan:
        return await self.plan(GateDisable(gate, reason="INC-1 <!channel> errors"))

    def need(self, plan: Plan, requester: Actor = ALICE) -> NeedsApproval:
        decision = self.policy.decide(requester, plan.action, tags=plan.tags)
        assert isinstance(decision, NeedsApproval), decision
        return decision


def make_client(app: Starlette) -> ConsoleClient:
    return ConsoleClient(
        "console-test-key",
        base_url="http://sandbox.test",
        transport=httpx.ASGITransport(app=app),
        retry_policy=RetryPolicy(budget=0),
    )


def make_env(redis: aioredis.Redis, *, policy_extra: str = "") -> Env:
    app = create_sandbox_app(sandbox_state())
    clock = FakeClock()
    return Env(
        app, make_client(app), ApprovalStore(redis, clock=clock), clock, policy(policy_extra)
    )


@asynccontextmanager
async def scene(redis: aioredis.Redis, *, policy_extra: str = "") -> AsyncIterator[Env]:
    """An :class:`Env` whose Statsig client is closed afterwards."""
    built = make_env(redis, policy_extra=policy_extra)
    async with built.client:
        yield built
