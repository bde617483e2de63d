"""Approve, Reject and Cancel clicks: checked against today's policy, then one transition.

A click is answered privately (``ClickResult.message``) and changes nothing unless the
clicker may act under today's policy (:mod:`bot.approvals.authorize`). Approve also re-reads
the entity: if it moved in Statsig after approvals were collected, those approvals are
voided (the request gets the fresh plan, and the channel card is re-rendered with it and
the reason) and the approver is asked to look again; a stale plan that reaches its quorum
is refused later by the executor's own stale check. Approvals count per person (email),
and earlier approvals by people today's policy would refuse do not count.
"""

from __future__ import annotations

from redis.exceptions import RedisError

from bot.approvals.authorize import (
    RoleDirectory,
    judge_approval,
    no_longer_eligible,
    rejection_verdict,
    with_role,
)
from bot.approvals.execute import Executor
from bot.approvals.freeze import exempt_from_freeze, holding_freeze
from bot.approvals.notify import Notifications
from bot.approvals.results import ClickResult, StoredPlan, stored_plan
from bot.approvals.store import ApprovalStore
from bot.ops.actions.base import PlanError
from bot.ops.actions.client import ConsoleAPI
from bot.ops.actions.diff import format_diff
from bot.ops.actions.registry import action_from_plan
from bot.ops.actions.stale import check_base
from bot.ops.model.decisions import Denied, NeedsApproval
from bot.ops.model.identity import Actor
from bot.ops.model.plans import Outcome, OutcomeStatus
from bot.ops.model.requests import ApprovalRequest, TransitionResult
from bot.ops.model.states import ApprovalState, Refusal
from bot.ops.policy.rules import Policy
from bot.render.approvals import render_notice, render_unavailable
from bot.render.common import Message
from bot.render.replies import render_unknown_request
from bot.statsig.errors import ConsoleError, NotFound

__all__ = ["Clicks", "refusal_text"]

_STATE_WORDS = {
    ApprovalState.APPROVED: "This request was already approved; it is about to run.",
    ApprovalState.EXECUTING: "This request is already running.",
    ApprovalState.EXECUTED: "This request was already executed.",
    ApprovalState.FAILED: "This request was already executed (it failed).",
    ApprovalState.SUBMITTED_FOR_REVIEW: "This request was already submitted for review in Statsig.",
    ApprovalState.REVIEW_REJECTED: "This request was already closed (Statsig's review "
    "rejected it).",
    ApprovalState.REVIEW_UNRESOLVED: "This request was already closed (Statsig's review was "
    "never decided).",
    ApprovalState.REJECTED: "This request was already rejected.",
    ApprovalState.CANCELLED: "This request was already cancelled.",
    ApprovalState.EXPIRED: "This request was already expired.",
}
EXPIRED = _STATE_WORDS[ApprovalState.EXPIRED]


def refusal_text(result: TransitionResult) -> str:
    """Why a click changed nothing, in words for the clicker (one sentence per finished
    state: "This request was already executed.")."""
    state = result.state
    if result.refusal is Refusal.NOT_FOUND or state is None:
        return f"No open request {result.request_id}."
    if result.refusal is Refusal.WRONG_STATE:
        return _STATE_WORDS.get(state, f"This request is {state.value}.")
    texts = {
        Refusal.EXPIRED: EXPIRED,
        Refusal.PLAN_CHANGED: "The plan changed since you saw it; read the updated request "
        "and approve again.",
        Refusal.SELF_APPROVAL: "You cannot approve your own request.",
        Refusal.ALREADY_APPROVED: "You already approved this request; you count once.",
        Refusal.NOT_REQUESTER: "Only the requester can cancel this request.",
        Refusal.REASON_REQUIRED: "A rejection needs a reason: reject <id> <reason>.",
    }
    if result.refusal is None:
        return "Nothing changed."
    return texts.get(result.refusal, f"Nothing changed ({result.refusal}).")


def _no(text: str, *details: str) -> ClickResult:
    return ClickResult(ok=False, message=render_notice(text, ok=False, details=details))


def _yes(text: str, *details: str) -> ClickResult:
    return ClickResult(ok=True, message=render_notice(text, details=details))


def _ran_notice(outcome: Outcome) -> Message:
    """What the approver whose click reached the quorum hears: what ran, or why nothing did
    (a stale plan is not an "Approved ✅": it says what moved and what to do)."""
    if outcome.succeeded or outcome.status is OutcomeStatus.PENDING_REVIEW:
        return render_notice(f"Approved. {outcome.message}")
    if outcome.error == "stale plan":
        return render_notice(
            "Your approval completed the quorum, but the plan was stale, so nothing was sent "
            f"to Statsig. {outcome.message} The requester can ask again with today's plan.",
            ok=False,
        )
    return render_notice(
        f"Your approval completed the quorum, but the change failed. {outcome.message}",
        ok=False,
        details=(outcome.error,) if outcome.error else (),
    )


class Clicks:
    """The click handlers of one workflow, given the parts they use (never the workflow)."""

    def __init__(
        self,
        store: ApprovalStore,
        client: ConsoleAPI,
        policy: Policy,
        executor: Executor,
        notify: Notifications,
        directory: RoleDirectory | None = None,
    ) -> None:
        self._store = store
        self._client = client
        self._policy = policy
        self._executor = executor
        self._notify = notify
        self._directory = directory

    async def _open(self, request_id: str) -> tuple[ApprovalRequest, StoredPlan] | ClickResult:
        """The pending request and its plan, or the answer to give instead."""
        request = await self._store.get(request_id)
        if request is None:
            return ClickResult(ok=False, message=render_unknown_request(request_id))
        if request.state is ApprovalState.APPROVED and await holding_freeze(
            self._store, request, stored_plan(request)
        ):
            return _no("This request was already approved; it waits for the change freeze to end.")
        if request.state is not ApprovalState.PENDING:
            return _no(refusal_text(TransitionResult(
                request_id=request_id, ok=False, state=request.state,
                refusal=Refusal.WRONG_STATE,
            )))  # fmt: skip
        if request.expires_at.timestamp() <= await self._store.now():
            expired = await self._store.expire(request_id)
            if expired.ok:
                await self._notify.transition(request_id)
            return _no(EXPIRED)
        stored = stored_plan(request)
        if stored is None:
            return _no("This request's plan cannot be read; ask for it again.")
        return request, stored

    async def why_not_open(self, request_id: str) -> ClickResult | None:
        """Why nobody can decide on the request any more (unknown, finished, expired), or
        ``None`` while it is pending: asked before a form opens for nothing."""
        try:
            opened = await self._open(request_id)
        except RedisError:
            return ClickResult(ok=False, message=render_unavailable())
        return opened if isinstance(opened, ClickResult) else None

    async def approve(self, request_id: str, approver: Actor) -> ClickResult:
        try:
            return await self._approve(request_id, approver)
        except RedisError:
            return ClickResult(ok=False, message=render_unavailable())

    async def _approve(self, request_id: str, approver: Actor) -> ClickResult:
        opened = await self._open(request_id)
        if isinstance(opened, ClickResult):
            return opened
        request, stored = opened
        approver = await with_role(self._directory, approver)
        verdict = judge_approval(self._policy, approver, request, stored)
        if isinstance(verdict, Denied):
            return _no(f"Your approval does not count: {verdict.reason}.")
        need, _ = verdict
        moved = await self._check_entity(request, stored, approver)
        if moved is not None:
            return moved
        result = await self._count(request, stored, need, approver)
        if not result.ok:
            if result.refusal is Refusal.EXPIRED:
                await self._notify.transition(request_id)
            return _no(refusal_text(result))
        await self._notify.transition(request_id)
        if result.state is ApprovalState.PENDING:
            missing = (result.quorum or 0) - (result.approvals or 0)
            return _yes(
                f"Approved ({result.approvals} of {result.quorum}); waiting for {missing} more."
            )
        frozen = await holding_freeze(self._store, request, stored)
        if frozen is not None:
            return _yes(
                "Approved: the quorum is reached, but changes are frozen, so it waits and runs "
                "when the freeze is lifted.",
                f"The freeze: {frozen.reason}",
            )
        execution = await self._executor.claim_and_run(
            request_id, respect_freeze=not exempt_from_freeze(request.action, stored)
        )
        if execution is None:
            return await self._not_claimed(request_id)
        return ClickResult(
            ok=True, message=_ran_notice(execution.outcome), outcome=execution.outcome
        )

    async def _not_claimed(self, request_id: str) -> ClickResult:
        """The claim was lost: another replica runs it, or it expired at that very moment."""
        request = await self._store.get(request_id)
        if request is not None and request.state is ApprovalState.EXPIRED:
            await self._notify.transition(request_id)
            return _no("Approved, but the request expired before it could run; nothing was sent.")
        if request is not None and request.state is ApprovalState.APPROVED:
            frozen = await holding_freeze(self._store, request, stored_plan(request))
            if frozen is not None:  # switched on between our check and the claim
                await self._notify.transition(request_id)
                return _yes(
                    "Approved: the quorum is reached, but changes were frozen just now, so it "
                    "waits and runs when the freeze is lifted.",
                    f"The freeze: {frozen.reason}",
                )
        return _yes("Approved; another replica is running it.")

    async def _count(
        self, request: ApprovalRequest, stored: StoredPlan, need: NeedsApproval, approver: Actor
    ) -> TransitionResult:
        """One approve transition under today's rules (quorum, self-approval, eligibility)."""
        stale = no_longer_eligible(self._policy, request, stored, need)
        return await self._store.approve(
            request.id,
            approver.user_id,
            request.plan_fingerprint,
            need.approvals_required,
            allow_self=need.allow_self_approval,
            email=approver.email,
            usergroups=sorted(approver.usergroups),
            statsig_role=approver.statsig_role,
            no_longer_eligible=stale,
        )

    async def _check_entity(
        self, request: ApprovalRequest, stored: StoredPlan, approver: Actor
    ) -> ClickResult | None:
        """Re-read the entity; void collected approvals if it moved since they were given."""
        plan = stored.plan
        try:
            staleness = await check_base(self._client, plan)
        except NotFound:
            return _no(f"{plan.entity_kind} {plan.entity_id} no longer exists in Statsig.")
        except ConsoleError as exc:
            return _no(f"Statsig could not be reached to check {plan.entity_id}; try again.",
                       exc.user_message)  # fmt: skip
        if not staleness.stale or not request.approvals:
            return None
        fresh = plan.model_copy(
            update={
                "base_version": staleness.version,
                "base_modified_time": staleness.modified_time,
            }
        )
        try:
            action = action_from_plan(plan)
            fresh = action.plan(await action.load(self._client))
        except (PlanError, ConsoleError):
            pass
        renewed = stored.model_copy(update={"plan": fresh})
        what = format_diff(staleness.changes, staleness.rule_changes)
        why = f"{plan.entity_kind} {plan.entity_id} changed in Statsig after they were given"
        result = await self._store.invalidate_approvals(
            request.id,
            fresh.fingerprint(),
            renewed.encode(),
            actor=approver.user_id,
            reason=f"{why}: {what}"[:500] if what else why,
        )
        if result.ok:
            await self._notify.transition(request.id)
        return _no(
            f"{plan.entity_id} changed in Statsig since it was approved, so the approvals "
            "were cleared. Read the updated request and approve again.",
            what,
        )

    async def reject(self, request_id: str, actor: Actor, reason: str) -> ClickResult:
        try:
            opened = await self._open(request_id)
            if isinstance(opened, ClickResult):
                return opened
            request, stored = opened
            actor = await with_role(self._directory, actor)
            verdict = rejection_verdict(self._policy, actor, request, stored)
            if isinstance(verdict, Denied):
                return _no(f"You cannot reject this request: {verdict.reason}.")
            result = await self._store.reject(request_id, actor.user_id, reason)
        except RedisError:
            return ClickResult(ok=False, message=render_unavailable())
        if not result.ok:
            return _no(refusal_text(result))
        await self._notify.transition(request_id)
        return _yes("Rejected. The requester has been told.")

    async def cancel(self, request_id: str, actor: Actor) -> ClickResult:
        try:
            result = await self._store.cancel(request_id, actor.user_id)
        except RedisError:
            return ClickResult(ok=False, message=render_unavailable())
        if not result.ok:
            return _no(refusal_text(result))
        await self._notify.transition(request_id)
        return _yes("Cancelled.")
