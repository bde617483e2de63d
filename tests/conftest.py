"""Session-wide fixtures: a real redis-server and the location of Statsig's OpenAPI document."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import redis.asyncio as aioredis
import structlog

from tests.support.redis_server import RedisServer

SPEC_ENV = "STATSIG_OPENAPI_SPEC"


@pytest.fixture(autouse=True)
def _isolated_logging() -> Iterator[None]:
    """Undo whatever a test did to logging, so one test's set-up cannot change another's.

    ``configure_logging`` and friends replace root handlers, the root level and structlog's
    global configuration; without this, test outcomes would depend on the order they run in.
    """
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        yield
    finally:
        added = [handler for handler in root.handlers if handler not in handlers]
        root.handlers[:] = handlers
        for handler in added:
            handler.close()
        root.setLevel(level)
        structlog.reset_defaults()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """One redis-server for the whole session; tests isolate themselves with ``redis_client``."""
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def redis_client(redis_server: RedisServer) -> AsyncIterator[aioredis.Redis]:
    """A client on a flushed database, closed after the test."""
    client = aioredis.Redis.from_url(redis_server.url)
    await client.flushall()
    try:
        yield client
    finally:
        await client.flushall()
        await client.aclose()


@pytest.fixture(scope="session")
def openapi_spec_path() -> Path:
    """Path to ``console-api-subset.json``; contract tests skip when it is not configured."""
    value = os.environ.get(SPEC_ENV)
    if not value:
        pytest.skip(
            f"{SPEC_ENV} is not set; run contract tests with "
            f"{SPEC_ENV}=../shared/statsig/console-api-subset.json (as .ci/run does)"
        )
    path = Path(value)
    if not path.is_file():
        pytest.fail(f"{SPEC_ENV} points to {path}, which does not exist")
    return path
