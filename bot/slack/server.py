"""``statsig-bot serve``: the Slack app over HTTP (uvicorn + Starlette) or Socket Mode.

HTTP routes (DESIGN §7):

- ``POST /slack/events`` — commands, interactivity, options and events: bounded (413/408),
  verified against the signing secret (401), decoded (415/400) by :mod:`bot.slack.edge`,
  replays dropped (:mod:`bot.slack.replays`), then handed to Bolt and answered at
  ``ack()`` (HTTP mode only). No request ever gets a 500 or a traceback;
- ``GET /healthz`` — the process is alive;
- ``GET /readyz`` — this process is ready: started, listeners registered, able to ack.
  It does not depend on Redis or Statsig, which every replica shares: a slow Statsig must
  not take every replica out of the load balancer at once while they can still answer;
- ``GET /metrics`` — Prometheus text format, including whether Redis and Statsig answer
  (``statsig_bot_dependency_up``), probed at each scrape.

Socket Mode serves the same probes and metrics on ``--host``/``--port``. SIGTERM and SIGINT
stop the bot cleanly in both modes, also as PID 1 in a container: the server stops
accepting, work in flight (an execution after its ack) gets ``STATSIG_BOT_SHUTDOWN_SECONDS``
(20) to finish, the leases of whatever did not are released so another replica verifies it
at once, the clients close, and the exit status is 0.

Start-up fails fast with one line when a setting or the policy is wrong, when there is no
Console API key (unless ``--sandbox`` asks for the demo emulator), or when Redis cannot be
reached, so a crash-looping container says exactly what to fix (and never prints a secret).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from collections.abc import Awaitable, Callable
from signal import SIGINT, SIGTERM
from types import FrameType
from urllib.parse import urlsplit, urlunsplit

import redis.asyncio as aioredis
import structlog
import uvicorn
from redis.exceptions import RedisError
from slack_bolt.adapter.starlette.async_handler import to_starlette_response
from slack_bolt.async_app import AsyncApp
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.config import ConfigError, Settings, load_settings
from bot.ops.policy.rules import Policy, load_policy
from bot.slack.deps import ReadinessCheck, SlackDeps
from bot.slack.edge import (
    DEFAULT_LIMITS,
    EdgeLimits,
    Refused,
    bolt_request,
    decode,
    is_ssl_check,
    read_body,
    verify_signature,
)
from bot.slack.metrics import CONTENT_TYPE
from bot.slack.payloads import payload_problem

__all__ = [
    "NO_CONSOLE_KEY",
    "READINESS_TIMEOUT",
    "StartupError",
    "create_http_app",
    "redacted_url",
    "run",
]

_log = structlog.get_logger(__name__)

READINESS_TIMEOUT = 2.0
NO_CONSOLE_KEY = (
    "STATSIG_CONSOLE_API_KEY: missing; serve needs a Console API key to change your Statsig "
    "project (or serve --sandbox to try the bot on the built-in demo sandbox)"
)


class StartupError(Exception):
    """A dependency is unusable at start-up; the message is one printable line."""


def redacted_url(url: str) -> str:
    """``redis://:secret@host:6379/0`` → ``redis://***@host:6379/0`` for messages."""
    parts = urlsplit(url)
    if parts.password is None and parts.username is None:
        return url
    host = parts.hostname or ""
    netloc = f"***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def create_http_app(
    bolt_app: AsyncApp,
    deps: SlackDeps,
    *,
    slack_events: bool = True,
    limits: EdgeLimits = DEFAULT_LIMITS,
) -> Starlette:
    """The ASGI app serving Slack (unless ``slack_events`` is off: Socket Mode) and the
    operational endpoints."""

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        statsig = "sandbox" if deps.chatops.sandbox else "console"
        return JSONResponse({"status": "ready", "statsig": statsig})

    async def metrics(request: Request) -> Response:
        checks = {"redis": _ping_redis(deps.redis), **deps.readiness}
        for name, check in checks.items():
            try:
                await asyncio.wait_for(check(), READINESS_TIMEOUT)
                up = 1.0
            except Exception:
                up = 0.0
            deps.metrics.dependency_up.labels(dependency=name).set(up)
        return Response(deps.metrics.render(), media_type=CONTENT_TYPE)

    routes = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
    ]
    if slack_events:
        endpoint = _events_endpoint(bolt_app, deps, limits)
        routes.insert(0, Route("/slack/events", endpoint, methods=["POST"]))
    return Starlette(routes=routes)


_REFUSAL_LABELS = {401: "unsigned", 408: "slow_body", 413: "too_large", 415: "content_type"}


def _events_endpoint(
    bolt_app: AsyncApp, deps: SlackDeps, limits: EdgeLimits
) -> Callable[[Request], Awaitable[Response]]:
    """``POST /slack/events`` (HTTP mode): bounded, verified, decoded (see
    :mod:`bot.slack.edge`), replays dropped, then handed to Bolt; measured."""
    secret = deps.settings.slack_signing_secret
    signing_secret = secret.get_secret_value() if secret is not None else ""

    async def events(request: Request) -> Response:
        started = time.perf_counter()
        try:
            response = await _admit_and_dispatch(bolt_app, deps, request, signing_secret, limits)
        except Refused as refused:
            label = _REFUSAL_LABELS.get(refused.status, "malformed")
            deps.metrics.refused.labels(reason=label).inc()
            _log.warning("slack.request_refused", status=refused.status, reason=refused.reason)
            response = JSONResponse({"error": _PUBLIC_ERRORS[refused.status]}, refused.status)
        deps.metrics.response_seconds.observe(time.perf_counter() - started)
        deps.metrics.requests.labels(status=str(response.status_code)).inc()
        return response

    return events


_PUBLIC_ERRORS = {
    400: "malformed request",
    401: "invalid request",
    408: "request body too slow",
    413: "request body too large",
    415: "unsupported content type",
}


async def _admit_and_dispatch(
    bolt_app: AsyncApp, deps: SlackDeps, request: Request, secret: str, limits: EdgeLimits
) -> Response:
    body = await read_body(request, limits)
    if is_ssl_check(body, request.headers.get("content-type")):
        return Response(status_code=200)
    verify_signature(body, request.headers, secret)
    payload = decode(body, request.headers.get("content-type"))
    problem = payload_problem(payload)  # before Bolt: its own middleware reads fields too
    if problem is not None:
        _log.warning("slack.malformed_payload", problem=problem)
        raise Refused(400, "malformed payload")
    signature = request.headers["x-slack-signature"]
    stamp = int(request.headers["x-slack-request-timestamp"])
    if not await deps.replay_guard().first_delivery(signature, stamp):
        deps.metrics.refused.labels(reason="replayed").inc()
        _log.info("slack.replayed_delivery_dropped")
        return Response(status_code=200)
    try:
        bolt_response = await bolt_app.async_dispatch(bolt_request(body, payload, request))
    except Exception as exc:  # Bolt's own reading of a signed, odd payload
        _log.warning("slack.bolt_rejected_payload", error=type(exc).__name__)
        raise Refused(400, "Bolt could not read the payload") from None
    return to_starlette_response(bolt_response)


def _ping_redis(redis: aioredis.Redis) -> ReadinessCheck:
    async def check() -> None:
        await redis.ping()

    return check


def _require(settings: Settings, mode: str, *, sandbox: bool) -> None:
    # Bolt switches itself to multi-workspace OAuth when both of these are in the
    # environment; this bot is a single-workspace app with a bot token, so refuse clearly.
    if os.environ.get("SLACK_CLIENT_ID") and os.environ.get("SLACK_CLIENT_SECRET"):
        raise ConfigError(
            "SLACK_CLIENT_ID/SLACK_CLIENT_SECRET: unset them; statsig-bot runs with a bot "
            "token (SLACK_BOT_TOKEN), not Slack's OAuth installation flow"
        )
    if mode == "socket":
        settings.require("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", purpose="Socket Mode")
    else:
        settings.require(
            "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", purpose="serving Slack over HTTP"
        )
    if settings.uses_sandbox() and not sandbox:
        raise ConfigError(NO_CONSOLE_KEY)


async def connect_redis(url: str) -> aioredis.Redis:
    """A client that has answered PING; :class:`StartupError` otherwise."""
    from bot.approvals.store.health import connect_redis as blocking_redis

    client = blocking_redis(url, timeout=5.0)
    try:
        await client.ping()
    except (RedisError, OSError) as exc:
        await client.aclose()
        raise StartupError(
            f"Redis is unreachable at {redacted_url(url)} ({type(exc).__name__}); "
            "set REDIS_URL or start Redis"
        ) from None
    return client


async def _serve(
    settings: Settings, policy: Policy, mode: str, host: str, port: int, *, sandbox: bool
) -> int:
    from bot.slack.app import create_app
    from bot.slack.wiring import build_deps, start_background

    redis = await connect_redis(settings.effective_redis_url())
    async with contextlib.AsyncExitStack() as stack:
        stack.push_async_callback(redis.aclose)
        deps = await build_deps(settings, policy, redis, stack, sandbox=sandbox)
        start_background(deps, stack)  # approval duties + gate names; returns at once
        app = create_app(settings, deps)
        http = create_http_app(app, deps, slack_events=mode != "socket")
        config = uvicorn.Config(
            http, host=host, port=port, lifespan="off", log_config=None, access_log=False
        )
        server = uvicorn.Server(config)
        if mode == "socket":
            await _serve_socket(settings, app, deps, server, host, port)
        else:
            print(f"statsig-bot: serving Slack on http://{host}:{port}/slack/events", flush=True)
            await server.serve()
        await _finish_in_flight(deps, settings.statsig_bot_shutdown_seconds)
    return 0


async def _finish_in_flight(deps: SlackDeps, seconds: float) -> None:
    """After the server stopped accepting: let executions in flight finish (up to
    ``seconds``), then hand whatever did not back to the other replicas."""
    unfinished = await deps.drain(seconds)
    if unfinished:
        _log.warning("slack.shutdown_unfinished", tasks=unfinished, waited_s=seconds)
    workflow = deps.chatops.workflow
    if workflow is not None:
        await workflow.release_leases()


async def _serve_socket(
    settings: Settings,
    app: AsyncApp,
    deps: SlackDeps,
    probes: uvicorn.Server,
    host: str,
    port: int,
) -> None:
    """Socket Mode, with the probes and metrics on HTTP; a signal stops both."""
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    token = settings.slack_app_token
    assert token is not None  # checked by _require
    handler = AsyncSocketModeHandler(app, token.get_secret_value(), web_client=deps.client)
    try:
        await handler.connect_async()  # type: ignore[no-untyped-call]
        print(
            f"statsig-bot: connected to Slack with Socket Mode; probes on http://{host}:{port}",
            flush=True,
        )
        await probes.serve()  # until SIGTERM/SIGINT (uvicorn catches them)
    finally:
        await handler.close_async()  # type: ignore[no-untyped-call]


def _stop_requested(signum: int, frame: FrameType | None) -> None:
    """Where a stop signal lands once uvicorn has shut down and passes it on: the bot is
    already stopping cleanly, so the signal must not kill it half-way (it is PID 1 in a
    container, where the default action would be ignored anyway)."""


def run(mode: str, host: str, port: int, *, sandbox: bool = False) -> int:
    """Serve until SIGTERM/SIGINT; returns the exit status (2: settings, 1: dependencies)."""
    try:
        settings = load_settings()
        _require(settings, mode, sandbox=sandbox)
        policy = load_policy(settings.statsig_bot_policy)
    except ConfigError as exc:  # a bad setting or policy: one line each, never a traceback
        for line in str(exc).splitlines():
            print(f"statsig-bot: {line}", file=sys.stderr)
        return 2
    from bot.logging import configure_logging

    configure_logging(settings.log_level, secrets=settings.secret_values())
    if sandbox:
        print("statsig-bot: --sandbox: Statsig is the built-in demo sandbox", flush=True)
    previous = {sig: signal.signal(sig, _stop_requested) for sig in (SIGINT, SIGTERM)}
    try:
        return asyncio.run(_serve(settings, policy, mode, host, port, sandbox=sandbox))
    except StartupError as exc:
        print(f"statsig-bot: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
