"""Exactly-once execution of an approved request, and the verdict on an interrupted one.

Only the caller whose ``claim`` wins (approved → executing, one Lua script) runs the
mutation; every other replica, double click or Slack retry loses the claim and stops. The
winner re-reads the entity first (a stale relative plan is refused with what moved; an
absolute one proceeds and says the base moved), then, immediately before the mutation,
renews its lease with one script that succeeds only while the lease is still its own and
still running. If that fails (the lease ran out during a slow stale check, or a sweeper
already reclaimed it), Statsig is not called and nothing is finished: the sweeper owns the
request now. Nothing slow (no notifier, no Slack) happens between claim and mutation; the
surface hears about the request once its outcome is recorded with ``finish``.

If the executor dies, its lease runs out and a sweeper calls
:meth:`Executor.verdict_after_interruption`: the entity showing the intended state means
``executed (verified after interruption)``, anything else ``failed: interrupted``. When no
verdict is possible (the entity is gone, Statsig unreachable, the stored plan unreadable)
the sweeper retries until :data:`VERIFY_DEADLINE_SECONDS` after the lease ended, then
records ``failed: interrupted (could not verify)``, which releases the entity lock. The
mutation is never sent a second time. Whoever records the final state (and only they)
calls ``on_finished``, so follow-ups such as a kill's announcement happen once.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, cast, get_args

from redis.exceptions import RedisError

from bot.approvals.freeze import exempt_from_freeze
from bot.approvals.results import stored_plan
from bot.approvals.store import ApprovalStore
from bot.ops.actions.base import Action, PlanError
from bot.ops.actions.client import ConsoleAPI
from bot.ops.actions.registry import action_from_plan, intended_state_observed
from bot.ops.actions.stale import check_base, read_entity
from bot.ops.model.plans import EntityKind, Outcome, OutcomeStatus, Plan
from bot.ops.model.requests import UNVERIFIED_INTERRUPTION, ApprovalRequest
from bot.ops.model.states import ApprovalState
from bot.statsig.errors import ConsoleError, NotFound

__all__ = [
    "DEFAULT_LEASE_SECONDS",
    "UNVERIFIED_ERROR",
    "VERIFY_DEADLINE_SECONDS",
    "Execution",
    "Executor",
    "final_state",
    "outcome_record",
]

log = logging.getLogger(__name__)

Notify = Callable[[str], Awaitable[None]]
Guard = Callable[[], Awaitable[bool]]

DEFAULT_LEASE_SECONDS = 300.0
"""How long a claim (and each renewal) lets one executor own a request.

The lease is renewed right before the mutation, so it must outlast everything after that
point: ``action.execute`` (the mutation, then one read-back) and ``finish``. Worst case with
the default :class:`~bot.statsig.client.ConsoleClient` (``timeout=10`` s per httpx phase,
``retry_budget=10`` s): one attempt can spend 10 s each waiting for a pooled connection,
connecting, writing and reading = 40 s; retries start only while less than 10 s have
elapsed, so one call ends within 10 + 40 = 50 s; mutation + read-back = 100 s. ``finish``
on the bot's Redis client (5 s socket timeout, 2 retries with ≤ 0.5 s backoff) adds about
16 s: about 116 s in all, so 300 s leaves more than 2.5× headroom. Not covered: the client's
own :class:`~bot.statsig.limiter.MutationLimiter`, which queues a mutation while Statsig's
rate window is full; at that point the call has not left the machine, and if it waits past
the lease a sweeper reports the request as interrupted and the mutation may still land, to
be seen on the card as a read-back mismatch. Clock skew between replicas does not shorten
the lease: claim, renew and reclaim all compare times on the Redis server's clock.
"""

VERIFY_DEADLINE_SECONDS = 3600.0
"""How long after the lease ended a sweeper keeps trying to verify an interrupted execution
before recording ``failed: interrupted (could not verify)`` and releasing the lock."""

UNVERIFIED_ERROR = UNVERIFIED_INTERRUPTION


@dataclass(frozen=True, slots=True)
class Execution:
    """What a claim winner did: the outcome, and whether Redis recorded it.

    ``state`` is ``executing`` (and ``recorded`` false) when the lease was lost before the
    Statsig call: nothing was sent, and the sweeper will record the request as interrupted.
    """

    request_id: str
    outcome: Outcome
    state: ApprovalState
    recorded: bool


def final_state(outcome: Outcome) -> ApprovalState:
    if outcome.status is OutcomeStatus.PENDING_REVIEW:
        return ApprovalState.SUBMITTED_FOR_REVIEW
    return ApprovalState.EXECUTED if outcome.succeeded else ApprovalState.FAILED


def outcome_record(outcome: Outcome, **extra: Any) -> dict[str, Any]:
    """The JSON stored on the request: the outcome, plus notes such as ``base_moved``."""
    return {**outcome.model_dump(mode="json"), **{k: v for k, v in extra.items() if v}}


def _failed(plan: Plan, message: str, error: str) -> Outcome:
    return Outcome(
        status=OutcomeStatus.FAILED,
        message=message,
        entity_kind=plan.entity_kind,
        entity_id=plan.entity_id,
        error=error,
    )


class Executor:
    """Claims, runs and finishes requests for one replica (``executor_id``)."""

    def __init__(
        self,
        store: ApprovalStore,
        client: ConsoleAPI,
        *,
        executor_id: str,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
        on_transition: Notify,
        on_finished: Notify | None = None,
        verify_deadline: float = VERIFY_DEADLINE_SECONDS,
    ) -> None:
        self._store = store
        self._client = client
        self._id = executor_id
        self._lease = lease_seconds
        self._on_transition = on_transition
        self._on_finished = on_finished
        self._verify_deadline = verify_deadline

    @property
    def executor_id(self) -> str:
        return self._id

    async def claim_and_run(
        self,
        request_id: str,
        *,
        check_stale: bool = True,
        respect_freeze: bool | None = None,
    ) -> Execution | None:
        """Run the request if this call wins the claim; ``None`` if another caller has it,
        or a change freeze holds it (``respect_freeze``; ``None``: judged from the request).
        """
        if respect_freeze is None:
            request = await self._store.get(request_id)
            stored = stored_plan(request) if request is not None else None
            respect_freeze = request is not None and not exempt_from_freeze(request.action, stored)
        claim = await self._store.claim(
            request_id, self._id, self._lease, respect_freeze=respect_freeze
        )
        if not claim.ok:
            return None
        # No notifier here: surface calls are slow and the lease is running.
        request = await self._store.get(request_id)
        stored = stored_plan(request) if request is not None else None
        if stored is None:
            outcome = Outcome(
                status=OutcomeStatus.FAILED,
                message="The stored plan could not be read; nothing was sent to Statsig.",
                entity_kind=_kind(request),
                entity_id=request.entity_id if request else "?",
                error="unreadable plan",
            )
            return await self._finish(request_id, outcome, {})

        async def still_mine() -> bool:
            return await self._renew(request_id)

        outcome, notes = await self.run(stored.plan, check_stale=check_stale, guard=still_mine)
        if notes.get("lease_lost"):
            return Execution(request_id, outcome, ApprovalState.EXECUTING, recorded=False)
        return await self._finish(request_id, outcome, notes)

    async def _renew(self, request_id: str) -> bool:
        """Renew the lease for the mutation; False means: do not call Statsig."""
        try:
            renewed = await self._store.renew(request_id, self._id, self._lease)
        except RedisError:
            log.warning("could not renew the lease on request %s; not executing", request_id)
            return False
        if not renewed.ok:
            log.warning("lease on request %s lost (%s); not executing", request_id,
                        renewed.refusal)  # fmt: skip
        return renewed.ok

    async def _finish(self, request_id: str, outcome: Outcome, notes: dict[str, Any]) -> Execution:
        state = final_state(outcome)
        try:
            done = await self._store.finish(
                request_id, self._id, state, outcome_record(outcome, **notes)
            )
        except RedisError:
            # The change ran; the lease will run out and a sweeper verifies it in Statsig.
            log.warning("could not record the outcome of request %s", request_id)
            return Execution(request_id, outcome, state, recorded=False)
        if done.ok:
            await self._on_transition(request_id)
            if state is not ApprovalState.SUBMITTED_FOR_REVIEW:
                await self._finished(request_id)
        return Execution(request_id, outcome, state, recorded=done.ok)

    async def _finished(self, request_id: str) -> None:
        if self._on_finished is not None:
            await self._on_finished(request_id)

    async def run(
        self, plan: Plan, *, check_stale: bool = True, guard: Guard | None = None
    ) -> tuple[Outcome, dict[str, Any]]:
        """Stale check, then ``guard`` (the lease renewal), then execute; never raises for
        Statsig problems. A failed guard returns ``{"lease_lost": True}`` and sends nothing."""
        try:
            action = action_from_plan(plan)
        except PlanError as exc:
            if plan.is_noop:
                return _noop(plan), {}
            return _failed(plan, f"Not applied: {exc.user_message}", "unbuildable plan"), {}
        base_moved = None
        if check_stale:
            refused, base_moved = await self._stale_check(action, plan)
            if refused is not None:
                return refused, {"stale": True}
        if guard is not None and not await guard():
            return _lease_lost(plan), {"lease_lost": True}
        try:
            outcome = await action.execute(self._client, plan)
        except Exception:  # a bug or transport error mid-call: the result is unknown
            log.exception("execution of %s on %s raised", plan.action, plan.entity_id)
            return _failed(
                plan,
                f"Unexpected error while running {plan.summary}; it may or may not have been "
                "applied. Check the entity in the console before retrying.",
                "unexpected error",
            ), {}
        if base_moved:
            outcome = outcome.model_copy(
                update={"message": f"{outcome.message} Note: {base_moved}."}
            )
        return outcome, {"base_moved": base_moved}

    async def _stale_check(self, action: Action, plan: Plan) -> tuple[Outcome | None, str | None]:
        try:
            staleness = await check_base(self._client, plan)
        except ConsoleError as exc:
            message = (
                f"Not applied: {plan.entity_kind} {plan.entity_id} could not be re-read "
                "before executing, so nothing was sent."
            )
            return _failed(plan, message, exc.user_message), None
        if staleness.proceed:
            return None, staleness.warning
        refusal = staleness.refusal()
        try:
            fresh = action.plan(await action.load(self._client))
            note = f"\nToday it would be: {fresh.summary}"
        except (PlanError, ConsoleError):
            note = ""
        return refusal.model_copy(update={"message": refusal.message + note}), None

    async def verdict_after_interruption(self, request_id: str) -> ApprovalState | None:
        """Record executed (verified) or failed: interrupted; ``None`` if undecidable now.

        Undecidable (entity gone, Statsig unreachable, stored plan unreadable) past the
        verification deadline → ``failed: interrupted (could not verify)``.
        """
        request = await self._store.get(request_id)
        if request is None:
            return None
        stored = stored_plan(request)
        if stored is None:
            return await self._unverified(request, "its stored plan cannot be read")
        plan = stored.plan
        try:
            entity = await read_entity(self._client, plan)
        except NotFound:
            return await self._unverified(request, f"{plan.entity_id} no longer exists")
        except ConsoleError:
            return await self._unverified(request, "Statsig could not be reached")
        try:
            observed = intended_state_observed(action_from_plan(plan), plan, entity)
        except PlanError:
            observed = False
        if observed:
            state = ApprovalState.EXECUTED
            outcome = Outcome(
                status=OutcomeStatus.APPLIED,
                message=f"Executed (verified after interruption): {plan.summary}",
                entity_kind=plan.entity_kind,
                entity_id=plan.entity_id,
                after=entity.to_api(),
            )
        else:
            state = ApprovalState.FAILED
            outcome = _failed(
                plan,
                "Failed: interrupted. The executor stopped before confirming the change and "
                "Statsig does not show it; it was not retried.",
                "interrupted",
            )
        return await self._record_interrupted(request_id, state, outcome)

    async def _unverified(self, request: ApprovalRequest, why: str) -> ApprovalState | None:
        """Wait for the next sweep, or give up once the verification deadline passed."""
        ended = request.lease_expires_at or request.interrupted_at
        if ended is None or await self._store.now() < ended.timestamp() + self._verify_deadline:
            return None
        outcome = Outcome(
            status=OutcomeStatus.FAILED,
            message=(
                "Failed: interrupted (could not verify). The executor stopped before "
                f"confirming the change, and the bot could not check Statsig ({why}); it was "
                "not retried. Check the entity in the console."
            ),
            entity_kind=_kind(request),
            entity_id=request.entity_id,
            error=UNVERIFIED_ERROR,
        )
        return await self._record_interrupted(request.id, ApprovalState.FAILED, outcome)

    async def _record_interrupted(
        self, request_id: str, state: ApprovalState, outcome: Outcome
    ) -> ApprovalState | None:
        record = outcome_record(outcome, interrupted=True)
        done = await self._store.finish_interrupted(request_id, state, record, actor=self._id)
        if not done.ok:
            return None
        await self._finished(request_id)
        return state


def _kind(request: ApprovalRequest | None) -> EntityKind:
    """The request's entity kind as an :class:`Outcome` accepts it."""
    kind = request.entity_kind if request is not None else "gate"
    return cast(EntityKind, kind) if kind in get_args(EntityKind) else "gate"


def _lease_lost(plan: Plan) -> Outcome:
    return _failed(
        plan,
        "Not sent to Statsig: this replica's lease on the request ran out before the call. "
        "Another replica will record it as interrupted.",
        "lease lost",
    )


def _noop(plan: Plan) -> Outcome:
    return Outcome(
        status=OutcomeStatus.NOOP,
        message=f"Nothing to do: {plan.summary}",
        entity_kind=plan.entity_kind,
        entity_id=plan.entity_id,
    )
