"""Watching the Statsig reviews that requests turned into, until they are decided.

When Statsig holds a change for review, the request stays ``submitted_for_review`` and keeps
its entity lock (a second change to the same entity must not queue up behind an open
review). The ``finish`` script also put it on the review-watch index; this watcher polls the
entity with backoff and ends the request with one ``resolve_review`` transition, so any
number of replicas may poll and exactly one records (and announces) the verdict.

What is observed and what is inferred: the Console API shows a review only as the entity's
``activeReview`` (``reviewID``, free-form ``reviewStatus``) while it is open; there is no
endpoint for a closed review's fate. So:

1. while ``activeReview.reviewID`` is *our* review (or any review, if ours has no ID), the
   review is open: poll again later;
2. once it is gone (absent, or another review's ID), our review is closed; then the entity
   decides: it shows the intended change → the review was committed (``executed``), it
   does not → rejected or withdrawn (``review_rejected``); an entity that no longer exists
   is taken as not committed (``review_rejected``, saying so);
3. undecidable for :data:`GIVE_UP_AFTER_SECONDS` since it was submitted (Statsig
   unreachable, the review still open, the stored plan unreadable) → ``review_unresolved``,
   which releases the lock; the card says to check the console.

Times (poll schedule, deadline) are the store's clock, like the scripts' ``review_since``.
"""

from __future__ import annotations

from bot.approvals.execute import outcome_record
from bot.approvals.results import outcome_of, stored_plan
from bot.approvals.store import ApprovalStore
from bot.ops.actions.base import PlanError, active_review
from bot.ops.actions.client import ConsoleAPI
from bot.ops.actions.registry import action_from_plan, intended_state_observed
from bot.ops.actions.stale import read_entity
from bot.ops.model.plans import Outcome, OutcomeStatus
from bot.ops.model.requests import ApprovalRequest
from bot.ops.model.states import ApprovalState
from bot.statsig.errors import ConsoleError, NotFound

__all__ = ["GIVE_UP_AFTER_SECONDS", "ReviewWatch"]

GIVE_UP_AFTER_SECONDS = 14 * 24 * 3600.0
"""How long the watcher waits for a Statsig review before ending the request unresolved."""

_BATCH = 50

Verdict = tuple[ApprovalState, Outcome]


class ReviewWatch:
    """Poll entities of requests submitted for review in Statsig (any replica, idempotent)."""

    def __init__(
        self,
        store: ApprovalStore,
        client: ConsoleAPI,
        *,
        first_delay: float = 30.0,
        max_delay: float = 900.0,
        give_up_after: float = GIVE_UP_AFTER_SECONDS,
    ) -> None:
        self._store = store
        self._client = client
        self._first = first_delay
        self._max = max_delay
        self._give_up = give_up_after

    async def poll_once(self) -> list[str]:
        """Poll every due request once; returns those whose review this call resolved."""
        resolved = []
        for request_id in await self._store.reviews_due(_BATCH):
            if await self._poll(request_id):
                resolved.append(request_id)
        return resolved

    async def _poll(self, request_id: str) -> bool:
        request = await self._store.get(request_id)
        if request is None or request.state is not ApprovalState.SUBMITTED_FOR_REVIEW:
            await self._store.unwatch_review(request_id)
            return False
        now = await self._store.now()
        since = (request.review_since or request.claimed_at or request.created_at).timestamp()
        verdict = await self._verdict(request)
        if verdict is None and now - since >= self._give_up:
            verdict = _unresolved(request, self._give_up)
        if verdict is None:
            # Backoff: wait as long as it has been open, between first_delay and max_delay.
            delay = min(max(now - since, self._first), self._max)
            await self._store.schedule_review_poll(request_id, now + delay)
            return False
        state, outcome = verdict
        record = outcome_record(outcome, review_resolved=True)
        return (await self._store.resolve_review(request_id, state, record)).ok

    async def _verdict(self, request: ApprovalRequest) -> Verdict | None:
        stored, submitted = stored_plan(request), outcome_of(request)
        if stored is None:
            return None
        plan = stored.plan
        review_id = submitted.review_id if submitted else None
        label = review_id or "–"
        try:
            entity = await read_entity(self._client, plan)
        except NotFound:
            return ApprovalState.REVIEW_REJECTED, Outcome(
                status=OutcomeStatus.FAILED,
                message=f"Not applied: {plan.entity_id} no longer exists in Statsig, so review "
                f"{label} was not committed.",
                entity_kind=plan.entity_kind,
                entity_id=plan.entity_id,
                review_id=review_id,
                error="review rejected",
            )
        except ConsoleError:
            return None
        review = active_review(entity)
        if review is not None and (review_id is None or review.review_id == review_id):
            return None
        try:
            done = intended_state_observed(action_from_plan(plan), plan, entity)
        except PlanError:
            done = False
        if done:
            return ApprovalState.EXECUTED, Outcome(
                status=OutcomeStatus.APPLIED,
                message=f"Applied: Statsig review {label} was committed. {plan.summary}",
                entity_kind=plan.entity_kind,
                entity_id=plan.entity_id,
                review_id=review_id,
                after=entity.to_api(),
            )
        return ApprovalState.REVIEW_REJECTED, Outcome(
            status=OutcomeStatus.FAILED,
            message=f"Not applied: Statsig review {label} was rejected or withdrawn (it is "
            "closed and the entity does not show the change).",
            entity_kind=plan.entity_kind,
            entity_id=plan.entity_id,
            review_id=review_id,
            after=entity.to_api(),
            error="review rejected",
        )


def _unresolved(request: ApprovalRequest, waited: float) -> Verdict:
    submitted = outcome_of(request)
    review_id = submitted.review_id if submitted else None
    days = max(1, round(waited / 86400))
    kind = submitted.entity_kind if submitted else "gate"
    return ApprovalState.REVIEW_UNRESOLVED, Outcome(
        status=OutcomeStatus.PENDING_REVIEW,
        message=f"Unresolved: Statsig review {review_id or '–'} was still undecided after "
        f"{days} day(s); the bot stopped watching it and released the lock. Check the console.",
        entity_kind=kind,
        entity_id=request.entity_id,
        review_id=review_id,
        error="review unresolved",
    )
