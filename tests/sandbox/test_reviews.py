"""Review semantics: a reviewed change waits for commit when the client asks to respect them."""

from __future__ import annotations

import httpx
import pytest

from bot.sandbox import SandboxState
from bot.sandbox import reviews as sandbox_reviews

G = "/console/v1/gates"
RESPECT = {"x-respect-review-settings": "true"}


async def test_reviewed_gate_change_is_held_not_applied(
    client: httpx.AsyncClient, state: SandboxState
) -> None:
    version = state.gates["payments_3ds"]["version"]

    response = await client.put(f"{G}/payments_3ds/disable", headers=RESPECT)

    assert response.status_code == 200
    body = response.json()
    assert "submitted for review" in body["message"]
    gate = body["data"]
    assert gate["isEnabled"] is True and gate["version"] == version
    review = gate["activeReview"]
    assert review["reviewStatus"] == "pending" and review["reviewID"] in state.reviews
    assert (await client.get(f"{G}/payments_3ds")).json()["data"]["isEnabled"] is True


async def test_commit_applies_the_stored_change(
    client: httpx.AsyncClient, state: SandboxState
) -> None:
    gate = (await client.put(f"{G}/payments_3ds/disable", headers=RESPECT)).json()["data"]

    committed = sandbox_reviews.commit(state, gate["activeReview"]["reviewID"])

    assert committed["isEnabled"] is False and "activeReview" not in committed
    assert committed["version"] == gate["version"] + 1
    actions = [e["actionType"] for e in (await client.get("/console/v1/audit_logs")).json()["data"]]
    assert actions[:3] == ["config_review_commit", "config_state_toggle", "config_review_create"]


async def test_reject_clears_the_review_without_applying(
    client: httpx.AsyncClient, state: SandboxState
) -> None:
    rule = state.gates["payments_3ds"]["rules"][0]
    url = f"{G}/payments_3ds/rules/{rule['id']}"
    gate = (await client.patch(url, json={"passPercentage": 0}, headers=RESPECT)).json()["data"]

    rejected = sandbox_reviews.reject(state, gate["activeReview"]["reviewID"])

    assert rejected["rules"][0]["passPercentage"] == rule["passPercentage"]
    assert "activeReview" not in rejected and not state.reviews
    with pytest.raises(KeyError):
        sandbox_reviews.commit(state, gate["activeReview"]["reviewID"])


async def test_without_the_header_the_change_applies(client: httpx.AsyncClient) -> None:
    gate = (await client.put(f"{G}/payments_3ds/disable")).json()["data"]
    assert gate["isEnabled"] is False and "activeReview" not in gate


async def test_header_is_a_no_op_when_review_not_required(client: httpx.AsyncClient) -> None:
    response = await client.put(f"{G}/checkout_v2/disable", headers=RESPECT)
    assert response.json()["data"]["isEnabled"] is False
    assert response.json()["message"] == "Gate updated successfully."


async def test_falsy_header_means_bypass(client: httpx.AsyncClient) -> None:
    headers = {"x-respect-review-settings": "false"}
    gate = (await client.put(f"{G}/payments_3ds/disable", headers=headers)).json()["data"]
    assert gate["isEnabled"] is False


async def test_project_setting_makes_every_config_reviewed(
    client: httpx.AsyncClient, state: SandboxState
) -> None:
    state.review_settings["is_config_review_required"] = True

    gate = (await client.put(f"{G}/checkout_v2/disable", headers=RESPECT)).json()["data"]
    message = (
        await client.put("/console/v1/experiments/onboarding_tour/start", headers=RESPECT)
    ).json()["message"]

    assert gate["isEnabled"] is True and gate["activeReview"]["reviewStatus"] == "pending"
    assert "submitted for review" in message
    assert state.experiments["onboarding_tour"]["status"] == "setup"
    # Overrides are never held for review.
    overrides = await client.patch(
        f"{G}/checkout_v2/overrides",
        json={"passingUserIDs": ["u1"], "failingUserIDs": []},
        headers=RESPECT,
    )
    assert "u1" in overrides.json()["data"]["passingUserIDs"]


async def test_second_submission_replaces_the_pending_review(
    client: httpx.AsyncClient, state: SandboxState
) -> None:
    first = (await client.put(f"{G}/payments_3ds/disable", headers=RESPECT)).json()["data"]
    second = (await client.put(f"{G}/payments_3ds/launch", headers=RESPECT)).json()["data"]

    assert list(state.reviews) == [second["activeReview"]["reviewID"]]
    assert first["activeReview"]["reviewID"] != second["activeReview"]["reviewID"]
    assert sandbox_reviews.commit(state, second["activeReview"]["reviewID"])["status"] == "Launched"
