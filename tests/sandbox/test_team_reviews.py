"""The owning team's ``requireReviews`` holds changes back, like the entity's own setting."""

from __future__ import annotations

import httpx

from bot.sandbox import SandboxState
from bot.sandbox.demo_project import team_id

G = "/console/v1/gates"
RESPECT = {"x-respect-review-settings": "true"}


async def test_team_requirement_holds_the_change(
    client: httpx.AsyncClient, state: SandboxState
) -> None:
    assert state.gates["new_nav"]["teamID"] == team_id("Growth")
    applied = (await client.put(f"{G}/new_nav/disable", headers=RESPECT)).json()["data"]
    assert applied["isEnabled"] is False and "activeReview" not in applied

    [growth] = [t for t in state.teams if t["id"] == team_id("Growth")]
    growth["requireReviews"] = True
    held = (await client.put(f"{G}/new_nav/enable", headers=RESPECT)).json()["data"]

    assert held["isEnabled"] is False
    assert held["activeReview"]["reviewStatus"] == "pending"
