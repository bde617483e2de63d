"""End-to-end harness: the real app over HTTP, the fake Slack, the sandbox and real Redis.

``World`` is what replicas share (Slack, Statsig, Redis); ``BotInstance`` is one replica
serving ``/slack/events`` on a loopback port. Requests are signed exactly as Slack signs them.
"""

from __future__ import annotations

import contextlib
import itertools
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import redis.asyncio as aioredis
import yaml

from bot.config import Settings, load_settings
from bot.ops.policy.rules import Policy
from bot.sandbox import Faults, SandboxState, create_sandbox_app
from bot.sandbox.demo import demo_state
from bot.slack.app import create_app
from bot.slack.deps import SlackDeps
from bot.slack.edge import DEFAULT_LIMITS, EdgeLimits
from bot.slack.server import create_http_app
from bot.slack.wiring import assemble, slack_client
from bot.statsig.client import ConsoleClient
from tests.fakes.slack import FakeSlack
from tests.support.asgi_server import serve_asgi
from tests.support.slack_signing import (
    event_body,
    interactivity_body,
    signed_headers,
    slash_command_body,
)

SECRET = "test-signing-secret-5f2b9c"
MANIFEST = Path(__file__).resolve().parents[2] / "manifest.yml"
CHANNEL = "C0OPS"
ACK_TIMEOUT = 2.0
"""Seconds an HTTP ack may take in tests (Slack's own limit is 3)."""
USERS = {
    "U1ALICE": ("alice", "alice@example.com"),
    "U2BOB": ("bob", "bob@example.com"),
    "U3CAROL": ("carol", "carol@example.com"),
    "U4DAVE": ("dave", "dave@example.com"),
}
_ids = itertools.count(1)
_SPOOLS = tempfile.TemporaryDirectory(prefix="statsig-bot-test-spool-")
"""Where the harness's bots spool kills made without Redis; each world gets its own."""


def manifest_scopes() -> set[str]:
    """The fake workspace grants exactly what the manifest asks for, as Slack would."""
    manifest = yaml.safe_load(MANIFEST.read_text())
    return set(manifest["oauth_config"]["scopes"]["bot"])


@dataclass
class World:
    slack: FakeSlack
    state: SandboxState
    faults: Faults
    sandbox: Any
    redis_url: str
    spool_dir: str = ""
    """Where this world's bots spool kills made without Redis (their shared disk)."""

    def console(self) -> ConsoleClient:
        transport = httpx.ASGITransport(app=self.sandbox)
        return ConsoleClient(
            "console-test", base_url="http://sandbox", transport=transport, retry_budget=1.0
        )

    def mutations(self, path_part: str = "") -> list[Any]:
        return [
            r
            for r in self.sandbox.state.request_log
            if r.method in ("PUT", "PATCH", "POST", "DELETE") and path_part in r.path
        ]


@contextlib.asynccontextmanager
async def world(redis_url: str) -> AsyncIterator[World]:
    state = demo_state()
    faults = Faults()
    sandbox = create_sandbox_app(state, faults=faults, api_key="console-test")
    async with FakeSlack(scopes=manifest_scopes()) as slack:
        for user_id, (name, email) in USERS.items():
            slack.add_user(user_id, name, email=email)
        slack.add_user("U9BOT", "otherbot", is_bot=True)
        slack.add_channel(CHANNEL, "ops")
        spool = tempfile.mkdtemp(dir=_SPOOLS.name)
        yield World(slack, state, faults, sandbox, redis_url, spool)
        faults.clear()


def settings_for(slack: FakeSlack, redis_url: str, spool_dir: str = "") -> Settings:
    env = {
        "SLACK_BOT_TOKEN": slack.bot_token,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack.api_url,
        "REDIS_URL": redis_url,
        "STATSIG_BOT_SPOOL_DIR": spool_dir or _SPOOLS.name,
    }
    return load_settings(env, env_file=None)


@dataclass
class BotInstance:
    world: World
    deps: SlackDeps
    url: str
    http: httpx.AsyncClient

    @property
    def slack(self) -> FakeSlack:
        return self.world.slack

    async def post(
        self,
        body: bytes,
        *,
        timestamp: int | None = None,
        secret: str = SECRET,
        extra: dict[str, str] | None = None,
        signed: bool = True,
        timeout: float = ACK_TIMEOUT,
    ) -> httpx.Response:
        """POST to ``/slack/events``; Slack gives up after 3 s, so a slow ack fails fast."""
        ts = int(time.time()) if timestamp is None else timestamp
        headers = signed_headers(body, secret, ts)
        if not signed:
            headers = {"Content-Type": headers["Content-Type"]}
        headers.update(extra or {})
        return await self.http.post(
            f"{self.url}/slack/events", content=body, headers=headers, timeout=timeout
        )

    async def command(
        self, text: str, user: str = "U1ALICE", channel: str = CHANNEL
    ) -> tuple[httpx.Response, str]:
        response_url = self.slack.new_response_url(channel_id=channel, user_id=user)
        body = slash_command_body(text, user, channel, response_url, self.slack.new_trigger_id())
        return await self.post(body), response_url

    async def click(
        self,
        action_id: str,
        value: str,
        *,
        user: str = "U2BOB",
        channel: str = CHANNEL,
        message_ts: str = "",
        view: dict[str, Any] | None = None,
        overrides: dict[str, Any] | None = None,
    ) -> tuple[httpx.Response, str]:
        """A button click; ``overrides`` replace top-level payload fields (``team``, …)."""
        response_url = self.slack.new_response_url(
            channel_id=channel, user_id=user, message_ts=message_ts or None
        )
        payload: dict[str, Any] = {
            "type": "block_actions",
            "team": {"id": "T1", "domain": "fake"},
            "user": {"id": user, "team_id": "T1"},
            "api_app_id": "A0APP",
            "trigger_id": self.slack.new_trigger_id(),
            "actions": [{"action_id": action_id, "block_id": "b", "value": value,
                         "type": "button", "action_ts": "1"}],
        }  # fmt: skip
        if view is not None:
            payload["view"] = view
            payload["container"] = {"type": "view", "view_id": view.get("id")}
        else:
            payload["channel"] = {"id": channel}
            payload["container"] = {"type": "message", "message_ts": message_ts,
                                    "channel_id": channel}  # fmt: skip
            payload["message"] = {"ts": message_ts}
            payload["response_url"] = response_url
        payload.update(overrides or {})
        return await self.post(interactivity_body(payload)), response_url

    async def submit(self, view: dict[str, Any], values: dict[str, Any], user: str = "U1ALICE"
                     ) -> httpx.Response:  # fmt: skip
        submitted = {**view, "state": {"values": values}}
        payload = {
            "type": "view_submission",
            "team": {"id": "T1", "domain": "fake"},
            "user": {"id": user, "team_id": "T1"},
            "api_app_id": "A0APP",
            "trigger_id": self.slack.new_trigger_id(),
            "view": submitted,
        }
        return await self.post(interactivity_body(payload))

    async def event(
        self,
        event: dict[str, Any],
        event_id: str | None = None,
        *,
        delivery: int = 0,
        **extra: str,
    ) -> httpx.Response:
        """An Events API delivery; ``delivery`` > 0 is Slack's retry, signed anew (Slack's
        retries come seconds later, so their timestamp and signature differ)."""
        body = event_body(event, event_id or f"Ev{next(_ids):08d}")
        return await self.post(body, timestamp=int(time.time()) + delivery, extra=extra)


async def bolt_work_done(timeout: float = 10.0) -> None:
    """Wait for listener work Bolt still runs after its ack (a card being attached, a DM).

    A test may end as soon as it saw what it asserts; the listener's last steps still use
    Redis and the fake Slack, which must not be closed under them.
    """
    import asyncio

    def bolts(task: asyncio.Task[Any]) -> bool:
        code = getattr(task.get_coro(), "cr_code", None)
        return code is not None and "slack_bolt" in code.co_filename

    pending = [t for t in asyncio.all_tasks() if not t.done() and bolts(t)]
    if pending:
        await asyncio.wait(pending, timeout=timeout)


@contextlib.asynccontextmanager
async def deps_for(
    w: World,
    *,
    policy: Policy | None = None,
    warm_gates: bool = False,
    console: ConsoleClient | None = None,
) -> AsyncIterator[tuple[Settings, SlackDeps]]:
    """The production wiring around the world's fakes; everything closed afterwards
    (``console``, when given, is the caller's to close)."""
    settings = settings_for(w.slack, w.redis_url, w.spool_dir)
    redis = aioredis.Redis.from_url(w.redis_url)
    own_console = console is None
    console = w.console() if console is None else console
    client = slack_client(w.slack.bot_token, w.slack.api_url)
    deps = assemble(
        settings, client=client, console=console, redis=redis, policy=policy or Policy()
    )
    try:
        if warm_gates and deps.gate_names is not None:
            await deps.gate_names.warm()
        yield settings, deps
    finally:
        await bolt_work_done()
        await deps.aclose()
        if own_console:
            await console.aclose()
        await redis.aclose()


@contextlib.asynccontextmanager
async def bot_instance(
    w: World,
    *,
    policy: Policy | None = None,
    warm_gates: bool = False,
    console: ConsoleClient | None = None,
    limits: EdgeLimits = DEFAULT_LIMITS,
) -> AsyncIterator[BotInstance]:
    """One replica serving ``/slack/events`` over real HTTP."""
    async with deps_for(w, policy=policy, warm_gates=warm_gates, console=console) as (
        settings,
        deps,
    ):
        app = create_app(settings, deps)
        async with (
            serve_asgi(create_http_app(app, deps, limits=limits)) as url,
            httpx.AsyncClient(timeout=30) as http,
        ):
            yield BotInstance(w, deps, url, http)


def responses(slack: FakeSlack, url: str) -> list[dict[str, Any]]:
    return slack.responses(url)


async def wait_responses(
    slack: FakeSlack, url: str, count: int = 1, timeout: float = 10.0
) -> list[dict[str, Any]]:
    """Poll the fake's response_url log until ``count`` answers arrived."""
    import asyncio

    deadline = time.monotonic() + timeout
    while len(slack.responses(url)) < count:
        if time.monotonic() > deadline:
            raise AssertionError(f"expected {count} responses, got {slack.responses(url)}")
        await asyncio.sleep(0.02)
    return slack.responses(url)


def all_text(payload: dict[str, Any]) -> str:
    """Every text in a message payload or view, flattened (for assertions)."""
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "text" and isinstance(value, str):
                    out.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(payload)
    return "\n".join(out)


def visible(slack: FakeSlack, channel: str = CHANNEL) -> list[Any]:
    """Messages everyone in ``channel`` sees (no ephemerals, no thread replies)."""
    return [
        m
        for m in slack.messages(channel)
        if m.ephemeral_to is None and (m.thread_ts is None or m.thread_ts == m.ts)
    ]


def button_value(message: Any, action_id: str) -> str | None:
    for block in message.blocks:
        for element in block.get("elements", []) if isinstance(block, dict) else []:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return str(element.get("value"))
    return None


async def eventually(check: Any, timeout: float = 10.0) -> Any:
    """Await ``check()`` (sync or async) until it returns something truthy."""
    import asyncio
    import inspect

    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if inspect.isawaitable(value):
            value = await value
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)
