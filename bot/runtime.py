"""The one composition root: Statsig (real or the sandbox), Redis, the approval workflow and
``ChatOps``, built the same way for ``serve`` and for ``shell``.

Surfaces add only what is theirs (Slack clients and the Slack notifier; the terminal
printer) and then drive :class:`~bot.chatops.service.ChatOps`. Without
``STATSIG_CONSOLE_API_KEY`` Statsig is the in-process sandbox (the Console API emulator with
its demo data, through ``httpx.ASGITransport``: no port, no network); the shell without
``REDIS_URL`` runs the very same approval store on an in-process Redis (fakeredis with Lua).

Usage::

    runtime = await build_runtime(load_settings(), notifier=printer)
    try:
        duties = runtime.start_duties()      # expiry, recovery, review watch
        ...                                  # runtime.ops.handle(...)
    finally:
        await duties.stop()
        await runtime.aclose()
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from importlib.resources import files
from typing import Protocol
from urllib.parse import urlsplit, urlunsplit

import httpx
import redis.asyncio as aioredis

from bot.approvals.duties import BackgroundDuties
from bot.approvals.notify import FanOut, Notifier
from bot.approvals.spool import KillSpool
from bot.approvals.store import ApprovalStore
from bot.approvals.workflow import ApprovalWorkflow
from bot.chatops.catalog import Catalog
from bot.chatops.service import ChatOps
from bot.config import Settings
from bot.ops.model.identity import People
from bot.ops.policy.directory import StatsigDirectory
from bot.ops.policy.rules import Policy, load_policy
from bot.sandbox import SandboxState, create_sandbox_app, demo_state
from bot.statsig.client import ConsoleClient

__all__ = [
    "SANDBOX_URL",
    "BoundNotifier",
    "ChatSide",
    "Core",
    "Runtime",
    "build_core",
    "build_runtime",
    "console_client",
    "public_url",
    "sandbox_policy",
]

SANDBOX_URL = "http://sandbox.statsig.invalid"
_SANDBOX_KEY = "console-sandbox"
_SANDBOX_POLICY = "policy.toml"


def sandbox_policy() -> Policy:
    """The bundled policy for trying things out against the sandbox's demo people."""
    text = files("bot.sandbox").joinpath(_SANDBOX_POLICY).read_text(encoding="utf-8")
    return Policy.from_toml(text, source="bundled sandbox policy")


def public_url(url: str) -> str:
    """A URL without its user name and password, for showing."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def console_client(
    settings: Settings, *, sandbox: bool = False
) -> tuple[ConsoleClient, SandboxState | None, str]:
    """The Console API client, the sandbox's state when it is the sandbox, and a label.

    The sandbox serves without ``STATSIG_CONSOLE_API_KEY``, or whenever ``sandbox`` asks.
    """
    key = settings.statsig_console_api_key
    if key is None or sandbox:
        state = demo_state()
        transport = httpx.ASGITransport(app=create_sandbox_app(state))
        client = ConsoleClient(_SANDBOX_KEY, base_url=SANDBOX_URL, transport=transport)
        return client, state, "the in-process sandbox with demo data (no STATSIG_CONSOLE_API_KEY)"
    client = ConsoleClient(
        key.get_secret_value(),
        base_url=settings.statsig_api_url,
        respect_reviews=settings.statsig_bot_respect_reviews,
    )
    return client, None, f"the real Console API at {public_url(settings.statsig_api_url)}"


@dataclass
class Core:
    """The parts every surface shares, around one Statsig client and one Redis."""

    ops: ChatOps
    workflow: ApprovalWorkflow
    directory: StatsigDirectory

    def start_duties(self, *, interval: float = 15.0) -> BackgroundDuties:
        """Start the approval duties (expiry, recovery, Statsig review watch, timed kills'
        reminders) on this loop.

        Idempotent and safe on every replica; stop them with ``await duties.stop()``.
        """
        return BackgroundDuties(self.workflow, interval=interval, extra=(self.ops.timers.fire_due,))


def build_core(
    settings: Settings,
    *,
    console: ConsoleClient,
    redis: aioredis.Redis,
    policy: Policy,
    notifier: Notifier | None = None,
    clock: Callable[[], float] = time.time,
    sandbox: bool = False,
    directory: StatsigDirectory | None = None,
    people: People | None = None,
) -> Core:
    """Wire the directory, the approval store and workflow, and ``ChatOps``.

    No clock for the store: lease and expiry times come from the Redis server's clock.
    ``people`` is the chat's directory of people (Slack's), for user groups and emails.
    """
    directory = directory if directory is not None else StatsigDirectory(console)
    store = ApprovalStore(
        redis,
        prefix=settings.statsig_bot_redis_prefix,
        single_slot=settings.statsig_bot_redis_cluster,
    )
    workflow = ApprovalWorkflow(
        store,
        console,
        policy,
        directory=directory,
        notifier=notifier,
        people=people,
        clock=clock,
        spool=KillSpool(settings.spool_dir()),
        ticket_key=settings.ticket_key(),
    )
    catalog = Catalog(console, redis, prefix=settings.statsig_bot_redis_prefix)
    ops = ChatOps(
        console,
        policy,
        workflow=workflow,
        directory=directory,
        sandbox=sandbox,
        people=people,
        catalog=catalog,
    )
    return Core(ops=ops, workflow=workflow, directory=directory)


@dataclass
class Runtime(Core):
    """A shell session's core, with what it was built on and how to describe and close it."""

    client: ConsoleClient
    redis: aioredis.Redis
    statsig_label: str
    redis_label: str
    policy_label: str
    sandbox: SandboxState | None = None
    persistent_redis: bool = True
    """False for the in-process fakeredis: its requests end with the process."""

    async def aclose(self) -> None:
        await self.ops.aclose()
        await self.client.aclose()
        # The pool too: a client handed its pool (fakeredis, redis-py 5.0) would otherwise
        # leave its connections for the garbage collector.
        await self.redis.aclose(close_connection_pool=True)


def _shell_redis(settings: Settings) -> tuple[aioredis.Redis, str]:
    if settings.redis_url:
        client: aioredis.Redis = aioredis.Redis.from_url(settings.redis_url)
        return client, f"REDIS_URL {public_url(settings.redis_url)}"
    import fakeredis.aioredis  # only the shell's embedded mode uses fakeredis

    fake: aioredis.Redis = fakeredis.aioredis.FakeRedis()
    return fake, "in-process fakeredis (no REDIS_URL)"


def _shell_policy(settings: Settings) -> tuple[Policy, str]:
    if settings.statsig_bot_policy is not None:
        return load_policy(settings.statsig_bot_policy), str(settings.statsig_bot_policy)
    if settings.uses_sandbox():
        return sandbox_policy(), "bundled sandbox policy"
    return Policy(), "built-in defaults"


class ChatSide(Protocol):
    """The chat workspace's part of a shell session (Slack's, when a token is set): who is
    in its user groups, and the cards its channels show, so that an approval made in the
    shell moves the card in Slack exactly as a click would."""

    def people(self, redis: aioredis.Redis, role_lookup: RoleLookup, policy: Policy) -> People: ...

    def notifier(self, policy: Policy) -> BoundNotifier: ...


class BoundNotifier(Notifier, Protocol):
    """A notifier that reads requests back from the workflow it serves."""

    def bind(self, workflow: ApprovalWorkflow) -> None: ...


RoleLookup = Callable[[str], Awaitable[str | None]]


async def build_runtime(
    settings: Settings, *, notifier: Notifier | None = None, chat: ChatSide | None = None
) -> Runtime:
    """Everything a shell session runs on; raises ``ConfigError`` for a bad policy.

    With ``chat``, user groups resolve through the chat's people directory and the chat's
    notifier joins ``notifier``, so both surfaces see one truth.
    """
    policy, policy_label = _shell_policy(settings)
    client, state, statsig_label = console_client(settings)
    redis, redis_label = _shell_redis(settings)
    directory = StatsigDirectory(client)
    people = chat.people(redis, directory.role_for, policy) if chat is not None else None
    chat_notifier = chat.notifier(policy) if chat is not None else None
    notifiers = [n for n in (notifier, chat_notifier) if n is not None]
    combined: Notifier | None = None
    if notifiers:
        combined = FanOut(*notifiers) if len(notifiers) > 1 else notifiers[0]
    core = build_core(
        settings,
        console=client,
        redis=redis,
        policy=policy,
        notifier=combined,
        directory=directory,
        people=people,
    )
    if chat_notifier is not None:
        chat_notifier.bind(core.workflow)
    return Runtime(
        ops=core.ops,
        workflow=core.workflow,
        directory=core.directory,
        client=client,
        redis=redis,
        statsig_label=statsig_label,
        redis_label=redis_label,
        policy_label=policy_label,
        sandbox=state,
        persistent_redis=bool(settings.redis_url),
    )
