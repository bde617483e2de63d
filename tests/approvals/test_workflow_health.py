"""``check_redis``: warnings for settings that lose pending approvals, on the real server."""

from __future__ import annotations

from pathlib import Path

import redis.asyncio as aioredis

from bot.approvals.store.health import check_redis, connect_redis
from tests.support.redis_server import RedisServer


async def test_evicting_policy_and_missing_persistence_are_reported(
    redis_client: aioredis.Redis,
) -> None:
    warnings = await check_redis(redis_client)
    assert len(warnings) == 1 and "persistence is off" in warnings[0]
    await redis_client.config_set("maxmemory-policy", "volatile-lru")
    try:
        warnings = await check_redis(redis_client)
    finally:
        await redis_client.config_set("maxmemory-policy", "noeviction")
    assert any("volatile-lru" in w and "evict" in w for w in warnings)
    assert len(await check_redis(redis_client)) == 1


async def test_aof_server_is_healthy_and_a_stopped_one_is_unreachable(tmp_path: Path) -> None:
    server = RedisServer(tmp_path / "aof", appendonly=True)
    server.start()
    redis = connect_redis(server.url, timeout=1.0)
    try:
        assert await check_redis(redis) == []
        server.stop()
        [warning] = await check_redis(redis)
        assert "cannot be reached" in warning
    finally:
        await redis.aclose()
        server.stop()
