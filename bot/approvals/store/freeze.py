"""The change freeze in Redis: one key holding the freeze that is on, and its audit log.

``freeze`` is a JSON string (a :class:`~bot.ops.model.freeze.Freeze`); a timed freeze also
carries a TTL a minute past its end as a backstop, but the end itself is judged from the
stored ``until`` against the store's clock (the Redis server's ``TIME``), so every replica
agrees on the second a freeze ends. Turning it on or off writes the key and one entry of
``freeze:log`` in one ``MULTI``: both keys carry the ``{idx}`` tag, one slot.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import redis.asyncio as aioredis
from pydantic import ValidationError

from bot.approvals.store.codec import text_map
from bot.approvals.store.keys import Keys
from bot.ops.model.freeze import Freeze, FreezeChange

__all__ = ["FREEZE_LOG_MAXLEN", "FreezeStore"]

FREEZE_LOG_MAXLEN = 1_000
_BACKSTOP_SECONDS = 60


def _at(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


class FreezeStore:
    """Read and switch the freeze; every method may raise ``RedisError``."""

    def __init__(self, redis: aioredis.Redis, keys: Keys, now: Callable[[], Awaitable[float]]):
        self._redis = redis
        self._keys = keys
        self._now = now

    async def current(self) -> Freeze | None:
        """The freeze that is on now, or ``None`` (off, ended, or unreadable)."""
        raw = await self._redis.get(self._keys.freeze)
        if raw is None:
            return None
        try:
            freeze = Freeze.model_validate_json(raw)
        except ValidationError:
            return None  # never block every change on a value nobody can read
        return None if freeze.is_over(_at(await self._now())) else freeze

    async def turn_on(self, by: str, reason: str, duration: float | None) -> Freeze:
        """Freeze from now (replacing a freeze that was on), for ``duration`` seconds or
        until turned off."""
        now = await self._now()
        until = _at(now + duration) if duration is not None else None
        freeze = Freeze(by=by, reason=reason, since=_at(now), until=until)
        async with self._redis.pipeline(transaction=True) as pipe:
            if duration is None:
                pipe.set(self._keys.freeze, freeze.model_dump_json())
            else:
                ttl_ms = int((duration + _BACKSTOP_SECONDS) * 1000)
                pipe.set(self._keys.freeze, freeze.model_dump_json(), px=ttl_ms)
            self._log(pipe, FreezeChange(event="on", by=by, reason=reason, at=freeze.since,
                                         until=until))  # fmt: skip
            await pipe.execute()
        return freeze

    async def turn_off(self, by: str, reason: str) -> Freeze | None:
        """Lift the freeze; returns the one that was on (``None``: nothing was frozen)."""
        was = await self.current()
        if was is None:
            await self._redis.delete(self._keys.freeze)  # an ended timed freeze's leftovers
            return None
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.delete(self._keys.freeze)
            self._log(pipe, FreezeChange(event="off", by=by, reason=reason,
                                         at=_at(await self._now())))  # fmt: skip
            await pipe.execute()
        return was

    async def history(self, count: int = 5) -> list[FreezeChange]:
        """The latest freeze changes, newest first."""
        entries = await self._redis.xrevrange(self._keys.freeze_log, count=count) or []
        changes: list[FreezeChange] = []
        for _id, fields in entries:
            try:
                changes.append(FreezeChange.model_validate_json(text_map(fields or {})["json"]))
            except (KeyError, ValidationError):
                continue
        return changes

    def _log(self, pipe: aioredis.client.Pipeline, change: FreezeChange) -> None:
        pipe.xadd(
            self._keys.freeze_log,
            {"json": change.model_dump_json()},
            maxlen=FREEZE_LOG_MAXLEN,
            approximate=True,
        )
