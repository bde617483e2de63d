"""The demo project: deterministic, varied, and shaped around the stories in DESIGN.md §1.

* ``checkout_v2`` — enabled, busy (high ``checksPerHour``), tagged ``critical``, no review
  required, referenced by other gates, a config and an experiment (the incident story);
* ``new_nav`` — a rollout gate whose first rule passes 10 % (the rollout story), with a release
  pipeline trigger in progress;
* gates requiring review with ``allowedReviewers`` alice and bob (``payments_*``, ``fraud_*``);
  ``payments_3ds`` is owned (``teamID``) by team Payments, which requires reviews, and
  ``new_nav`` by team Growth, which does not (tests flip its ``requireReviews``).
  ``checkout_v2`` names team Payments but carries no ``teamID`` on purpose, so the
  incident story is not held up by the team's review requirement;
* ``pricing_test`` — an active experiment (the PM story), plus experiments in every state.

Nothing here is random: the same data comes back every time, so tests may name it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.sandbox.demo_project import (
    ALICE,
    BOB,
    CAROL,
    DEMO_EPOCH_MS,
    PEOPLE,
    REVIEWERS,
    populate_project,
    team_id,
)
from bot.sandbox.entities import (
    condition,
    everyone,
    make_config,
    make_experiment,
    make_gate,
    make_rule,
    make_segment,
)
from bot.sandbox.state import SandboxState, empty_overrides, wall_clock_ms

__all__ = ["DEMO_EPOCH_MS", "PEOPLE", "demo_state", "populate"]

_DAY = 86_400_000
Entity = dict[str, Any]


def _c(kind: str, operator: str | None = None, target: Any = None, **extra: Any) -> Entity:
    return condition(kind, operator, target, **extra)


# (name, pass %, conditions, environments) per rule, for the hand-written gates.
_HAND_WRITTEN: dict[str, tuple[Entity, list[tuple[str, float, list[Entity], Any]]]] = {
    "checkout_v2": (
        {
            "checksPerHour": 48_000,
            "tags": ["critical", "checkout"],
            "type": "PERMANENT",
            "description": "New checkout flow",
            "team": "Payments",
        },
        [
            ("Employees", 100, [_c("email", "str_contains_any", ["@example.com"])], None),
            ("Everyone", 100, [everyone()], None),
        ],
    ),
    "new_nav": (
        {
            "checksPerHour": 12_500,
            "tags": ["web"],
            "description": "Redesigned navigation bar",
            "team": "Growth",
            "teamID": team_id("Growth"),
            "releasePipelineID": "pipeline_nav",
        },
        [
            ("Rollout", 10, [everyone()], ["production"]),
            ("Staging", 100, [_c("environment_tier", "any", ["staging", "development"])], None),
        ],
    ),
    "payments_3ds": (
        {
            "checksPerHour": 9_100,
            "tags": ["critical", "payments"],
            "team": "Payments",
            "teamID": team_id("Payments"),
            "description": "3-D Secure challenge for card payments",
            "reviewSettings": {"requiredReview": True, "allowedReviewers": REVIEWERS},
        },
        [
            ("EU", 100, [_c("country", "any", ["DE", "FR", "NL", "IE"])], None),
            ("Rest", 50, [everyone()], None),
        ],
    ),
    "fraud_rules_v3": (
        {
            "checksPerHour": 22_000,
            "tags": ["critical", "risk"],
            "type": "PERMANENT",
            "reviewSettings": {"requiredReview": True, "allowedReviewers": REVIEWERS},
        },
        [
            ("High value", 100, [_c("custom_field", "gt", 500, field="cartValue")], None),
            ("Checkout users", 100, [_c("passes_gate", None, "checkout_v2")], None),
        ],
    ),
    "mobile_dark_mode": (
        {"checksPerHour": 3_400, "tags": ["mobile"]},
        [
            (
                "iOS 17+",
                100,
                [_c("os_name", "any", ["iOS"]), _c("os_version", "version_gte", "17.0")],
                None,
            ),
            ("Android", 25, [_c("os_name", "any", ["Android"])], None),
        ],
    ),
    "beta_testers": (
        {"checksPerHour": 150, "type": "PERMANENT", "tags": ["internal"]},
        [
            ("Beta list", 100, [_c("passes_segment", None, "beta_users")], None),
            ("Named users", 100, [_c("user_id", "any", ["u_1001", "u_1002", "u_1003"])], None),
        ],
    ),
    "search_autocomplete": (
        {"checksPerHour": 8_000, "status": "Launched", "tags": ["search"]},
        [("Everyone", 100, [everyone()], None)],
    ),
    "legacy_banner": (
        {
            "checksPerHour": 0,
            "isEnabled": False,
            "status": "Disabled",
            "type": "STALE",
            "typeReason": "STALE_PROBABLY_DEAD_CHECK",
        },
        [("Old browsers", 100, [_c("browser_name", "any", ["IE"])], None)],
    ),
    "holiday_sale": (
        {"checksPerHour": 40, "status": "Archived", "isEnabled": False},
        [("Sale window", 100, [_c("time", "after", DEMO_EPOCH_MS - 30 * _DAY)], None)],
    ),
    "org_sso": (
        {"checksPerHour": 700, "tags": ["enterprise"], "idType": "companyID"},
        [
            (
                "Enterprise orgs",
                100,
                [_c("unit_id", "any", ["acme", "globex"], customID="companyID")],
                None,
            )
        ],
    ),
}

_TOPICS = ["search", "profile", "feed", "ads", "onboarding", "billing", "notifications", "share"]


def _generated_gate_specs(count: int) -> list[tuple[str, Entity, list[Any]]]:
    """Plainer gates to make lists long enough to page through; varied but deterministic."""
    specs = []
    for i in range(count):
        topic = _TOPICS[i % len(_TOPICS)]
        name = f"{topic}_experiment_{i:02d}" if i % 5 == 4 else f"{topic}_flag_{i:02d}"
        pct = [0, 5, 20, 50, 100][i % 5]
        rules: list[tuple[str, float, list[Entity], list[str] | None]] = [
            ("Rollout", pct, [everyone()], None)
        ]
        if i % 3 == 0:
            rules.insert(
                0,
                (
                    "Internal",
                    100,
                    [_c("email", "str_contains_any", ["@example.com"])],
                    ["development", "staging"],
                ),
            )
        if i % 7 == 0:
            rules.insert(0, ("Checkout users", 100, [_c("passes_gate", None, "checkout_v2")], None))
        fields: Entity = {"checksPerHour": (i * 137) % 2_000, "tags": [topic]}
        if i % 11 == 5:
            fields["tags"] = [topic, "critical"]
        if i % 9 == 8:
            fields.update(isEnabled=False, status="Disabled")
        if i % 10 == 3:
            fields["reviewSettings"] = {"requiredReview": True, "allowedReviewers": REVIEWERS[:1]}
        specs.append((name, fields, rules))
    return specs


def _populate_gates(state: SandboxState) -> None:
    creators = [ALICE, BOB, CAROL]
    specs = [(n, f, r) for n, (f, r) in _HAND_WRITTEN.items()] + _generated_gate_specs(30)
    for i, (name, fields, rules) in enumerate(specs):
        created = DEMO_EPOCH_MS - (60 - i) * _DAY
        gate = make_gate(name, now_ms=created, creator=creators[i % 3], **fields)
        gate["description"] = gate["description"] or f"Demo gate {name.replace('_', ' ')}"
        gate["rules"] = [
            make_rule(name, j, rname, pct, conds, environments=envs)
            for j, (rname, pct, conds, envs) in enumerate(rules)
        ]
        gate["lastModifiedTime"] = created + (i % 4) * _DAY
        gate["version"] = 1 + i % 4
        state.gates[name] = gate
        state.gate_overrides[name] = empty_overrides()
        state.log(
            gate,
            action_type="gate_create",
            change_log="Created Gate",
            actor=creators[i % 3],
            epoch_ms=created,
        )
    state.gate_overrides["checkout_v2"]["passingUserIDs"] = ["qa_user_1"]
    state.gate_overrides["checkout_v2"]["failingUserIDs"] = ["blocked_user_9"]


def _populate_configs(state: SandboxState) -> None:
    names = [
        "checkout_config",
        "nav_layout",
        "pricing_tiers",
        "search_ranking",
        "feed_tuning",
        "support_widget",
        "rate_limits",
        "onboarding_copy",
    ]
    for i, name in enumerate(names):
        created = DEMO_EPOCH_MS - (40 - i) * _DAY
        config = make_config(
            name,
            now_ms=created,
            creator=ALICE if i % 2 else BOB,
            description=f"Demo config {name.replace('_', ' ')}",
            tags=["critical"] if i == 0 else [],
            defaultValue={"enabled": False, "variant": "default"},
        )
        conds = [_c("passes_gate", None, "checkout_v2")] if i == 0 else [everyone()]
        config["rules"] = [
            make_rule(
                name,
                0,
                "Main",
                [100, 50, 25][i % 3],
                conds,
                return_value={"enabled": True, "variant": f"v{i}"},
            )
        ]
        if i == 6:
            config.update(isEnabled=False, status="Disabled")
        state.configs[name] = config


def _populate_experiments(state: SandboxState) -> None:
    rows = [
        ("pricing_test", "active"),
        ("checkout_button_color", "active"),
        ("onboarding_tour", "setup"),
        ("search_ranking_v2", "decision_made"),
        ("feed_density", "abandoned"),
        ("email_digest", "setup"),
        ("referral_bonus", "archived"),
        ("nav_icons", "experiment_stopped"),
    ]
    for i, (name, status) in enumerate(rows):
        created = DEMO_EPOCH_MS - (30 - i) * _DAY
        started = None if status == "setup" else created + _DAY
        ended = (
            created + 10 * _DAY if status in ("decision_made", "abandoned", "archived") else None
        )
        experiment = make_experiment(
            name,
            now_ms=created,
            creator=CAROL if i % 2 else ALICE,
            status=status,
            description=f"Demo experiment {name.replace('_', ' ')}",
            hypothesis=f"Changing {name.replace('_', ' ')} improves conversion",
            startTime=started,
            endTime=ended,
            decisionTime=ended,
            tags=["growth"],
            allocation=[100, 50, 20][i % 3],
            primaryMetrics=[{"name": "purchase", "type": "event_count", "direction": "increase"}],
            healthCheckStatus="PASSED" if started else "WAITING",
        )
        if name == "pricing_test":
            experiment["groups"] = [
                {"name": "Control", "id": "control", "size": 34, "parameterValues": {"price": 10}},
                {"name": "Higher", "id": "higher", "size": 33, "parameterValues": {"price": 12}},
                {"name": "Lower", "id": "lower", "size": 33, "parameterValues": {"price": 8}},
            ]
            experiment["targetingGateID"] = "checkout_v2"
        if status == "decision_made":
            experiment.update(launchedGroupID="test", decisionReason="Test won on purchases")
        if status == "abandoned":
            experiment["decisionReason"] = "Hurt engagement"
        state.experiments[name] = experiment


def _populate_segments(state: SandboxState) -> None:
    rows = [
        ("beta_users", "id_list", [f"u_{1000 + i}" for i in range(25)]),
        ("internal_staff", "id_list", ["alice", "bob", "carol", "dave"]),
        ("blocked_accounts", "id_list", ["spam_1", "spam_2"]),
        ("eu_users", "rule_based", None),
        ("power_users", "rule_based", None),
    ]
    for i, (name, kind, ids) in enumerate(rows):
        segment = make_segment(
            name,
            now_ms=DEMO_EPOCH_MS - (20 - i) * _DAY,
            segment_type=kind,
            creator=BOB,
            description=f"Demo segment {name}",
        )
        if ids is not None:
            state.segment_ids[name] = list(ids)
            segment["count"] = len(ids)
        else:
            cond = (
                _c("country", "any", ["DE", "FR"])
                if name == "eu_users"
                else _c("custom_field", "gt", 50, field="sessionsPerWeek")
            )
            segment["rules"] = [make_rule(name, 0, "Members", 100, [cond])]
        state.segments[name] = segment


def populate(state: SandboxState) -> None:
    """Fill ``state`` with the demo project."""
    _populate_gates(state)
    _populate_configs(state)
    _populate_experiments(state)
    _populate_segments(state)
    populate_project(state)


def demo_state(*, clock_ms: Callable[[], int] = wall_clock_ms) -> SandboxState:
    """The deterministic demo project (~40 gates, 8 configs, 8 experiments, 5 segments)."""
    state = SandboxState.empty(clock_ms=clock_ms)
    populate(state)
    return state
