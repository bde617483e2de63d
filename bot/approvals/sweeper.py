"""The sweeper: expiry, interrupted executions, and approved requests nobody claimed.

Any replica may run it at any time, as often as it likes: each step is a store transition
that exactly one caller wins, so a request is expired, judged or executed once however
many sweepers race. Three jobs:

1. pending requests past their expiry → ``expired``;
2. executions whose lease ran out → checked in Statsig → ``executed`` (verified after
   interruption) or ``failed: interrupted`` (never re-run); ``failed: interrupted (could not
   verify)`` once Statsig cannot tell for too long (see :mod:`bot.approvals.execute`);
3. requests left ``approved`` (the replica died between approve and claim, or a change
   freeze held them and has ended) for longer than a grace period → claimed and executed
   here, through the same exactly-once claim, unless they are past their expiry: an
   approval nobody acted on in time is ``expired``, not run (people approved a change for
   *then*, not for whenever a sweeper comes by). While a freeze is on they are left alone.

Times come from the store (:meth:`ApprovalStore.now`: the Redis server's clock in
production), the same clock the scripts stamped ``approved_at`` and ``expires_at`` with.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.approvals.execute import Executor
from bot.approvals.freeze import exempt_from_freeze, holding_freeze
from bot.approvals.results import stored_plan
from bot.approvals.store import ApprovalStore
from bot.approvals.store.codec import text
from bot.ops.model.states import ApprovalState

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
        approved_grace: float = APPROVED_GRACE_SECONDS,
    ) -> None:
        self._store = store
        self._executor = executor
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
        expired, result.recovered = await self._recover_approved()
        result.expired += expired
        return result

    async def run_approved(self) -> tuple[list[str], list[str]]:
        """Run every approved request the freeze let wait, now (``freeze off``); the same
        exactly-once claim as a recovery, without its grace period. Returns the IDs that
        expired while they waited (they must be told, not dropped) and the IDs run."""
        return await self._recover_approved(grace=0.0)

    async def _recover_approved(self, grace: float | None = None) -> tuple[list[str], list[str]]:
        """Claim approved requests older than the grace period (their approver's replica
        died, or a freeze held them); expire those past their expiry instead; leave those a
        freeze still holds. Returns (expired, recovered)."""
        grace = self._grace if grace is None else grace
        redis = self._store.redis
        now = await self._store.now()
        expired: list[str] = []
        recovered: list[str] = []
        async for key in redis.scan_iter(match=self._store.keys.lock_pattern, count=500):
            holder = await redis.hget(key, "request_id")
            if holder is None:
                continue
            request = await self._store.get(text(holder))
            if request is None or request.state is not ApprovalState.APPROVED:
                continue
            if now >= request.expires_at.timestamp():
                if (await self._store.expire(request.id)).ok:
                    expired.append(request.id)
                continue
            approved_at = request.approved_at or request.created_at
            # ``grace`` 0 (freeze off) runs everything: no comparison, since the stored time
            # is rounded to microseconds and may read a hair later than ``now``.
            if grace > 0 and now - approved_at.timestamp() < grace:
                continue
            if await holding_freeze(self._store, request, stored_plan(request)) is not None:
                continue  # it runs when the freeze is lifted, or ends
            exempt = exempt_from_freeze(request.action, stored_plan(request))
            ran = await self._executor.claim_and_run(request.id, respect_freeze=not exempt)
            if ran is not None:
                recovered.append(request.id)
        return expired, recovered
