"""Kill overhead: from a signed ``/statsig kill`` arriving to the disable PUT leaving.

The figure an incident commander cares about is how long the bot holds the kill before
Statsig is asked to disable the gate. It is measured at the sandbox's door: the clock
starts when the signed command is sent and stops when the ``PUT …/disable`` reaches
Statsig. The baseline is a bare Bolt app on the same stack (uvicorn, Starlette adapter,
signature check) whose ``/statsig`` acks and sends the same snapshot GET and disable PUT
with the same client: the ratio ours / bare is the price of identity, policy, the Redis
record and the freeze check.

The same figure is measured again while 150 bulk mutations are queued in the client's
mutation limiter (Statsig's documented quota): the kill's priority lane must skip that
queue, so the ratio queued / idle should stay near 1.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncAck, AsyncApp
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bench._infra import SECRET, Endpoint, World, bot_endpoint, console_for, world
from bench._report import Report, fmt_ms, fmt_ratio, percentile, ratio
from bot.ops.policy.rules import Policy
from bot.slack.wiring import slack_client
from bot.statsig.client import ConsoleClient
from bot.statsig.limiter import DEFAULT_WINDOWS, MutationLimiter
from tests.support.asgi_server import serve_asgi

__all__ = ["FULL", "QUICK", "Params", "run"]

GATE = "checkout_v2"
RESPONDERS = Policy.from_toml(
    '[groups]\nresponders = ["U1ALICE"]\n[incident]\nresponders = "responders"\n'
    "break_glass = true\n"
)


@dataclass(frozen=True)
class Params:
    kills: int = 200
    warmup: int = 5
    queued: int = 150
    queued_kills: int = 8
    """Kills while the queue waits: Statsig's quota keeps 10 of every 100 mutations per 10 s
    for the priority lane, so more would measure the quota, not the bot."""
    statsig_latency: float = 0.02
    timeout: float = 10.0


FULL = Params()
QUICK = Params(kills=20, warmup=2, queued=150, queued_kills=5)


class DisableClock:
    """Wraps the sandbox: notes when each ``PUT …/disable`` arrives."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.arrived = asyncio.Event()
        self.at = 0.0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if (
            scope.get("type") == "http"
            and scope.get("method") == "PUT"
            and scope.get("path", "").endswith(f"/gates/{GATE}/disable")
        ):
            self.at = time.perf_counter()
            self.arrived.set()
        await self.app(scope, receive, send)


@contextlib.asynccontextmanager
async def _bare_killer(w: World, console: ConsoleClient) -> AsyncIterator[Endpoint]:
    """Bolt with one listener: ack, then the same GET + PUT a kill sends."""
    import httpx

    bolt = AsyncApp(client=slack_client(w.slack.bot_token, w.slack.api_url), signing_secret=SECRET)

    async def on_statsig(ack: AsyncAck) -> None:
        await ack()
        await console.get_gate(GATE)
        await console.disable_gate(GATE, priority=True)

    bolt.command("/statsig")(on_statsig)
    handler = AsyncSlackRequestHandler(bolt)

    async def events(request: Request) -> Response:
        return await handler.handle(request)

    app = Starlette(routes=[Route("/slack/events", events, methods=["POST"])])
    async with serve_asgi(app) as url, httpx.AsyncClient(timeout=30) as http:
        yield Endpoint(url, http, w.slack)


async def _one(w: World, clock: DisableClock, endpoint: Endpoint, i: int, timeout: float) -> float:
    w.state.gates[GATE]["isEnabled"] = True
    clock.arrived.clear()
    started = time.perf_counter()
    response, _ = await endpoint.command(f"kill {GATE} INC-{i} bench")
    if response.status_code != 200:
        raise RuntimeError(f"kill answered HTTP {response.status_code}")
    await asyncio.wait_for(clock.arrived.wait(), timeout)
    elapsed = clock.at - started
    deadline = time.perf_counter() + timeout
    while w.state.gates[GATE]["isEnabled"]:  # let it finish before the next one
        if time.perf_counter() > deadline:
            raise RuntimeError("the disable never landed")
        await asyncio.sleep(0.002)
    await asyncio.sleep(0.01)  # the announcement and the record, off the clock
    return elapsed


async def _series(
    w: World, clock: DisableClock, endpoint: Endpoint, p: Params, offset: int
) -> list[float]:
    for i in range(p.warmup):
        await _one(w, clock, endpoint, offset - 1 - i, p.timeout)
    return [await _one(w, clock, endpoint, offset + i, p.timeout) for i in range(p.kills)]


async def run(p: Params, redis_url: str) -> Report:
    async with world(redis_url, latency=p.statsig_latency) as base:
        bulk = base.state.add_many_gates(p.queued, prefix="bulk_")
        clock = DisableClock(base.sandbox)
        w = dataclasses.replace(base, sandbox=clock)
        bare_console = console_for(clock)
        try:
            async with _bare_killer(w, bare_console) as bare:
                bare_idle = await _series(w, clock, bare, p, 10_000)
            async with bot_endpoint(w, policy=RESPONDERS) as ours:
                idle = await _series(w, clock, ours, p, 20_000)
            quota = MutationLimiter(DEFAULT_WINDOWS)
            async with bot_endpoint(w, policy=RESPONDERS, limiter=quota) as ours:
                queued = await _with_queue(w, ours, bulk, p, clock)
        finally:
            await bare_console.aclose()
    return _report(p, bare_idle, idle, queued)


async def _with_queue(
    w: World, ours: Endpoint, bulk: list[str], p: Params, clock: DisableClock
) -> list[float]:
    """The kills again while ``bulk`` mutations wait in a real (documented) quota limiter,
    sharing the bot's Statsig client."""
    assert ours.deps is not None
    console = ours.deps.chatops.client
    for gate in bulk:
        w.state.gates[gate]["isEnabled"] = False
    jobs = [asyncio.create_task(console.enable_gate(g)) for g in bulk]
    await asyncio.sleep(0.2)  # the bulk lane has filled its share; the rest wait
    try:
        kills = dataclasses.replace(p, kills=p.queued_kills, warmup=0)
        return await _series(w, clock, ours, kills, 30_000)
    finally:
        for job in jobs:
            job.cancel()
        await asyncio.gather(*jobs, return_exceptions=True)


def _report(p: Params, bare: list[float], idle: list[float], queued: list[float]) -> Report:
    report = Report(
        f"kill overhead: signed /statsig kill in -> disable PUT out ({p.kills} kills each)",
        ("path", "p50", "p99", "max"),
    )
    pcts = (50.0, 99.0, 100.0)

    def row(label: str, values: list[float]) -> None:
        report.add(label, *(fmt_ms(percentile(values, q)) for q in pcts))

    def ratios(label: str, top: list[float], bottom: list[float]) -> None:
        report.add(
            label, *(fmt_ratio(ratio(percentile(top, q), percentile(bottom, q))) for q in pcts)
        )

    row("bare Bolt: ack, GET, PUT", bare)
    row("ours, idle", idle)
    row(f"ours, {p.queued} bulk mutations queued ({p.queued_kills} kills)", queued)
    ratios("ratio ours / bare", idle, bare)
    ratios("ratio queued / idle", queued, idle)
    report.notes.append(
        f"sandbox Statsig latency {p.statsig_latency * 1000:.0f} ms per call (both paths send "
        "the snapshot GET and the disable PUT); break-glass responder; real redis-server; "
        "the queued run uses Statsig's documented quota (100 mutations / 10 s) in the client's "
        "limiter, with the bulk jobs on the bot's own client"
    )
    return report
