"""Gate endpoints change state the way Statsig does and keep history and an audit trail."""

from __future__ import annotations

import re

import httpx

from bot.sandbox import SandboxState
from tests.sandbox.conftest import FakeClock

G = "/console/v1/gates"


async def test_disable_flips_state_and_bumps_version(
    client: httpx.AsyncClient, state: SandboxState, clock: FakeClock
) -> None:
    before = dict(state.gates["checkout_v2"])
    clock.advance(60)

    response = await client.put(f"{G}/checkout_v2/disable")

    assert response.status_code == 200
    gate = response.json()["data"]
    assert (gate["isEnabled"], gate["status"]) == (False, "Disabled")
    assert gate["version"] == before["version"] + 1
    assert gate["lastModifiedTime"] == clock.now_ms
    assert gate["lastModifierName"] == "CONSOLE API"
    assert gate["rules"] == before["rules"]  # rules survive a disable
    read = (await client.get(f"{G}/checkout_v2")).json()["data"]
    assert read == gate


async def test_enable_after_disable_restores_evaluation(client: httpx.AsyncClient) -> None:
    await client.put(f"{G}/checkout_v2/disable")
    gate = (await client.put(f"{G}/checkout_v2/enable")).json()["data"]
    assert (gate["isEnabled"], gate["status"]) == (True, "In Progress")


async def test_disable_and_enable_each_append_a_version(client: httpx.AsyncClient) -> None:
    await client.put(f"{G}/new_nav/disable")
    await client.put(f"{G}/new_nav/enable")

    page = (await client.get(f"{G}/new_nav/versions")).json()

    versions = [snapshot["version"] for snapshot in page["data"]]
    assert versions == sorted(versions, reverse=True) and len(versions) == 3
    assert [s["isEnabled"] for s in page["data"]] == [True, False, True]


async def test_mutation_writes_a_statsig_shaped_audit_entry(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    await client.put(f"{G}/checkout_v2/disable")

    logs = (await client.get("/console/v1/audit_logs", params={"limit": 1})).json()["data"]

    entry = logs[0]
    assert (entry["name"], entry["actionType"]) == ("checkout_v2", "config_state_toggle")
    assert entry["date"] == "Fri Jan 15 2027"
    assert re.fullmatch(r"08:00:00 GMT\+0000 \(Coordinated Universal Time\)", entry["time"])
    assert entry["changes"]["isEnabled"] == {"old": True, "new": False}
    assert "critical" in entry["tags"]


async def test_rule_patch_changes_rule_id_but_keeps_base_id(
    client: httpx.AsyncClient, state: SandboxState
) -> None:
    rule = dict(state.gates["new_nav"]["rules"][0])

    response = await client.patch(f"{G}/new_nav/rules/{rule['id']}", json={"passPercentage": 25})

    updated = response.json()["data"]["rules"][0]
    assert updated["passPercentage"] == 25
    assert updated["baseID"] == rule["baseID"] and updated["id"] != rule["id"]
    again = await client.patch(f"{G}/new_nav/rules/{rule['baseID']}", json={"passPercentage": 30})
    assert again.json()["data"]["rules"][0]["passPercentage"] == 30


async def test_pass_percentage_outside_range_is_rejected(
    client: httpx.AsyncClient, state: SandboxState
) -> None:
    rule_id = state.gates["new_nav"]["rules"][0]["id"]
    version = state.gates["new_nav"]["version"]

    for bad in (150, -1, "50", True):
        response = await client.patch(f"{G}/new_nav/rules/{rule_id}", json={"passPercentage": bad})
        assert response.status_code == 400
        assert response.json()["status"] == 400 and "passPercentage" in response.json()["message"]
    assert state.gates["new_nav"]["version"] == version


async def test_unknown_gate_and_rule_answer_404_naming_them(client: httpx.AsyncClient) -> None:
    gate = await client.put(f"{G}/nope_gate/disable")
    rule = await client.patch(f"{G}/new_nav/rules/nope_rule", json={"passPercentage": 1})
    assert gate.status_code == 404 and "nope_gate" in gate.json()["message"]
    assert rule.status_code == 404 and "nope_rule" in rule.json()["message"]


async def test_partial_update_replaces_rules_and_ignores_read_only_fields(
    client: httpx.AsyncClient, state: SandboxState
) -> None:
    snapshot = dict(state.gates["new_nav"])
    await client.put(f"{G}/new_nav/disable")
    restore = {k: snapshot[k] for k in ("isEnabled", "rules", "status", "version", "id")}

    gate = (await client.patch(f"{G}/new_nav", json=restore)).json()["data"]

    assert gate["isEnabled"] is True and gate["status"] == "In Progress"
    assert gate["rules"] == snapshot["rules"]
    assert gate["version"] == snapshot["version"] + 2
    bad = await client.patch(f"{G}/new_nav", json={"colour": "red"})
    assert bad.status_code == 400 and "colour" in bad.json()["message"]


async def test_launch_archive_unarchive_set_status(client: httpx.AsyncClient) -> None:
    launched = (await client.put(f"{G}/new_nav/launch")).json()["data"]
    archived = (await client.put(f"{G}/new_nav/archive", json={"archiveReason": "x"})).json()
    unarchived = (await client.put(f"{G}/new_nav/unarchive")).json()["data"]
    assert launched["status"] == "Launched" and launched["isEnabled"] is True
    assert archived["data"]["status"] == "Archived"
    assert unarchived["status"] == "In Progress"


async def test_overrides_add_replace_and_delete(client: httpx.AsyncClient) -> None:
    url = f"{G}/checkout_v2/overrides"
    current = (await client.get(url)).json()["data"]
    assert current["passingUserIDs"] == ["qa_user_1"]

    added = await client.patch(
        url, json={"passingUserIDs": ["blocked_user_9"], "failingUserIDs": []}
    )
    assert added.status_code == 201
    data = added.json()["data"]
    assert data["passingUserIDs"] == ["qa_user_1", "blocked_user_9"]
    assert data["failingUserIDs"] == []  # an ID lives on one list at a time

    replaced = await client.post(url, json={"passingUserIDs": [], "failingUserIDs": ["x"]})
    assert replaced.json()["data"]["failingUserIDs"] == ["x"]
    assert replaced.json()["data"]["passingUserIDs"] == []
    cleared = (await client.delete(url)).json()["data"]
    assert cleared["failingUserIDs"] == [] and cleared["environmentOverrides"] == []


async def test_list_filters_and_paginates(client: httpx.AsyncClient, state: SandboxState) -> None:
    state.add_many_gates(250)
    first = (await client.get(G, params={"limit": 100})).json()
    last = (await client.get(G, params={"limit": 100, "page": 3})).json()

    total = len(state.gates)
    assert first["pagination"]["totalItems"] == total
    assert first["pagination"]["nextPage"] == f"{G}?page=2&limit=100"
    assert first["pagination"]["previousPage"] is None
    assert len(last["data"]) == total - 200 and last["pagination"]["nextPage"] is None
    critical = (await client.get(G, params={"tags": "critical"})).json()["data"]
    assert critical and all("critical" in gate["tags"] for gate in critical)
    assert {"checkout_v2", "payments_3ds"} <= {gate["id"] for gate in critical}
    assert (await client.get(G, params={"limit": "ten"})).status_code == 400


async def test_references_find_dependants(client: httpx.AsyncClient) -> None:
    async def ids(kind: str) -> set[str]:
        page = (await client.get(f"{G}/checkout_v2/{kind}_references")).json()
        return {item["id"] for item in page["data"]}

    assert "fraud_rules_v3" in await ids("gate")
    assert "pricing_test" in await ids("experiment")
    assert "checkout_config" in await ids("dynamic_config")
    assert (await client.get(f"{G}/new_nav/gate_references")).json()["data"] == []


async def test_touch_gate_is_an_out_of_band_edit(state: SandboxState, clock: FakeClock) -> None:
    version = state.gates["new_nav"]["version"]
    clock.advance(5)
    gate = state.touch_gate("new_nav")
    assert gate["version"] == version + 1 and gate["lastModifiedTime"] == clock.now_ms
    assert gate["lastModifierName"] != "CONSOLE API"


async def test_add_gate_builds_a_complete_gate(
    client: httpx.AsyncClient, state: SandboxState
) -> None:
    state.add_gate("my_gate", tags=["critical"], isEnabled=False)
    gate = (await client.get(f"{G}/my_gate")).json()["data"]
    assert gate["tags"] == ["critical"] and gate["isEnabled"] is False
    assert {"checksPerHour", "rules", "typeReason", "createdTime"} <= gate.keys()
