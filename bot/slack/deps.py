"""What the Slack listeners need, gathered in one value: ``ChatOps`` and Slack's own parts.

Listeners reach the product only through :class:`~bot.chatops.service.ChatOps` (commands,
clicks, forms' choices, the Home tab's data); everything else here is Slack's: the Web API
client, identity (Slack user → email and groups), the gate-name cache of the type-ahead
picker, the inbound guards (event dedupe, replayed deliveries, the installed workspace)
and metrics. The Redis client is for those Slack-side caches only.

Usage::

    deps = SlackDeps(settings=settings, client=web_client, redis=redis, identity=identity,
                     chatops=ops)
    app = create_app(settings, deps)
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import redis.asyncio as aioredis
from slack_sdk.web.async_client import AsyncWebClient

from bot.approvals.duties import BackgroundDuties
from bot.chatops.service import ChatOps
from bot.config import Settings
from bot.slack.dedupe import EventDedupe
from bot.slack.gate_names import GateNameCache
from bot.slack.identity import SlackIdentity
from bot.slack.metrics import SlackMetrics
from bot.slack.replays import ReplayGuard
from bot.slack.workspace import WorkspaceGuard

__all__ = ["ReadinessCheck", "SlackDeps"]

ReadinessCheck = Callable[[], Awaitable[None]]
"""Raises when a dependency is unreachable; ``GET /readyz`` runs each one."""


@dataclass
class SlackDeps:
    """Everything the listeners and the HTTP server use; see the module docstring."""

    settings: Settings
    client: AsyncWebClient
    redis: aioredis.Redis
    identity: SlackIdentity
    chatops: ChatOps
    gate_names: GateNameCache | None = None
    dedupe: EventDedupe | None = None
    replays: ReplayGuard | None = None
    workspace: WorkspaceGuard | None = None
    metrics: SlackMetrics = field(default_factory=SlackMetrics)
    readiness: Mapping[str, ReadinessCheck] = field(default_factory=dict)
    start_duties: Callable[[float], BackgroundDuties] | None = None
    """Starts the approval duties (from the composition root), given the interval."""
    clock: Callable[[], float] = time.time
    project_id: str | None = None
    inflight: set[asyncio.Task[Any]] = field(default_factory=set)
    """Post-ack work still running (commands, clicks, forms): what a shutdown waits for."""
    progress_every: float = 3.0
    """Seconds between two "still trying" messages while Statsig fails (the first is said
    at once)."""

    def event_dedupe(self) -> EventDedupe:
        """The configured dedupe, or one on ``redis`` with the settings' key prefix."""
        if self.dedupe is None:
            self.dedupe = EventDedupe(self.redis, prefix=self.settings.statsig_bot_redis_prefix)
        return self.dedupe

    def replay_guard(self) -> ReplayGuard:
        """The configured replay guard, or one on ``redis`` with the settings' key prefix."""
        if self.replays is None:
            self.replays = ReplayGuard(self.redis, prefix=self.settings.statsig_bot_redis_prefix)
        return self.replays

    def workspace_guard(self) -> WorkspaceGuard:
        """The configured guard, or one that asks ``auth.test`` with the bot's client."""
        if self.workspace is None:
            self.workspace = WorkspaceGuard(self.client)
        return self.workspace

    def track(self) -> None:
        """Count the current task as in flight until it ends (see :meth:`drain`)."""
        task = asyncio.current_task()
        if task is not None and task not in self.inflight:
            self.inflight.add(task)
            task.add_done_callback(self.inflight.discard)

    async def drain(self, timeout: float) -> int:
        """Wait up to ``timeout`` s for the work in flight; how much did not finish (it is
        cancelled: its leases are released for another replica to verify)."""
        running = {t for t in self.inflight if t is not asyncio.current_task()}
        if not running:
            return 0
        _, pending = await asyncio.wait(running, timeout=max(0.0, timeout))
        for task in pending:
            task.cancel()
        return len(pending)

    async def aclose(self) -> None:
        """Stop background work (the gate-name refresh, the core's list walks)."""
        if self.gate_names is not None:
            await self.gate_names.aclose()
        await self.chatops.aclose()
