"""The change freeze in Redis: one key holding the freeze that is on, and its audit log.

``freeze`` is a JSON string (a :class:`~bot.ops.model.freeze.Freeze`, plus ``until_s``,
its end in epoch seconds, for the Lua side). A timed freeze ends when the store's clock
(the Redis server's ``TIME``) passes ``until``: every replica, and the claim script itself
(which refuses to run a held request while a freeze is on, see ``CLAIM``), judge it the
same way; the key's TTL, a minute past the end, only clears it away. A value nobody can
read still freezes (fail closed: ``freeze off`` lifts it), because "changes are frozen"
must never silently become "not". Turning it on or off writes the key and one entry of
``freeze:log`` in one ``MULTI`` (both keys carry the ``{idx}`` tag, one slot); turning it
off deletes only a value it read (``WATCH``), and logs which freeze it lifted.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import redis.asyncio as aioredis
from pydantic import ValidationError
from redis.exceptions import WatchError

from bot.approvals.store.codec import text_map
from bot.approvals.store.keys import Keys
from bot.ops.model.freeze import Freeze, FreezeChange

__all__ = ["FREEZE_LOG_MAXLEN", "UNREADABLE", "FreezeStore"]

FREEZE_LOG_MAXLEN = 1_000
UNREADABLE = "the stored freeze could not be read; `freeze off` lifts it"
_BACKSTOP_SECONDS = 60
_TURN_OFF_ATTEMPTS = 5


def _at(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


def _decode(raw: bytes | str, now: float) -> Freeze:
    """The stored freeze; an unreadable one is still a freeze (see the module docstring)."""
    try:
        return Freeze.model_validate_json(raw)
    except ValidationError:
        return Freeze(by="someone", reason=UNREADABLE, since=_at(now))


class FreezeStore:
    """Read and switch the freeze; every method may raise ``RedisError``."""

    def __init__(self, redis: aioredis.Redis, keys: Keys, now: Callable[[], Awaitable[float]]):
        self._redis = redis
        self._keys = keys
        self._now = now

    async def current(self) -> Freeze | None:
        """The freeze that is on now, or ``None`` (off, or ended)."""
        raw = await self._redis.get(self._keys.freeze)
        if raw is None:
            return None
        freeze = _decode(raw, await self._now())
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
                value = json.dumps({**freeze.model_dump(mode="json"), "until_s": now + duration})
                ttl_ms = int((duration + _BACKSTOP_SECONDS) * 1000)
                pipe.set(self._keys.freeze, value, px=ttl_ms)
            self._log(pipe, FreezeChange(event="on", by=by, reason=reason, at=freeze.since,
                                         until=until))  # fmt: skip
            await pipe.execute()
        return freeze

    async def turn_off(self, by: str, reason: str) -> Freeze | None:
        """Lift the freeze; returns the one that was on (``None``: nothing was frozen).

        Deletes only the value it read: if another freeze replaced it meanwhile, it reads
        again and lifts that one (what the person asked for is "no freeze now")."""
        key = self._keys.freeze
        for _ in range(_TURN_OFF_ATTEMPTS):
            async with self._redis.pipeline(transaction=True) as pipe:
                try:
                    await pipe.watch(key)
                    raw = await pipe.get(key)
                    if raw is None:
                        return None
                    now = await self._now()
                    pipe.multi()  # type: ignore[no-untyped-call]
                    pipe.delete(key)
                    self._log(pipe, FreezeChange(event="off", by=by, reason=reason, at=_at(now)))
                    await pipe.execute()
                except WatchError:
                    continue
            return _decode(raw, now)
        raise WatchError("the freeze kept changing while it was being lifted")

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
