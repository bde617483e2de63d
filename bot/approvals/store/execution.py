"""The store's execution-phase transitions: claim, renew, finish, interrupted leases, reviews.

A lease is a promise, kept in Redis, that one executor is running a request's mutation.
It is taken by ``claim``, renewed by its holder right before the Statsig call (``renew``,
refused once the lease ran out or a sweeper reclaimed it), and released by ``finish``. A
sweeper may ``reclaim`` a lease that ran out and then records what Statsig shows with
``finish_interrupted``. A change Statsig turned into a review stays ``submitted_for_review``
(holding the entity lock) until ``resolve_review``. All lease times are the store's clock
(the Redis server's, in production; see :mod:`bot.approvals.store.base`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from bot.approvals.store.base import SWEEPER, StoreBase, bounded
from bot.approvals.store.codec import text
from bot.ops.model.requests import TransitionResult
from bot.ops.model.states import (
    FINISH_STATES,
    INTERRUPTED_FINISH_STATES,
    REVIEW_FINISH_STATES,
    ApprovalState,
    Refusal,
)

__all__ = ["REVIEW_FIRST_POLL_SECONDS", "ExecutionTransitions"]

REVIEW_FIRST_POLL_SECONDS = 30.0
"""How long after ``submitted_for_review`` the review watcher first looks at the entity."""


class ExecutionTransitions(StoreBase):
    """Claim → renew → finish, and the sweeper's and review watcher's transitions."""

    async def claim(
        self,
        request_id: str,
        executor_id: str,
        lease_seconds: float,
        *,
        respect_freeze: bool = False,
    ) -> TransitionResult:
        """Approved → executing under a lease; exactly one of any number of callers wins.

        An approved request past its expiry is expired instead (refused as ``expired``).
        With ``respect_freeze`` the claim is refused as ``frozen`` while a change freeze is
        on, judged in the same script (see ``CLAIM``).
        """
        if lease_seconds <= 0:
            raise ValueError("lease_seconds must be positive")
        return await self._transition(
            self._claim,
            request_id,
            executor_id,
            repr(lease_seconds),
            "1" if respect_freeze else "0",
            more_keys=(self._keys.freeze,),
        )

    async def renew(
        self, request_id: str, executor_id: str, lease_seconds: float
    ) -> TransitionResult:
        """Extend the lease to now + ``lease_seconds`` iff ``executor_id`` still holds it.

        Refused as ``lease_expired`` when the lease already ran out (even if no sweeper has
        reclaimed it yet), ``interrupted`` when a sweeper did, ``not_lease_holder`` for
        anyone else: in every such case the caller must not call Statsig.
        """
        if lease_seconds <= 0:
            raise ValueError("lease_seconds must be positive")
        return await self._transition(self._renew, request_id, executor_id, repr(lease_seconds))

    async def finish(
        self,
        request_id: str,
        executor_id: str,
        state: ApprovalState,
        outcome: Mapping[str, Any],
        *,
        first_review_poll: float = REVIEW_FIRST_POLL_SECONDS,
    ) -> TransitionResult:
        """Executing → executed | failed | submitted_for_review, by the lease holder only.

        ``submitted_for_review`` keeps the entity lock and queues the request for the review
        watcher, ``first_review_poll`` seconds from now.
        """
        target = ApprovalState(state)
        if target not in FINISH_STATES:
            raise ValueError(f"finish cannot set {target}")
        return await self._transition(
            self._finish,
            request_id,
            executor_id,
            target.value,
            json.dumps(dict(outcome)),
            repr(float(first_review_poll)),
        )

    async def interrupted_due(self, limit: int = 100, *, actor: str = SWEEPER) -> list[str]:
        """Mark executions whose lease ran out as interrupted; each id is reported once.

        The caller then checks Statsig and records the verdict with ``finish_interrupted``.
        """
        ids = await self._due(self._keys.leases, limit)
        results = await bounded(self.reclaim(rid, actor=actor) for rid in ids)
        gone = [r.request_id for r in results if r.refusal is Refusal.NOT_FOUND]
        if gone:
            await self._redis.zrem(self._keys.leases, *gone)
        return [r.request_id for r in results if r.ok]

    async def release_leases(self, executor_id: str) -> list[str]:
        """End every lease ``executor_id`` still holds, now (it is stopping); the IDs."""
        ids = [text(v) for v in await self._redis.zrange(self._keys.leases, 0, -1)]
        results = await bounded(self._transition(self._release, rid, executor_id) for rid in ids)
        return [r.request_id for r in results if r.ok]

    async def reclaim(self, request_id: str, *, actor: str = SWEEPER) -> TransitionResult:
        """Executing with an ended lease → marked interrupted (once); the holder can't finish."""
        return await self._transition(self._reclaim, request_id, actor)

    async def list_interrupted(self) -> list[str]:
        """Reclaimed executions still waiting for a verdict (e.g. their sweeper died).

        Entries whose request hash has gone are pruned: there is nothing left to decide.
        """
        index = self._keys.interrupted
        ids = [text(v) for v in await self._redis.zrange(index, 0, -1)]
        if not ids:
            return []
        async with self._redis.pipeline(transaction=False) as pipe:
            for rid in ids:
                pipe.exists(self._keys.request(rid))
            exists = await pipe.execute()
        missing = [rid for rid, there in zip(ids, exists, strict=True) if not there]
        if missing:
            await self._redis.zrem(index, *missing)
        return [rid for rid, there in zip(ids, exists, strict=True) if there]

    async def finish_interrupted(
        self,
        request_id: str,
        state: ApprovalState,
        outcome: Mapping[str, Any],
        *,
        actor: str = SWEEPER,
    ) -> TransitionResult:
        """Record the verdict on a reclaimed execution: executed (verified) or failed."""
        target = ApprovalState(state)
        if target not in INTERRUPTED_FINISH_STATES:
            raise ValueError(f"finish_interrupted cannot set {target}")
        return await self._transition(
            self._finish_interrupted, request_id, actor, target.value, json.dumps(dict(outcome))
        )

    async def reviews_due(self, limit: int = 50) -> list[str]:
        """Requests submitted for review whose next poll is due."""
        return await self._due(self._keys.review_watch, limit)

    async def schedule_review_poll(self, request_id: str, at: float) -> None:
        """Move the next poll of a watched review (only while it is still watched)."""
        await self._redis.zadd(self._keys.review_watch, {request_id: repr(at)}, xx=True)

    async def unwatch_review(self, request_id: str) -> None:
        """Drop a watch entry whose request is gone or no longer awaits a review."""
        await self._redis.zrem(self._keys.review_watch, request_id)

    async def resolve_review(
        self,
        request_id: str,
        state: ApprovalState,
        outcome: Mapping[str, Any],
        *,
        actor: str = "statsig",
    ) -> TransitionResult:
        """Submitted for review → executed | review_rejected | review_unresolved (terminal)."""
        target = ApprovalState(state)
        if target not in REVIEW_FINISH_STATES:
            raise ValueError(f"resolve_review cannot set {target}")
        return await self._transition(
            self._resolve_review, request_id, actor, target.value, json.dumps(dict(outcome))
        )
