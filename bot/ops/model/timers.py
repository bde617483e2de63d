"""Timed kills: a kill with ``--for D`` is remembered as a timer until its window is over.

The window travels in the kill's plan (``change.windowSeconds``, ``change.autoRestore``), so
approvers see it and whichever replica executes the kill starts the timer. The timer itself
lives in Redis (:mod:`bot.approvals.store.timers`); this is its value and its arithmetic,
pure, so the phases are tested without a clock: a reminder :data:`REMINDER_LEAD` before the
end (when the window is longer than that), then the end itself, where the gate is restored
(``--auto-restore``) or the people are asked once more.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict

from bot.ops.model.plans import Plan

__all__ = ["REMINDER_LEAD", "KillTimer", "kill_window", "span_words"]

REMINDER_LEAD = timedelta(minutes=5)


def kill_window(plan: Plan) -> tuple[float, bool] | None:
    """``(seconds, auto_restore)`` of a timed kill's plan, ``None`` for an untimed one."""
    seconds = plan.change.get("windowSeconds")
    if not isinstance(seconds, int | float) or isinstance(seconds, bool) or seconds <= 0:
        return None
    return float(seconds), bool(plan.change.get("autoRestore"))


def span_words(seconds: float) -> str:
    """``1800`` → ``30 minutes``; ``5400`` → ``1 h 30 min``; for messages."""
    minutes = max(1, round(seconds / 60))
    if minutes < 60:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    hours, rest = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h" + (f" {rest} min" if rest else "")
    days, hours = divmod(hours, 24)
    return f"{days} d" + (f" {hours} h" if hours else "")


class KillTimer(BaseModel):
    """One timed kill. ``id`` is the kill's request ID (one timer per kill)."""

    model_config = ConfigDict(frozen=True)

    id: str
    gate_id: str
    killed_by: str
    """The Slack user ID (or shell ID) of who killed it: the reminders mention them."""
    window_s: float
    auto_restore: bool
    ends_at: datetime
    reminded: bool = False
    """The early reminder was posted (only the end is left)."""
    rev: int = 0
    """Bumped by every change (reminded, extended): whoever fired a timer finishes it only
    if nobody changed it meanwhile (see ``TimerStore.done``)."""

    @property
    def reminder_at(self) -> datetime | None:
        """When the early reminder is due, or ``None`` (posted, or the window is too short)."""
        if self.reminded or timedelta(seconds=self.window_s) <= REMINDER_LEAD:
            return None
        return self.ends_at - REMINDER_LEAD

    @property
    def next_due(self) -> datetime:
        return self.reminder_at or self.ends_at

    def is_over(self, now: datetime) -> bool:
        return now >= self.ends_at

    def extended(self, now: datetime) -> KillTimer:
        """ "Keep disabled": the same window again, from the end (or from now if it passed)."""
        start = max(self.ends_at, now)
        ends = start + timedelta(seconds=self.window_s)
        return self.model_copy(update={"ends_at": ends, "reminded": False, "rev": self.rev + 1})

    def reminded_once(self) -> KillTimer:
        return self.model_copy(update={"reminded": True, "rev": self.rev + 1})

    def left(self, now: datetime) -> float:
        return max(0.0, (self.ends_at - now).total_seconds())
