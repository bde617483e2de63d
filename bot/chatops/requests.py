"""The approval side of the door: clicks on requests, their cards, and the Home tab's data.

Surfaces never reach the workflow themselves: an Approve, Reject or Cancel (a button, a form,
the shell's ``approve <id>``) comes here and goes back as a :class:`~bot.chatops.replies.Reply`
for the clicker; the shared card moves through the workflow's notifier. Without a workflow
(no Redis configured) every call answers "approvals are unavailable" rather than failing.

Usage::

    requests = Requests(workflow, policy)
    reply = await requests.approve("req_01", ctx)
    home = await requests.home(actor)            # what the Home tab shows
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.approvals.authorize import awaiting_approval_by
from bot.approvals.errors import ApprovalsUnavailable
from bot.approvals.results import ClickResult
from bot.approvals.workflow import ApprovalWorkflow
from bot.chatops.listings import unavailable
from bot.chatops.replies import Context, Reply, sandboxed
from bot.ops.model.freeze import Freeze
from bot.ops.model.identity import Actor
from bot.ops.model.requests import ApprovalRequest, AuditEvent
from bot.ops.model.timers import KillTimer
from bot.ops.policy.rules import Policy
from bot.render.common import Message
from bot.render.replies import render_references

__all__ = ["RECENT_CHANGES_SECONDS", "HomeData", "Requests"]

RECENT_CHANGES_SECONDS = 7 * 24 * 3600.0
"""How far back the Home tab's "recent changes" reach."""


@dataclass(frozen=True, slots=True)
class HomeData:
    """What a person's Home tab shows; ``available`` is false when Redis cannot be read
    (then the lists are empty and the tab says so, instead of "nothing is waiting").
    ``note`` says why: for the tab when approvals are not configured; when Redis is down,
    ``unreachable`` (no PING) or ``lost`` (gone while reading), for the log."""

    waiting: list[ApprovalRequest] = field(default_factory=list)
    mine: list[ApprovalRequest] = field(default_factory=list)
    recent: list[AuditEvent] = field(default_factory=list)
    available: bool = True
    note: str | None = None
    freeze: Freeze | None = None
    """The change freeze that is on, shown first."""
    timers: list[KillTimer] = field(default_factory=list)
    """The timed kills still running, soonest end first."""
    now: datetime | None = None
    """The store's time the timers' "time left" is counted from."""


class Requests:
    """Clicks, cards and Home data over one workflow (or none)."""

    def __init__(
        self, workflow: ApprovalWorkflow | None, policy: Policy, *, sandbox: bool = False
    ) -> None:
        self._workflow = workflow
        self._policy = policy
        self._sandbox = sandbox

    async def approve(self, request_id: str, ctx: Context) -> Reply:
        if self._workflow is None:
            return unavailable("Approving a request")
        return self._said(await self._workflow.approve(request_id, ctx.actor), ctx)

    async def reject(self, request_id: str, ctx: Context, reason: str) -> Reply:
        if self._workflow is None:
            return unavailable("Rejecting a request")
        return self._said(await self._workflow.reject(request_id, ctx.actor, reason), ctx)

    async def cancel(self, request_id: str, ctx: Context) -> Reply:
        if self._workflow is None:
            return unavailable("Cancelling a request")
        return self._said(await self._workflow.cancel(request_id, ctx.actor), ctx)

    def _said(self, result: ClickResult, ctx: Context) -> Reply:
        reply = Reply(message=result.message, ok=result.ok, outcome=result.outcome)
        return sandboxed(reply) if self._sandbox and ctx.surface == "slack" else reply

    async def why_not_open(self, request_id: str, ctx: Context) -> Reply | None:
        """The answer instead of a reject form, when there is nothing left to reject."""
        if self._workflow is None:
            return unavailable("Rejecting a request")
        closed = await self._workflow.why_not_open(request_id)
        return None if closed is None else self._said(closed, ctx)

    async def card(self, request_id: str) -> Message | None:
        """The request's current card (buttons only while pending); ``None`` if unknown."""
        if self._workflow is None:
            return None
        return await self._workflow.render_request(request_id)

    async def attach_card(self, request_id: str, channel: str, ts: str) -> None:
        """Remember where the request's card was posted, so transitions update it."""
        if self._workflow is not None:
            await self._workflow.attach_message(request_id, channel, ts)

    async def fill_in_references(self, request_id: str) -> Message | None:
        """After a kill: what else uses the gate, now counted; the kill's messages are
        redrawn with it. ``None`` when ``request_id`` is no executed kill."""
        if self._workflow is None:
            return None
        plan = await self._workflow.fill_in_references(request_id)
        return render_references(plan) if plan is not None else None

    async def attach_announcement(self, request_id: str, channel: str, ts: str) -> None:
        """Remember a kill's announcement, so it is redrawn when the kill is restored."""
        if self._workflow is not None:
            await self._workflow.add_card(request_id, channel, ts)

    async def available(self) -> bool:
        """Whether approvals can be recorded now (Redis answers); for logs and the Home tab."""
        return self._workflow is not None and await self._workflow.reachable()

    async def home(self, actor: Actor) -> HomeData:
        """What waits for ``actor``, what they asked for, and the last week's changes.

        Redis is pinged first (a quick answer when it is down); the listings also raise
        :class:`ApprovalsUnavailable` rather than answer an empty "waiting for you", which
        would be a lie at exactly the moment people look.
        """
        wf = self._workflow
        if wf is None:
            return HomeData(note="Approvals are not available right now.")
        if not await wf.reachable():
            return HomeData(available=False, note="unreachable")
        try:
            waiting = awaiting_approval_by(self._policy, actor, await wf.pending())
            mine = await wf.mine(actor)
            recent = await wf.audit_entries(since_seconds=RECENT_CHANGES_SECONDS)
            freeze = await wf.freeze_state()
            timers = await wf.timers.active()
            now = await wf.timers.now()
        except ApprovalsUnavailable:  # Redis went away after the ping
            return HomeData(available=False, note="lost")
        recent = sorted(recent, key=lambda e: e.at, reverse=True)
        return HomeData(
            waiting=waiting, mine=mine, recent=recent, freeze=freeze, timers=timers, now=now
        )
