"""Models to render: hand-made ones with every field set, and the OpenAPI document's examples."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.ops.model.plans import BlastRadius, FieldChange, Outcome, OutcomeStatus, Plan, RuleChange
from bot.render.help import HelpItem
from bot.statsig.models import (
    ActiveReview,
    AllowedReviewer,
    AuditLogEntry,
    Condition,
    DynamicConfig,
    Experiment,
    ExperimentGroup,
    ExperimentMetric,
    Gate,
    Owner,
    ReviewSettings,
    Rule,
    Segment,
)

T0 = datetime(2024, 5, 1, 12, 30, tzinfo=UTC)


def employees_rule() -> Rule:
    return Rule(
        name="Employees",
        id="r1:100.00:3",
        base_id="r1",
        pass_percentage=100,
        environments=["production", "staging"],
        conditions=[
            Condition(
                type="email",
                operator="str_contains_any",
                target_value=["@example.com", "@corp.com"],
            ),
            Condition(type="custom_field", field="plan", operator="any", target_value=["pro"]),
        ],
    )


def everyone_rule(pct: float = 25) -> Rule:
    return Rule(
        name="Everyone", id=f"r2:{pct}:1", base_id="r2", pass_percentage=pct,
        conditions=[Condition(type="public")],
    )  # fmt: skip


def full_gate(**changes: Any) -> Gate:
    gate = Gate(
        id="checkout_v2",
        name="Checkout v2",
        description="The new checkout flow.",
        id_type="userID",
        is_enabled=True,
        status="In Progress",
        type="TEMPORARY",
        type_reason="NONE",
        checks_per_hour=12345.0,
        owner=Owner(owner_name="Alice", owner_email="alice@example.com"),
        tags=["payments", "critical"],
        last_modifier_name="Bob",
        last_modified_time=T0,
        version=7,
        review_settings=ReviewSettings(
            required_review=True, allowed_reviewers=[AllowedReviewer(id="u1", name="Carol")]
        ),
        active_review=ActiveReview(review_id="rev_1", review_status="pending"),
        rules=[employees_rule(), everyone_rule()],
    )
    return gate.model_copy(update=changes)


def full_config() -> DynamicConfig:
    return DynamicConfig(
        id="checkout_limits",
        description="Limits for checkout.",
        is_enabled=True,
        status="Enabled",
        default_value={"max_items": 10},
        tags=["payments"],
        last_modifier_name="Dana",
        last_modified_time=T0,
        version=3,
        rules=[
            employees_rule().model_copy(update={"return_value": {"max_items": 100}}),
        ],
    )


def full_experiment() -> Experiment:
    return Experiment(
        id="pricing_test",
        name="Pricing test",
        description="Does a lower price sell more?",
        status="decision_made",
        hypothesis="A 10% lower price raises conversion by 2%.",
        allocation=50,
        layer_id="statsig::pricing_layer",
        targeting_gate_id="eligible_users",
        groups=[
            ExperimentGroup(name="Control", id="g1", size=50),
            ExperimentGroup(name="Lower price", id="g2", size=50),
            ExperimentGroup(name="Retired", id="g3", size=0, disabled=True),
        ],
        control_group_id="g1",
        launched_group_id="g2",
        decision_reason="Conversion up 2.4%, no guardrail regressions.",
        start_time=datetime(2024, 1, 1, tzinfo=UTC),
        end_time=datetime(2024, 2, 1, tzinfo=UTC),
        decision_time=datetime(2024, 2, 2, tzinfo=UTC),
        health_check_status="PASSED",
        primary_metrics=[ExperimentMetric(name="purchase_event")],
        owner=Owner(owner_name="Erin"),
        tags=["pricing"],
        last_modifier_name="Erin",
        last_modified_time=T0,
    )


def rule_segment() -> Segment:
    return Segment(
        id="beta_users",
        description="People in the beta.",
        type="rule_based",
        is_enabled=True,
        rules=[employees_rule()],
        tags=["beta"],
    )


def id_list_segment() -> Segment:
    return Segment(id="vip_ids", type="id_list", is_enabled=True, count=1234)


def gate_versions() -> list[Gate]:
    newest = full_gate(version=7, last_modified_time=T0)
    middle = full_gate(
        version=6,
        last_modifier_name="Alice",
        rules=[employees_rule(), everyone_rule(10)],
        last_modified_time=datetime(2024, 4, 30, tzinfo=UTC),
    )
    oldest = full_gate(
        version=5,
        is_enabled=False,
        rules=[employees_rule()],
        last_modified_time=datetime(2024, 4, 1, tzinfo=UTC),
    )
    return [newest, middle, oldest]


def audit_entries() -> list[AuditLogEntry]:
    return [
        AuditLogEntry(
            id="a1",
            name="checkout_v2",
            change_log="Updated rule Everyone to 25%",
            action_type="gate_update",
            date="Wed May 01 2024",
            time="12:30:00 GMT+0000 (Coordinated Universal Time)",
            updated_by="Bob",
        ),
        AuditLogEntry(id="a2", name="checkout_v2", change_log="Created Gate", updated_by="Alice"),
    ]


def rollout_plan() -> Plan:
    return Plan(
        action="gate.rollout",
        entity_kind="gate",
        entity_id="checkout_v2",
        entity_name="Checkout v2",
        summary="Roll out checkout_v2 to 50% (rule Everyone)",
        reason="ramp after clean metrics",
        changes=[FieldChange(field="description", before="old", after="Checkout & more")],
        rule_changes=[
            RuleChange(
                rule_name="Everyone",
                rule_id="r2",
                kind="changed",
                changes=[FieldChange(field="passPercentage", before=25, after=50)],
            ),
            RuleChange(rule_name="Old rule", kind="removed"),
            RuleChange(rule_name="QA", kind="added"),
        ],
        overrides_added=["user_1", "user_2"],
        blast_radius=BlastRadius(
            checks_per_hour=12345,
            environments=["production"],
            gate_references=1,
            experiment_references=2,
        ),
        review_required=True,
        allowed_reviewers=["carol@example.com"],
        tags=["critical"],
        base_version=7,
        base_modified_time=T0,
        warnings=["The gate is tagged critical: 2 approvals are needed."],
    )


def noop_plan() -> Plan:
    return Plan(
        action="gate.enable",
        entity_kind="gate",
        entity_id="checkout_v2",
        summary="Enable checkout_v2",
        absolute=True,
    )


def outcomes() -> dict[str, Outcome]:
    common: dict[str, Any] = {"entity_kind": "gate", "entity_id": "checkout_v2"}
    return {
        "applied": Outcome(
            status=OutcomeStatus.APPLIED,
            message="Done: disable gate checkout_v2",
            after={"isEnabled": False},
            **common,
        ),
        "pending_review": Outcome(
            status=OutcomeStatus.PENDING_REVIEW,
            message="Submitted for review in Statsig (review rev_9); NOT applied yet: "
            "disable gate checkout_v2",
            review_id="rev_9",
            **common,
        ),
        "noop": Outcome(
            status=OutcomeStatus.NOOP, message="Nothing to do: disable gate checkout_v2", **common
        ),
        "failed": Outcome(
            status=OutcomeStatus.FAILED,
            message="Failed: disable gate checkout_v2",
            error="400: rule not found",
            **common,
        ),
    }


def help_items() -> list[HelpItem]:
    return [
        HelpItem("gate <name>", "Show a gate.", ("gate checkout_v2",)),
        HelpItem(
            "gate rollout <name> <pct> [--rule R] [reason]",
            "Set a rule's pass percentage (needs approval).",
            ("gate rollout checkout_v2 25 ramp up", "gate rollout new_nav 100 --rule Everyone"),
        ),
        HelpItem("kill <gate> [reason]", "Disable a gate in an incident.", ()),
    ]


def spec_example(spec_path: Path, path: str, *keys: str) -> Any:
    """The ``example`` of a GET 200 response in the OpenAPI document, descended by ``keys``."""
    document = json.loads(spec_path.read_text())
    response = document["paths"][path]["get"]["responses"]["200"]
    value = response["content"]["application/json"]["example"]
    for key in keys:
        value = value[key]
    return value
