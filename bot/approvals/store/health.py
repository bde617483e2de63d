"""Redis settings that silently lose approvals, reported by ``statsig-bot check``.

An evicting ``maxmemory-policy`` may drop pending requests under memory pressure (every
request key has a TTL, so even the ``volatile-*`` policies can pick them); with neither AOF
nor RDB snapshots a restart forgets every pending request. Neither stops the bot, so they
are warnings, not errors.

Usage::

    for warning in await check_redis(redis):
        print("warning:", warning)
"""

from __future__ import annotations

from typing import Any

import redis.asyncio as aioredis
from redis import exceptions as redis_errors
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import RedisError, ResponseError

__all__ = ["check_redis", "connect_redis"]


def connect_redis(url: str, *, max_connections: int = 64, timeout: float = 5.0) -> aioredis.Redis:
    """The bot's Redis client: a *blocking* pool, so a burst of clicks waits for a
    connection instead of failing, and short retries, so an outage fails fast and closed."""
    pool = aioredis.BlockingConnectionPool.from_url(
        url,
        max_connections=max_connections,
        timeout=timeout,
        socket_connect_timeout=timeout,
        socket_timeout=timeout,
        retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), 2),
        # Named, not left to the library's default: redis-py before 6 retries nothing
        # unless told which errors to retry, and a restarted Redis closes every pooled
        # connection (the first command on each would fail).
        retry_on_error=[redis_errors.ConnectionError, redis_errors.TimeoutError],
    )
    return aioredis.Redis.from_pool(pool)


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


async def _config(redis: aioredis.Redis, name: str) -> str | None:
    reply = await redis.config_get(name)
    values = {_text(k): _text(v) for k, v in dict(reply).items()}
    return values.get(name)


async def check_redis(redis: aioredis.Redis) -> list[str]:
    """Warnings about settings that endanger pending approvals (empty: all good)."""
    try:
        await redis.ping()
    except RedisError as exc:
        return [f"Redis cannot be reached ({type(exc).__name__}); approvals are unavailable"]
    warnings: list[str] = []
    try:
        policy = await _config(redis, "maxmemory-policy")
        appendonly = await _config(redis, "appendonly")
        save = await _config(redis, "save")
    except ResponseError:
        return ["CONFIG is not available on this Redis; check by hand that maxmemory-policy "
                "is noeviction and persistence is on"]  # fmt: skip
    if policy is not None and policy != "noeviction":
        warnings.append(
            f"maxmemory-policy is {policy}: under memory pressure Redis may evict pending "
            "approval requests; set it to noeviction"
        )
    if appendonly != "yes" and not (save or "").strip():
        warnings.append(
            "persistence is off (no AOF, no RDB snapshots): a Redis restart loses every "
            "pending approval request; enable appendonly"
        )
    return warnings
