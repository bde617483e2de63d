"""Builders for the ChatOps tests: the demo sandbox behind a real ConsoleClient."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
from starlette.applications import Starlette

from bot.chatops.replies import Context, Proposal, Reply
from bot.chatops.service import ChatOps
from bot.ops.model.identity import Actor
from bot.ops.policy.rules import Policy
from bot.runtime import sandbox_policy
from bot.sandbox import Faults, SandboxState, create_sandbox_app
from bot.sandbox.demo import demo_state
from bot.shell.render import render_text
from bot.statsig.client import ConsoleClient
from bot.statsig.retry import RetryPolicy

ALICE = "alice@example.com"  # Admin, responder in the sandbox policy
BOB = "bob@example.com"  # Member, responder
CAROL = "carol@example.com"  # Member, not a responder
DAVE = "dave@example.com"  # Read Only


@dataclass
class Env:
    ops: ChatOps
    client: ConsoleClient
    app: Starlette

    @property
    def state(self) -> SandboxState:
        state: SandboxState = self.app.state.sandbox
        return state

    @property
    def faults(self) -> Faults:
        faults: Faults = self.app.state.faults
        return faults

    async def ctx(self, email: str = ALICE) -> Context:
        return Context(await self.ops.enrich(Actor.for_shell(email)), surface="shell")


@asynccontextmanager
async def sandbox_client() -> AsyncIterator[tuple[ConsoleClient, Starlette]]:
    app = create_sandbox_app(demo_state())
    client = ConsoleClient(
        "console-test",
        base_url="http://sandbox.test",
        transport=httpx.ASGITransport(app=app),
        retry_policy=RetryPolicy(budget=0.0),
    )
    async with client:
        yield client, app


@asynccontextmanager
async def service_env(
    policy: Policy | None = None, workflow: object | None = None
) -> AsyncIterator[Env]:
    async with sandbox_client() as (client, app):
        ops = ChatOps(client, policy or sandbox_policy(), workflow=workflow)  # type: ignore[arg-type]
        yield Env(ops, client, app)


def text_of(result: Reply | Proposal) -> str:
    return render_text(result.message)
