"""Experiments, segments, audit logs, people, environments and release pipelines."""

from __future__ import annotations

import httpx

from bot.sandbox import SandboxState
from tests.sandbox.conftest import FakeClock

E = "/console/v1/experiments"
S = "/console/v1/segments"
T = "/console/v1/release_pipeline_triggers"


async def test_experiment_lifecycle(client: httpx.AsyncClient, state: SandboxState) -> None:
    early = await client.put(f"{E}/onboarding_tour/make_decision", json={"id": "test",
                             "decisionReason": "x"})  # fmt: skip
    assert early.status_code == 400 and early.json()["message"] == "Experiment has not yet started"

    started = await client.put(f"{E}/onboarding_tour/start")
    assert started.json() == {"message": "Experiment successfully started."}
    assert state.experiments["onboarding_tour"]["status"] == "active"
    assert (await client.put(f"{E}/onboarding_tour/start")).status_code == 400

    decided = await client.put(
        f"{E}/onboarding_tour/make_decision", json={"id": "test", "decisionReason": "won"}
    )
    experiment = (await client.get(f"{E}/onboarding_tour")).json()["data"]
    assert decided.json()["message"] == "Decision made for Experiment."
    assert experiment["status"] == "decision_made" and experiment["launchedGroupID"] == "test"


async def test_abandon_needs_a_reason(client: httpx.AsyncClient, state: SandboxState) -> None:
    assert (await client.put(f"{E}/pricing_test/abandon", json={})).status_code == 400
    ok = await client.put(f"{E}/pricing_test/abandon", json={"decisionReason": "hurts revenue"})
    assert ok.status_code == 200
    assert state.experiments["pricing_test"]["status"] == "abandoned"
    assert state.experiments["pricing_test"]["decisionReason"] == "hurts revenue"


async def test_disable_and_enable_groups(client: httpx.AsyncClient) -> None:
    url = f"{E}/pricing_test"
    disabled = await client.post(f"{url}/disable_groups", json={"group_names": ["Lower"]})
    groups = {g["name"]: g.get("disabled") for g in disabled.json()["data"]["groups"]}
    assert disabled.status_code == 201 and groups["Lower"] is True and not groups["Higher"]
    enabled = await client.post(f"{url}/enable_groups", json={"group_names": ["Lower"]})
    assert {g["name"]: g.get("disabled") for g in enabled.json()["data"]["groups"]}[
        "Lower"
    ] is False
    unknown = await client.post(f"{url}/disable_groups", json={"group_names": ["Nope"]})
    assert unknown.status_code == 400 and "Nope" in unknown.json()["message"]


async def test_list_experiments_by_status(client: httpx.AsyncClient) -> None:
    active = (await client.get(E, params={"status": "active"})).json()["data"]
    assert {e["id"] for e in active} == {"pricing_test", "checkout_button_color"}


async def test_experiment_overrides_replace_and_add(client: httpx.AsyncClient) -> None:
    body = {"overrides": [], "userIDOverrides": [{"groupID": "higher", "ids": ["u1"]}]}
    await client.post(f"{E}/pricing_test/overrides", json=body)
    added = await client.patch(f"{E}/pricing_test/overrides", json=body)
    assert len(added.json()["data"]["userIDOverrides"]) == 2


async def test_segment_ids_add_remove_and_page(
    client: httpx.AsyncClient, state: SandboxState
) -> None:
    url = f"{S}/internal_staff/id_list"
    added = await client.patch(url, json={"ids": ["erin", "alice"]})
    removed = await client.request("DELETE", url, json={"ids": ["bob"]})

    assert added.json() == {"message": "IDs successfully added to Segment ID List"}
    assert removed.status_code == 200
    assert state.segment_ids["internal_staff"] == ["alice", "carol", "dave", "erin"]
    assert state.segments["internal_staff"]["count"] == 4
    page = (await client.get(url, params={"limit": 3, "page": 2})).json()
    assert page["data"] == {"name": "internal_staff", "count": 4, "ids": ["erin"]}


async def test_segment_of_the_wrong_type_is_rejected(client: httpx.AsyncClient) -> None:
    response = await client.patch(f"{S}/eu_users/id_list", json={"ids": ["x"]})
    assert response.status_code == 400 and "id_list" in response.json()["message"]
    empty = await client.patch(f"{S}/beta_users/id_list", json={"ids": []})
    assert empty.status_code == 400


async def test_audit_log_filters(
    client: httpx.AsyncClient, state: SandboxState, clock: FakeClock
) -> None:
    await client.put("/console/v1/gates/checkout_v2/disable")
    clock.advance(2 * 86_400)
    await client.put("/console/v1/dynamic_configs/nav_layout/disable")
    url = "/console/v1/audit_logs"

    toggles = (await client.get(url, params={"actionType": "config_state_toggle"})).json()
    day_two = (await client.get(url, params={"startDate": "2027-01-16"})).json()["data"]
    oldest = (await client.get(url, params={"sortOrder": "asc", "limit": 1})).json()["data"]

    assert [e["name"] for e in toggles["data"]] == ["nav_layout", "checkout_v2"]
    assert [e["name"] for e in day_two] == ["nav_layout"]
    assert oldest[0]["actionType"] == "gate_create"
    bad = await client.get(url, params={"startDate": "yesterday"})
    assert bad.status_code == 400


async def test_people_environments_tags_and_settings(client: httpx.AsyncClient) -> None:
    users = (await client.get("/console/v1/users")).json()["data"]
    roles = {u["email"]: u["role"] for u in users}
    assert roles == {
        "alice@example.com": "Admin",
        "bob@example.com": "Member",
        "carol@example.com": "Member",
        "dave@example.com": "Read Only",
    }
    bob = (await client.get("/console/v1/users/bob@example.com")).json()["data"]
    assert bob["firstName"] == "Bob"
    teams = (await client.get("/console/v1/users/teams")).json()["data"]
    team = (await client.get(f"/console/v1/users/teams/{teams[0]['id']}")).json()["data"]
    assert team["name"] == teams[0]["name"]
    assert (await client.get("/console/v1/users/teams/nope")).status_code == 404
    envs = (await client.get("/console/v1/environments")).json()["data"]["environments"]
    production = next(e for e in envs if e["name"] == "production")
    assert production["isProduction"] and not production["requiresReview"]
    tags = {t["name"] for t in (await client.get("/console/v1/tags")).json()["data"]}
    assert "critical" in tags
    settings = (await client.get("/console/v1/settings/reviews")).json()["data"]
    assert settings["is_config_review_required"] is False


async def test_pipeline_trigger_pause_then_abort(client: httpx.AsyncClient) -> None:
    listed = (await client.get(T, params={"gateID": "new_nav"})).json()["data"]
    assert [t["id"] for t in listed] == ["trigger_new_nav_1"]
    assert (await client.get(T, params={"gateID": "checkout_v2"})).json()["data"] == []

    wrong = await client.put(f"{T}/trigger_new_nav_1/pause", json={"phaseID": "phase_99"})
    paused = await client.put(f"{T}/trigger_new_nav_1/pause", json={"phaseID": "phase_10"})
    aborted = await client.put(f"{T}/trigger_new_nav_1/abort")
    again = await client.put(f"{T}/trigger_new_nav_1/abort")

    assert wrong.status_code == 400
    assert paused.json()["data"]["status"] == "PAUSED"
    trigger = aborted.json()["data"]
    assert trigger["status"] == "ABORTED"
    assert [a["type"] for a in trigger["actions"]] == ["STARTED", "PAUSED", "ABORTED"]
    assert again.status_code == 400
    assert (await client.put(f"{T}/nope/abort")).status_code == 404
