"""Fixtures for the approval store tests: a fake clock and stores on the real redis-server."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from bot.approvals.store import ApprovalStore
from tests.approvals.helpers import FakeClock
from tests.support.redis_server import RedisServer


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(redis_client: aioredis.Redis, clock: FakeClock) -> ApprovalStore:
    return ApprovalStore(redis_client, clock=clock)


@pytest.fixture
async def replica_b(
    redis_server: RedisServer, redis_client: aioredis.Redis, clock: FakeClock
) -> AsyncIterator[ApprovalStore]:
    """A second store on its own client and connection pool, like another bot replica."""
    client = aioredis.Redis.from_url(redis_server.url)
    try:
        yield ApprovalStore(client, clock=clock)
    finally:
        await client.aclose()


@pytest.fixture
async def replicas(
    redis_server: RedisServer, redis_client: aioredis.Redis, clock: FakeClock
) -> AsyncIterator[tuple[ApprovalStore, ApprovalStore]]:
    """Two replicas under load: each has its own client with a *blocking* pool.

    redis-py's default async pool raises ``MaxConnectionsError`` past 100 connections instead
    of waiting; the bot's real client must be built the same way for bursts of clicks.
    """
    clients = [
        aioredis.Redis.from_pool(  # from_pool: aclose() also closes the pool
            aioredis.BlockingConnectionPool.from_url(
                redis_server.url, max_connections=64, timeout=20
            )
        )
        for _ in range(2)
    ]
    try:
        yield ApprovalStore(clients[0], clock=clock), ApprovalStore(clients[1], clock=clock)
    finally:
        for client in clients:
            await client.aclose()
