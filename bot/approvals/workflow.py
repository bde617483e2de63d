"""The approval workflow: request → approve/reject/cancel/expire → claim → execute → result.

:class:`ApprovalWorkflow` is what the application service (``bot.chatops``) calls. It binds
together the store (atomic transitions in Redis), the policy (who may click, decided again
at click time), the executor (exactly-once execution with a stale-plan check) and the
surface's :class:`~bot.approvals.notify.Notifier` (message updates, thread entries, DMs).

Every method answers with a value carrying the message to show; none raises for Redis or
Statsig trouble, except the listings (``pending``, ``mine``, ``audit_entries``), which
raise :class:`~bot.approvals.errors.ApprovalsUnavailable` rather than answer "nothing".
With Redis unreachable the approval path fails closed ("Approvals are unavailable …"),
except a break-glass ``kill``, which still runs and reports ``audit_saved=False``.

Usage::

    wf = ApprovalWorkflow(store, client, policy, notifier=notifier)
    submitted = await wf.submit(plan, need, alice, channel="C1")    # post submitted.message
    await wf.attach_message(submitted.request.id, "C1", ts)
    click = await wf.approve(submitted.request.id, bob)             # runs once at quorum
    await wf.sweep()                                                # any replica, any time
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
import time
from collections.abc import Callable

from redis.exceptions import RedisError

from bot.approvals.audit_read import AuditReader
from bot.approvals.authorize import RoleDirectory, with_role
from bot.approvals.clicks import Clicks
from bot.approvals.errors import ApprovalsUnavailable
from bot.approvals.execute import DEFAULT_LEASE_SECONDS, Executor
from bot.approvals.notify import Notifications, Notifier
from bot.approvals.results import (
    ClickResult,
    RestoreSource,
    RunResult,
    StoredPlan,
    SubmitResult,
    SweepReport,
    stored_plan,
)
from bot.approvals.reviews_watch import ReviewWatch
from bot.approvals.run_now import create_request, run_now
from bot.approvals.spool import KillSpool
from bot.approvals.store import ApprovalStore
from bot.approvals.sweeper import Sweeper
from bot.approvals.timers import KillTimers
from bot.ops.actions.client import ConsoleAPI
from bot.ops.actions.incident import with_references
from bot.ops.actions.registry import KILL_ACTION
from bot.ops.model.decisions import NeedsApproval
from bot.ops.model.freeze import Freeze, FreezeChange
from bot.ops.model.identity import Actor, People
from bot.ops.model.plans import Plan
from bot.ops.model.requests import ApprovalRequest, AuditEvent, LockHeld
from bot.ops.model.states import ApprovalState
from bot.ops.policy.rules import Policy
from bot.render.approvals import (
    ApprovalCard,
    render_approval_card,
    render_lock_held,
    render_notice,
    render_unavailable,
)
from bot.render.common import Message
from bot.statsig.errors import ConsoleError

__all__ = ["ApprovalWorkflow", "default_executor_id"]

log = logging.getLogger(__name__)


def default_executor_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class ApprovalWorkflow:
    """Approval requests for one bot replica; any number of replicas share one Redis."""

    def __init__(
        self,
        store: ApprovalStore,
        client: ConsoleAPI,
        policy: Policy,
        *,
        directory: RoleDirectory | None = None,
        notifier: Notifier | None = None,
        people: People | None = None,
        clock: Callable[[], float] = time.time,
        executor_id: str | None = None,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
        spool: KillSpool | None = None,
        ticket_key: bytes | None = None,
    ) -> None:
        self.store = store
        self.ticket_key = ticket_key if ticket_key is not None else secrets.token_bytes(32)
        """Signs the Restore button of a kill Redis could not record (see RestoreTicket)."""
        self.spool = spool
        """Where kills that ran without Redis wait to be recorded (``None``: nowhere)."""
        self.client = client
        self._policy = policy
        self._directory = directory
        self._clock = clock
        self.notify = Notifications(store, policy, notifier, people=people, directory=directory)
        self.reviews = ReviewWatch(store, client)
        self.executor = Executor(
            store,
            client,
            executor_id=executor_id or default_executor_id(),
            lease_seconds=lease_seconds,
            on_transition=self.notify.transition,
            on_finished=self.notify.finished,
        )
        self._sweeper = Sweeper(store, self.executor)
        self.timers = KillTimers(store, self.notify)
        """Timed kills: fire the due ones, extend, keep for good, list."""
        self._audit = AuditReader(store, clock=clock)
        self._clicks = Clicks(store, client, policy, self.executor, self.notify, directory)

    @property
    def policy(self) -> Policy:
        """The policy this replica was started with (clicks are judged by it; a new policy
        means a restart, like any other setting)."""
        return self._policy

    @property
    def notifier(self) -> Notifier | None:
        """The surface's notifier (``None``: nobody is told; the shell without one)."""
        return self.notify.notifier

    async def with_role(self, actor: Actor) -> Actor:
        """Fill the actor's Statsig role from the directory when the surface did not."""
        return await with_role(self._directory, actor)

    # -- requests --------------------------------------------------------------------------

    async def submit(
        self,
        plan: Plan,
        need: NeedsApproval,
        requester: Actor,
        *,
        channel: str | None,
        freeze_override: str = "",
    ) -> SubmitResult:
        """Open a pending request and render its card (or say who holds the lock);
        ``freeze_override`` (an admin's reason) lets it run during a change freeze."""
        stored = StoredPlan(
            plan=plan,
            need=need,
            requester_label=requester.label,
            requester_role=requester.statsig_role,
            requester_usergroups=tuple(sorted(requester.usergroups)),
            freeze_override=freeze_override,
        )
        try:
            created = await create_request(
                self.store, stored, requester, channel=channel,
                quorum=max(1, need.approvals_required), approver_group=need.approvers.name,
                ttl_seconds=need.ttl_seconds,
            )  # fmt: skip
        except RedisError:
            return SubmitResult(message=render_unavailable())
        except ValueError as exc:
            return SubmitResult(
                message=render_notice(f"Cannot record this request: {exc}", ok=False)
            )
        if isinstance(created, LockHeld):
            message = render_lock_held(created, action=plan.action, entity_id=plan.entity_id)
            return SubmitResult(message=message, lock_holder=created)
        await self.notify.transition(created.id)
        await self.notify.invite_approvers(created, need)
        return SubmitResult(
            message=render_approval_card(await self.notify.card(created)), request=created
        )

    async def run_now(
        self, plan: Plan, requester: Actor, *, channel: str | None, freeze_override: str = ""
    ) -> RunResult:
        """Record and execute an allowed change at once (a kill runs even without Redis,
        and is spooled to be recorded once Redis is back)."""
        result = await run_now(
            self.store, self.executor, self.notify, plan, requester, channel=channel,
            freeze_override=freeze_override, ticket_key=self.ticket_key,
        )  # fmt: skip
        ran_unrecorded = result.outcome is not None and not result.audit_saved
        if ran_unrecorded and plan.action == KILL_ACTION and self.spool is not None:
            assert result.outcome is not None
            self.spool.add(plan, result.outcome, requester, channel)
        return result

    # -- clicks ----------------------------------------------------------------------------

    async def approve(self, request_id: str, approver: Actor) -> ClickResult:
        return await self._clicks.approve(request_id, approver)

    async def why_not_open(self, request_id: str) -> ClickResult | None:
        """Why the request can no longer be decided, or ``None`` while it is pending."""
        return await self._clicks.why_not_open(request_id)

    async def reject(self, request_id: str, actor: Actor, reason: str) -> ClickResult:
        return await self._clicks.reject(request_id, actor, reason)

    async def cancel(self, request_id: str, actor: Actor) -> ClickResult:
        return await self._clicks.cancel(request_id, actor)

    # -- reading ---------------------------------------------------------------------------

    async def get(self, request_id: str) -> ApprovalRequest | None:
        try:
            return await self.store.get(request_id)
        except RedisError:
            return None

    async def render_request(self, request_id: str) -> Message | None:
        """The current approval card (buttons only while pending); ``None`` if unknown."""
        request = await self.get(request_id)
        if request is None:
            return None
        try:
            return render_approval_card(await self.notify.card(request))
        except RedisError:
            return render_approval_card(ApprovalCard(request, None))

    async def thread_entry(self, request_id: str) -> Message | None:
        """The thread reply for the request's latest transition."""
        return await self._audit.thread_entry(request_id)

    async def pending(self) -> list[ApprovalRequest]:
        """Open requests; raises :class:`ApprovalsUnavailable` when Redis is unreachable
        (an empty list would claim that nothing is pending)."""
        try:
            return await self.store.list_pending()
        except RedisError as exc:
            log.warning("Redis unreachable while listing pending requests")
            raise ApprovalsUnavailable("the open approval requests") from exc

    async def in_review(self) -> list[ApprovalRequest]:
        """Requests Statsig turned into reviews: open until Statsig decides, so listed with
        the pending ones; raises :class:`ApprovalsUnavailable` like :meth:`pending`."""
        try:
            return await self.store.list_in_review()
        except RedisError as exc:
            log.warning("Redis unreachable while listing requests in review")
            raise ApprovalsUnavailable("the open approval requests") from exc

    async def mine(self, actor: Actor) -> list[ApprovalRequest]:
        """The actor's requests; raises :class:`ApprovalsUnavailable` like :meth:`pending`."""
        try:
            return await self.store.list_by_requester(actor.user_id)
        except RedisError as exc:
            log.warning("Redis unreachable while listing a requester's requests")
            raise ApprovalsUnavailable("your approval requests") from exc

    async def audit_entries(
        self, *, entity: tuple[str, str] | None = None, since_seconds: float | None = None
    ) -> list[AuditEvent]:
        """The bot's own audit trail, oldest first; raises :class:`ApprovalsUnavailable`
        when Redis is unreachable."""
        return await self._audit.entries(entity=entity, since_seconds=since_seconds)

    async def snapshot_for_restore(self, ref: str) -> RestoreSource | None:
        """The snapshot of a kill/disable, by request ID or by gate ID (the latest one)."""
        return await self._audit.snapshot_for_restore(ref)

    async def fill_in_references(self, request_id: str) -> Plan | None:
        """After a kill landed: count what else uses the gate, record it, and redraw the
        kill's messages with it (the fast path skipped that read). The plan with them, or
        ``None`` when this is not an executed kill or Redis cannot say."""
        try:
            request = await self.store.get(request_id)
        except RedisError:
            return None
        stored = stored_plan(request) if request is not None else None
        executed = request is not None and request.state is ApprovalState.EXECUTED
        if request is None or stored is None or not executed or request.action != KILL_ACTION:
            return None
        try:
            plan = await with_references(self.client, stored.plan)
        except ConsoleError:
            await self.notify.redraw_kill(request, references_unreadable=True)
            return None
        radius = plan.blast_radius
        try:
            await self.store.set_references(
                request.id,
                radius.gate_references or 0,
                radius.experiment_references or 0,
                radius.config_references or 0,
            )
            request = await self.store.get(request_id) or request
        except RedisError:
            log.warning("could not record the references of request %s", request_id)
        await self.notify.redraw_kill(request)
        return plan

    async def add_card(self, request_id: str, channel: str, ts: str) -> None:
        """Remember another message that shows the request (a kill's announcement)."""
        try:
            await self.store.add_card(request_id, channel, ts)
        except RedisError:
            log.warning("could not remember a message of request %s", request_id)

    async def reachable(self, timeout: float = 0.5) -> bool:
        """Whether Redis answers a PING now: a quick "no" beats a listing that hangs."""
        try:
            await asyncio.wait_for(self.store.redis.ping(), timeout)
        except Exception:
            return False
        return True

    async def attach_message(self, request_id: str, channel: str, ts: str) -> None:
        try:
            await self.store.set_message_ref(request_id, channel, ts)
        except RedisError:
            log.warning("could not remember the message of request %s", request_id)

    # -- change freeze ---------------------------------------------------------------------

    async def freeze_state(self) -> Freeze | None:
        """The freeze that is on; raises :class:`ApprovalsUnavailable` when Redis cannot say."""
        try:
            return await self.store.freeze.current()
        except RedisError as exc:
            raise ApprovalsUnavailable("the change freeze") from exc

    async def freeze_history(self) -> list[FreezeChange]:
        try:
            return await self.store.freeze.history()
        except RedisError as exc:
            raise ApprovalsUnavailable("the change freeze") from exc

    async def freeze_on(self, actor: Actor, reason: str, duration: float | None) -> Freeze:
        """Freeze every change but kill and restore, for every replica; open requests'
        cards say that they wait. Raises :class:`ApprovalsUnavailable` without Redis."""
        try:
            freeze = await self.store.freeze.turn_on(actor.user_id, reason, duration)
        except RedisError as exc:
            raise ApprovalsUnavailable("the change freeze") from exc
        log.warning("change freeze on by %s for %s", actor.user_id, duration or "until lifted")
        try:  # the freeze is on: a card that cannot be redrawn now must not hide that
            await self.notify.redraw(await self._open_requests())
        except RedisError:
            log.warning("could not redraw the open requests' cards after freeze on")
        return freeze

    async def freeze_off(self, actor: Actor, reason: str) -> tuple[Freeze | None, list[str]]:
        """Lift the freeze and run the approved requests it held (once each, whatever other
        replica tries too). Returns the freeze that was on and the requests run."""
        try:
            lifted = await self.store.freeze.turn_off(actor.user_id, reason)
        except RedisError as exc:
            raise ApprovalsUnavailable("the change freeze") from exc
        if lifted is None:
            return None, []
        ran: list[str] = []
        try:  # the freeze is off whatever happens next; the sweeper retries what is left
            expired, ran = await self._sweeper.run_approved()
            for request_id in expired:  # waited past their expiry: the card and DM say so
                await self.notify.transition(request_id)
            await self.notify.redraw(await self._open_requests())
        except RedisError:
            log.warning("after freeze off, the waiting requests are left to the sweeper")
        log.warning("change freeze lifted by %s; %d waiting request(s) ran", actor.user_id,
                    len(ran))  # fmt: skip
        return lifted, ran

    async def _open_requests(self) -> list[ApprovalRequest]:
        return await self.store.list_pending()

    # -- background ------------------------------------------------------------------------

    async def release_leases(self) -> list[str]:
        """This replica is stopping: end the leases of what it is still executing, so
        another replica's next sweep verifies those in Statsig now, not when the leases
        would have run out. Never raises (the leases then simply run out)."""
        try:
            released = await self.store.release_leases(self.executor.executor_id)
        except RedisError:
            return []
        if released:
            log.warning("released %d lease(s) on shutdown", len(released))
        return released

    async def sweep(self) -> SweepReport:
        """Record spooled kills, expire, judge interrupted executions, recover stuck
        approvals; idempotent."""
        if self.spool is not None:
            for request_id in await self.spool.drain(self.store):
                await self.notify.finished(request_id)  # a timed kill's timer starts late
        try:
            done = await self._sweeper.run()
        except RedisError as exc:
            return SweepReport(errors=[f"Redis unreachable: {type(exc).__name__}"])
        for request_id in [*done.expired, *done.interrupted]:
            await self.notify.transition(request_id)
        return SweepReport(
            expired=done.expired,
            interrupted={k: v.value for k, v in done.interrupted.items()},
            recovered=done.recovered,
        )

    async def watch_reviews_once(self) -> int:
        """Poll entities whose change awaits a Statsig review; returns how many resolved."""
        try:
            resolved = await self.reviews.poll_once()
        except RedisError:
            return 0
        for request_id in resolved:
            await self.notify.transition(request_id)
            await self.notify.announce_if_incident(request_id)
            await self.notify.review_resolved(request_id)
        return len(resolved)
