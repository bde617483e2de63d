"""Fixtures for the Slack surface: one shared world (fake Slack, sandbox, Redis) per test."""

from __future__ import annotations

import asyncio
import contextlib
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
    async with contextlib.AsyncExitStack() as stack:
        instance = await stack.enter_async_context(bot_instance(w))
        try:
            yield instance
        finally:
            # Each uvicorn takes ~0.2 s to stop: stop the bot's and fake Slack's together
            # (the world's own exit then finds fake Slack already stopped).
            await asyncio.gather(stack.aclose(), w.slack.__aexit__(None, None, None))
