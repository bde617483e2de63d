"""Timed kills in Redis: due times in a sorted set, fired exactly once by any replica.

``timers`` scores each timed kill by its next due time (the early reminder, then the end),
on the store's clock. :meth:`TimerStore.claim_due` is one script: it moves every due timer
to ``timers:firing`` under a lease and returns it, so when every replica polls at once
each timer goes to exactly one of them. The winner posts the reminder (or restores the
gate) and then either reschedules the timer or removes it (:meth:`done`). A replica that
dies in between leaves a lease that runs out; the next poll puts the timer back and
fires it again, so a reminder is late rather than lost. Timers survive restarts and
replica changes because nothing about them lives in a process.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import redis.asyncio as aioredis
from pydantic import ValidationError

from bot.approvals.store.codec import text
from bot.approvals.store.keys import Keys
from bot.ops.model.timers import KillTimer

__all__ = ["FIRING_LEASE_SECONDS", "TimerStore"]

FIRING_LEASE_SECONDS = 120.0
"""How long one replica may take over a due timer before another one takes it again."""
_RETENTION_SECONDS = 30 * 86400

CLAIM_DUE = """
-- KEYS[1] timers zset, KEYS[2] firing zset. ARGV[1] now, ARGV[2] lease seconds,
-- ARGV[3] how many at most. Timers whose firing lease ran out are due again first.
local now, lease, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local stale = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, limit)
for _, id in ipairs(stale) do
  redis.call('ZREM', KEYS[2], id)
  redis.call('ZADD', KEYS[1], now, id)
end
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, limit)
for _, id in ipairs(due) do
  redis.call('ZREM', KEYS[1], id)
  redis.call('ZADD', KEYS[2], now + lease, id)
end
return due
"""


FINISH = """
-- KEYS[1] the timer, KEYS[2] timers zset, KEYS[3] firing zset. ARGV[1] the timer id,
-- ARGV[2] the rev the finisher fired, ARGV[3] the new JSON ('' = forget it), ARGV[4] its
-- next due time, ARGV[5] TTL seconds. Only if the timer is still there at rev ARGV[2]:
-- whoever extended it or kept the gate off for good meanwhile wins.
-- Reply: 1 finished, 0 left to the other change.
local raw = redis.call('GET', KEYS[1])
if not raw then  -- kept for good (or restored) meanwhile: nothing to bring back
  redis.call('ZREM', KEYS[3], ARGV[1])
  return 0
end
local ok, timer = pcall(cjson.decode, raw)
if ok and type(timer) == 'table' and tostring(timer['rev'] or 0) ~= ARGV[2] then
  redis.call('ZREM', KEYS[3], ARGV[1])
  return 0
end
redis.call('ZREM', KEYS[3], ARGV[1])
if ARGV[3] == '' then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[2], ARGV[1])
else
  redis.call('SET', KEYS[1], ARGV[3], 'EX', ARGV[5])
  redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
end
return 1
"""


def _decode(raw: bytes | str) -> KillTimer | None:
    try:
        return KillTimer.model_validate_json(raw)
    except ValidationError:
        return None


def _at(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


class TimerStore:
    """Schedule, claim and finish timed kills; every method may raise ``RedisError``."""

    def __init__(self, redis: aioredis.Redis, keys: Keys, now: Callable[[], Awaitable[float]]):
        self._redis = redis
        self._keys = keys
        self._now = now
        self._claim_due = redis.register_script(CLAIM_DUE)
        self._finish = redis.register_script(FINISH)

    async def now(self) -> datetime:
        return _at(await self._now())

    async def schedule(self, timer: KillTimer) -> None:
        """Store ``timer`` and (re)schedule it at its next due time."""
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(self._keys.timer(timer.id), timer.model_dump_json(), ex=_RETENTION_SECONDS)
            pipe.zrem(self._keys.timers_firing, timer.id)
            pipe.zadd(self._keys.timers, {timer.id: timer.next_due.timestamp()})
            await pipe.execute()

    async def get(self, timer_id: str) -> KillTimer | None:
        raw = await self._redis.get(self._keys.timer(timer_id))
        return _decode(raw) if raw is not None else None

    async def claim_due(
        self, limit: int = 20, lease: float = FIRING_LEASE_SECONDS
    ) -> list[KillTimer]:
        """The due timers this caller now owns (no other caller gets them)."""
        ids = await self._claim_due(
            keys=[self._keys.timers, self._keys.timers_firing],
            args=[repr(await self._now()), repr(lease), limit],
        )
        timers: list[KillTimer] = []
        for raw_id in ids or []:
            timer = await self.get(text(raw_id))
            if timer is None:  # its record is gone: nothing left to remind of
                await self._redis.zrem(self._keys.timers_firing, text(raw_id))
                continue
            timers.append(timer)
        return timers

    async def done(self, timer: KillTimer, *, keep: bool, fired_rev: int | None = None) -> bool:
        """After firing: store and reschedule ``timer`` (``keep``) or forget it, unless
        the stored timer is no longer revision ``fired_rev`` (someone extended or kept it
        while it fired: their change stands). Whether it was finished."""
        rev = timer.rev if fired_rev is None else fired_rev
        reply = await self._finish(
            keys=[self._keys.timer(timer.id), self._keys.timers, self._keys.timers_firing],
            args=[
                timer.id,
                str(rev),
                timer.model_dump_json() if keep else "",
                repr(timer.next_due.timestamp()),
                _RETENTION_SECONDS,
            ],
        )
        return bool(reply)

    async def cancel(self, timer_id: str) -> bool:
        """Forget the timer (restored, kept for good); whether there was one."""
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.zrem(self._keys.timers, timer_id)
            pipe.zrem(self._keys.timers_firing, timer_id)
            pipe.delete(self._keys.timer(timer_id))
            removed = await pipe.execute()
        return bool(removed[-1])

    async def active(self, limit: int = 50) -> list[KillTimer]:
        """Every timed kill still running, soonest end first."""
        waiting = await self._redis.zrange(self._keys.timers, 0, limit - 1)
        firing = await self._redis.zrange(self._keys.timers_firing, 0, limit - 1)
        names = list(dict.fromkeys(text(i) for i in [*waiting, *firing]))
        if not names:
            return []
        raws = await self._redis.mget([self._keys.timer(n) for n in names])
        timers = [t for raw in raws if raw is not None and (t := _decode(raw)) is not None]
        return sorted(timers, key=lambda t: t.ends_at)
