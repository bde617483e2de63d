"""Property: no policy lets a requester approve their own request unless configured to."""

from __future__ import annotations

from typing import Any

from hypothesis import event, given, settings
from hypothesis import strategies as st

from bot.ops.model.decisions import Allowed, NeedsApproval, ReviewRequirement
from bot.ops.model.identity import Actor
from bot.ops.policy.model import PolicyFile
from bot.ops.policy.rules import Policy

GROUP_NAMES = ("g0", "g1", "g2")
MEMBERS = ("*", "U1ANN", "U2BEN", "S1OPS", "S2DEV", "ann@example.com", "ben@example.com")
PATTERNS = ("*", "gate.*", "*.disable", "gate.disable", "config.*", "incident.*", "*.kill")
ACTIONS = ("gate.disable", "gate.rollout", "config.disable", "incident.kill", "incident.restore")
TAGS = ("critical", "beta")
ROLES = ("Admin", "Member", "Read Only", None)

group_ref = st.sampled_from(("*", *GROUP_NAMES))
maybe_bool = st.none() | st.booleans()

rule = st.fixed_dictionaries(
    {"actions": st.lists(st.sampled_from(PATTERNS), min_size=1, max_size=3)},
    optional={
        "tags": st.lists(st.sampled_from(TAGS), max_size=2),
        "requesters": group_ref,
        "approvers": group_ref,
        "approvals_required": st.integers(0, 3),
        "allow_self_approval": st.booleans(),
    },
)

policy_data = st.fixed_dictionaries(
    {
        "groups": st.fixed_dictionaries(
            {name: st.lists(st.sampled_from(MEMBERS), max_size=3) for name in GROUP_NAMES}
        ),
        "defaults": st.fixed_dictionaries(
            {},
            optional={
                "approvals_required": st.integers(0, 2),
                "allow_self_approval": st.booleans(),
                "approvers": group_ref,
            },
        ),
        "rules": st.lists(rule, max_size=4),
        "identity": st.fixed_dictionaries({"require_statsig_user": st.booleans()}),
    },
    optional={
        "incident": st.fixed_dictionaries(
            {"responders": st.sampled_from(GROUP_NAMES), "break_glass": st.booleans()}
        )
    },
)

actor = st.builds(
    Actor,
    user_id=st.sampled_from(("U1ANN", "U2BEN", "U3CAT")),
    email=st.none() | st.sampled_from(("ann@example.com", "ben@example.com", "cat@example.com")),
    display_name=st.just("someone"),
    usergroups=st.frozensets(st.sampled_from(("S1OPS", "S2DEV"))),
    statsig_role=st.sampled_from(ROLES),
)

review = st.none() | st.builds(
    ReviewRequirement,
    required=st.booleans(),
    allowed_reviewers=st.lists(
        st.sampled_from(("ann@example.com", "ben@example.com")), max_size=2
    ).map(tuple),
)


def self_approval_configured(data: dict[str, Any], need: NeedsApproval) -> bool:
    """What the generated policy says about self-approval for the rule that decided."""
    default = bool(data["defaults"].get("allow_self_approval", False))
    if need.rule_index is None:
        return default
    flag = data["rules"][need.rule_index].get("allow_self_approval")
    return default if flag is None else bool(flag)


@settings(max_examples=400, deadline=None)
@given(
    data=policy_data,
    requester=actor,
    action=st.sampled_from(ACTIONS),
    tags=st.lists(st.sampled_from(TAGS), max_size=2),
    review=review,
    same_person_other_id=st.booleans(),
)
def test_no_self_approval_unless_configured(
    data: dict[str, Any],
    requester: Actor,
    action: str,
    tags: list[str],
    review: ReviewRequirement | None,
    same_person_other_id: bool,
) -> None:
    policy = Policy(PolicyFile.model_validate(data))
    decision = policy.decide(requester, action, tags=tags, review=review)
    event(type(decision).__name__)
    if not isinstance(decision, NeedsApproval):
        return
    approver = requester
    if same_person_other_id and requester.email is not None:
        approver = Actor.for_shell(requester.email, statsig_role="Admin")
    verdict = policy.may_approve(approver, requester, decision)
    anywhere = bool(data["defaults"].get("allow_self_approval")) or any(
        r.get("allow_self_approval") for r in data["rules"]
    )
    event(f"self-approval {type(verdict).__name__}")
    if isinstance(verdict, Allowed):
        assert anywhere
        assert decision.allow_self_approval
        assert self_approval_configured(data, decision)
