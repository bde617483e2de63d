"""Policy decisions: rule matching, channels, incidents, Statsig identity and reviews."""

from __future__ import annotations

import pytest

from bot.ops.model.decisions import (
    DECISION_ADAPTER,
    Allowed,
    Denied,
    GroupRef,
    NeedsApproval,
    ReviewRequirement,
)
from bot.ops.model.identity import Actor
from bot.ops.policy.rules import Policy, action_matches

ALICE = Actor("U1ALICE", "alice@example.com", "Alice", frozenset({"S0ONCALL"}), "Member")
BOB = Actor("U2BOB", "bob@example.com", "Bob", frozenset(), "Member")
CAROL = Actor("U3CAROL", "carol@example.com", "Carol", frozenset({"S0LEADS"}), "Admin")
DAVE = Actor("U4DAVE", "dave@example.com", "Dave", frozenset(), "Read Only")

POLICY = Policy.from_toml(
    """
[channels]
allowed = ["C0OPS", "C0RELEASE"]
incident = "C0INCIDENT"

[groups]
responders = ["S0ONCALL"]
leads = ["S0LEADS", "bob@example.com"]
approvers = ["*"]

[defaults]
approvals_required = 1
ttl = "24h"

[[rules]]
actions = ["*"]
tags = ["critical"]
approvers = "leads"
approvals_required = 2

[[rules]]
actions = ["gate.override", "*.archive"]
requesters = "leads"
approvers = "approvers"
approvals_required = 0

[[rules]]
actions = ["gate.*"]
approvers = "approvers"
allow_self_approval = true
ttl = "2h"

[incident]
responders = "responders"
break_glass = true
"""
)


def need(decision: object) -> NeedsApproval:
    assert isinstance(decision, NeedsApproval), decision
    return decision


@pytest.mark.parametrize(
    ("pattern", "action", "matches"),
    [
        ("*", "gate.disable", True),
        ("gate.*", "gate.disable", True),
        ("gate.*", "config.disable", False),
        ("*.disable", "config.disable", True),
        ("*.disable", "config.enable", False),
        ("gate.dis*", "gate.disable", True),
        ("gate.disable", "GATE.Disable", True),
        ("gate.?nable", "gate.enable", True),
        ("gate.*", "gate", True),
        ("gate.enable", "gate", False),
    ],
)
def test_action_patterns(pattern: str, action: str, matches: bool) -> None:
    assert action_matches(pattern, action) is matches


def test_first_match_wins_and_fills_defaults() -> None:
    decision = need(POLICY.decide(ALICE, "gate.rollout", channel="C0OPS"))
    assert decision.rule_index == 2
    assert decision.approvers == GroupRef(name="approvers", members=("*",))
    assert decision.approvals_required == 1  # from [defaults]
    assert decision.allow_self_approval is True
    assert decision.ttl_seconds == 2 * 3600


def test_tags_select_a_rule_only_when_the_entity_carries_one() -> None:
    tagged = need(POLICY.decide(ALICE, "gate.rollout", tags=["beta", "Critical"]))
    assert (tagged.rule_index, tagged.approvals_required, tagged.approvers.name) == (0, 2, "leads")
    assert tagged.allow_self_approval is False
    assert need(POLICY.decide(ALICE, "gate.rollout", tags=["beta"])).rule_index == 2


def test_earlier_rule_shadows_later_one() -> None:
    # gate.override matches rule 1 (leads, no approval) before rule 2 (gate.*).
    assert POLICY.decide(CAROL, "gate.override") == Allowed(
        reason="policy rule 1 requires no approval"
    )
    assert isinstance(POLICY.decide(CAROL, "config.archive"), Allowed)


def test_requester_outside_the_rule_group_is_denied_not_passed_on() -> None:
    decision = POLICY.decide(ALICE, "gate.override")
    assert decision == Denied(
        reason="You can't override gate through the bot: only group 'leads' may request it "
        "(policy rule 1). Ask one of them to request it."
    )


def test_email_member_counts_as_group_member() -> None:
    assert isinstance(POLICY.decide(BOB, "gate.override"), Allowed)


def test_unmatched_action_uses_defaults() -> None:
    decision = need(POLICY.decide(ALICE, "experiment.start"))
    assert decision.rule_index is None
    assert decision.approvers.name == "*"  # [defaults] approvers is "*" unless set
    assert (decision.approvals_required, decision.ttl_seconds) == (1, 86400)
    assert decision.allow_self_approval is False


def test_channel_allow_list() -> None:
    denied = POLICY.decide(ALICE, "gate.show", kind="read", channel="C0RANDOM")
    assert isinstance(denied, Denied)
    assert "C0OPS, C0RELEASE" in denied.reason
    assert isinstance(POLICY.decide(ALICE, "gate.show", kind="read", channel="C0OPS"), Allowed)
    # The incident channel is always allowed; no channel (the shell) is not restricted.
    assert isinstance(POLICY.decide(ALICE, "incident.kill", channel="C0INCIDENT"), Allowed)
    assert isinstance(POLICY.decide(ALICE, "gate.show", kind="read", channel=None), Allowed)


def test_empty_allow_list_means_everywhere() -> None:
    decision = Policy().decide(ALICE, "gate.show", kind="read", channel="C0ANYWHERE")
    assert isinstance(decision, Allowed)


def test_reads_are_open_even_to_non_editors() -> None:
    assert isinstance(POLICY.decide(DAVE, "gate.show", kind="read"), Allowed)
    assert isinstance(POLICY.decide(Actor("U9"), "gate.list", kind="read"), Allowed)


def test_defaults_without_a_file() -> None:
    policy = Policy()
    decision = need(policy.decide(ALICE, "gate.disable"))
    assert decision.approvals_required == 1
    assert decision.approvers.contains(BOB)
    assert decision.allow_self_approval is False
    assert not policy.is_responder(ALICE)
    kill = need(policy.decide(ALICE, "incident.kill"))
    assert kill.approvals_required == 1
    assert policy.may_approve(ALICE, ALICE, kill) == Denied(
        reason="you cannot approve your own request"
    )
    assert isinstance(policy.may_approve(BOB, ALICE, kill), Allowed)


def test_break_glass_kill_for_responders() -> None:
    assert POLICY.is_responder(ALICE)
    assert POLICY.decide(ALICE, "incident.kill") == Allowed(
        reason="Alice is an incident responder (break glass)"
    )
    assert isinstance(POLICY.decide(ALICE, "incident.restore"), Allowed)


def test_non_responder_kill_needs_one_responder() -> None:
    decision = need(POLICY.decide(BOB, "incident.kill"))
    assert (decision.approvers.name, decision.approvals_required) == ("responders", 1)
    assert decision.rule_index is None
    assert isinstance(POLICY.may_approve(ALICE, BOB, decision), Allowed)
    assert isinstance(POLICY.may_approve(CAROL, BOB, decision), Denied)


def test_non_responder_restore_follows_the_rules() -> None:
    decision = need(POLICY.decide(BOB, "incident.restore"))
    assert (decision.approvers.name, decision.rule_index) == ("*", None)


def test_without_break_glass_responders_need_another_responder() -> None:
    policy = Policy.from_toml(
        '[groups]\nresponders = ["S0ONCALL"]\n'
        '[incident]\nresponders = "responders"\nbreak_glass = false\n'
    )
    decision = need(policy.decide(ALICE, "incident.kill"))
    assert decision.approvers.name == "responders"
    assert isinstance(policy.may_approve(ALICE, ALICE, decision), Denied)


def test_sole_possible_approver_is_the_requester() -> None:
    policy = Policy.from_toml(
        '[groups]\nme = ["U1ALICE"]\n[[rules]]\nactions = ["*"]\napprovers = "me"\n'
    )
    decision = policy.decide(ALICE, "gate.disable")
    assert isinstance(decision, Denied)
    assert "no one else can approve" in decision.reason


def test_statsig_identity_switch() -> None:
    nobody = Actor("U5EVE", "eve@example.com", "Eve")
    for actor in (DAVE, nobody):
        decision = POLICY.decide(actor, "gate.disable")
        assert isinstance(decision, Denied)
        assert "You can't change gates through the bot" in decision.reason
    assert "Read Only" in POLICY.decide(DAVE, "gate.disable").reason  # type: ignore[union-attr]
    relaxed = Policy.from_toml("[identity]\nrequire_statsig_user = false\n")
    assert isinstance(relaxed.decide(DAVE, "gate.disable"), NeedsApproval)
    assert isinstance(relaxed.decide(nobody, "incident.kill"), NeedsApproval)


def test_non_editor_cannot_break_glass_or_approve() -> None:
    viewer = Actor("U6VIC", None, "Vic", frozenset({"S0ONCALL"}), "Read Only")
    assert isinstance(POLICY.decide(viewer, "incident.kill"), Denied)
    decision = need(POLICY.decide(BOB, "incident.kill"))
    verdict = POLICY.may_approve(viewer, BOB, decision)
    assert isinstance(verdict, Denied)
    assert "not an editor in Statsig" in verdict.reason


def test_custom_editor_roles() -> None:
    policy = Policy.from_toml('[identity]\neditor_roles = ["Admin", "Release Manager"]\n')
    manager = Actor("U7", "m@example.com", "M", frozenset(), "Release Manager")
    assert isinstance(policy.decide(manager, "gate.enable"), NeedsApproval)
    assert isinstance(policy.decide(BOB, "gate.enable"), Denied)  # Member not listed


def test_review_requirement_forces_approval_even_when_rule_says_zero() -> None:
    review = ReviewRequirement(
        required=True, allowed_reviewers=("Carol@Example.com", "bob@example.com")
    )
    decision = need(POLICY.decide(CAROL, "gate.override", review=review))
    assert (decision.approvals_required, decision.rule_index) == (1, 1)
    assert decision.statsig_reviewers == ("bob@example.com", "carol@example.com")
    # Carol as the only reviewer of her own change: nobody could approve (issue 9.4).
    alone = ReviewRequirement(required=True, allowed_reviewers=("Carol@Example.com",))
    refused = POLICY.decide(CAROL, "gate.override", review=alone)
    assert isinstance(refused, Denied) and "only 0 people could give one" in refused.reason


def test_review_requirement_narrows_approvers_to_reviewers() -> None:
    review = ReviewRequirement(required=True, allowed_reviewers=("carol@example.com",))
    decision = need(POLICY.decide(ALICE, "gate.rollout", review=review))
    assert isinstance(POLICY.may_approve(CAROL, ALICE, decision), Allowed)
    verdict = POLICY.may_approve(BOB, ALICE, decision)
    assert isinstance(verdict, Denied)
    assert "not a Statsig reviewer" in verdict.reason
    no_email = Actor("U8", None, "Nomail", frozenset(), "Admin")
    assert isinstance(POLICY.may_approve(no_email, ALICE, decision), Denied)


def test_review_without_reviewer_list_keeps_policy_approvers() -> None:
    decision = need(POLICY.decide(CAROL, "gate.override", review=ReviewRequirement(required=True)))
    assert decision.statsig_reviewers == ()
    assert isinstance(POLICY.may_approve(BOB, CAROL, decision), Allowed)


def test_review_not_required_changes_nothing() -> None:
    review = ReviewRequirement(required=False, allowed_reviewers=("carol@example.com",))
    assert POLICY.decide(ALICE, "gate.rollout", review=review) == POLICY.decide(
        ALICE, "gate.rollout"
    )


def test_approver_must_be_in_group() -> None:
    decision = need(POLICY.decide(ALICE, "gate.rollout", tags=["critical"]))
    assert POLICY.may_approve(ALICE, BOB, decision) == Denied(
        reason="Alice is not in group 'leads'"
    )
    assert isinstance(POLICY.may_approve(CAROL, ALICE, decision), Allowed)


def test_self_approval_only_where_configured() -> None:
    allowed_self = need(POLICY.decide(ALICE, "gate.rollout"))
    assert isinstance(POLICY.may_approve(ALICE, ALICE, allowed_self), Allowed)
    no_self = need(POLICY.decide(ALICE, "config.enable"))
    assert isinstance(POLICY.may_approve(ALICE, ALICE, no_self), Denied)
    # The same person in the shell is still the requester.
    shell_alice = Actor.for_shell("alice@example.com", statsig_role="Admin")
    assert isinstance(POLICY.may_approve(shell_alice, ALICE, no_self), Denied)


def test_unresolvable_groups_deny() -> None:
    unknown = NeedsApproval(
        approvers=GroupRef(name="ghosts", members=("ghost@example.com",)),
        approvals_required=1,
        allow_self_approval=False,
        ttl_seconds=60,
        rule_index=None,
    )
    assert isinstance(POLICY.may_approve(BOB, ALICE, unknown), Denied)
    email_only = GroupRef(name="e", members=("bob@example.com",))
    assert not email_only.contains(Actor("U2BOB", None, "Bob without email"))


def test_decisions_round_trip_as_json() -> None:
    for decision in (
        POLICY.decide(ALICE, "gate.rollout", tags=["critical"]),
        POLICY.decide(ALICE, "incident.kill"),
        POLICY.decide(DAVE, "gate.enable"),
    ):
        assert DECISION_ADAPTER.validate_json(DECISION_ADAPTER.dump_json(decision)) == decision


def test_who_may_approve_is_named_when_the_group_is_a_short_list_of_people() -> None:
    def group(name: str, *members: str) -> str:
        return GroupRef(name=name, members=members).described()

    pair = group("responders", "alice@example.com", "U2BOB")
    assert pair == "a responder (alice@example.com, U2BOB)"
    assert group("approvers", "a@example.com") == "an approver (a@example.com)"
    assert group("sre-oncall", "a@example.com") == "a member of group sre-oncall (a@example.com)"
    assert group("leads", "S0LEADS", "a@example.com") == "group leads"
    assert group("everyone", "*") == "group everyone (anyone)"
    assert group("*", "*") == "anyone else"
    many = [f"p{i}@example.com" for i in range(7)]
    assert group("approvers", *many) == "group approvers"


def test_a_quorum_nobody_can_meet_is_refused_when_planned() -> None:
    """Issue 9.4: a request needing 2 leads where only one person can qualify was created
    and could only expire."""
    policy = Policy.from_toml(
        '[groups]\nleads = ["alice@example.com", "bob@example.com"]\n'
        '[[rules]]\nactions = ["gate.rollout"]\napprovers = "leads"\napprovals_required = 2\n'
    )
    decision = policy.decide(ALICE, "gate.rollout")
    assert isinstance(decision, Denied)
    assert "needs 2 approvals, but only 1 person could give one (bob@example.com" in (
        decision.reason
    )
    # Someone outside the group asking: both leads qualify.
    assert isinstance(policy.decide(CAROL, "gate.rollout"), NeedsApproval)
    # Statsig's reviewers narrow the group: a user group cannot be listed, the reviewers can.
    narrowed = Policy.from_toml(
        '[groups]\nleads = ["S0LEADS"]\n[[rules]]\nactions = ["gate.*"]\n'
        'approvers = "leads"\napprovals_required = 2\n'
    )
    review = ReviewRequirement(
        required=True, allowed_reviewers=("alice@example.com", "bob@example.com")
    )
    refused = narrowed.decide(ALICE, "gate.rollout", review=review)
    assert isinstance(refused, Denied) and "Statsig reviewers" in refused.reason
    assert isinstance(narrowed.decide(CAROL, "gate.rollout", review=review), NeedsApproval)
    unknown = narrowed.decide(ALICE, "gate.rollout")  # a user group alone: cannot tell
    assert isinstance(unknown, NeedsApproval)
