"""The workflow's side of timed kills: what ``bot.chatops`` calls to fire, extend and list.

Timers are started and stopped by the requests themselves (:mod:`bot.approvals.timed_kills`);
this is everything else: claiming the due ones (exactly once across replicas), putting
them back or away, the two buttons (Keep disabled, Keep disabled for good), the list of
running ones, and posting in the kill's thread (or, when the kill has no message, a DM
to the person who killed it, so a reminder is never dropped for want of a thread).
"""

from __future__ import annotations

import logging
from datetime import datetime

from redis.exceptions import RedisError

from bot.approvals.errors import ApprovalsUnavailable
from bot.approvals.notify import Notifications
from bot.approvals.results import stored_plan
from bot.approvals.store import ApprovalStore
from bot.ops.actions.registry import KILL_ACTION
from bot.ops.model.requests import ApprovalRequest
from bot.ops.model.states import ApprovalState
from bot.ops.model.timers import KillTimer, kill_window
from bot.render.common import Message

__all__ = ["KillTimers"]

log = logging.getLogger(__name__)
_WHAT = "timed kills"


class KillTimers:
    """Timed kills on one store; every method but :meth:`due` raises
    :class:`ApprovalsUnavailable` when Redis is unreachable."""

    def __init__(self, store: ApprovalStore, notify: Notifications) -> None:
        self._store = store
        self._notify = notify

    async def now(self) -> datetime:
        try:
            return await self._store.timers.now()
        except RedisError as exc:
            raise ApprovalsUnavailable(_WHAT) from exc

    async def due(self, limit: int = 20) -> list[KillTimer]:
        """The due timers this replica now owns (raises ``RedisError``: the duty loop logs
        and backs off)."""
        return await self._store.timers.claim_due(limit)

    async def finish(
        self, timer: KillTimer, *, keep: bool, expected: KillTimer | None = None
    ) -> bool:
        """After firing: reschedule (``keep``) or forget the timer, unless it changed since
        ``expected`` was claimed (an extend or a keep meanwhile wins); whether it did."""
        fired = expected.rev if expected is not None else None
        return await self._store.timers.done(timer, keep=keep, fired_rev=fired)

    async def reschedule(self, timer: KillTimer) -> None:
        """Store ``timer`` as it is now (a new window from a second kill)."""
        try:
            await self._store.timers.schedule(timer)
        except RedisError as exc:
            raise ApprovalsUnavailable(_WHAT) from exc

    async def current(self, timer_id: str) -> KillTimer | None:
        """The timer as stored now (to check nobody changed it before acting on it)."""
        return await self._store.timers.get(timer_id)

    async def active(self) -> list[KillTimer]:
        try:
            return await self._store.timers.active()
        except RedisError as exc:
            raise ApprovalsUnavailable(_WHAT) from exc

    async def kill(self, timer_id: str) -> ApprovalRequest | None:
        """The executed kill a timer (or a reminder's button) belongs to."""
        try:
            request = await self._store.get(timer_id)
        except (RedisError, ValueError):
            return None
        if request is None or request.action != KILL_ACTION:
            return None
        return request if request.state is ApprovalState.EXECUTED else None

    async def extend(self, timer_id: str) -> KillTimer | None:
        """Keep disabled: the same window again from the end (or from now once over). A
        kill whose last reminder already ended its timer gets a new one. ``None``: not a
        timed kill, or it was restored."""
        kill = await self.kill(timer_id)
        if kill is None or kill.restored is not None:
            return None
        try:
            now = await self._store.timers.now()
            timer = await self._store.timers.get(timer_id) or _rebuilt(kill, now)
            if timer is None:
                return None
            longer = timer.extended(now)
            await self._store.timers.schedule(longer)
        except RedisError as exc:
            raise ApprovalsUnavailable(_WHAT) from exc
        return longer

    async def keep(self, timer_id: str) -> KillTimer | None:
        """Keep disabled for good: no more reminders. The kill's timer as it was (``None``:
        not a timed kill)."""
        kill = await self.kill(timer_id)
        if kill is None:
            return None
        try:
            now = await self._store.timers.now()
            timer = await self._store.timers.get(timer_id) or _rebuilt(kill, now)
            await self._store.timers.cancel(timer_id)
        except RedisError as exc:
            raise ApprovalsUnavailable(_WHAT) from exc
        return timer

    async def post(self, kill: ApprovalRequest, message: Message) -> None:
        """In the kill's thread; a DM to whoever killed it when the kill has no message."""
        notifier = self._notify.notifier
        if notifier is None:
            return
        try:
            if kill.channel and kill.message_ts:
                await notifier.post_in_thread(kill.channel, kill.message_ts, message)
            else:
                await notifier.notify_user(kill.requester.user_id, message)
        except Exception:  # the timer is done either way; the log says what was lost
            log.exception("could not post the reminder of timed kill %s", kill.id)


def _rebuilt(kill: ApprovalRequest, now: datetime) -> KillTimer | None:
    """A timer for a timed kill whose own timer is over (its window, ending now)."""
    stored = stored_plan(kill)
    window = kill_window(stored.plan) if stored is not None else None
    if window is None:
        return None
    seconds, auto_restore = window
    return KillTimer(
        id=kill.id,
        gate_id=kill.entity_id,
        killed_by=kill.requester.user_id,
        window_s=seconds,
        auto_restore=auto_restore,
        ends_at=now,
        reminded=True,
    )
