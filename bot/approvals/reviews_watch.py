"""Watching Statsig reviews that a request turned into, until they are committed or rejected.

When Statsig holds a change for review, the request ends ``submitted_for_review`` (the
store's terminal state). The watcher keeps polling the entity with backoff: once its
``activeReview`` is gone, the entity either shows the intended change (the review was
committed) or not (rejected or withdrawn). The verdict is written once (``HSETNX``) to the
request's review hash and to the audit streams, so any number of replicas may poll.

Keys (from :class:`bot.approvals.keys.Keys`): ``review_watch`` (ZSET request → next poll)
and ``review(ID)`` (HASH: attempts, result, resolved_at; retention TTL).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from redis.exceptions import RedisError

from bot.approvals._codec import text
from bot.approvals.keys import AUDIT_MAXLEN, ENTITY_AUDIT_MAXLEN, RETENTION_SECONDS
from bot.approvals.models import ApprovalRequest
from bot.approvals.results import outcome_of, stored_plan
from bot.approvals.states import ApprovalState
from bot.approvals.store import ApprovalStore
from bot.ops.actions import ConsoleAPI
from bot.ops.actions_base import PlanError, active_review
from bot.ops.actions_rebuild import action_from_plan, intended_state_observed
from bot.ops.actions_stale import read_entity
from bot.statsig.errors import ConsoleError, NotFound

__all__ = ["COMMITTED", "REJECTED", "ReviewWatch"]

COMMITTED = "committed"
REJECTED = "rejected"
_BATCH = 50


class ReviewWatch:
    """Poll entities of requests submitted for review in Statsig (any replica, idempotent)."""

    def __init__(
        self,
        store: ApprovalStore,
        client: ConsoleAPI,
        *,
        clock: Callable[[], float],
        first_delay: float = 30.0,
        max_delay: float = 900.0,
        give_up_after: float = 14 * 24 * 3600,
    ) -> None:
        self._store = store
        self._redis = store.redis
        self._keys = store.keys
        self._client = client
        self._clock = clock
        self._first = first_delay
        self._max = max_delay
        self._give_up = give_up_after

    async def add(self, request_id: str) -> None:
        """Start watching (called by the executor that recorded ``submitted_for_review``)."""
        now = self._clock()
        key = self._keys.review(request_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, mapping={"attempts": 0, "since": repr(now)})
            pipe.pexpire(key, RETENTION_SECONDS * 1000)
            pipe.zadd(self._keys.review_watch, {request_id: now + self._first})
            await pipe.execute()

    async def result(self, request_id: str) -> str | None:
        """``committed``/``rejected`` once seen, else ``None``."""
        value = await self._redis.hget(self._keys.review(request_id), "result")
        return None if value is None else text(value)

    async def poll_once(self) -> list[str]:
        """Poll every due request once; returns those whose review this call resolved."""
        due = await self._redis.zrangebyscore(
            self._keys.review_watch, "-inf", repr(self._clock()), start=0, num=_BATCH
        )
        resolved = []
        for raw in due:
            request_id = text(raw)
            if await self._poll(request_id):
                resolved.append(request_id)
        return resolved

    async def _poll(self, request_id: str) -> bool:
        request = await self._store.get(request_id)
        if request is None or request.state is not ApprovalState.SUBMITTED_FOR_REVIEW:
            await self._redis.zrem(self._keys.review_watch, request_id)
            return False
        verdict = await self._verdict(request)
        if verdict is None:
            await self._reschedule(request_id)
            return False
        await self._redis.zrem(self._keys.review_watch, request_id)
        return await self._record(request, verdict)

    async def _verdict(self, request: ApprovalRequest) -> str | None:
        stored, outcome = stored_plan(request), outcome_of(request)
        if stored is None:
            return REJECTED
        plan = stored.plan
        try:
            entity = await read_entity(self._client, plan)
        except NotFound:
            return REJECTED
        except ConsoleError:
            return None
        review = active_review(entity)
        waited_for = outcome.review_id if outcome else None
        if review is not None and (waited_for is None or review.review_id == waited_for):
            return None
        try:
            done = intended_state_observed(action_from_plan(plan), plan, entity)
        except PlanError:
            done = False
        return COMMITTED if done else REJECTED

    async def _reschedule(self, request_id: str) -> None:
        key = self._keys.review(request_id)
        attempts = int(await self._redis.hincrby(key, "attempts", 1))
        since = await self._redis.hget(key, "since")
        now = self._clock()
        if since is not None and now - float(text(since)) > self._give_up:
            await self._redis.zrem(self._keys.review_watch, request_id)
            return
        delay = min(self._first * 2 ** min(attempts, 20), self._max)
        await self._redis.zadd(self._keys.review_watch, {request_id: now + delay})

    async def _record(self, request: ApprovalRequest, verdict: str) -> bool:
        """Write the verdict once; only the writer reports it (and notifies)."""
        key = self._keys.review(request.id)
        if not await self._redis.hsetnx(key, "result", verdict):
            return False
        now = repr(self._clock())
        outcome = outcome_of(request)
        fields: dict[Any, Any] = {
            "request_id": request.id,
            "event": f"review_{verdict}",
            "from": request.state.value,
            "to": request.state.value,
            "actor": "statsig",
            "at": now,
            "entity_kind": request.entity_kind,
            "entity_id": request.entity_id,
            "action": request.action,
            "review_id": (outcome.review_id if outcome else None) or "",
        }
        entity_stream = self._keys.entity_audit(request.entity_kind, request.entity_id)
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.hset(key, "resolved_at", now)
                pipe.xadd(self._keys.audit, fields, maxlen=AUDIT_MAXLEN, approximate=True)
                pipe.xadd(entity_stream, fields, maxlen=ENTITY_AUDIT_MAXLEN, approximate=True)
                await pipe.execute()
        except RedisError:
            logging.getLogger(__name__).warning("review verdict of %s not audited", request.id)
        return True
