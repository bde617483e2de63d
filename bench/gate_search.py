"""Searching 10,000 gates: the type-ahead picker and ``gate search <text>``.

The picker (:class:`~bot.slack.gate_names.GateNameCache`) must answer inside Slack's
3-second options window; ``gate search`` (through :class:`~bot.chatops.service.ChatOps`
and its :class:`~bot.chatops.catalog.Catalog`) answers a person. Both are timed per query
once their list is warm, and cold (the first query pays for listing every gate from the
sandbox, 100 per page); for ChatOps also the first answer a cold query gives ("loading"
when the walk takes longer than 2 s) and a cold replica that finds the list another one
shared in Redis.

Baselines, measured in the same run: a plain Python substring scan over the 10,000 names
(for warm queries), and a raw ``iter_gates`` listing followed by that scan (for cold ones).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import redis.asyncio as aioredis

from bench._infra import console_for
from bench._report import Report, fmt_ms, fmt_ratio, percentile, ratio
from bot.chatops.catalog import Catalog
from bot.chatops.replies import Context, Reply
from bot.chatops.service import ChatOps
from bot.ops.model.identity import Actor
from bot.ops.policy.rules import Policy
from bot.sandbox import Faults, create_sandbox_app
from bot.sandbox.demo import demo_state
from bot.slack.gate_names import GateNameCache
from bot.statsig.client import ConsoleClient

__all__ = ["FULL", "QUERIES", "QUICK", "Params", "run"]

_PREFIX = "bench-search:"
QUERIES = ("bulk_gate_0999", "gate_05", "checkout", "9999", "zzz-nothing")
"""A prefix hit, a broad infix (1,000 matches), a demo name, a suffix, and a miss."""


@dataclass(frozen=True)
class Params:
    gates: int = 10_000
    warm_repeats: int = 40
    cold_repeats: int = 2
    statsig_latency: float = 0.03
    """Seconds per Console API call: 101 pages then take ~3 s, as against real Statsig."""


FULL = Params()
QUICK = Params(warm_repeats=10, cold_repeats=1)

Query = Callable[[str], Awaitable[object]]


async def _timed(query: Query, text: str) -> float:
    started = time.perf_counter()
    await query(text)
    return time.perf_counter() - started


async def _samples(
    query: Query, repeats: int, before: Callable[[], None] | None = None
) -> list[float]:
    out: list[float] = []
    for _ in range(repeats):
        for text in QUERIES:
            if before is not None:
                before()
            out.append(await _timed(query, text))
    return out


def _matching(names: Sequence[str], text: str) -> list[str]:
    needle = text.lower()
    return [n for n in names if needle in n.lower()]


def _scan(names: Sequence[str]) -> Query:
    async def query(text: str) -> list[str]:
        return _matching(names, text)

    return query


def _list_and_scan(console: ConsoleClient) -> Query:
    async def query(text: str) -> list[str]:
        return _matching([g.id async for g in console.iter_gates()], text)

    return query


def _picker(console: ConsoleClient, holder: list[GateNameCache]) -> Query:
    async def gate_ids() -> list[str]:
        return [gate.id async for gate in console.iter_gates()]

    async def query(text: str) -> list[str]:
        if not holder:  # cold: a fresh cache, allowed to wait for the whole listing
            holder.append(GateNameCache(gate_ids, ttl=3600, fetch_timeout=120))
        return await holder[0].search(text)

    return query


def _chatops(
    console: ConsoleClient, catalogs: Callable[[], Catalog], *, first_answer: bool = False
) -> Query:
    """``gate search`` through a ChatOps on ``catalogs()`` (a new one per query when that
    makes a new catalog: a cold replica). The whole answer is awaited, its "loading" first
    part and the list after it, unless ``first_answer`` (what the person sees at once)."""
    ctx = Context(Actor("U1ALICE", "alice@example.com", "Alice", statsig_role="Member"))

    async def query(text: str) -> Reply:
        ops = ChatOps(console, Policy(), catalog=catalogs())
        try:
            reply = await ops.handle(f"gate search {text}", ctx)
            while isinstance(reply, Reply) and reply.follow_up and not first_answer:
                reply = await reply.follow_up()
        finally:
            await ops.aclose()  # a cold first answer leaves a walk running: stop it
        if not isinstance(reply, Reply) or not reply.ok:
            raise RuntimeError(f"gate search {text!r} failed: {reply!r}")
        return reply

    return query


async def run(p: Params, redis_url: str | None = None) -> Report:
    """With ``redis_url``, also a second replica reading the list another one shared."""
    state = demo_state()
    state.add_many_gates(p.gates)
    names = list(state.gates)
    faults = Faults(latency=p.statsig_latency)
    console = console_for(create_sandbox_app(state, faults=faults))
    try:
        figures = await _measure(p, console, names, redis_url)
    finally:
        await console.aclose()
    return _report(p, len(names), figures)


async def _measure(
    p: Params, console: ConsoleClient, names: list[str], redis_url: str | None
) -> dict[str, tuple[list[float], list[float]]]:
    figures: dict[str, tuple[list[float], list[float]]] = {}
    scan_warm = await _samples(_scan(names), p.warm_repeats)
    scan_cold = await _samples(_list_and_scan(console), p.cold_repeats)
    figures["baseline: substring scan (cold: + list)"] = (scan_warm, scan_cold)

    caches: list[GateNameCache] = []
    picker = _picker(console, caches)
    cold = await _samples(picker, p.cold_repeats, before=caches.clear)
    warm = await _samples(picker, p.warm_repeats)
    for cache in caches:
        await cache.aclose()
    figures["picker: GateNameCache.search"] = (warm, cold)

    warm_catalog = Catalog(console)
    await warm_catalog.items("gate")
    warm = await _samples(_chatops(console, lambda: warm_catalog), p.warm_repeats)
    cold = await _samples(_chatops(console, lambda: Catalog(console)), p.cold_repeats)
    figures["ChatOps: gate search <text>"] = (warm, cold)
    first = await _samples(
        _chatops(console, lambda: Catalog(console), first_answer=True), p.cold_repeats
    )
    figures['ChatOps: its first answer (cold: "loading" after 2 s)'] = (warm, first)
    if redis_url:
        redis = aioredis.Redis.from_url(redis_url)
        try:
            await redis.delete(f"{_PREFIX}catalog:gate")
            await Catalog(console, redis, prefix=_PREFIX).items("gate")  # one replica walks
            shared = _chatops(console, lambda: Catalog(console, redis, prefix=_PREFIX))
            figures["ChatOps: another replica (cold: list from Redis)"] = (
                warm,
                await _samples(shared, p.cold_repeats),
            )
        finally:
            await redis.delete(f"{_PREFIX}catalog:gate")
            await redis.aclose()
    return figures


def _report(p: Params, count: int, figures: dict[str, tuple[list[float], list[float]]]) -> Report:
    report = Report(
        f"search over {count:,} gates ({len(QUERIES)} queries; p50 per query)",
        ("path", "warm", "warm / scan", "cold", "cold / list+scan"),
    )
    base_warm, base_cold = (percentile(s, 50) for s in next(iter(figures.values())))
    for label, (warm, cold) in figures.items():
        w, c = percentile(warm, 50), percentile(cold, 50)
        report.add(label, fmt_ms(w), fmt_ratio(ratio(w, base_warm)), fmt_ms(c),
                   fmt_ratio(ratio(c, base_cold)))  # fmt: skip
    report.notes.append(f"queries: {', '.join(QUERIES)}")
    report.notes.append(
        f"warm: {p.warm_repeats} round(s) of the queries; cold: {p.cold_repeats} round(s), each "
        "query with an empty cache (listing 100 gates per page from the in-process sandbox, "
        f"{p.statsig_latency * 1000:.0f} ms per call)"
    )
    return report
