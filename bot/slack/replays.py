"""One signed request, one effect: a delivery seen before is dropped, on every replica.

A signature covers the timestamp and the exact bytes, so two deliveries with the same
``X-Slack-Signature`` are the same request: a load balancer's retry, a client resending
after a reset, or somebody replaying a captured request inside the five minutes the
signature is valid. Slack itself never sends one request twice with the same signature
(its Events API retries carry a new timestamp and are caught by ``event_id`` in
:mod:`bot.slack.dedupe`), so dropping repeats loses nothing.

The first replica to ``SET key NX`` takes the request. Each replica also remembers what it
took in memory, so concurrent duplicates on one replica are caught even while Redis is
unreachable; then, across replicas, a repeat may run, which beats refusing a kill in an
incident because Redis is down.

Usage::

    replays = ReplayGuard(redis, prefix="statsig-bot:")
    if not await replays.first_delivery(headers["x-slack-signature"]):
        return 200  # already handled
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable

import redis.asyncio as aioredis
import structlog
from redis.exceptions import RedisError

__all__ = ["REPLAY_WINDOW_SECONDS", "ReplayGuard", "remember_for"]

REPLAY_WINDOW_SECONDS = 360
"""The least a delivery is remembered. A signature stays valid until five minutes after
its timestamp, which may lie ahead of our clock: the memory lasts until then, plus a
minute (:func:`remember_for`)."""
_MARGIN_SECONDS = 60
_LOCAL_LIMIT = 10_000

_log = structlog.get_logger(__name__)


class ReplayGuard:
    """Remembers the signatures of handled requests for :data:`REPLAY_WINDOW_SECONDS`."""

    def __init__(
        self,
        redis: aioredis.Redis,
        *,
        prefix: str = "statsig-bot:",
        window: float = REPLAY_WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self._redis = redis
        self._prefix = prefix
        self._window = window
        self._clock = clock
        self._wall = wall
        self._seen: OrderedDict[str, float] = OrderedDict()

    def key(self, digest: str) -> str:
        return f"{self._prefix}slack:delivery:{digest}"

    async def first_delivery(self, signature: str, timestamp: int | None = None) -> bool:
        """True exactly once per signature (across replicas while Redis answers);
        ``timestamp`` (the signed one) sets how long the signature must be remembered."""
        digest = hashlib.sha256(signature.encode()).hexdigest()[:32]
        ttl = remember_for(timestamp, self._window, self._wall())
        if not self._remember(digest, ttl):
            return False
        try:
            created = await self._redis.set(self.key(digest), "1", nx=True, ex=ttl)
        except (RedisError, OSError) as exc:
            _log.warning("slack.replay_guard.redis_unavailable", error=type(exc).__name__)
            return True
        return bool(created)

    def _remember(self, digest: str, ttl: float) -> bool:
        """Claim ``digest`` in this process; synchronous, so concurrent copies cannot both
        win. Entries are dropped from the oldest once they end (or past the size limit)."""
        now = self._clock()
        while self._seen:
            oldest, ends = next(iter(self._seen.items()))
            if now < ends and len(self._seen) < _LOCAL_LIMIT:
                break
            del self._seen[oldest]
        if digest in self._seen:
            return False
        self._seen[digest] = now + ttl
        return True


def remember_for(timestamp: int | None, least: float, now: float) -> int:
    """Seconds to remember a delivery signed at ``timestamp``: until its signature expires
    (five minutes after the timestamp) plus a margin, and never less than ``least``."""
    if timestamp is None:
        return max(1, int(least))
    return max(int(least), int(timestamp + 300 + _MARGIN_SECONDS - now))
