"""What the Slack listeners need, gathered in one value that tests build with fakes.

The listeners reach the core only through the small protocols below (the shapes of
:class:`bot.ops.service.ChatOps` and :class:`bot.approvals.workflow.ApprovalWorkflow`), so
the Slack surface can be tested and type-checked on its own, and the core never learns that
Slack exists. ``statsig`` is used for the two reads a form needs before it can be shown (a
gate's rules, the project's environments) and to list gate names for the type-ahead picker.

Usage::

    deps = SlackDeps(settings=settings, client=web_client, redis=redis, identity=identity,
                     chatops=ops, workflow=workflow, statsig=console, policy=policy)
    app = create_app(settings, deps)
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

import redis.asyncio as aioredis
from slack_sdk.web.async_client import AsyncWebClient

from bot.approvals.models import ApprovalRequest, AuditEvent
from bot.config import Settings
from bot.ops.identity import Actor
from bot.ops.policy import Policy
from bot.ops.replies import Context, Proposal, Reply
from bot.slack.blocks.common import Message
from bot.slack.dedupe import EventDedupe
from bot.slack.gate_names import GateNameCache
from bot.slack.identity import SlackIdentity
from bot.slack.metrics import SlackMetrics
from bot.statsig.models import Environment, Gate

__all__ = [
    "ChatOpsPort",
    "ClickOutcome",
    "ReadinessCheck",
    "SlackDeps",
    "StatsigReads",
    "WorkflowPort",
]

ReadinessCheck = Callable[[], Awaitable[None]]
"""Raises when a dependency is unreachable; ``GET /readyz`` runs each one."""


class ChatOpsPort(Protocol):
    """The command core (``bot.ops.service.ChatOps``)."""

    async def handle(self, text: str, ctx: Context) -> Reply | Proposal: ...

    async def commit(self, proposal: Proposal, ctx: Context) -> Reply: ...

    async def show(self, ref: str, ctx: Context) -> Reply: ...

    async def list_page(self, kind: str, page: int, query: str, ctx: Context) -> Reply: ...


class ClickOutcome(Protocol):
    """What a click on an approval button did; ``message`` is for the clicker only."""

    @property
    def ok(self) -> bool: ...

    @property
    def message(self) -> Message: ...


class WorkflowPort(Protocol):
    """The approval workflow (``bot.approvals.workflow.ApprovalWorkflow``)."""

    async def approve(self, request_id: str, approver: Actor) -> ClickOutcome: ...

    async def reject(self, request_id: str, actor: Actor, reason: str) -> ClickOutcome: ...

    async def cancel(self, request_id: str, actor: Actor) -> ClickOutcome: ...

    async def get(self, request_id: str) -> ApprovalRequest | None: ...

    async def render_request(self, request_id: str) -> Message | None: ...

    async def thread_entry(self, request_id: str) -> Message | None: ...

    async def pending(self) -> list[ApprovalRequest]: ...

    async def mine(self, actor: Actor) -> list[ApprovalRequest]: ...

    async def audit_entries(
        self,
        *,
        entity: tuple[str, str] | None = None,
        since_seconds: float | None = None,
    ) -> list[AuditEvent]: ...

    async def attach_message(self, request_id: str, channel: str, ts: str) -> None: ...


class StatsigReads(Protocol):
    """The Statsig reads the Slack forms need (a subset of ``ConsoleClient``)."""

    async def get_gate(self, id: str) -> Gate: ...  # noqa: A002 - the client's own name

    async def get_environments(self) -> list[Environment]: ...


@dataclass
class SlackDeps:
    """Everything the listeners and the HTTP server use; see the module docstring."""

    settings: Settings
    client: AsyncWebClient
    redis: aioredis.Redis
    identity: SlackIdentity
    chatops: ChatOpsPort | None = None
    workflow: WorkflowPort | None = None
    statsig: StatsigReads | None = None
    policy: Policy = field(default_factory=Policy)
    gate_names: GateNameCache | None = None
    dedupe: EventDedupe | None = None
    metrics: SlackMetrics = field(default_factory=SlackMetrics)
    readiness: Mapping[str, ReadinessCheck] = field(default_factory=dict)
    clock: Callable[[], float] = time.time
    project_id: str | None = None

    def event_dedupe(self) -> EventDedupe:
        """The configured dedupe, or one on ``redis`` with the settings' key prefix."""
        if self.dedupe is None:
            self.dedupe = EventDedupe(self.redis, prefix=self.settings.statsig_bot_redis_prefix)
        return self.dedupe

    async def aclose(self) -> None:
        """Stop background work owned by the Slack surface (the gate-name refresh)."""
        if self.gate_names is not None:
            await self.gate_names.aclose()
