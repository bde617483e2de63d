"""Pure plan tests for gate actions: diffs, blast radius, warnings, no-ops, reviews."""

from __future__ import annotations

import pytest

from bot.ops.actions.base import PlanError, References
from bot.ops.actions.gate import GateArchive, GateDisable, GateEnable, GateLaunch, GateRollout
from bot.ops.actions.registry import ACTIONS, action_class
from bot.ops.model.plans import OutcomeStatus
from tests.ops.actions_support import current, gate, rule


def test_disable_plan_diff_blast_radius_and_snapshot() -> None:
    g = gate(rules=[rule("Everyone", 10, envs=["production"]), rule("QA", 100, envs=["staging"])])
    refs = References(gates=1, experiments=3, configs=0)
    plan = GateDisable("checkout_v2", "INC-1 errors").plan(current(g, references=refs))
    assert plan.action == "gate.disable" and plan.absolute
    assert [(c.field, c.before, c.after) for c in plan.changes] == [("isEnabled", True, False)]
    assert plan.blast_radius.checks_per_hour == 1200
    assert plan.blast_radius.environments == ["production", "staging"]
    assert plan.blast_radius.reference_count == 4
    assert "3 experiments reference this gate." in plan.warnings
    assert "1 gate references this gate." in plan.warnings
    assert plan.snapshot == g.to_api()
    assert plan.base_version == 3 and plan.base_modified_time == g.last_modified_time
    assert plan.reason == "INC-1 errors" and plan.tags == ["checkout"]
    assert plan.change == {"isEnabled": False}


def test_disable_of_disabled_gate_is_noop_with_warning() -> None:
    plan = GateDisable("checkout_v2").plan(current(gate(isEnabled=False)))
    assert plan.is_noop
    assert "checkout_v2 is already disabled." in plan.warnings


def test_enable_plan_and_noop() -> None:
    plan = GateEnable("checkout_v2").plan(current(gate(isEnabled=False)))
    assert [(c.before, c.after) for c in plan.changes] == [(False, True)]
    assert GateEnable("checkout_v2").plan(current(gate())).is_noop


def test_rules_without_environments_say_all_environments_like_the_gate_card() -> None:
    g = gate(rules=[rule("Everyone", 10)])
    plan = GateDisable("checkout_v2").plan(
        current(g, project_environments=("development", "production"))
    )
    assert plan.blast_radius.environments == ["all environments"]
    unknown = GateDisable("checkout_v2").plan(current(g))
    assert unknown.blast_radius.environments == ["all environments"]


def test_review_detection_from_entity_and_project() -> None:
    reviewed = gate(
        reviewSettings={
            "requiredReview": True,
            "allowedReviewers": [
                {"id": "1", "name": "Ana", "email": "ana@example.com"},
                {"id": "2", "name": "Bo"},
            ],
        }
    )
    plan = GateDisable("checkout_v2").plan(current(reviewed))
    assert plan.review_required
    assert plan.allowed_reviewers == ["ana@example.com", "Bo"]
    assert (
        GateDisable("checkout_v2")
        .plan(current(gate(), project_review_required=True))
        .review_required
    )
    assert not GateDisable("checkout_v2").plan(current(gate())).review_required


def test_open_review_and_pipeline_are_warned_about() -> None:
    g = gate(activeReview={"reviewID": "rev9", "reviewStatus": "pending", "description": "x"})
    plan = GateDisable("checkout_v2").plan(current(g, running_pipelines=1))
    assert any("rev9" in w for w in plan.warnings)
    assert any("release pipeline is running" in w for w in plan.warnings)


def test_fingerprint_changes_with_base_version_and_request() -> None:
    first = GateDisable("checkout_v2").plan(current(gate(version=3)))
    same = GateDisable("checkout_v2").plan(current(gate(version=3)))
    moved = GateDisable("checkout_v2").plan(current(gate(version=4)))
    enable = GateEnable("checkout_v2").plan(current(gate(version=3, isEnabled=False)))
    assert first.fingerprint() == same.fingerprint()
    assert first.fingerprint() != moved.fingerprint()
    assert first.fingerprint() != enable.fingerprint()


def test_rollout_defaults_to_the_last_everyone_rule() -> None:
    g = gate(
        rules=[
            rule(
                "Employees",
                100,
                base_id="emp",
                conditions=[
                    {
                        "type": "email",
                        "operator": "str_contains_any",
                        "targetValue": ["@example.com"],
                    }
                ],
            ),
            rule("Everyone", 10, base_id="all"),
        ]
    )
    plan = GateRollout("checkout_v2", 25, reason="ramp").plan(current(g))
    assert not plan.absolute
    [change] = plan.rule_changes
    assert change.rule_name == "Everyone" and change.rule_id == "all"
    assert [(c.field, c.before, c.after) for c in change.changes] == [("passPercentage", 10, 25)]
    assert plan.change["ruleID"] == "all:10.00:1" and plan.change["passPercentage"] == 25


def test_rollout_named_rule_by_name_id_or_base_id() -> None:
    g = gate(
        rules=[
            rule(
                "Beta", 5, base_id="beta", conditions=[{"type": "country", "targetValue": ["NZ"]}]
            ),
            rule("Everyone", 10, base_id="all"),
        ]
    )
    for key in ("beta", "BETA", "beta:5.00:1"):
        plan = GateRollout("checkout_v2", 50, rule=key).plan(current(g))
        assert plan.rule_changes[0].rule_name == "Beta"


def test_rollout_unknown_or_ambiguous_rule_lists_the_rules() -> None:
    g = gate(
        rules=[
            rule("A", 5, conditions=[{"type": "country", "targetValue": ["NZ"]}]),
            rule("B", 7, conditions=[{"type": "country", "targetValue": ["AU"]}]),
        ]
    )
    with pytest.raises(PlanError) as unknown:
        GateRollout("checkout_v2", 50, rule="C").plan(current(g))
    assert "A (5%), B (7%)" in unknown.value.user_message
    with pytest.raises(PlanError) as ambiguous:
        GateRollout("checkout_v2", 50).plan(current(g))
    assert "--rule" in ambiguous.value.user_message


def test_rollout_same_percentage_is_noop_and_bad_percentage_refused() -> None:
    plan = GateRollout("checkout_v2", 10).plan(current(gate()))
    assert plan.is_noop and any("already passes 10%" in w for w in plan.warnings)
    with pytest.raises(PlanError):
        GateRollout("checkout_v2", 101)


def test_rollout_on_disabled_gate_and_scheduled_rollouts_warn() -> None:
    r = rule("Everyone", 10)
    r["pendingAutomatedRollouts"] = [{"time": 1_800_000_000_000, "passPercent": 50}]
    plan = GateRollout("checkout_v2", 20).plan(current(gate(isEnabled=False, rules=[r])))
    assert any("disabled" in w for w in plan.warnings)
    assert any("scheduled rollouts" in w for w in plan.warnings)


def test_rollout_blast_radius_is_the_rule_environments() -> None:
    g = gate(rules=[rule("Everyone", 10, envs=["staging"])])
    plan = GateRollout("checkout_v2", 20).plan(current(g))
    assert plan.blast_radius.environments == ["staging"]


def test_launch_and_archive_plans() -> None:
    launch = GateLaunch("checkout_v2").plan(current(gate()))
    assert launch.absolute
    assert [(c.field, c.after) for c in launch.changes] == [("status", "Launched")]
    assert GateLaunch("checkout_v2").plan(current(gate(status="Launched"))).is_noop
    archive = GateArchive("checkout_v2").plan(current(gate(), references=References(experiments=2)))
    assert "2 experiments reference this gate." in archive.warnings
    assert GateArchive("checkout_v2").plan(current(gate(status="Archived"))).is_noop


def test_registry_maps_every_action_string_to_its_class() -> None:
    assert action_class("gate.disable") is GateDisable
    assert all(cls.action == name for name, cls in ACTIONS.items())
    assert {"gate.rollout", "incident.kill", "incident.restore", "segment.add-ids"} <= set(ACTIONS)
    with pytest.raises(KeyError, match="known"):
        action_class("gate.explode")


def test_judge_applied_pending_and_failed() -> None:
    action = GateDisable("checkout_v2")
    plan = action.plan(current(gate()))
    assert action.judge(plan, gate(isEnabled=False)).status is OutcomeStatus.APPLIED
    pending = action.judge(
        plan, gate(activeReview={"reviewID": "rev1", "reviewStatus": "pending", "description": "d"})
    )
    assert pending.status is OutcomeStatus.PENDING_REVIEW and pending.review_id == "rev1"
    assert "NOT applied" in pending.message
    failed = action.judge(plan, gate())
    assert failed.status is OutcomeStatus.FAILED and "isEnabled is still true" in failed.message
