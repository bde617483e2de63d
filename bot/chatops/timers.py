"""Timed kills at the door: firing the due ones, and the reminders' two buttons.

Every replica's duty loop calls :meth:`TimedKills.fire_due` (the claim gives each due timer
to exactly one of them). An early reminder is posted in the kill's thread and the timer
waits for the end. At the end, ``--auto-restore`` runs ``restore <kill>`` *as the person
who killed it*, through the same door as a typed restore: the same policy, the same
refusal with a diff when the gate changed since the kill, the same announcements; the
result goes to the thread. Without it, the last reminder asks. **Restore now** is the
kill's own Restore button; **Keep disabled** and **Keep disabled for good** are here, for
whoever killed the gate and for the incident responders.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from bot.approvals.errors import ApprovalsUnavailable
from bot.approvals.workflow import ApprovalWorkflow
from bot.chatops.listings import unavailable
from bot.chatops.replies import Context, Reply
from bot.ops.model.identity import SHELL_ID_PREFIX, Actor
from bot.ops.model.plans import OutcomeStatus, Plan
from bot.ops.model.requests import ApprovalRequest
from bot.ops.model.timers import KillTimer, kill_window, span_words
from bot.ops.policy.rules import Policy
from bot.render import render_error
from bot.render.common import Message
from bot.render.timers import (
    render_auto_restore,
    render_back_on,
    render_kept_current,
    render_timer_kept,
    render_timer_reminder,
)
from bot.statsig.errors import ConsoleError

__all__ = ["TimedKills"]

log = logging.getLogger(__name__)

RunCommand = Callable[[str, Context], Awaitable[Reply]]
"""Handle (and commit) one command as someone: ``ChatOps``'s own door."""
Enrich = Callable[[Actor], Awaitable[Actor]]


class TimedKills:
    """The due timers and the reminders' buttons; one per process."""

    def __init__(
        self,
        workflow: ApprovalWorkflow | None,
        policy: Policy,
        *,
        run: RunCommand,
        enrich: Enrich,
    ) -> None:
        self._workflow = workflow
        self._policy = policy
        self._run = run
        self._enrich = enrich

    async def fire_due(self, limit: int = 20) -> int:
        """Fire the due timers this replica wins, one claim at a time (so no claimed timer
        waits behind another's slow restore until its lease runs out); how many. Raises
        ``RedisError`` when Redis cannot be asked (the duty loop logs it and backs off)."""
        if self._workflow is None:
            return 0
        fired = 0
        while fired < limit:
            claimed = await self._workflow.timers.due(limit=1)
            if not claimed:
                break
            fired += 1
            try:
                await self._fire(claimed[0])
            except Exception:  # its lease runs out and another round fires it again
                log.exception("timed kill %s could not be handled", claimed[0].id)
        return fired

    async def _fire(self, timer: KillTimer) -> None:
        assert self._workflow is not None
        timers = self._workflow.timers
        kill = await timers.kill(timer.id)
        if kill is None or kill.restored is not None:  # restored, or gone: nothing to say
            await timers.finish(timer, keep=False)
            return
        now = await timers.now()
        if await self._back_on(timer):
            if await timers.finish(timer, keep=False, expected=timer):
                await timers.post(kill, render_back_on(timer))
            return
        if not timer.is_over(now):
            # Recorded first: a lease that runs out while posting must not post it twice.
            if await timers.finish(timer.reminded_once(), keep=True, expected=timer):
                await timers.post(kill, render_timer_reminder(timer, now))
            return
        if not timer.auto_restore:
            if await timers.finish(timer, keep=False, expected=timer):
                await timers.post(kill, render_timer_reminder(timer, now))
            return
        if await timers.current(timer.id) != timer:  # extended or kept meanwhile: theirs wins
            return
        reply = await self._restore(timer, kill)
        outcome = reply.outcome
        restored = outcome is not None and outcome.status is OutcomeStatus.APPLIED
        already = outcome is not None and outcome.status is OutcomeStatus.NOOP
        lead = "restored" if restored else "already" if already else "not"
        await timers.post(kill, render_auto_restore(timer, reply.message, result_kind=lead))
        for announcement in reply.announcements:  # an approval card, when one is needed
            await timers.post(kill, announcement)
        await timers.finish(timer, keep=False, expected=timer)

    async def _back_on(self, timer: KillTimer) -> bool:
        """Whether the gate is on again already (turned on by hand since the kill): then
        the reminders would be wrong. Unknown (Statsig unreadable) counts as off."""
        assert self._workflow is not None
        try:
            gate = await self._workflow.client.get_gate(timer.gate_id)
        except ConsoleError:
            return False
        return gate.is_enabled

    async def _restore(self, timer: KillTimer, kill: ApprovalRequest) -> Reply:
        """``restore <kill>`` as the person who killed it, where they killed it."""
        requester = kill.requester
        shell = requester.user_id.startswith(SHELL_ID_PREFIX)
        actor = await self._enrich(Actor(requester.user_id, email=requester.email))
        ctx = Context(
            actor=actor, channel_id=kill.channel or None, surface="shell" if shell else "slack"
        )
        why = f"the {span_words(timer.window_s)} timed kill is over (--auto-restore)"
        return await self._run(f"restore {kill.id} -- {why}", ctx)

    async def extend(self, timer_id: str, ctx: Context) -> Reply:
        """The reminder's **Keep disabled**: the same window again."""
        kill = await self._decider_may(timer_id, ctx)
        if isinstance(kill, Reply):
            return kill
        assert self._workflow is not None
        try:
            longer = await self._workflow.timers.extend(timer_id)
        except ApprovalsUnavailable as exc:
            return _unavailable(exc)
        if longer is None:
            return _not_running(timer_id)
        notice = render_timer_kept(longer, ctx.actor.user_id, for_good=False)
        await self._workflow.timers.post(kill, notice)  # everyone following the kill sees it
        return Reply(message=notice)

    async def keep(self, timer_id: str, ctx: Context) -> Reply:
        """The reminder's **Keep disabled for good**: no more reminders."""
        kill = await self._decider_may(timer_id, ctx)
        if isinstance(kill, Reply):
            return kill
        assert self._workflow is not None
        try:
            timer = await self._workflow.timers.keep(timer_id)
        except ApprovalsUnavailable as exc:
            return _unavailable(exc)
        if timer is None:
            return _not_running(timer_id)
        notice = render_timer_kept(timer, ctx.actor.user_id, for_good=True)
        await self._workflow.timers.post(kill, notice)
        return Reply(message=notice)

    async def after_noop_kill(self, plan: Plan, ctx: Context) -> Message | None:
        """A kill of a gate that is already off, while a timed kill holds it: the new kill
        decides how long it stays off (untimed: until restored; timed: its window from now).
        Only for whoever killed it and the responders; ``None`` when there is nothing to say.
        """
        if self._workflow is None:
            return None
        try:
            running = [
                t for t in await self._workflow.timers.active() if t.gate_id == plan.entity_id
            ]
            now = await self._workflow.timers.now()
        except ApprovalsUnavailable:
            return None
        mine = [t for t in running if t.killed_by == ctx.actor.user_id]
        if not running or not (mine or self._policy.is_responder(ctx.actor)):
            return None
        window = kill_window(plan)
        for timer in running[1:]:
            await self._workflow.timers.keep(timer.id)
        timer = running[0]
        if window is None:
            await self._workflow.timers.keep(timer.id)
            notice = render_timer_kept(timer, ctx.actor.user_id, for_good=True)
        else:
            seconds, auto = window
            renewed = timer.model_copy(
                update={
                    "window_s": seconds,
                    "auto_restore": auto,
                    "ends_at": now + timedelta(seconds=seconds),
                    "reminded": False,
                    "rev": timer.rev + 1,
                }
            )
            await self._workflow.timers.reschedule(renewed)
            notice = render_timer_kept(renewed, ctx.actor.user_id, for_good=False)
        kill = await self._workflow.timers.kill(timer.id)
        if kill is not None:
            await self._workflow.timers.post(kill, notice)
        return notice

    async def keep_current(self, request_id: str, ctx: Context) -> Reply:
        """A refused restore's **Keep current**: nothing is restored; a timed kill stops
        reminding (and will not restore itself), so it is for whoever made the change and
        for the incident responders."""
        if self._workflow is None:
            return unavailable("Keeping a gate as it is")
        kill = await self._workflow.get(request_id)
        if kill is None:
            return _not_running(request_id)
        if kill.requester.user_id != ctx.actor.user_id and not self._policy.is_responder(ctx.actor):
            return _only_them()
        try:
            await self._workflow.timers.keep(request_id)
        except ApprovalsUnavailable as exc:
            return _unavailable(exc)
        notice = render_kept_current(kill.entity_id, ctx.actor.user_id)
        await self._workflow.timers.post(kill, notice)
        return Reply(message=notice)

    async def active(self) -> list[KillTimer]:
        """The running timed kills (empty when Redis cannot say: a listing's extra)."""
        if self._workflow is None:
            return []
        try:
            return await self._workflow.timers.active()
        except ApprovalsUnavailable:
            return []

    async def _decider_may(self, timer_id: str, ctx: Context) -> ApprovalRequest | Reply:
        """The timed kill, when ``ctx``'s person may decide about it (whoever killed the
        gate, or a responder); else the reply saying why not."""
        if self._workflow is None:
            return unavailable("A timed kill")
        kill = await self._workflow.timers.kill(timer_id)
        if kill is None:
            return _not_running(timer_id)
        if kill.requester.user_id == ctx.actor.user_id or self._policy.is_responder(ctx.actor):
            return kill
        return _only_them()


def _only_them() -> Reply:
    return Reply(
        message=render_error(
            "only whoever killed the gate, or an incident responder, decides that",
            "Ask them in the kill's thread, or use Restore now (which is checked like any "
            "restore).",
        ),
        ok=False,
    )


def _not_running(timer_id: str) -> Reply:
    return Reply(
        message=render_error(
            "that timed kill is not running",
            f"Request {timer_id} is not a timed kill that is still in force (restored, or "
            "kept for good already).",
        ),
        ok=False,
    )


def _unavailable(exc: ApprovalsUnavailable) -> Reply:
    return Reply(message=render_error("timed kills are unavailable", str(exc)), ok=False)
