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

__all__ = ["REPLAY_WINDOW_SECONDS", "ReplayGuard"]

REPLAY_WINDOW_SECONDS = 360
"""Longer than the signature's five minutes (plus clock skew): an older copy is refused
by the signature check anyway."""
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
    ) -> None:
        self._redis = redis
        self._prefix = prefix
        self._window = window
        self._clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()

    def key(self, digest: str) -> str:
        return f"{self._prefix}slack:delivery:{digest}"

    async def first_delivery(self, signature: str) -> bool:
        """True exactly once per signature (across replicas while Redis answers)."""
        digest = hashlib.sha256(signature.encode()).hexdigest()[:32]
        if not self._remember(digest):
            return False
        try:
            created = await self._redis.set(
                self.key(digest), "1", nx=True, ex=max(1, int(self._window))
            )
        except (RedisError, OSError) as exc:
            _log.warning("slack.replay_guard.redis_unavailable", error=type(exc).__name__)
            return True
        return bool(created)

    def _remember(self, digest: str) -> bool:
        """Claim ``digest`` in this process; synchronous, so concurrent copies cannot both win."""
        now = self._clock()
        while self._seen:
            oldest, at = next(iter(self._seen.items()))
            if now - at < self._window and len(self._seen) < _LOCAL_LIMIT:
                break
            del self._seen[oldest]
        if digest in self._seen:
            return False
        self._seen[digest] = now
        return True
