"""Benchmarks, run on demand: ``python -m bench [--quick] [name…]`` from the repo root.

Each benchmark measures one path of the bot and a baseline *in the same run* and prints
both with their ratio, so the figures stay comparable across machines (DESIGN §9). They
are not tests: nothing here asserts on timings (``tests/test_bench_smoke.py`` only checks
that each one still runs).

Every benchmark is a module with a ``Params`` dataclass (``FULL`` and ``QUICK`` presets)
and ``async def run(params, redis_url) -> Report``; :data:`BENCHMARKS` lists them.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from bench import ack_latency, approval_throughput, gate_search, kill_latency, kill_overhead
from bench._report import Report

__all__ = ["BENCHMARKS", "Benchmark", "Report"]

P = TypeVar("P")


@dataclass(frozen=True)
class Benchmark(Generic[P]):
    """One benchmark: how to run it and its two standard sizes."""

    name: str
    summary: str
    run: Callable[[P, str], Coroutine[Any, Any, Report]]
    full: P
    quick: P
    needs_redis: bool = True


BENCHMARKS: dict[str, Benchmark[Any]] = {
    b.name: b
    for b in (
        Benchmark(
            "ack",
            "ack latency of /statsig gate over HTTP, ours vs a bare Bolt app",
            ack_latency.run,
            ack_latency.FULL,
            ack_latency.QUICK,
        ),
        Benchmark(
            "kill",
            "break-glass kill to disabled + announced, vs a direct get + disable",
            kill_latency.run,
            kill_latency.FULL,
            kill_latency.QUICK,
        ),
        Benchmark(
            "kill-overhead",
            "signed kill in to disable PUT out, vs a bare Bolt app; idle and with 150 queued",
            kill_overhead.run,
            kill_overhead.FULL,
            kill_overhead.QUICK,
        ),
        Benchmark(
            "approvals",
            "approval requests executed per second, vs the raw Redis store",
            approval_throughput.run,
            approval_throughput.FULL,
            approval_throughput.QUICK,
        ),
        Benchmark(
            "search",
            "gate picker and gate search over 10,000 gates, vs a substring scan",
            gate_search.run,
            gate_search.FULL,
            gate_search.QUICK,
        ),
    )
}
