"""Fixtures for the Slack surface: one shared world (fake Slack, sandbox, Redis) per test."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from tests.slack.harness import BotInstance, World, bot_instance, world
from tests.support.redis_server import RedisServer


@pytest.fixture
async def w(redis_server: RedisServer, redis_client: aioredis.Redis) -> AsyncIterator[World]:
    async with world(redis_server.url) as shared:
        yield shared


@pytest.fixture
async def bot(w: World) -> AsyncIterator[BotInstance]:
    async with bot_instance(w) as instance:
        yield instance
