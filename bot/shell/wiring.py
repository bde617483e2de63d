"""Build what the shell runs on from the settings: Statsig, Redis, policy, workflow, core.

Without ``STATSIG_CONSOLE_API_KEY`` the shell talks to the in-process sandbox (the Console
API emulator with its demo data, through ``httpx.ASGITransport``: no port, no network);
without ``REDIS_URL`` the approval store runs the very same code on an in-process Redis
(fakeredis with Lua). The :class:`Runtime` says which, for the shell's first line.

Usage::

    runtime = await build_runtime(load_settings(), notifier=printer)
    try:
        ...  # runtime.ops.handle(...)
    finally:
        await runtime.aclose()
"""

from __future__ import annotations

import getpass
import importlib
from dataclasses import dataclass
from importlib.resources import files
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import redis.asyncio as aioredis
import structlog

from bot.approvals import ApprovalStore
from bot.config import Settings
from bot.ops.directory import StatsigDirectory
from bot.ops.policy import Policy, load_policy
from bot.ops.replies import Notifier
from bot.ops.service import ChatOps
from bot.sandbox import SandboxState, create_sandbox_app
from bot.statsig.client import ConsoleClient

__all__ = [
    "SANDBOX_ACTOR",
    "SANDBOX_URL",
    "Runtime",
    "build_runtime",
    "default_actor",
    "public_url",
    "sandbox_policy",
]

SANDBOX_ACTOR = "alice@example.com"  # an Admin in the sandbox's demo project
SANDBOX_URL = "http://sandbox.statsig.invalid"
SANDBOX_POLICY = "sandbox-policy.toml"

log = structlog.get_logger(__name__)


def sandbox_policy() -> Policy:
    """The bundled policy for trying things out against the sandbox."""
    text = files("bot.shell").joinpath(SANDBOX_POLICY).read_text(encoding="utf-8")
    return Policy.from_toml(text, source=SANDBOX_POLICY)


def public_url(url: str) -> str:
    """A URL without its user name and password, for showing."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def default_actor(settings: Settings) -> str:
    """Who the shell acts as without ``--as``: alice in the sandbox, else ``$USER@localhost``."""
    if settings.uses_sandbox():
        return SANDBOX_ACTOR
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "shell"
    return f"{user}@localhost"


@dataclass
class Runtime:
    """Everything one shell session uses, and how to describe and close it."""

    ops: ChatOps
    client: ConsoleClient
    redis: aioredis.Redis
    workflow: Any | None
    statsig_label: str
    redis_label: str
    policy_label: str
    sandbox: SandboxState | None = None
    persistent_redis: bool = True
    """False for the in-process fakeredis: its requests end with the process."""

    async def aclose(self) -> None:
        await self.client.aclose()
        await self.redis.aclose()


def _client(settings: Settings) -> tuple[ConsoleClient, SandboxState | None, str]:
    if settings.statsig_console_api_key is None:
        state = SandboxState.demo()
        app = create_sandbox_app(state)
        client = ConsoleClient(
            "sandbox", base_url=SANDBOX_URL, transport=httpx.ASGITransport(app=app)
        )
        return client, state, "the in-process sandbox with demo data (no STATSIG_CONSOLE_API_KEY)"
    client = ConsoleClient(
        settings.statsig_console_api_key.get_secret_value(),
        base_url=settings.statsig_api_url,
        respect_reviews=settings.statsig_bot_respect_reviews,
    )
    return client, None, f"the real Console API at {public_url(settings.statsig_api_url)}"


def _redis(settings: Settings) -> tuple[aioredis.Redis, str]:
    if settings.redis_url:
        client: aioredis.Redis = aioredis.Redis.from_url(settings.redis_url)
        return client, f"REDIS_URL {public_url(settings.redis_url)}"
    import fakeredis.aioredis  # only the shell's embedded mode uses fakeredis

    fake: aioredis.Redis = fakeredis.aioredis.FakeRedis()
    return fake, "in-process fakeredis (no REDIS_URL)"


def _policy(settings: Settings) -> tuple[Policy, str]:
    if settings.statsig_bot_policy is not None:
        return load_policy(settings.statsig_bot_policy), str(settings.statsig_bot_policy)
    if settings.uses_sandbox():
        return sandbox_policy(), "bundled sandbox policy"
    return Policy(), "built-in defaults"


def _workflow(
    store: ApprovalStore,
    client: ConsoleClient,
    policy: Policy,
    directory: StatsigDirectory,
    notifier: Notifier | None,
) -> Any | None:
    """The approval workflow, when this build has it."""
    try:
        module = importlib.import_module("bot.approvals.workflow")
    except ImportError:
        log.warning("shell.no_workflow")
        return None
    return module.ApprovalWorkflow(store, client, policy, directory=directory, notifier=notifier)


async def build_runtime(settings: Settings, *, notifier: Notifier | None = None) -> Runtime:
    """Wire client, Redis, policy, workflow and core; raises ``ConfigError`` for a bad policy."""
    policy, policy_label = _policy(settings)
    client, state, statsig_label = _client(settings)
    redis, redis_label = _redis(settings)
    directory = StatsigDirectory(client)
    store = ApprovalStore(
        redis,
        prefix=settings.statsig_bot_redis_prefix,
        single_slot=settings.statsig_bot_redis_cluster,
    )
    workflow = _workflow(store, client, policy, directory, notifier)
    ops = ChatOps(client, policy, workflow=workflow, directory=directory)
    return Runtime(
        ops=ops,
        client=client,
        redis=redis,
        workflow=workflow,
        statsig_label=statsig_label,
        redis_label=redis_label,
        policy_label=policy_label,
        sandbox=state,
        persistent_redis=bool(settings.redis_url),
    )
