"""How the workflow tells the surfaces that a request moved: the ``Notifier`` port and the
one place that decides who hears what.

The approval workflow outlives the request that started it (clicks arrive later, on any
replica), so it reports transitions through a :class:`Notifier` that each surface provides:
Slack updates the approval message and its thread, the shell prints. The port belongs here,
to the layer that calls it. A kill (or restore) that runs after an approval is announced
through the notifier too, as loudly as a break-glass one, because no command reply is there
to carry the announcement.

A surface's trouble never undoes or blocks a transition: every call is guarded and logged.

Usage::

    notify = Notifications(store, policy, notifier)
    await notify.transition(request_id)          # card redrawn, thread entry, DM when final
    await notify.announce_if_incident(request_id)
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

from redis.exceptions import RedisError

from bot.approvals.announce import incident_announcement
from bot.approvals.authorize import RoleDirectory, current_need, stored_requester, with_role
from bot.approvals.freeze import holding_freeze
from bot.approvals.results import outcome_of, stored_plan
from bot.approvals.store import ApprovalStore
from bot.approvals.timed_kills import follow_timers
from bot.ops.actions.registry import (
    KILL_ACTION,
    RESTORE_ACTION,
    action_words,
    is_announced,
    is_incident,
)
from bot.ops.model.decisions import Denied, NeedsApproval
from bot.ops.model.identity import Actor, People
from bot.ops.model.plans import Plan
from bot.ops.model.requests import ApprovalRequest
from bot.ops.model.states import TERMINAL_STATES, ApprovalState
from bot.ops.policy.rules import Policy
from bot.render.approvals import (
    ApprovalCard,
    render_approval_card,
    render_approver_invitation,
    render_kill_announcement,
    render_requester_dm,
    render_review_verdict,
)
from bot.render.common import Message

__all__ = ["FanOut", "Notifications", "Notifier", "with_recorded_references"]

log = logging.getLogger(__name__)

_REQUESTER_HEARS = (TERMINAL_STATES - {ApprovalState.CANCELLED}) | {
    ApprovalState.SUBMITTED_FOR_REVIEW
}
"""States the requester is DMed about (they cancelled themselves, so not that one)."""


class Notifier(Protocol):
    """How the workflow tells a surface that an approval request moved."""

    async def request_updated(self, request_id: str) -> None:
        """Re-render the request's message (buttons removed once decided) and add a
        thread entry for the latest transition."""

    async def notify_user(self, user_id: str, message: Message) -> None:
        """Send a direct message (the requester's result, an approver's invitation)."""

    async def announce(
        self,
        channel_id: str | None,
        message: Message,
        *,
        incident: bool,
        request_id: str | None = None,
    ) -> None:
        """Post a loud message in the channel where the request was made (``None``: not in
        Slack), and also in the policy's incident channel when ``incident`` is true. With
        ``request_id``, remember the posts as the request's cards (see ``add_card``)."""

    async def update_message(self, channel_id: str, ts: str, message: Message) -> None:
        """Redraw a message posted earlier (a kill's announcement, once it is restored)."""

    async def post_in_thread(self, channel_id: str, thread_ts: str, message: Message) -> None:
        """Reply in the thread of a message posted earlier (a timed kill's reminder)."""


class Notifications:
    """The workflow's side of the notifier: what to tell, and to whom, after a transition."""

    def __init__(
        self,
        store: ApprovalStore,
        policy: Policy,
        notifier: Notifier | None,
        *,
        people: People | None = None,
        directory: RoleDirectory | None = None,
    ) -> None:
        self._store = store
        self._policy = policy
        self.notifier = notifier
        self._people = people
        self._directory = directory

    async def transition(self, request_id: str) -> None:
        """Tell the surface; DM the requester when the request reached its end (or became a
        Statsig review, which may take days)."""
        if self.notifier is None:
            return
        try:
            await self.notifier.request_updated(request_id)
            request = await self._store.get(request_id)
            finished = request is not None and request.state in _REQUESTER_HEARS
            if request is not None and finished:
                card = await self.card(request)
                await self.notifier.notify_user(
                    request.requester.user_id, render_requester_dm(card)
                )
        except Exception:  # a surface problem must never undo or block a transition
            log.exception("notifier failed for request %s", request_id)

    async def redraw(self, requests: list[ApprovalRequest]) -> None:
        """Redraw the cards of ``requests`` without a thread entry (nothing happened to
        them: the freeze around them changed)."""
        if self.notifier is None:
            return
        for request in requests:
            if not request.channel or not request.message_ts:
                continue
            try:
                card = render_approval_card(await self.card(request))
                await self.notifier.update_message(request.channel, request.message_ts, card)
            except Exception:  # the card stays as it was; the freeze itself is switched
                log.exception("could not redraw the card of request %s", request.id)

    async def finished(self, request_id: str) -> None:
        """What follows a request that reached its end: an approved kill or restore is
        announced, a timed kill starts its timer (a restore stops it), and an executed one
        voids the approvals of the open change on its gate (they were given for a gate that
        is no longer in that state)."""
        await self.announce_if_incident(request_id)
        try:
            request = await self._store.get(request_id)
            if request is not None:
                await follow_timers(self._store, request)
        except Exception:  # the kill ran; its reminders are second to that
            log.exception("could not start or stop the timer of request %s", request_id)
        try:
            request = await self._store.get(request_id)
            executed = request is not None and request.state is ApprovalState.EXECUTED
            if request is not None and executed and is_incident(request.action):
                await self._void_open_change(request)
                if request.action == RESTORE_ACTION:
                    await self._redraw_restored(request)
        except Exception:  # the change ran; what follows must not turn it into an error
            log.exception("could not follow up on request %s", request_id)

    async def _void_open_change(self, incident: ApprovalRequest) -> None:
        holder_id = await self._store.lock_holder(incident.entity_kind, incident.entity_id)
        holder = await self._store.get(holder_id) if holder_id else None
        if holder is None or holder.state is not ApprovalState.PENDING:
            return
        who = incident.requester.email or incident.requester.user_id
        what = action_words(incident.action)
        reason = (
            f"{incident.entity_kind} {incident.entity_id} changed under it: a {what} by {who} "
            "ran since they were given. Read the request again before approving"
        )
        voided = await self._store.invalidate_approvals(
            holder.id, holder.plan_fingerprint, holder.plan_json, actor=incident.id, reason=reason
        )
        if voided.ok:
            await self.transition(holder.id)

    async def _redraw_restored(self, restore: ApprovalRequest) -> None:
        """Every message of the kill this restore undid now says restored, by whom, when,
        and loses its Restore button (one click on a stale button must not restore twice)."""
        stored = stored_plan(restore)
        source = str(stored.plan.change.get("sourceRequest") or "") if stored else ""
        if not source:
            return
        marked = await self._store.mark_restored(source, restore.id, restore.requester.user_id)
        kill = await self._store.get(source) if marked else None
        if kill is not None:
            await self.redraw_kill(kill)

    async def redraw_kill(
        self, kill: ApprovalRequest, *, references_unreadable: bool = False
    ) -> None:
        """Redraw every message of an executed kill from what the request now records: its
        references once counted, its restore once restored."""
        kill_stored, outcome = stored_plan(kill), outcome_of(kill)
        if self.notifier is None or kill_stored is None or outcome is None:
            return
        announcement = render_kill_announcement(
            with_recorded_references(kill, kill_stored.plan),
            outcome,
            request_id=kill.id,
            requester=kill_stored.requester_label or kill.requester.user_id,
            audit_saved=True,
            approved_by=[a.user_id for a in kill.approvals] if kill_stored.need else (),
            restored=kill.restored,
            references_unreadable=references_unreadable,
        )
        targets: list[tuple[str, str, Message]] = [(c, ts, announcement) for c, ts in kill.cards]
        if kill.channel and kill.message_ts:
            # A break-glass kill's own message is its announcement; an approved kill's is
            # its approval card, which shows the restore too.
            own = announcement if kill_stored.need is None else None
            if own is None:
                own = render_approval_card(await self.card(kill))
            targets.append((kill.channel, kill.message_ts, own))
        for channel, ts, message in targets:
            try:
                await self.notifier.update_message(channel, ts, message)
            except Exception:  # one message's failure must not leave the others stale
                log.exception("could not redraw a card of request %s", kill.id)

    async def announce_if_incident(self, request_id: str) -> None:
        """Post the loud message of an approved kill or restore that just executed.

        Called only by whoever recorded the final state, so it happens once per request.
        """
        if self.notifier is None:
            return
        try:
            request = await self._store.get(request_id)
            loud = incident_announcement(request) if request is not None else None
            if request is not None and loud is not None:
                await self.notifier.announce(
                    request.channel or None, loud, incident=True, request_id=request.id
                )
        except Exception:  # the change ran; a surface problem must not turn it into an error
            log.exception("could not announce request %s", request_id)

    async def review_resolved(self, request_id: str) -> None:
        """A kill or restore that Statsig held for review was decided: re-announce it (as
        loudly as the hold was), redraw its messages, and start a timed kill's timer.

        An approved one's announcement is :meth:`announce_if_incident`'s; this covers the
        verdict itself, for break-glass kills too, whose first message said "NOT disabled".
        """
        if self.notifier is None:
            return
        try:
            request = await self._store.get(request_id)
            stored = stored_plan(request) if request is not None else None
            if request is None or stored is None or not is_announced(request.action):
                return
            committed = request.state is ApprovalState.EXECUTED
            if not committed and request.state is not ApprovalState.REVIEW_REJECTED:
                return
            who = stored.requester_label or request.requester.user_id
            notice = render_review_verdict(stored.plan, committed=committed, requester=who)
            await self.notifier.announce(request.channel or None, notice, incident=True)
            if committed:
                await follow_timers(self._store, request)
            if request.action == KILL_ACTION:
                await self.redraw_kill(request)
        except Exception:  # the verdict is recorded; telling people is best effort
            log.exception("could not announce the review verdict of request %s", request_id)

    async def invite_approvers(self, request: ApprovalRequest, need: NeedsApproval) -> None:
        """DM exactly the people who could approve now, when the policy asks for it.

        The group's members are expanded through the chat's people directory (user groups,
        emails), then each one is judged as their click would be: four eyes, Statsig role,
        Statsig reviewers. Without a directory only members listed by user ID are known.
        """
        if self.notifier is None or not self._policy.dm_approvers:
            return
        stored = stored_plan(request)
        if stored is None:
            return
        card = await self.card(request)
        invitation = render_approver_invitation(card, channel=request.channel or None)
        requester = stored_requester(request, stored)
        for candidate in await self._candidates(need):
            candidate = await with_role(self._directory, candidate)
            if isinstance(self._policy.may_approve(candidate, requester, need), Denied):
                continue
            try:
                await self.notifier.notify_user(candidate.user_id, invitation)
            except Exception:
                log.exception("could not invite approver to request %s", request.id)

    async def _candidates(self, need: NeedsApproval) -> list[Actor]:
        members = need.approvers.members
        if self._people is not None:
            try:
                return await self._people.members(members)
            except Exception:  # a directory outage must not block the request
                log.warning("could not list the approvers of group %s", need.approvers.name)
                return []
        return [Actor(m) for m in members if m[:1] in ("U", "W")]

    async def card(self, request: ApprovalRequest) -> ApprovalCard:
        """The card's data; a pending card shows today's rules (a policy that raised the
        quorum since the request was made is what a click will be judged by)."""
        stored = stored_plan(request)
        need = stored.need if stored else None
        if stored is not None and need is not None and request.state is ApprovalState.PENDING:
            today = current_need(self._policy, request, stored)
            need = today if isinstance(today, NeedsApproval) else need
        frozen = None
        if request.state in (ApprovalState.PENDING, ApprovalState.APPROVED):
            try:
                frozen = await holding_freeze(self._store, request, stored)
            except RedisError:  # the card without its freeze line beats no card
                log.warning("could not read the change freeze for request %s", request.id)
        return ApprovalCard(
            request=request,
            plan=stored.plan if stored else None,
            need=need,
            outcome=outcome_of(request),
            frozen=frozen,
        )


class FanOut:
    """Several surfaces' notifiers as one: the shell prints and, when a Slack token is
    configured, Slack's cards follow too. One failing never silences the others."""

    def __init__(self, *notifiers: Notifier) -> None:
        self._notifiers = notifiers

    async def request_updated(self, request_id: str) -> None:
        await self._each(lambda n: n.request_updated(request_id))

    async def notify_user(self, user_id: str, message: Message) -> None:
        await self._each(lambda n: n.notify_user(user_id, message))

    async def announce(
        self,
        channel_id: str | None,
        message: Message,
        *,
        incident: bool,
        request_id: str | None = None,
    ) -> None:
        await self._each(
            lambda n: n.announce(channel_id, message, incident=incident, request_id=request_id)
        )

    async def update_message(self, channel_id: str, ts: str, message: Message) -> None:
        await self._each(lambda n: n.update_message(channel_id, ts, message))

    async def post_in_thread(self, channel_id: str, thread_ts: str, message: Message) -> None:
        await self._each(lambda n: n.post_in_thread(channel_id, thread_ts, message))

    async def _each(self, call: Callable[[Notifier], Awaitable[None]]) -> None:
        for notifier in self._notifiers:
            try:
                await call(notifier)
            except Exception:
                log.exception("a notifier failed")


def with_recorded_references(request: ApprovalRequest, plan: Plan) -> Plan:
    """``plan`` with the references the request recorded after its kill (if any)."""
    if request.references is None:
        return plan
    gates, experiments, configs = request.references
    radius = plan.blast_radius.model_copy(
        update={
            "gate_references": gates,
            "experiment_references": experiments,
            "config_references": configs,
        }
    )
    return plan.model_copy(update={"blast_radius": radius})
