"""Shared pieces for the Statsig client tests: a recording fake Statsig and a fake clock."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from bot.statsig.client import ConsoleClient
from bot.statsig.limiter import MutationLimiter
from bot.statsig.retry import RetryPolicy

API_KEY = "console-TESTKEYdoNotLeak0123456789"

Handler = Callable[[httpx.Request], httpx.Response]


def gate_json(gate_id: str = "a_gate", **fields: Any) -> dict[str, Any]:
    """A minimal ExternalGateDto in Statsig's spelling."""
    return {
        "id": gate_id,
        "name": gate_id,
        "description": "",
        "isEnabled": True,
        "status": "In Progress",
        "type": "PERMANENT",
        "rules": [],
        **fields,
    }


def ok(data: Any = None, *, message: str = "ok", status: int = 200) -> httpx.Response:
    body: dict[str, Any] = {"message": message}
    if data is not None:
        body["data"] = data
    return httpx.Response(status, json=body)


def error(status: int, message: str, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json={"status": status, "message": message}, headers=headers)


@dataclass
class FakeClock:
    """Monotonic time that only moves when told to (or when ``sleep`` is awaited)."""

    now: float = 1000.0
    slept: list[float] = field(default_factory=list)

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@dataclass
class Recorder:
    """A fake Statsig: answers from ``responses`` (or a handler) and keeps every request."""

    responses: list[httpx.Response | Exception] = field(default_factory=list)
    handler: Handler | None = None
    requests: list[httpx.Request] = field(default_factory=list)
    on_request: Callable[[httpx.Request], None] | None = None

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.on_request is not None:
            self.on_request(request)
        if self.handler is not None:
            return self.handler(request)
        answer = self.responses.pop(0) if len(self.responses) > 1 else self.responses[0]
        if isinstance(answer, Exception):
            raise answer
        return answer

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)

    def body(self, index: int = -1) -> Any:
        content = self.requests[index].content
        return json.loads(content) if content else None


def make_client(
    recorder: Recorder,
    *,
    respect_reviews: bool = True,
    policy: RetryPolicy | None = None,
    limiter: MutationLimiter | None = None,
) -> ConsoleClient:
    """A client on the fake, with instant zero-jitter retries unless told otherwise."""
    return ConsoleClient(
        API_KEY,
        respect_reviews=respect_reviews,
        transport=recorder.transport,
        retry_policy=policy or RetryPolicy(budget=10.0, random=lambda: 0.0),
        limiter=limiter or MutationLimiter(((1000, 1.0),)),
    )
