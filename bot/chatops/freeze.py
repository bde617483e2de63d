"""The change freeze at the door: ``freeze on|off`` and status, and the plan-time check.

GitLab's ChatOps refuses a production change during a freeze unless it is forced with
``--ignore-production-check``; this is that check, shared by every surface. A change is
checked twice, when it is planned and again when it is confirmed (a freeze may start in
between), so nothing but ``kill``, ``restore`` and an admin's ``--override-freeze`` gets
through while a freeze is on. The switch itself (who may, the Redis key, the waiting
requests) lives with the approval workflow, which every replica shares.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass

from bot.approvals.errors import ApprovalsUnavailable
from bot.approvals.workflow import ApprovalWorkflow
from bot.chatops.listings import unavailable
from bot.chatops.replies import Context, Reply
from bot.ops.actions.registry import action_words, is_incident
from bot.ops.commands.models import FreezeCommand
from bot.ops.model.decisions import Denied
from bot.ops.model.freeze import Freeze
from bot.ops.policy.rules import ADMINS_GROUP, Policy
from bot.render import render_error
from bot.render.common import Message
from bot.render.freeze import (
    render_freeze_override,
    render_freeze_status,
    render_freeze_switched,
    render_frozen,
    with_freeze_banner,
)
from bot.render.replies import render_note

__all__ = ["FreezeCheck", "Freezes", "with_freeze"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class FreezeCheck:
    """The verdict on one change: ``refusal`` to show instead, or go ahead, overriding
    ``overriding`` (the freeze that is on) when an admin said why."""

    refusal: Reply | None = None
    overriding: Freeze | None = None


class Freezes:
    """``freeze`` commands and the check every change passes; one per process."""

    def __init__(self, workflow: ApprovalWorkflow | None, policy: Policy) -> None:
        self._workflow = workflow
        self._policy = policy

    async def current(self) -> Freeze | None:
        """The freeze that is on, or ``None``; Redis unreachable counts as none (the
        change that follows needs Redis and fails closed there; a kill never waits)."""
        if self._workflow is None:
            return None
        try:
            return await self._workflow.freeze_state()
        except ApprovalsUnavailable:
            log.warning("the change freeze could not be read (Redis unreachable)")
            return None

    async def check(
        self, action: str, entity_id: str, override: str | None, ctx: Context
    ) -> FreezeCheck:
        """Whether ``action`` on ``entity_id`` may go ahead now, for this person."""
        if is_incident(action):
            return FreezeCheck()
        freeze = await self.current()
        if freeze is None:
            return FreezeCheck()
        what = f"{action_words(action)} {entity_id}"
        if override is None:
            refusal = render_frozen(freeze, what, prefix=ctx.prefix)
            return FreezeCheck(refusal=Reply(message=refusal, ok=False))
        if not self._policy.is_admin(ctx.actor):
            return FreezeCheck(refusal=Reply(message=render_error(
                "only admins can override the freeze",
                f"--override-freeze is for the policy's [groups] {ADMINS_GROUP} group. "
                "Kill and restore work during a freeze; for anything else ask an admin, or "
                "a responder to lift the freeze.",
            ), ok=False))  # fmt: skip
        return FreezeCheck(overriding=freeze)

    def override_notice(self, freeze: Freeze, summary: str, ctx: Context, why: str) -> Message:
        """The loud announcement of a change pushed through the freeze."""
        return render_freeze_override(freeze, summary, ctx.actor.user_id, why)

    async def handle(self, command: FreezeCommand, ctx: Context) -> Reply:
        """``freeze``, ``freeze on <reason> [--for D]``, ``freeze off [reason]``."""
        wf = self._workflow
        if wf is None:
            return unavailable("A change freeze")
        try:
            if command.switch == "status":
                freeze, history = await wf.freeze_state(), await wf.freeze_history()
                return Reply(message=render_freeze_status(freeze, history, prefix=ctx.prefix))
            allowed = self._policy.may_freeze(ctx.actor)
            if isinstance(allowed, Denied):
                return Reply(message=render_error("not allowed", allowed.reason), ok=False)
            if command.switch == "on":
                seconds = command.duration.total_seconds() if command.duration else None
                frozen = await wf.freeze_on(ctx.actor, command.reason, seconds)
                news = render_freeze_switched(
                    on=frozen, lifted=None, by=ctx.actor.user_id, reason=command.reason
                )
                return _announced(news)
            lifted, ran = await wf.freeze_off(ctx.actor, command.reason)
        except ApprovalsUnavailable:
            log.warning("freeze %s: Redis unreachable", command.switch)
            return Reply(message=render_error(
                "the change freeze is unavailable",
                "It lives in Redis, which cannot be reached right now: nothing was switched. "
                "Kill and restore still work.",
            ), ok=False)  # fmt: skip
        if lifted is None:
            return Reply(message=render_note("Changes were not frozen; there is nothing to lift."))
        news = render_freeze_switched(
            on=None, lifted=lifted, by=ctx.actor.user_id, reason=command.reason, waiting=len(ran)
        )
        return _announced(news)


def _announced(news: Message) -> Reply:
    """A switch of the freeze is news for the channel and the incident channel."""
    return Reply(message=news, visibility="channel", incident_announcement=news)


def with_freeze(reply: Reply, freeze: Freeze | None) -> Reply:
    """``reply`` (help) with the freeze banner on top while changes are frozen."""
    if freeze is None:
        return reply
    return dataclasses.replace(reply, message=with_freeze_banner(reply.message, freeze))
