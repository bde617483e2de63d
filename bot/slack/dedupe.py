"""Events API deduplication by ``event_id``, shared by every replica through Redis.

Slack redelivers an event when it did not get a 2xx within 3 seconds, sometimes with
``X-Slack-Retry-Num`` and sometimes (Socket Mode reconnects, load balancer retries) without.
The retry header alone is therefore not a reliable signal, and dropping every retry would
lose events whose first delivery never arrived. The one reliable key is ``event_id``: the
first replica to ``SET key 1 NX EX ttl`` handles the event, everyone else drops it.

When Redis is unreachable the event is handled anyway: the events we subscribe to
(``app_home_opened``) are idempotent, so a duplicate is cheaper than a lost event.

Usage::

    dedupe = EventDedupe(redis, prefix="statsig-bot:")
    if await dedupe.first_delivery(body["event_id"]):
        ...
"""

from __future__ import annotations

import redis.asyncio as aioredis
import structlog
from redis.exceptions import RedisError

__all__ = ["DEFAULT_EVENT_TTL_SECONDS", "EventDedupe"]

DEFAULT_EVENT_TTL_SECONDS = 3600
"""Slack's last retry comes about 5 minutes after the first delivery; an hour is ample."""

_log = structlog.get_logger(__name__)


class EventDedupe:
    """Remembers handled ``event_id`` values in Redis for ``ttl`` seconds."""

    def __init__(
        self,
        redis: aioredis.Redis,
        *,
        prefix: str = "statsig-bot:",
        ttl: int = DEFAULT_EVENT_TTL_SECONDS,
    ) -> None:
        self._redis = redis
        self._prefix = prefix
        self._ttl = ttl

    def key(self, event_id: str) -> str:
        return f"{self._prefix}slack:event:{event_id}"

    async def first_delivery(self, event_id: str) -> bool:
        """True exactly once per ``event_id`` across replicas (and when Redis is down)."""
        if not event_id:
            return True
        try:
            created = await self._redis.set(self.key(event_id), "1", nx=True, ex=self._ttl)
        except (RedisError, OSError) as exc:
            _log.warning("slack.dedupe.redis_unavailable", error=type(exc).__name__)
            return True
        return bool(created)
