"""Exactly-once execution of an approved request, and the verdict on an interrupted one.

Only the caller whose ``claim`` wins (approved → executing, one Lua script) runs the
mutation; every other replica, double click or Slack retry loses the claim and stops. The
winner re-reads the entity first (a stale relative plan is refused with what moved; an
absolute one proceeds and says the base moved), executes the rebuilt action, and records
the outcome with ``finish``. If the executor dies, its lease runs out and a sweeper calls
:meth:`Executor.verdict_after_interruption`: the entity showing the intended state means
``executed (verified after interruption)``, anything else ``failed: interrupted``. The
mutation is never sent a second time. Whoever records the final state (and only they)
calls ``on_finished``, so follow-ups such as a kill's announcement happen once.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from redis.exceptions import RedisError

from bot.approvals.results import stored_plan
from bot.approvals.states import ApprovalState
from bot.approvals.store import ApprovalStore
from bot.ops.actions import Action, ConsoleAPI, check_base
from bot.ops.actions_base import PlanError
from bot.ops.actions_rebuild import action_from_plan, intended_state_observed
from bot.ops.actions_stale import read_entity
from bot.ops.plans import Outcome, OutcomeStatus, Plan
from bot.statsig.errors import ConsoleError

__all__ = ["Execution", "Executor", "final_state", "outcome_record"]

log = logging.getLogger(__name__)

Notify = Callable[[str], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Execution:
    """What a claim winner did: the outcome, and whether Redis recorded it."""

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
        lease_seconds: float,
        on_transition: Notify,
        on_review: Notify,
        on_finished: Notify | None = None,
    ) -> None:
        self._store = store
        self._client = client
        self._id = executor_id
        self._lease = lease_seconds
        self._on_transition = on_transition
        self._on_review = on_review
        self._on_finished = on_finished

    async def claim_and_run(self, request_id: str, *, check_stale: bool = True) -> Execution | None:
        """Run the request if this call wins the claim; ``None`` if another caller has it."""
        claim = await self._store.claim(request_id, self._id, self._lease)
        if not claim.ok:
            return None
        await self._on_transition(request_id)
        request = await self._store.get(request_id)
        stored = stored_plan(request) if request is not None else None
        if stored is None:
            outcome = Outcome(
                status=OutcomeStatus.FAILED,
                message="The stored plan could not be read; nothing was sent to Statsig.",
                entity_kind="gate",
                entity_id=request.entity_id if request else "?",
                error="unreadable plan",
            )
            return await self._finish(request_id, outcome, {})
        outcome, notes = await self.run(stored.plan, check_stale=check_stale)
        return await self._finish(request_id, outcome, notes)

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
            if state is ApprovalState.SUBMITTED_FOR_REVIEW:
                try:
                    await self._on_review(request_id)
                except RedisError:
                    log.warning("could not start watching the review of %s", request_id)
            await self._on_transition(request_id)
            await self._finished(request_id)
        return Execution(request_id, outcome, state, recorded=done.ok)

    async def _finished(self, request_id: str) -> None:
        if self._on_finished is not None:
            await self._on_finished(request_id)

    async def run(self, plan: Plan, *, check_stale: bool = True) -> tuple[Outcome, dict[str, Any]]:
        """Stale check, then execute; never raises for Statsig problems."""
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
        """Record executed (verified) or failed: interrupted; ``None`` if undecidable now."""
        request = await self._store.get(request_id)
        stored = stored_plan(request) if request is not None else None
        if request is None or stored is None:
            return None
        plan = stored.plan
        try:
            entity = await read_entity(self._client, plan)
        except ConsoleError:
            return None  # Statsig unreachable: the next sweep decides
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
        record = outcome_record(outcome, interrupted=True)
        done = await self._store.finish_interrupted(request_id, state, record, actor=self._id)
        if not done.ok:
            return None
        await self._finished(request_id)
        return state


def _noop(plan: Plan) -> Outcome:
    return Outcome(
        status=OutcomeStatus.NOOP,
        message=f"Nothing to do: {plan.summary}",
        entity_kind=plan.entity_kind,
        entity_id=plan.entity_id,
    )
