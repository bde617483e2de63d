"""``ConsoleClient``: one async method per Statsig Console API endpoint the bot uses.

Usage::

    async with ConsoleClient(settings.statsig_console_api_key.get_secret_value()) as client:
        gate = await client.get_gate("checkout_v2")
        await client.disable_gate("checkout_v2", priority=True)   # the incident lane
        async for gate in client.iter_gates(tags=["critical"]):
            ...

Every request carries ``STATSIG-API-KEY``, ``STATSIG-API-VERSION: 20240601`` and
``Content-Type: application/json``; every mutation also carries
``x-respect-review-settings: true`` unless the client is built with
``respect_reviews=False``. Failures raise :mod:`bot.statsig.errors` types; retries follow
:mod:`bot.statsig.retry`; mutations pass through :class:`MutationLimiter`. The methods
live in one small mixin per endpoint group (``_gates.py``, ``_configs.py``, …).
"""

from __future__ import annotations

from types import TracebackType

import httpx

from bot.statsig._configs import ConfigsMixin
from bot.statsig._experiments import ExperimentsMixin
from bot.statsig._gates import GatesMixin
from bot.statsig._http import HttpTransport
from bot.statsig._project import ProjectMixin
from bot.statsig._segments import SegmentsMixin
from bot.statsig.limiter import MutationLimiter
from bot.statsig.retry import RetryPolicy

__all__ = ["DEFAULT_BASE_URL", "ConsoleClient"]

DEFAULT_BASE_URL = "https://statsigapi.net"


class ConsoleClient(GatesMixin, ConfigsMixin, ExperimentsMixin, SegmentsMixin, ProjectMixin):
    """Async Statsig Console API client. Close it (``async with`` or :meth:`aclose`)."""

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        respect_reviews: bool = True,
        timeout: float = 10.0,
        retry_budget: float = 10.0,
        limiter: MutationLimiter | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        retry_policy: RetryPolicy | None = None,
    ) -> None:
        """``retry_policy`` overrides ``retry_budget`` (tests inject clocks through it)."""
        self.respect_reviews = respect_reviews
        self.limiter = limiter or MutationLimiter()
        self._http = HttpTransport(
            api_key,
            base_url=base_url,
            respect_reviews=respect_reviews,
            timeout=timeout,
            retry_policy=retry_policy or RetryPolicy(budget=retry_budget),
            limiter=self.limiter,
            transport=transport,
        )

    def __repr__(self) -> str:
        return f"ConsoleClient({self._http!r}, respect_reviews={self.respect_reviews})"

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> ConsoleClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
