"""Approval throughput: requests submitted, approved and executed per second.

N workers each take a gate, submit a ``gate disable`` request through
:class:`~bot.approvals.workflow.ApprovalWorkflow`, approve it as another person, and so
run it (exactly once, through the sandbox). The baseline is the bare minimum the same
guarantees need: the store's four atomic scripts (create, approve, claim, finish) on the
same redis-server with the same concurrency and no Statsig at all. Plans are built before
the clock starts (that is ``bot.ops``' work, not the workflow's).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from bench._infra import console_for, redis_client
from bench._report import Report, fmt_ratio, ratio
from bot.approvals.results import StoredPlan
from bot.approvals.store import ApprovalStore
from bot.approvals.workflow import ApprovalWorkflow
from bot.ops.actions.gate import GateDisable
from bot.ops.model.decisions import NeedsApproval
from bot.ops.model.identity import Actor
from bot.ops.model.plans import Plan
from bot.ops.model.requests import LockHeld
from bot.ops.model.states import ApprovalState
from bot.ops.policy.rules import Policy
from bot.sandbox import SandboxState, create_sandbox_app
from bot.statsig.client import ConsoleClient

__all__ = ["FULL", "QUICK", "Params", "run"]

REQUESTER = Actor("UALICE", "alice@example.com", "Alice", statsig_role="Member")
APPROVER = Actor("UBOB", "bob@example.com", "Bob", statsig_role="Member")
POLICY = Policy.from_toml(
    """
[groups]
approvers = ["UBOB"]
[defaults]
approvals_required = 1
approvers = "approvers"
"""
)


@dataclass(frozen=True)
class Params:
    requests: int = 200
    concurrency: tuple[int, ...] = (1, 8, 32)


FULL = Params()
QUICK = Params(requests=100, concurrency=(8,))


@dataclass(frozen=True)
class _Job:
    plan: Plan
    need: NeedsApproval


async def _jobs(state: SandboxState, console: ConsoleClient, gates: Sequence[str]) -> list[_Job]:
    """Fresh plans for every gate, switched back on first (untimed)."""
    jobs: list[_Job] = []
    for gate_id in gates:
        state.gates[gate_id]["isEnabled"] = True
        action = GateDisable(gate_id, reason="bench: throughput")
        plan = action.plan(await action.load(console))
        need = POLICY.decide(REQUESTER, plan.action, tags=plan.tags)
        if not isinstance(need, NeedsApproval):
            raise RuntimeError(f"the bench policy should ask for approval, not {need!r}")
        jobs.append(_Job(plan, need))
    return jobs


async def _drain(
    jobs: Sequence[_Job], workers: int, one: Callable[[_Job], Awaitable[None]]
) -> float:
    """Run ``one`` over ``jobs`` with ``workers`` concurrent workers; returns elapsed s."""
    queue: asyncio.Queue[_Job] = asyncio.Queue()
    for job in jobs:
        queue.put_nowait(job)

    async def worker() -> None:
        while not queue.empty():
            await one(queue.get_nowait())

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(workers)))
    return time.perf_counter() - started


def _through_workflow(wf: ApprovalWorkflow) -> Callable[[_Job], Awaitable[None]]:
    async def one(job: _Job) -> None:
        submitted = await wf.submit(job.plan, job.need, REQUESTER, channel="C0OPS")
        if submitted.request is None:
            raise RuntimeError(f"submit refused: {submitted.message.text}")
        click = await wf.approve(submitted.request.id, APPROVER)
        if click.outcome is None:
            raise RuntimeError(f"approve did not execute: {click.message.text}")

    return one


def _through_store(store: ApprovalStore) -> Callable[[_Job], Awaitable[None]]:
    async def one(job: _Job) -> None:
        plan = job.plan
        created = await store.create(
            action=plan.action, entity_kind=plan.entity_kind, entity_id=plan.entity_id,
            plan_json=StoredPlan(plan=plan, need=job.need).encode(),
            fingerprint=plan.fingerprint(), requester_id=REQUESTER.user_id, channel="C0OPS",
        )  # fmt: skip
        if isinstance(created, LockHeld):
            raise RuntimeError(f"create refused: {created!r}")
        rid = created.id
        steps = [
            await store.approve(rid, APPROVER.user_id, plan.fingerprint(), 1),
            await store.claim(rid, "bench", 60.0),
            await store.finish(rid, "bench", ApprovalState.EXECUTED, {"status": "executed"}),
        ]
        if not all(step.ok for step in steps):
            raise RuntimeError(f"a raw transition was refused: {steps!r}")

    return one


async def run(p: Params, redis_url: str) -> Report:
    """For each concurrency level: baseline round, then workflow round, same request count."""
    state = SandboxState.empty()
    gates = state.add_many_gates(p.requests, prefix="bench_gate_")
    sandbox = create_sandbox_app(state)
    report = Report(
        f"approval throughput: {p.requests} gate disables, submit + approve + execute",
        ("workers", "raw store (req/s)", "ours (req/s)", "ratio ours / raw"),
    )
    async with redis_client(redis_url) as redis:
        console = console_for(sandbox)
        try:
            for round_no, workers in enumerate(p.concurrency):
                store = ApprovalStore(redis, prefix=f"bench-raw-{round_no}:")
                jobs = await _jobs(state, console, gates)
                raw = len(jobs) / await _drain(jobs, workers, _through_store(store))
                wf = ApprovalWorkflow(
                    ApprovalStore(redis, prefix=f"bench-wf-{round_no}:"), console, POLICY,
                    executor_id="bench",
                )  # fmt: skip
                jobs = await _jobs(state, console, gates)
                ours = len(jobs) / await _drain(jobs, workers, _through_workflow(wf))
                if any(state.gates[g]["isEnabled"] for g in gates):
                    raise RuntimeError("some approved disables did not run")
                report.add(str(workers), f"{raw:.0f}", f"{ours:.0f}", fmt_ratio(ratio(ours, raw)))
        finally:
            await console.aclose()
    report.notes.append(
        "real redis-server (pool of 64); sandbox Statsig without added latency; "
        "plans built before timing; client-side mutation quota disabled"
    )
    return report
