"""Ack latency: how long Slack waits for the HTTP answer to ``/statsig gate checkout_v2``.

Slack gives a slash command 3 seconds. Our listener acks first and does the work after, so
its ack should cost about what a bare Bolt app's does, however slow Statsig is. Both apps
are served the same way (uvicorn on loopback, signed requests over real HTTP) and measured
alternately in the same run; the figure that matters is the ratio ours / bare.

Between two of our requests the benchmark waits (untimed) for the answer to reach the
``response_url``, so each ack is measured with the previous command's work finished, and
reports that end-to-end answer time as context. A plain Starlette route (no Bolt) is
measured too, to show the HTTP floor under both apps.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from bench._infra import Endpoint, bare_endpoint, bot_endpoint, world
from bench._report import Report, fmt_ms, fmt_ratio, percentile, ratio

__all__ = ["COMMAND", "FULL", "QUICK", "Params", "run"]

COMMAND = "gate checkout_v2"


@dataclass(frozen=True)
class Params:
    requests: int = 200
    warmup: int = 10
    statsig_latency: float = 0.05
    answer_timeout: float = 10.0


FULL = Params()
QUICK = Params(requests=50, warmup=5)


async def _ack(endpoint: Endpoint) -> tuple[float, str]:
    started = time.perf_counter()
    response, response_url = await endpoint.command(COMMAND)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"ack answered HTTP {response.status_code}")
    return elapsed, response_url


async def _answered(endpoint: Endpoint, response_url: str, started: float, timeout: float) -> float:
    """Seconds from ``started`` until the deferred answer reached ``response_url``."""
    deadline = started + timeout
    while not endpoint.slack.responses(response_url):
        if time.perf_counter() > deadline:
            raise RuntimeError(f"no answer at the response_url within {timeout} s")
        await asyncio.sleep(0.001)
    return time.perf_counter() - started


async def _ours_once(endpoint: Endpoint, p: Params) -> tuple[float, float]:
    started = time.perf_counter()
    ack, response_url = await _ack(endpoint)
    return ack, await _answered(endpoint, response_url, started, p.answer_timeout)


async def run(p: Params, redis_url: str) -> Report:
    """Measure ``p.requests`` acks of each app, alternating which goes first."""
    async with (
        world(redis_url, latency=p.statsig_latency) as w,
        bot_endpoint(w) as ours,
        bare_endpoint(w) as bare,
        bare_endpoint(w, bolt=False) as plain,
    ):
        for _ in range(p.warmup):
            await _ours_once(ours, p)
            await _ack(bare)
            await _ack(plain)
        ours_acks: list[float] = []
        answers: list[float] = []
        bare_acks: list[float] = []
        plain_acks: list[float] = []
        for i in range(p.requests):
            if i % 2:
                bare_acks.append((await _ack(bare))[0])
            ack, answer = await _ours_once(ours, p)
            ours_acks.append(ack)
            answers.append(answer)
            if not i % 2:
                bare_acks.append((await _ack(bare))[0])
            plain_acks.append((await _ack(plain))[0])
    return _report(p, ours_acks, bare_acks, answers, plain_acks)


def _report(
    p: Params, ours: list[float], bare: list[float], answers: list[float], plain: list[float]
) -> Report:
    report = Report(
        f"ack latency: /statsig {COMMAND} ({p.requests} requests each)",
        ("app", "p50", "p95", "p99"),
    )
    pcts = (50.0, 95.0, 99.0)
    report.add("ours (Starlette + Bolt + core)", *(fmt_ms(percentile(ours, q)) for q in pcts))
    report.add("bare Bolt (ack only)", *(fmt_ms(percentile(bare, q)) for q in pcts))
    report.add(
        "ratio ours / bare",
        *(fmt_ratio(ratio(percentile(ours, q), percentile(bare, q))) for q in pcts),
    )
    report.add("ours: answer at response_url", *(fmt_ms(percentile(answers, q)) for q in pcts))
    report.add("floor: Starlette, no Bolt", *(fmt_ms(percentile(plain, q)) for q in pcts))
    report.notes.append(
        f"sandbox Statsig latency {p.statsig_latency * 1000:.0f} ms per call; "
        "real redis-server; fake Slack; uvicorn on 127.0.0.1"
    )
    report.notes.append(
        "Bolt (process_before_response=False) polls for ack() every 10 ms, "
        "which sets the floor of both Bolt apps"
    )
    return report
