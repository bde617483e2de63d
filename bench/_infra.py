"""What the benchmarks run against: real redis-server, the sandbox, the fake Slack, HTTP.

Everything binds to ``127.0.0.1`` and everything started here is stopped by the context
manager that started it. The assembly mirrors production (``bot.slack.wiring.assemble``,
``bot.slack.server.create_http_app``) so the figures include every layer a request crosses.
"""

from __future__ import annotations

import contextlib
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import redis.asyncio as aioredis
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncAck, AsyncApp
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.config import load_settings
from bot.ops.policy.rules import Policy
from bot.sandbox import Faults, SandboxState, create_sandbox_app
from bot.sandbox.demo import demo_state
from bot.slack.app import create_app
from bot.slack.deps import SlackDeps
from bot.slack.server import create_http_app
from bot.slack.wiring import assemble, slack_client
from bot.statsig.client import ConsoleClient
from bot.statsig.limiter import MutationLimiter
from tests.fakes.slack import FakeSlack
from tests.support.asgi_server import serve_asgi
from tests.support.redis_server import RedisServer
from tests.support.slack_signing import signed_headers, slash_command_body

__all__ = [
    "API_KEY",
    "CHANNEL",
    "SECRET",
    "USERS",
    "Endpoint",
    "World",
    "bare_endpoint",
    "bot_endpoint",
    "console_for",
    "redis_client",
    "running_redis",
    "unlimited",
    "world",
]

SECRET = "bench-signing-secret-7c1d"
API_KEY = "console-bench"
CHANNEL = "C0OPS"
USERS = {"U1ALICE": "alice@example.com", "U2BOB": "bob@example.com"}


@contextlib.contextmanager
def running_redis() -> Iterator[str]:
    """A fresh ``redis-server`` on a free loopback port; yields its URL, stops it after."""
    with tempfile.TemporaryDirectory(prefix="bench-redis-") as workdir:
        server = RedisServer(Path(workdir))
        server.start()
        try:
            yield server.url
        finally:
            server.stop()


@contextlib.asynccontextmanager
async def redis_client(url: str, *, max_connections: int = 64) -> AsyncIterator[aioredis.Redis]:
    """A client with a *blocking* pool (bursts wait for a connection instead of failing)."""
    pool = aioredis.BlockingConnectionPool.from_url(url, max_connections=max_connections)
    client = aioredis.Redis.from_pool(pool)
    try:
        yield client
    finally:
        await client.aclose()


def unlimited() -> MutationLimiter:
    """A limiter that never waits: benchmarks measure our code, not Statsig's quota."""
    return MutationLimiter(((1_000_000_000, 1.0),))


def console_for(sandbox: Any, *, limiter: MutationLimiter | None = None) -> ConsoleClient:
    """A Statsig client talking to the in-process sandbox app."""
    return ConsoleClient(
        API_KEY,
        base_url="http://sandbox",
        transport=httpx.ASGITransport(app=sandbox),
        retry_budget=1.0,
        limiter=limiter or unlimited(),
    )


@dataclass
class World:
    """What replicas share: Slack (fake), Statsig (sandbox, with latency) and Redis."""

    slack: FakeSlack
    state: SandboxState
    faults: Faults
    sandbox: Any
    redis_url: str


@contextlib.asynccontextmanager
async def world(
    redis_url: str, *, state: SandboxState | None = None, latency: float = 0.0
) -> AsyncIterator[World]:
    """The fake Slack (users, one channel) and a sandbox answering after ``latency`` s."""
    state = state if state is not None else demo_state()
    faults = Faults(latency=latency)
    sandbox = create_sandbox_app(state, faults=faults, api_key=API_KEY)
    async with FakeSlack() as slack:
        for user_id, email in USERS.items():
            slack.add_user(user_id, email.split("@")[0], email=email)
        slack.add_channel(CHANNEL, "ops")
        try:
            yield World(slack, state, faults, sandbox, redis_url)
        finally:
            faults.clear()


@dataclass
class Endpoint:
    """One app serving ``/slack/events`` over real HTTP, and a client to sign requests."""

    url: str
    http: httpx.AsyncClient
    slack: FakeSlack
    deps: SlackDeps | None = None

    async def command(self, text: str, user: str = "U1ALICE") -> tuple[httpx.Response, str]:
        """Send a signed ``/statsig`` command; returns the HTTP answer and its response_url."""
        response_url = self.slack.new_response_url(channel_id=CHANNEL, user_id=user)
        body = slash_command_body(text, user, CHANNEL, response_url, self.slack.new_trigger_id())
        headers = signed_headers(body, SECRET, int(time.time()))
        answer = await self.http.post(f"{self.url}/slack/events", content=body, headers=headers)
        return answer, response_url


@contextlib.asynccontextmanager
async def bot_endpoint(
    w: World, *, policy: Policy | None = None, limiter: MutationLimiter | None = None
) -> AsyncIterator[Endpoint]:
    """Our app, wired as in production around the world's fakes, served by uvicorn
    (``limiter``: the Statsig client's mutation quota; none by default)."""
    env = {
        "SLACK_BOT_TOKEN": w.slack.bot_token,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": w.slack.api_url,
        "REDIS_URL": w.redis_url,
    }
    settings = load_settings(env, env_file=None)
    console = console_for(w.sandbox, limiter=limiter)
    async with redis_client(w.redis_url) as redis:
        client = slack_client(w.slack.bot_token, w.slack.api_url)
        deps = assemble(
            settings, client=client, console=console, redis=redis, policy=policy or Policy()
        )
        try:
            app = create_http_app(create_app(settings, deps), deps)
            async with serve_asgi(app) as url, httpx.AsyncClient(timeout=30) as http:
                yield Endpoint(url, http, w.slack, deps)
        finally:
            await deps.aclose()
            await console.aclose()


def _bare_app(w: World) -> Starlette:
    """A Bolt app whose ``/statsig`` only acks, behind the same Starlette adapter."""
    bolt = AsyncApp(client=slack_client(w.slack.bot_token, w.slack.api_url), signing_secret=SECRET)

    async def on_statsig(ack: AsyncAck) -> None:
        await ack()

    bolt.command("/statsig")(on_statsig)
    handler = AsyncSlackRequestHandler(bolt)

    async def events(request: Request) -> Response:
        return await handler.handle(request)

    return Starlette(routes=[Route("/slack/events", events, methods=["POST"])])


def _plain_app() -> Starlette:
    """No Bolt at all: reads the body and answers 200 (the HTTP floor, for context)."""

    async def events(request: Request) -> Response:
        await request.body()
        return Response(status_code=200)

    return Starlette(routes=[Route("/slack/events", events, methods=["POST"])])


@contextlib.asynccontextmanager
async def bare_endpoint(w: World, *, bolt: bool = True) -> AsyncIterator[Endpoint]:
    """The baseline app served exactly like ours (uvicorn on loopback).

    ``bolt=False`` serves a plain Starlette route instead, to show the HTTP floor.
    """
    app = _bare_app(w) if bolt else _plain_app()
    async with serve_asgi(app) as url, httpx.AsyncClient(timeout=30) as http:
        yield Endpoint(url, http, w.slack)
