"""Putting the Slack surface together: the core from :mod:`bot.runtime`, plus Slack's parts.

:func:`assemble` connects already-built parts (tests pass the fake Slack's client, the
sandbox-backed Statsig client and the test Redis); :func:`build_deps` builds those parts
from settings for ``statsig-bot serve`` and registers their clean-up on an exit stack;
:func:`start_background` starts the approval duties and warms the gate-name cache.
Without ``STATSIG_CONSOLE_API_KEY`` the bot talks to the built-in sandbox, as the shell does.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable

import redis.asyncio as aioredis
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.approvals.duties import BackgroundDuties
from bot.config import Settings
from bot.ops.policy.directory import StatsigDirectory
from bot.ops.policy.rules import Policy
from bot.runtime import build_core, console_client
from bot.slack.deps import SlackDeps
from bot.slack.gate_names import GateNameCache
from bot.slack.identity import SlackIdentity
from bot.slack.notifier import SlackNotifier
from bot.statsig.client import ConsoleClient

__all__ = [
    "RATE_LIMIT_RETRIES",
    "assemble",
    "build_deps",
    "slack_client",
    "start_background",
    "watched_groups",
]

RATE_LIMIT_RETRIES = 2
"""429s retried per call, each after Slack's ``Retry-After`` (plus up to a second)."""


def slack_client(token: str, base_url: str) -> AsyncWebClient:
    """The Web API client: ``SLACK_API_URL``, retries on 429 (``Retry-After``) and resets."""
    return AsyncWebClient(
        token=token,
        base_url=base_url,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(),
            AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
        ],
    )


def watched_groups(policy: Policy) -> set[str]:
    """Every Slack user-group ID (``S…``) the policy's groups name."""
    return {m for members in policy.model.groups.values() for m in members if m.startswith("S")}


def assemble(
    settings: Settings,
    *,
    client: AsyncWebClient,
    console: ConsoleClient,
    redis: aioredis.Redis,
    policy: Policy,
    clock: Callable[[], float] = time.time,
    gate_names_ttl: float = 60.0,
    sandbox: bool = False,
) -> SlackDeps:
    """Wire the core and the Slack helpers around already-built clients."""
    prefix = settings.statsig_bot_redis_prefix
    directory = StatsigDirectory(console)
    identity = SlackIdentity(
        client,
        redis,
        prefix=prefix,
        watched_groups=watched_groups(policy),
        role_lookup=directory.role_for,
    )
    notifier = SlackNotifier(client, policy=policy)
    core = build_core(
        settings,
        console=console,
        redis=redis,
        policy=policy,
        notifier=notifier,
        clock=clock,
        sandbox=sandbox,
        directory=directory,
        people=identity,
    )
    notifier.bind(core.workflow)

    async def statsig_ready() -> None:
        await console.list_gates(limit=1)

    return SlackDeps(
        settings=settings,
        client=client,
        redis=redis,
        identity=identity,
        chatops=core.ops,
        gate_names=GateNameCache(core.ops.gate_ids, ttl=gate_names_ttl),
        readiness={"statsig": statsig_ready},
        clock=clock,
        start_duties=lambda interval: core.start_duties(interval=interval),
    )


async def build_deps(
    settings: Settings,
    policy: Policy,
    redis: aioredis.Redis,
    stack: contextlib.AsyncExitStack,
    *,
    sandbox: bool = False,
) -> SlackDeps:
    """Everything ``serve`` needs, with clean-up registered on ``stack``."""
    token = settings.slack_bot_token
    assert token is not None  # serve checks the settings first
    client = slack_client(token.get_secret_value(), settings.slack_api_url)
    console, _, _ = console_client(settings, sandbox=sandbox)
    stack.push_async_callback(console.aclose)
    return assemble(
        settings,
        client=client,
        console=console,
        redis=redis,
        policy=policy,
        sandbox=sandbox,
    )


def start_background(
    deps: SlackDeps, stack: contextlib.AsyncExitStack, *, duties_interval: float = 15.0
) -> BackgroundDuties | None:
    """Start what runs beside the listeners; returns at once, stopped via ``stack``.

    - the approval duties (:class:`~bot.approvals.duties.BackgroundDuties`: expiry,
      interrupted-lease recovery, the Statsig review watch), the only sweep loop: it is
      idempotent, so every replica runs it, and it logs and backs off on errors;
    - the first gate-name listing for the type-ahead picker, in the background, so a slow
      Statsig never delays start-up (the picker answers with what it has meanwhile).
    """
    stack.push_async_callback(deps.aclose)
    if deps.gate_names is not None:
        deps.gate_names.prefetch()
    if deps.start_duties is None:
        return None
    duties = deps.start_duties(duties_interval)
    stack.push_async_callback(duties.stop)
    return duties
