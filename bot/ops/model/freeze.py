"""A change freeze: GitLab ChatOps's "production check", held by the bot for every replica.

While a freeze is on, every change except the incident pair (kill, restore) is refused at
plan time, and approved requests wait instead of running. It is one value so that the
refusal, ``help``, App Home and the approval cards all say the same thing: who froze, why,
since when, until when (a timed freeze ends by itself) and how to get past it.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

__all__ = ["Freeze", "FreezeChange"]


class Freeze(BaseModel):
    """The freeze that is on. ``by`` is the Slack user ID or shell email of who froze it
    (rendered as a mention); ``until`` is ``None`` for a freeze that waits for ``freeze
    off``."""

    model_config = ConfigDict(frozen=True)

    by: str
    reason: str
    since: datetime
    until: datetime | None = None

    def is_over(self, now: datetime) -> bool:
        """A timed freeze whose window has passed is off, whatever Redis still holds."""
        return self.until is not None and now >= self.until


class FreezeChange(BaseModel):
    """One entry of the freeze's own audit log: turned ``on`` or ``off``, by whom, why."""

    model_config = ConfigDict(frozen=True)

    event: str  # "on" | "off"
    by: str
    reason: str
    at: datetime
    until: datetime | None = None
