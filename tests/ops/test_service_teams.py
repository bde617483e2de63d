"""The owning team's ``changeTeamConfigs`` applies to people acting through the bot
(issue 9.6), until personal Statsig keys let Statsig enforce it itself."""

from __future__ import annotations

from bot.chatops.replies import Proposal
from bot.ops.model.decisions import Denied
from bot.sandbox.demo_project import team_id
from tests.ops.service_support import ALICE, BOB, CAROL, service_env, text_of


async def test_only_the_team_changes_a_team_only_gate() -> None:
    async with service_env() as env:
        growth = next(t for t in env.state.teams if t["id"] == team_id("Growth"))
        growth["members"] = [m for m in growth["members"] if m["email"] != CAROL]
        assert growth["changeTeamConfigs"] == "team_only"

        refused = await env.ops.handle("gate rollout new_nav 20 ramp", await env.ctx(CAROL))
        assert isinstance(refused, Proposal) and isinstance(refused.decision, Denied)
        reason = refused.decision.reason
        assert "team Growth's gates" in reason and "changeTeamConfigs: team_only" in reason
        assert "bob@example.com" in reason  # the team's admin, who could ask for it

        by_admin = await env.ops.handle("gate rollout new_nav 20 ramp", await env.ctx(BOB))
        assert isinstance(by_admin, Proposal) and not isinstance(by_admin.decision, Denied)
        by_project_admin = await env.ops.handle("gate rollout new_nav 20", await env.ctx(ALICE))
        assert isinstance(by_project_admin, Proposal)
        assert not isinstance(by_project_admin.decision, Denied), text_of(by_project_admin)


async def test_a_team_open_to_anyone_lets_anyone_through() -> None:
    async with service_env() as env:
        growth = next(t for t in env.state.teams if t["id"] == team_id("Growth"))
        growth["members"] = [m for m in growth["members"] if m["email"] != CAROL]
        growth["changeTeamConfigs"] = "anyone"
        opened = await env.ops.handle("gate rollout new_nav 25", await env.ctx(CAROL))
        assert isinstance(opened, Proposal) and not isinstance(opened.decision, Denied)
