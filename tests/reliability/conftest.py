"""Hostile and failing conditions at the Slack edge, over real HTTP (issue 17).

Each test drives ``/slack/events`` of the real app served by uvicorn on loopback, with the
fake Slack, the sandbox and a real redis-server, the way the black-box review did.
"""

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
            await asyncio.gather(stack.aclose(), w.slack.__aexit__(None, None, None))
