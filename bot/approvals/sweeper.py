"""The sweeper: expiry, interrupted executions, and approved requests nobody claimed.

Any replica may run it at any time, as often as it likes: each step is a store transition
that exactly one caller wins, so a request is expired, judged or executed once however
many sweepers race. Three jobs:

1. pending requests past their expiry → ``expired``;
2. executions whose lease ran out → checked in Statsig → ``executed`` (verified after
   interruption) or ``failed: interrupted`` (never re-run);
3. requests left ``approved`` (the replica died between approve and claim) for longer than
   a grace period → claimed and executed here, through the same exactly-once claim.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from bot.approvals._codec import text
from bot.approvals.execute import Executor
from bot.approvals.states import ApprovalState
from bot.approvals.store import ApprovalStore

__all__ = ["APPROVED_GRACE_SECONDS", "SweepResult", "Sweeper"]

APPROVED_GRACE_SECONDS = 120.0
"""How long an approved request may wait for its claim before a sweeper takes it over."""


@dataclass
class SweepResult:
    expired: list[str] = field(default_factory=list)
    interrupted: dict[str, ApprovalState] = field(default_factory=dict)
    recovered: list[str] = field(default_factory=list)


class Sweeper:
    """One sweep = :meth:`run`; idempotent and safe on every replica at once."""

    def __init__(
        self,
        store: ApprovalStore,
        executor: Executor,
        *,
        clock: Callable[[], float],
        approved_grace: float = APPROVED_GRACE_SECONDS,
    ) -> None:
        self._store = store
        self._executor = executor
        self._clock = clock
        self._grace = approved_grace

    async def run(self) -> SweepResult:
        result = SweepResult()
        result.expired = await self._store.expire_due()
        reclaimed = await self._store.interrupted_due()
        waiting = dict.fromkeys([*reclaimed, *await self._store.list_interrupted()])
        for request_id in waiting:
            verdict = await self._executor.verdict_after_interruption(request_id)
            if verdict is not None:
                result.interrupted[request_id] = verdict
        result.recovered = await self._recover_approved()
        return result

    async def _recover_approved(self) -> list[str]:
        """Claim approved requests older than the grace period (their approver's replica died)."""
        redis = self._store.redis
        now = self._clock()
        recovered = []
        async for key in redis.scan_iter(match=self._store.keys.lock_pattern, count=500):
            holder = await redis.hget(key, "request_id")
            if holder is None:
                continue
            request = await self._store.get(text(holder))
            if request is None or request.state is not ApprovalState.APPROVED:
                continue
            approved_at = request.approved_at or request.created_at
            if now - approved_at.timestamp() < self._grace:
                continue
            if await self._executor.claim_and_run(request.id) is not None:
                recovered.append(request.id)
        return recovered
