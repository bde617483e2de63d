"""Which approval cards Slack would not let us post as channel messages.

When ``chat.postMessage`` fails (rate limited, not in the channel), the card goes out through
the command's ``response_url`` instead and cannot be edited with ``chat.update``; clicks on it
then redraw it from the request's state. The mark lives in Redis so every replica sees it.
"""

from __future__ import annotations

import structlog
from redis.exceptions import RedisError

from bot.slack.deps import SlackDeps

__all__ = ["DETACHED_TTL_SECONDS", "detached_key", "is_detached", "mark_detached"]

DETACHED_TTL_SECONDS = 8 * 24 * 3600
"""Longer than any request lives (the default TTL is a day)."""

_log = structlog.get_logger(__name__)


def detached_key(deps: SlackDeps, request_id: str) -> str:
    return f"{deps.settings.statsig_bot_redis_prefix}slack:detached:{request_id}"


async def mark_detached(deps: SlackDeps, request_id: str, cause: str) -> None:
    """Record that the request's card cannot be updated with ``chat.update``."""
    try:
        await deps.redis.set(detached_key(deps, request_id), cause, ex=DETACHED_TTL_SECONDS)
    except (RedisError, OSError) as exc:
        _log.warning("slack.detached_mark_failed", error=type(exc).__name__)


async def is_detached(deps: SlackDeps, request_id: str) -> bool:
    try:
        return bool(await deps.redis.exists(detached_key(deps, request_id)))
    except (RedisError, OSError):
        return False
