"""Statsig Console API: typed models, the async client, its errors, retries and limiter.

A leaf: it imports nothing else from ``bot``, so every layer above may use its models.
"""

from bot.statsig.client import ConsoleClient
from bot.statsig.errors import (
    BadRequest,
    ConsoleError,
    Forbidden,
    InvalidRequest,
    MalformedResponse,
    NotFound,
    RateLimited,
    ReviewRequired,
    ServerError,
    Timeout,
    Unauthorized,
    Unreachable,
)
from bot.statsig.limiter import MutationLimiter
from bot.statsig.retry import RetryPolicy

__all__ = [
    "BadRequest",
    "ConsoleClient",
    "ConsoleError",
    "Forbidden",
    "InvalidRequest",
    "MalformedResponse",
    "MutationLimiter",
    "NotFound",
    "RateLimited",
    "RetryPolicy",
    "ReviewRequired",
    "ServerError",
    "Timeout",
    "Unauthorized",
    "Unreachable",
]
