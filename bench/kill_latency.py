"""Incident kill latency: from a signed ``/statsig kill`` to "gate off, channel told".

A break-glass responder's kill should cost about one snapshot read and one disable, the
fewest round trips Statsig allows (DESIGN §5). The baseline is exactly that pair, sent
directly with :class:`~bot.statsig.client.ConsoleClient` against the same sandbox (same
latency) in the same run; the ratio ours / direct is the price of everything else: HTTP,
signature checks, identity, policy, the Redis audit record and the announcement.

Between kills the gate is switched back on directly in the sandbox state (untimed).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from bench._infra import CHANNEL, Endpoint, World, bot_endpoint, console_for, world
from bench._report import Report, fmt_ms, fmt_ratio, percentile, ratio
from bot.ops.policy.rules import Policy
from bot.statsig.client import ConsoleClient

__all__ = ["FULL", "GATE", "QUICK", "RESPONDERS", "Params", "run"]

GATE = "checkout_v2"
RESPONDERS = Policy.from_toml(
    """
[groups]
responders = ["U1ALICE"]
[incident]
responders = "responders"
break_glass = true
"""
)


@dataclass(frozen=True)
class Params:
    kills: int = 40
    warmup: int = 3
    statsig_latency: float = 0.05
    timeout: float = 10.0


FULL = Params()
QUICK = Params(kills=10, warmup=2)


def _enabled(w: World) -> bool:
    return bool(w.state.gates[GATE]["isEnabled"])


def _announced(endpoint: Endpoint, since: int) -> bool:
    calls = endpoint.slack.calls_to("chat.postMessage")[since:]
    return any(
        c.ok and c.args.get("channel") == CHANNEL and "KILLED" in str(c.args.get("text"))
        for c in calls
    )


async def _kill_once(w: World, endpoint: Endpoint, i: int, timeout: float) -> float:
    """One kill; seconds until the gate is off *and* the announcement was posted."""
    w.state.gates[GATE]["isEnabled"] = True
    since = len(endpoint.slack.calls_to("chat.postMessage"))
    started = time.perf_counter()
    response, response_url = await endpoint.command(f"kill {GATE} INC-{i} bench run")
    if response.status_code != 200:
        raise RuntimeError(f"kill answered HTTP {response.status_code}")
    posted = since
    while not (_announced(endpoint, since) and not _enabled(w)):
        if time.perf_counter() - started > timeout:
            raise RuntimeError(f"kill {i}: gate not disabled and announced within {timeout} s")
        posted += 1
        remaining = max(0.001, timeout - (time.perf_counter() - started))
        try:  # woken by the fake's own notification, not a polling interval
            await endpoint.slack.wait_for_calls("chat.postMessage", posted, remaining)
        except TimeoutError:
            continue
    elapsed = time.perf_counter() - started
    await _settle(endpoint, response_url, timeout)
    return elapsed


async def _settle(endpoint: Endpoint, response_url: str, timeout: float) -> None:
    """Wait (untimed) for the private answer, so kills never overlap."""
    deadline = time.perf_counter() + timeout
    while not endpoint.slack.responses(response_url):
        if time.perf_counter() > deadline:
            raise RuntimeError("the kill's private answer never arrived")
        await asyncio.sleep(0.005)


async def _direct_once(w: World, console: ConsoleClient) -> float:
    w.state.gates[GATE]["isEnabled"] = True
    started = time.perf_counter()
    await console.get_gate(GATE)
    await console.disable_gate(GATE, priority=True)
    elapsed = time.perf_counter() - started
    if _enabled(w):
        raise RuntimeError("the direct disable did not disable the gate")
    return elapsed


async def run(p: Params, redis_url: str) -> Report:
    """``p.kills`` kills through the bot and as a direct pair, alternating."""
    async with world(redis_url, latency=p.statsig_latency) as w:
        console = console_for(w.sandbox)
        try:
            async with bot_endpoint(w, policy=RESPONDERS) as ours:
                for i in range(p.warmup):
                    await _kill_once(w, ours, -1 - i, p.timeout)
                    await _direct_once(w, console)
                bot: list[float] = []
                direct: list[float] = []
                for i in range(p.kills):
                    bot.append(await _kill_once(w, ours, i, p.timeout))
                    direct.append(await _direct_once(w, console))
        finally:
            await console.aclose()
    return _report(p, bot, direct)


def _report(p: Params, bot: list[float], direct: list[float]) -> Report:
    report = Report(
        f"incident kill latency: /statsig kill {GATE} ({p.kills} kills each)",
        ("path", "p50", "p95", "max"),
    )
    pcts = (50.0, 95.0, 100.0)
    report.add("ours: command -> disabled + announced", *(fmt_ms(percentile(bot, q)) for q in pcts))
    report.add("direct get_gate + disable_gate", *(fmt_ms(percentile(direct, q)) for q in pcts))
    report.add(
        "ratio ours / direct",
        *(fmt_ratio(ratio(percentile(bot, q), percentile(direct, q))) for q in pcts),
    )
    report.notes.append(
        f"sandbox Statsig latency {p.statsig_latency * 1000:.0f} ms per call; break-glass "
        "responder; real redis-server; fake Slack; client-side mutation quota disabled"
    )
    return report
