"""Who may click what on an approval request, decided at click time from today's policy.

Identity is the signed request's user (the surface builds the :class:`Actor`). The rules
are re-derived at every click: the *current* policy decides again for the stored requester
(user ID, email, user groups and Statsig role as they were at submit time) and the stored
plan (action, tags, Statsig review requirement), exactly as ``ChatOps`` decided when the
request was made. So a change in the policy since the card was posted takes effect at once:

* a denial (the requester may no longer ask for this, the channel is no longer allowed, an
  approver group was deleted) refuses every click and says why;
* the quorum is today's, but never below the one stored with the request (a policy that
  stopped requiring approval does not turn a pending request into one nobody approves);
* ``allow_self_approval``, the approver group and the Statsig reviewers are today's.

Approvals given earlier by someone who is no longer eligible stay on the record but do not
count: :func:`no_longer_eligible` lists them and the approve script leaves them out of the
quorum. (We count rather than delete: if the policy changes back, they count again, and the
audit trail keeps who approved what.) Eligibility is re-checked against what the approver
was when they clicked (email, user groups, Statsig role); a Slack user-group membership
change after the click is not seen until that approver clicks again.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Protocol

from bot.approvals.results import StoredPlan, stored_plan
from bot.ops.model.decisions import (
    Allowed,
    Denied,
    NeedsApproval,
    ReviewRequirement,
    TeamAccess,
)
from bot.ops.model.identity import Actor
from bot.ops.model.requests import ApprovalRequest
from bot.ops.policy.rules import Policy

__all__ = [
    "RoleDirectory",
    "awaiting_approval_by",
    "approval_verdict",
    "current_need",
    "judge_approval",
    "no_longer_eligible",
    "rejection_verdict",
    "stored_requester",
    "with_role",
]

log = logging.getLogger(__name__)


class RoleDirectory(Protocol):
    """Statsig role lookup (:class:`bot.ops.policy.directory.StatsigDirectory` fits)."""

    async def role_for(self, email: str) -> str | None: ...


async def with_role(directory: RoleDirectory | None, actor: Actor) -> Actor:
    """The clicker with their Statsig role filled in, when the surface did not know it.

    An unreachable directory leaves the role unknown; the policy then judges without it.
    """
    if directory is None or actor.statsig_role is not None or actor.email is None:
        return actor
    try:
        role = await directory.role_for(actor.email)
    except Exception:
        log.warning("could not look up the Statsig role of an approver")
        return actor
    return dataclasses.replace(actor, statsig_role=role)


def stored_requester(request: ApprovalRequest, stored: StoredPlan) -> Actor:
    """The requester as recorded at submit time."""
    return Actor(
        user_id=request.requester.user_id,
        email=request.requester.email,
        display_name=stored.requester_label,
        usergroups=frozenset(stored.requester_usergroups),
        statsig_role=stored.requester_role,
    )


def _review(stored: StoredPlan) -> ReviewRequirement:
    plan = stored.plan
    return ReviewRequirement(
        required=plan.review_required, allowed_reviewers=tuple(plan.allowed_reviewers)
    )


def current_need(
    policy: Policy, request: ApprovalRequest, stored: StoredPlan
) -> NeedsApproval | Denied:
    """Today's approval rules for this request (see the module docstring)."""
    submitted = stored.need
    if submitted is None:
        return Denied(reason="this change ran at once; there is nothing to approve")
    plan = stored.plan
    decision = policy.decide(
        stored_requester(request, stored),
        plan.action,
        tags=plan.tags,
        channel=request.channel or None,
        review=_review(stored),
        team=TeamAccess.of(plan),
    )
    if isinstance(decision, Denied):
        about = _about_requester(decision.reason)
        return Denied(reason=f"today's policy no longer allows this request: {about}")
    floor = max(request.quorum, submitted.approvals_required)
    if isinstance(decision, Allowed):
        # No approval needed any more, but the request was made under a quorum: keep it,
        # with the approver group as today's policy defines it.
        group = policy.group(submitted.approvers.name)
        if group is None:
            return Denied(
                reason=f"the approver group {submitted.approvers.name!r} is no longer in the "
                "policy, so nobody can approve this request"
            )
        return submitted.model_copy(update={"approvers": group, "approvals_required": floor})
    required = max(decision.approvals_required, floor)
    return decision.model_copy(update={"approvals_required": required})


def approval_verdict(
    policy: Policy, approver: Actor, request: ApprovalRequest, stored: StoredPlan
) -> Allowed | Denied:
    """Whether ``approver``'s click counts (four eyes, group, Statsig role and reviewers)."""
    judged = judge_approval(policy, approver, request, stored)
    return judged if isinstance(judged, Denied) else judged[1]


def awaiting_approval_by(
    policy: Policy, actor: Actor, requests: list[ApprovalRequest]
) -> list[ApprovalRequest]:
    """The open requests ``actor`` could approve now, judged as a click would be.

    One definition for every "waiting for you" listing (the ``approvals pending`` command,
    App Home), so a listing never offers a request that the click would then refuse.
    """
    waiting = []
    for request in requests:
        if request.requester.user_id == actor.user_id:
            continue
        stored = stored_plan(request)
        if (
            stored is not None
            and approval_verdict(policy, actor, request, stored).kind == "allowed"
        ):
            waiting.append(request)
    return waiting


def judge_approval(
    policy: Policy, approver: Actor, request: ApprovalRequest, stored: StoredPlan
) -> tuple[NeedsApproval, Allowed] | Denied:
    """:func:`approval_verdict`, plus the rules (today's) the approval counts under."""
    need = current_need(policy, request, stored)
    if isinstance(need, Denied):
        return need
    verdict = policy.may_approve(approver, stored_requester(request, stored), need)
    return verdict if isinstance(verdict, Denied) else (need, verdict)


def rejection_verdict(
    policy: Policy, actor: Actor, request: ApprovalRequest, stored: StoredPlan
) -> Allowed | Denied:
    """Anyone who could approve may reject; the requester withdraws with Cancel instead."""
    requester = stored_requester(request, stored)
    if actor.is_same_person(requester):
        return Denied(reason="this is your own request: use Cancel to withdraw it")
    need = current_need(policy, request, stored)
    if isinstance(need, Denied):
        return need
    return policy.may_approve(actor, requester, need)


def no_longer_eligible(
    policy: Policy, request: ApprovalRequest, stored: StoredPlan, need: NeedsApproval
) -> list[str]:
    """User IDs of earlier approvals that today's rules would refuse."""
    requester = stored_requester(request, stored)
    refused = []
    for approval in request.approvals:
        then = Actor(
            user_id=approval.user_id,
            email=approval.email,
            usergroups=frozenset(approval.usergroups),
            statsig_role=approval.statsig_role,
        )
        if isinstance(policy.may_approve(then, requester, need), Denied):
            refused.append(approval.user_id)
    return refused


def _about_requester(reason: str) -> str:
    """A denial written to the requester, retold to the person who clicked."""
    for mine, theirs in (
        ("You can't", "the requester can't"),
        ("your Statsig role", "their Statsig role"),
        ("invite you", "invite them"),
    ):
        reason = reason.replace(mine, theirs)
    return reason
