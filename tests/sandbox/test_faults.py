"""Injected faults, holds, authentication and the request log."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from bot.sandbox import Faults, SandboxState, create_sandbox_app
from bot.sandbox.demo import demo_state
from tests.sandbox.conftest import BASE_URL

GATE = "/console/v1/gates/checkout_v2"


async def test_429_with_and_without_retry_after(client: httpx.AsyncClient, faults: Faults) -> None:
    faults.add(r"/checkout_v2$", "429", retry_after=2.5)
    faults.add(r"/checkout_v2$", "429")

    with_header = await client.get(GATE)
    without = await client.get(GATE)
    recovered = await client.get(GATE)

    assert with_header.status_code == 429 and with_header.headers["Retry-After"] == "3"
    assert without.status_code == 429 and "Retry-After" not in without.headers
    assert without.json() == {"status": 429, "message": "Too Many Requests"}
    assert recovered.status_code == 200


@pytest.mark.parametrize("kind", ["500", "502", "503", "504"])
async def test_server_errors(client: httpx.AsyncClient, faults: Faults, kind: str) -> None:
    faults.add(r"/gates/", kind, method="PUT", times=2)

    read = await client.get(GATE)
    first = await client.put(f"{GATE}/disable")
    second = await client.put(f"{GATE}/disable")
    third = await client.put(f"{GATE}/disable")

    assert read.status_code == 200  # the method filter spares GETs
    assert first.status_code == second.status_code == int(kind)
    assert third.status_code == 200
    if kind == "500":
        assert first.json()["status"] == 500
    else:
        assert first.headers["content-type"].startswith("text/html")


async def test_fault_that_never_runs_out(client: httpx.AsyncClient, faults: Faults) -> None:
    faults.add(r"/gates$", "503", times=None)
    statuses = {(await client.get("/console/v1/gates")).status_code for _ in range(3)}
    assert statuses == {503}
    faults.clear()
    assert (await client.get("/console/v1/gates")).status_code == 200


async def test_malformed_json(client: httpx.AsyncClient, faults: Faults) -> None:
    faults.add(r"/checkout_v2$", "malformed")
    response = await client.get(GATE)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    with pytest.raises(json.JSONDecodeError):
        response.json()


async def test_timeout_fault_still_applies_the_change_after_the_delay(
    client: httpx.AsyncClient, faults: Faults, state: SandboxState
) -> None:
    faults.add(r"/disable$", "timeout", delay=0)
    response = await client.put(f"{GATE}/disable")
    assert response.status_code == 200 and state.gates["checkout_v2"]["isEnabled"] is False


def test_unknown_fault_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown fault kind"):
        Faults().add(r".", "418")


async def test_hold_keeps_requests_waiting_until_released(
    client: httpx.AsyncClient, faults: Faults, state: SandboxState
) -> None:
    hold = faults.hold(r"/disable$", method="PUT")
    pending = asyncio.create_task(client.put(f"{GATE}/disable"))

    await asyncio.wait_for(hold.arrived(), timeout=5)
    other = await client.get(GATE)  # other requests are not held

    assert other.status_code == 200 and not pending.done()
    assert hold.waiting == 1 and state.gates["checkout_v2"]["isEnabled"] is True
    hold.release()
    assert (await asyncio.wait_for(pending, timeout=5)).status_code == 200
    assert state.gates["checkout_v2"]["isEnabled"] is False


async def test_api_key_is_checked_and_echoed_like_statsig() -> None:
    app = create_sandbox_app(demo_state(), api_key="console-right")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
        wrong = await http.get(GATE, headers={"STATSIG-API-KEY": "console-wrong"})
        missing = await http.get(GATE)
        right = await http.get(GATE, headers={"STATSIG-API-KEY": "console-right"})
    assert wrong.status_code == 401 and wrong.json()["message"].endswith("Key: console-wrong")
    assert missing.status_code == 401
    assert right.status_code == 200


async def test_request_log_records_requests_without_leaking_the_key(
    client: httpx.AsyncClient, app: object, faults: Faults
) -> None:
    faults.add(r"/enable$", "500")
    await client.put(
        f"{GATE}/enable?x=1",
        json={"a": 1},
        headers={"STATSIG-API-KEY": "console-secret", "x-respect-review-settings": "true"},
    )
    await client.get(GATE)

    log = app.state.request_log  # type: ignore[attr-defined]
    assert [(r.method, r.path, r.status) for r in log] == [
        ("PUT", f"{GATE}/enable", 500),
        ("GET", GATE, 200),
    ]
    assert log[0].query == {"x": ["1"]} and log[0].json_body == {"a": 1}
    assert log[0].headers["x-respect-review-settings"] == "true"
    assert "console-secret" not in repr(log[0])


async def test_unknown_route_answers_statsig_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/console/v1/holograms")
    assert response.status_code == 404 and response.json()["status"] == 404
