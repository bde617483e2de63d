"""The sandbox ASGI app: Statsig's Console API routes behind a middleware that records,
authenticates, delays, holds, breaks and rate-limits requests on demand.

Usage::

    app = create_sandbox_app(demo_state(), api_key="console-test")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://statsigapi.net") as c:
        await c.get("/console/v1/gates/checkout_v2", headers={"STATSIG-API-KEY": "console-test"})
    app.state.request_log[-1].status  # 200
"""

from __future__ import annotations

import asyncio
import hmac
import json
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.sandbox.demo import demo_state
from bot.sandbox.faults import Fault, Faults, RecordedRequest
from bot.sandbox.limits import SlidingWindowLimiter
from bot.sandbox.responses import ApiError, error_response
from bot.sandbox.routes_configs import CONFIG_ROUTES
from bot.sandbox.routes_experiments import EXPERIMENT_ROUTES
from bot.sandbox.routes_gates import GATE_ROUTES
from bot.sandbox.routes_project import PROJECT_ROUTES
from bot.sandbox.state import SandboxState

__all__ = ["DEFAULT_MUTATION_LIMITS", "create_sandbox_app"]

DEFAULT_MUTATION_LIMITS: tuple[tuple[int, float], ...] = ((100, 10.0), (900, 900.0))
"""Statsig's documented mutation quota: ~100 / 10 s and ~900 / 15 min per project."""

MUTATING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_BAD_KEY = "This endpoint only accepts an active CONSOLE key, but an invalid key was sent. Key: "
_GATEWAY_PAGES = {
    502: "Bad Gateway",
    503: "Service Temporarily Unavailable",
    504: "Gateway Time-out",
}


def _fault_response(fault: Fault) -> Response:
    status = int(fault.kind)
    if status == 429:
        headers = {}
        if fault.retry_after is not None:
            headers["Retry-After"] = str(math.ceil(fault.retry_after))
        return error_response(429, "Too Many Requests", headers)
    if status in _GATEWAY_PAGES:
        title = f"{status} {_GATEWAY_PAGES[status]}"
        page = f"<html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>"
        return Response(page, status_code=status, media_type="text/html")
    return error_response(status, "Internal server error. Please try again later.")


def _malformed() -> Response:
    return Response(b'{"message": "Gate read successfully.", "data": {"id": "che', 200,
                    media_type="application/json")  # fmt: skip


class SandboxMiddleware:
    """Everything that happens before a route runs, in the order a real edge would do it."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        faults: Faults,
        request_log: list[RecordedRequest],
        api_key: str | None,
        limiter: SlidingWindowLimiter | None,
    ) -> None:
        self.app = app
        self.faults = faults
        self.request_log = request_log
        self._api_key = api_key
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        record = _record(scope, body)
        self.request_log.append(record)

        pending = [body]

        async def replay() -> Message:
            if pending:
                return {"type": "http.request", "body": pending.pop(), "more_body": False}
            return await receive()

        async def recording_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                record.status = message["status"]
            await send(message)

        fault = await self._arrive(record)
        early = await self._before_route(record, fault)
        if early is not None:
            await early(scope, replay, recording_send)
        elif fault is not None and fault.kind == "lost_answer":
            answer: list[Message] = []

            async def held(message: Message) -> None:
                answer.append(message)

            await self.app(scope, replay, held)  # the change is made now ...
            await asyncio.sleep(fault.delay)  # ... and its answer comes too late
            for message in answer:
                await recording_send(message)
        else:
            await self.app(scope, replay, recording_send)

    async def _arrive(self, record: RecordedRequest) -> Fault | None:
        if self.faults.latency > 0:
            await asyncio.sleep(self.faults.latency)
        await self.faults.wait_for_holds(record.method, record.path)
        return self.faults.take(record.method, record.path)

    async def _before_route(self, record: RecordedRequest, fault: Fault | None) -> Response | None:
        if fault is not None and fault.kind == "timeout":
            await asyncio.sleep(fault.delay)  # then answer normally: the ambiguous outcome
        elif fault is not None and fault.kind == "hang":
            await asyncio.sleep(fault.delay)  # never handled: the change is not made
            return _fault_response(replace(fault, kind="504"))
        elif fault is not None and fault.kind == "lost_answer":
            pass  # handled by the app; the answer is held back by the caller
        elif fault is not None and fault.kind == "malformed":
            return _malformed()
        elif fault is not None:
            return _fault_response(fault)
        sent_key = record.headers.get("statsig-api-key")
        if self._api_key is not None and not (
            sent_key is not None and hmac.compare_digest(sent_key, self._api_key)
        ):
            return error_response(401, _BAD_KEY + (sent_key or "undefined"))
        if self.limiter is not None and record.method in MUTATING_METHODS:
            wait = self.limiter.attempt()
            if wait is not None:
                headers = {"Retry-After": str(max(1, math.ceil(wait)))}
                return error_response(429, "Too Many Requests", headers)
        return None


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _record(scope: Scope, body: bytes) -> RecordedRequest:
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
    try:
        parsed: Any = json.loads(body) if body.strip() else None
    except ValueError:
        parsed = body.decode("utf-8", "replace")
    return RecordedRequest(
        method=scope["method"],
        path=scope["path"],
        query=parse_qs(scope.get("query_string", b"").decode("latin-1")),
        headers=headers,
        json_body=parsed,
    )


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.message, exc.headers)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        return error_response(404, "Not Found. The requested resource could not be found.")
    return error_response(exc.status_code, str(exc.detail))


def create_sandbox_app(
    state: SandboxState | None = None,
    *,
    faults: Faults | None = None,
    api_key: str | None = None,
    enforce_rate_limits: bool = False,
    mutation_limits: Sequence[tuple[int, float]] = DEFAULT_MUTATION_LIMITS,
    clock: Callable[[], float] = time.monotonic,
) -> Starlette:
    """The emulator. ``state`` defaults to the demo project; ``api_key=None`` accepts any key.

    ``app.state.sandbox``, ``app.state.faults`` and ``app.state.request_log`` give tests the
    handles they need; ``clock`` drives the rate limiter's sliding windows.
    """
    sandbox = state if state is not None else demo_state()
    faults = faults if faults is not None else Faults()
    request_log: list[RecordedRequest] = []
    limiter = SlidingWindowLimiter(mutation_limits, clock=clock) if enforce_rate_limits else None
    middleware = Middleware(
        SandboxMiddleware,
        faults=faults,
        request_log=request_log,
        api_key=api_key,
        limiter=limiter,
    )
    app = Starlette(
        routes=[*GATE_ROUTES, *CONFIG_ROUTES, *EXPERIMENT_ROUTES, *PROJECT_ROUTES],
        middleware=[middleware],
        exception_handlers={ApiError: _api_error, HTTPException: _http_error},
    )
    app.state.sandbox = sandbox
    app.state.faults = faults
    app.state.request_log = request_log
    app.state.limiter = limiter
    return app
