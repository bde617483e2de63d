"""Who may click what on an approval request, decided at click time.

Identity is the signed request's user (the surface builds the :class:`Actor`); the rules
are today's policy, not the one in force when the message was posted: the approver group
is looked up again by name, so someone removed from it since is refused, and a group that
no longer exists refuses everyone (never "unprotected"). When Statsig requires a review of
the entity, only its reviewers (by email) count.
"""

from __future__ import annotations

from bot.approvals.models import ApprovalRequest
from bot.approvals.results import StoredPlan
from bot.ops.identity import Actor
from bot.ops.policy import Allowed, Denied, NeedsApproval, Policy

__all__ = ["approval_verdict", "current_need", "rejection_verdict"]


def current_need(policy: Policy, stored: StoredPlan) -> NeedsApproval | Denied:
    """The stored approval rules with the approver group re-read from today's policy."""
    need = stored.need
    if need is None:
        return Denied(reason="this change ran at once; there is nothing to approve")
    group = policy.group(need.approvers.name)
    if group is None:
        return Denied(
            reason=f"the approver group {need.approvers.name!r} is no longer in the policy, "
            "so nobody can approve this request"
        )
    plan = stored.plan
    reviewers = need.statsig_reviewers
    if not reviewers and plan.review_required:
        reviewers = tuple(sorted({r.casefold() for r in plan.allowed_reviewers if "@" in r}))
    return need.model_copy(update={"approvers": group, "statsig_reviewers": reviewers})


def _requester(request: ApprovalRequest) -> Actor:
    return Actor(user_id=request.requester.user_id, email=request.requester.email)


def approval_verdict(
    policy: Policy, approver: Actor, request: ApprovalRequest, stored: StoredPlan
) -> Allowed | Denied:
    """Whether ``approver``'s click counts (four eyes, group, Statsig role and reviewers)."""
    need = current_need(policy, stored)
    if isinstance(need, Denied):
        return need
    return policy.may_approve(approver, _requester(request), need)


def rejection_verdict(
    policy: Policy, actor: Actor, request: ApprovalRequest, stored: StoredPlan
) -> Allowed | Denied:
    """Anyone who could approve may reject; the requester withdraws with Cancel instead."""
    if actor.is_same_person(_requester(request)):
        return Denied(reason="this is your own request: use Cancel to withdraw it")
    need = current_need(policy, stored)
    if isinstance(need, Denied):
        return need
    return policy.may_approve(actor, _requester(request), need)
