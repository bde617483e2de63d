"""Project-wide demo data: people and their roles, teams, tags, environments and the
release-pipeline trigger. Split from ``demo.py`` so each file holds one kind of data."""

from __future__ import annotations

from typing import Any

from bot.sandbox.entities import base_id
from bot.sandbox.state import SandboxState

__all__ = [
    "ALICE",
    "BOB",
    "CAROL",
    "DAVE",
    "DEMO_EPOCH_MS",
    "PEOPLE",
    "REVIEWERS",
    "populate_project",
    "team_id",
]

DEMO_EPOCH_MS = 1_767_225_600_000  # 2026-01-01T00:00:00Z
_DAY = 86_400_000
Entity = dict[str, Any]

PEOPLE: list[Entity] = [
    {"email": "alice@example.com", "firstName": "Alice", "lastName": "Adams", "role": "Admin"},
    {"email": "bob@example.com", "firstName": "Bob", "lastName": "Brown", "role": "Member"},
    {"email": "carol@example.com", "firstName": "Carol", "lastName": "Clark", "role": "Member"},
    {"email": "dave@example.com", "firstName": "Dave", "lastName": "Davis", "role": "Read Only"},
]


def _actor(person: Entity) -> Entity:
    name = f"{person['firstName']} {person['lastName']}"
    return {"id": base_id("user", person["email"]), "name": name, "email": person["email"]}


ALICE, BOB, CAROL, DAVE = (_actor(p) for p in PEOPLE)
REVIEWERS = [{"id": a["id"], "name": a["name"], "email": a["email"]} for a in (ALICE, BOB)]


def team_id(name: str) -> str:
    """The demo team's ID (``Payments`` requires reviews, admin alice; ``Growth`` does not)."""
    return base_id("team", name)


def populate_project(state: SandboxState) -> None:
    """People, teams, tags and the ``new_nav`` release-pipeline trigger."""
    state.users = [dict(p) for p in PEOPLE]
    state.teams = [
        _team("Payments", [PEOPLE[1], PEOPLE[2]], [PEOPLE[0]], "team_only", True),
        _team("Growth", [PEOPLE[2], PEOPLE[3]], [PEOPLE[1]], "anyone", False),
    ]
    state.tags = [
        {"id": base_id("tag", name), "name": name, "description": desc, "isCore": core}
        for name, desc, core in [
            ("critical", "Business-critical: changes need extra care", True),
            ("checkout", "Checkout funnel", False),
            ("payments", "Payments team", False),
            ("web", "Web surfaces", False),
            ("mobile", "Mobile apps", False),
            ("internal", "Employees and testers", False),
            ("growth", "Growth team", False),
        ]
    ]
    state.pipeline_triggers["trigger_new_nav_1"] = {
        "id": "trigger_new_nav_1",
        "releasePipelineID": "pipeline_nav",
        "description": "Gradual rollout of new_nav",
        "gateID": "new_nav",
        "status": "IN_PROGRESS",
        "currentPhase": "10% of users",
        "currentPhaseID": "phase_10",
        "currentPhaseEndTime": DEMO_EPOCH_MS + 2 * _DAY,
        "creatorID": CAROL["id"],
        "createdTime": DEMO_EPOCH_MS - _DAY,
        "lastModifierID": CAROL["id"],
        "lastModifierName": CAROL["name"],
        "actions": [
            {
                "type": "STARTED",
                "timeMs": DEMO_EPOCH_MS - _DAY,
                "phaseID": "phase_10",
                "actorID": CAROL["id"],
                "actorName": CAROL["name"],
            }
        ],
    }


def _team(
    name: str, members: list[Entity], admins: list[Entity], approval: str, require: bool
) -> Entity:
    return {
        "id": team_id(name),
        "name": name,
        "description": f"The {name} team",
        "members": [dict(m) for m in members],
        "admins": [dict(a) for a in admins],
        "defaultGateMetrics": [],
        "defaultExperimentPrimaryMetrics": [],
        "defaultExperimentSecondaryMetrics": [],
        "defaultHoldoutMetrics": [],
        "changeTeamConfigs": "team_only",
        "reviewApproval": approval,
        "defaultTargetApplications": [],
        "defaultHoldoutID": None,
        "requireReviews": require,
    }
