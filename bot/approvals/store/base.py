"""The approval store's plumbing: script registration, the clock, and running a transition.

Time has one source per store. Built without a ``clock`` (production), every script reads
the Redis server's ``TIME`` and :meth:`StoreBase.now` asks the server too, so expiry and
lease comparisons never depend on which replica's clock is right. Built with an explicit
``clock`` (tests, and the shell's in-process Redis), the time travels in ``ARGV`` instead,
which keeps tests deterministic and lets them jump past a lease or an expiry.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import TypeVar

import redis.asyncio as aioredis
from redis.commands.core import AsyncScript

from bot.approvals.store import scripts
from bot.approvals.store.codec import decode_result, not_found, text
from bot.approvals.store.keys import (
    AUDIT_MAXLEN,
    ENTITY_AUDIT_MAXLEN,
    RETENTION_SECONDS,
    Keys,
    RequestKeys,
    is_valid_request_id,
)
from bot.ops.model.requests import TransitionResult

__all__ = ["SWEEPER", "StoreBase", "bounded"]

SWEEPER = "sweeper"
_LOCATOR_FIELDS = ("entity_kind", "entity_id", "action", "requester_id")

_FAN_OUT = 16
"""At most this many concurrent calls per sweep or listing, so one sweep of 100 due requests
cannot exhaust the client's connection pool (redis-py's async pool raises when it is full)."""

_T = TypeVar("_T")


async def bounded(calls: Iterable[Awaitable[_T]]) -> list[_T]:
    gate = asyncio.Semaphore(_FAN_OUT)

    async def run(call: Awaitable[_T]) -> _T:
        async with gate:
            return await call

    return list(await asyncio.gather(*(run(c) for c in calls)))


class StoreBase:
    """Keys, scripts and the clock; subclasses add the transitions."""

    def __init__(
        self,
        redis: aioredis.Redis,
        *,
        keys: Keys,
        clock: Callable[[], float] | None,
    ) -> None:
        self._redis = redis
        self._keys = keys
        self._clock = clock
        self._create = redis.register_script(scripts.CREATE)
        self._approve = redis.register_script(scripts.APPROVE)
        self._reject = redis.register_script(scripts.REJECT)
        self._cancel = redis.register_script(scripts.CANCEL)
        self._expire = redis.register_script(scripts.EXPIRE)
        self._claim = redis.register_script(scripts.CLAIM)
        self._renew = redis.register_script(scripts.RENEW)
        self._finish = redis.register_script(scripts.FINISH)
        self._reclaim = redis.register_script(scripts.RECLAIM)
        self._release = redis.register_script(scripts.RELEASE)
        self._finish_interrupted = redis.register_script(scripts.FINISH_INTERRUPTED)
        self._resolve_review = redis.register_script(scripts.RESOLVE_REVIEW)
        self._invalidate = redis.register_script(scripts.INVALIDATE)
        self._set_message_ref = redis.register_script(scripts.SET_MESSAGE_REF)
        self._add_card = redis.register_script(scripts.ADD_CARD)
        self._mark_restored = redis.register_script(scripts.MARK_RESTORED)
        self._set_references = redis.register_script(scripts.SET_REFERENCES)

    @property
    def keys(self) -> Keys:
        return self._keys

    @property
    def redis(self) -> aioredis.Redis:
        """The client, for health checks and the readers' own queries."""
        return self._redis

    @property
    def clock(self) -> Callable[[], float] | None:
        """The explicit clock this store was built with (``None``: Redis server time)."""
        return self._clock

    async def now(self) -> float:
        """The store's current time: the explicit clock, else the Redis server's ``TIME``."""
        if self._clock is not None:
            return float(self._clock())
        seconds, micros = await self._redis.time()
        return float(seconds) + float(micros) / 1_000_000

    def _argv_now(self) -> str:
        """``ARGV[2]``: the explicit clock's time, or ``''`` for the script to read ``TIME``."""
        return "" if self._clock is None else repr(float(self._clock()))

    def _shared_args(self, request_id: str, actor: str) -> list[str]:
        retention_ms = str(RETENTION_SECONDS * 1000)
        return [
            request_id,
            self._argv_now(),
            actor,
            retention_ms,
            str(AUDIT_MAXLEN),
            str(ENTITY_AUDIT_MAXLEN),
        ]

    async def _locate(self, request_id: str) -> RequestKeys | None:
        if not is_valid_request_id(request_id):
            return None
        values = await self._redis.hmget(self._keys.request(request_id), list(_LOCATOR_FIELDS))
        if any(v is None for v in values):
            return None
        kind, entity_id, action, requester = (text(v) for v in values)
        return self._keys.for_request(
            request_id,
            entity_kind=kind,
            entity_id=entity_id,
            action=action,
            requester_id=requester,
        )

    async def _transition(
        self,
        script: AsyncScript,
        request_id: str,
        actor: str,
        *extra: str,
        more_keys: tuple[str, ...] = (),
    ) -> TransitionResult:
        keys = await self._locate(request_id)
        if keys is None:
            return not_found(request_id)
        args = [*self._shared_args(request_id, actor), *extra]
        reply = await script(keys=[*keys.as_list(), *more_keys], args=args)
        return decode_result(request_id, reply)

    async def _due(self, index: str, limit: int) -> list[str]:
        """Members of a time-scored index whose score is not after now."""
        due = await self._redis.zrangebyscore(
            index, "-inf", repr(await self.now()), start=0, num=limit
        )
        return [text(v) for v in due]
