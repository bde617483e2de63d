"""Who someone is in Statsig: the project role behind an email, cached.

The policy decides on :attr:`~bot.ops.model.identity.Actor.statsig_role`, but it never looks
anything up itself (it stays a pure function). Surfaces fill the role through this
directory before asking the core to decide. Roles change rarely and every command would
otherwise cost one more Console API call, so answers (including "no such user") are
cached for ``ttl`` seconds; failures other than 404 are not cached.

Usage::

    directory = StatsigDirectory(client)
    role = await directory.role_for("alice@example.com")   # "Admin", or None
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from bot.statsig.errors import NotFound
from bot.statsig.models import User

__all__ = ["StatsigDirectory", "UserSource"]


class UserSource(Protocol):
    """The one client call the directory needs (``ConsoleClient`` has it)."""

    async def get_user(self, email: str, /) -> User: ...


class StatsigDirectory:
    """Statsig project roles by email (``GET /console/v1/users/{email}``), cached."""

    def __init__(
        self,
        client: UserSource,
        *,
        ttl: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._ttl = ttl
        self._clock = clock
        self._cache: dict[str, tuple[float, str | None]] = {}

    async def role_for(self, email: str) -> str | None:
        """The user's role (``"Admin"``, ``"Member"``, ``"Read Only"``, custom), or ``None``.

        ``None`` means Statsig has no user with that email. Other Statsig errors
        (:class:`~bot.statsig.errors.ConsoleError`) propagate: "unknown" is not "no role".
        """
        key = email.strip().casefold()
        cached = self._cache.get(key)
        now = self._clock()
        if cached is not None and now - cached[0] < self._ttl:
            return cached[1]
        try:
            user = await self._client.get_user(email.strip())
        except NotFound:
            role = None
        else:
            role = user.role
        self._cache[key] = (now, role)
        return role

    def forget(self, email: str | None = None) -> None:
        """Drop one cached answer (or all of them)."""
        if email is None:
            self._cache.clear()
        else:
            self._cache.pop(email.strip().casefold(), None)
