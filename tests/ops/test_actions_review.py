"""Statsig's four review switches (entity, project, environment, team) end up on the plan.

Pure tests build :class:`Current` by hand; the sandbox tests flip the demo project's team and
environment flags (its ``state`` dicts are mutable) and read through the real client.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.chatops.replies import Proposal
from bot.ops.actions.gate import GateDisable, GateRollout
from bot.ops.actions.incident import IncidentKill
from bot.ops.actions.load import LookupCache, lookup_cache
from bot.ops.actions.override import GateOverride
from bot.ops.actions.review import review_verdict, team_reviewers
from bot.ops.model.decisions import NeedsApproval
from bot.sandbox.demo_project import team_id
from bot.statsig.models import Environment, Team
from tests.ops.actions_support import current, gate, rule
from tests.ops.service_support import ALICE, CAROL, sandbox_client, service_env

PROD = Environment(id="env_prod", name="production", requires_review=True)
STAGING = Environment(id="env_staging", name="staging", requires_review=False)


def _team(approval: str, *, require: bool = True) -> Team:
    return Team.model_validate(
        {
            "id": "team_1",
            "name": "Payments",
            "reviewApproval": approval,
            "requireReviews": require,
            "members": [{"email": "Mem@example.com"}, {"email": "both@example.com"}],
            "admins": [{"email": "admin@example.com"}, {"email": "both@example.com"}],
        }
    )


@pytest.mark.parametrize(
    ("approval", "expected"),
    [
        ("admin_only", ["admin@example.com", "both@example.com"]),
        ("team_only", ["admin@example.com", "both@example.com", "mem@example.com"]),
        ("anyone", ["admin@example.com", "both@example.com", "mem@example.com"]),
    ],
)
def test_team_reviewers_follow_review_approval(approval: str, expected: list[str]) -> None:
    assert team_reviewers(_team(approval)) == expected


def test_nothing_requires_review() -> None:
    verdict = review_verdict(
        "gate",
        None,
        project_required=False,
        environments=(STAGING,),
        team=_team("anyone", require=False),
    )
    assert not verdict.required and verdict.warning is None and verdict.allowed_reviewers == []


def test_disable_needs_review_when_a_reviewed_environment_exists() -> None:
    plan = GateDisable("checkout_v2").plan(current(gate(), environments=(STAGING, PROD)))
    assert plan.review_required and plan.allowed_reviewers == []
    assert (
        "Statsig requires a review of this change (environment production requires review); "
        "it may wait for that review in Statsig." in plan.warnings
    )


@pytest.mark.parametrize(
    ("envs", "required"),
    [(["production"], True), (["staging"], False), (None, True), (["PRODUCTION"], True)],
)
def test_rollout_review_depends_on_the_rule_environments(
    envs: list[str] | None, required: bool
) -> None:
    g = gate(rules=[rule("Everyone", 10, envs=envs)])
    plan = GateRollout("checkout_v2", 20).plan(current(g, environments=(STAGING, PROD)))
    assert plan.review_required is required
    assert any("environment production" in w for w in plan.warnings) is required


def test_override_in_one_environment_only_counts_that_one() -> None:
    base = current(gate(), environments=(STAGING, PROD))
    assert (
        not GateOverride("checkout_v2", "pass", ("u1",), environment="staging")
        .plan(base)
        .review_required
    )
    assert GateOverride("checkout_v2", "pass", ("u1",)).plan(base).review_required


def test_team_requirement_names_the_team_and_its_reviewers() -> None:
    g = gate(
        reviewSettings={
            "requiredReview": False,
            "allowedReviewers": [{"id": "1", "name": "Ana", "email": "ana@example.com"}],
        }
    )
    plan = GateDisable("checkout_v2").plan(current(g, team=_team("admin_only")))
    assert plan.review_required
    assert plan.allowed_reviewers == ["ana@example.com", "admin@example.com", "both@example.com"]
    assert (
        "Statsig requires a review of this change (team Payments requires reviews); "
        "it may wait for that review in Statsig." in plan.warnings
    )


def test_all_reasons_are_listed() -> None:
    g = gate(reviewSettings={"requiredReview": True, "allowedReviewers": []})
    plan = GateDisable("checkout_v2").plan(
        current(g, project_review_required=True, environments=(PROD,), team=_team("team_only"))
    )
    [why] = [w for w in plan.warnings if w.startswith("Statsig requires a review")]
    assert why == (
        "Statsig requires a review of this change (the gate's own review setting; the project "
        "requires reviews; environment production requires review; team Payments requires "
        "reviews); it may wait for that review in Statsig."
    )
    assert plan.allowed_reviewers == ["admin@example.com", "both@example.com", "mem@example.com"]


# ------------------------------------------------------------------ through the sandbox


def _gets(app: Any, path: str) -> int:
    return sum(1 for r in app.state.request_log if r.method == "GET" and r.path == path)


async def test_sandbox_team_flag_reaches_the_plan() -> None:
    async with sandbox_client() as (client, app):
        plan = GateRollout("new_nav", 20).plan(await GateRollout("new_nav", 20).load(client))
        assert not plan.review_required  # Growth does not require reviews
        [growth] = [t for t in app.state.sandbox.teams if t["id"] == team_id("Growth")]
        growth["requireReviews"] = True
        lookup_cache(client).clear()
        plan = GateRollout("new_nav", 20).plan(await GateRollout("new_nav", 20).load(client))
    assert plan.review_required
    # Growth: reviewApproval "anyone" → members (carol, dave) and admins (bob).
    assert plan.allowed_reviewers == ["bob@example.com", "carol@example.com", "dave@example.com"]
    assert any("team Growth requires reviews" in w for w in plan.warnings)


async def test_sandbox_environment_flag_scopes_by_rule() -> None:
    async with sandbox_client() as (client, app):
        envs = {e["name"]: e for e in app.state.sandbox.environments}
        envs["staging"]["requiresReview"] = True
        # new_nav's "Rollout" rule applies in production only; "Staging" applies everywhere.
        prod_only = GateRollout("new_nav", 20, rule="Rollout")
        everywhere = GateRollout("new_nav", 50, rule="Staging")
        assert not prod_only.plan(await prod_only.load(client)).review_required
        assert everywhere.plan(await everywhere.load(client)).review_required


async def test_environments_and_team_are_cached_per_client() -> None:
    async with sandbox_client() as (client, app):
        for _ in range(3):
            action = GateDisable("new_nav")
            action.plan(await action.load(client))
        assert _gets(app, "/console/v1/environments") == 1
        assert _gets(app, f"/console/v1/users/teams/{team_id('Growth')}") == 1


async def test_lookup_cache_expires_and_never_keeps_failures() -> None:
    now = [0.0]
    cache = LookupCache(ttl=30.0, clock=lambda: now[0])
    reads = []

    async def read() -> int:
        reads.append(now[0])
        if len(reads) == 2:
            raise RuntimeError("down")
        return len(reads)

    assert await cache.get("k", read) == 1
    now[0] = 29.0
    assert await cache.get("k", read) == 1
    now[0] = 31.0
    with pytest.raises(RuntimeError):
        await cache.get("k", read)
    assert await cache.get("k", read) == 3
    assert reads == [0.0, 31.0, 31.0]


async def test_incident_kill_still_reads_only_the_gate() -> None:
    async with sandbox_client() as (client, app):
        [payments] = [t for t in app.state.sandbox.teams if t["id"] == team_id("Payments")]
        assert payments["requireReviews"] is True
        before = len(app.state.request_log)
        kill = IncidentKill("payments_3ds", reason="INC-9")
        plan = kill.plan(await kill.load(client))
        outcome = await kill.execute(client, plan)
        sent = [(r.method, r.path) for r in app.state.request_log[before:]]
    assert sent == [
        ("GET", "/console/v1/gates/payments_3ds"),
        ("PUT", "/console/v1/gates/payments_3ds/disable"),
    ]
    assert plan.review_required  # from the gate's own reviewSettings
    assert outcome.status.value == "pending_review"  # Statsig (the sandbox) held it


async def test_team_review_narrows_the_policy_decision() -> None:
    async with service_env() as env:
        [growth] = [t for t in env.state.teams if t["id"] == team_id("Growth")]
        growth["requireReviews"] = True
        growth["reviewApproval"] = "admin_only"
        result = await env.ops.handle("gate rollout new_nav 20 ramp", await env.ctx(CAROL))
    assert isinstance(result, Proposal)
    assert result.plan.review_required
    decision = result.decision
    assert isinstance(decision, NeedsApproval)
    assert decision.statsig_reviewers == ("bob@example.com",)
    assert ALICE not in decision.statsig_reviewers
