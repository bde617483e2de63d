"""The demo project's promises, real HTTP serving, and ``statsig-bot sandbox``."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from bot.sandbox import SandboxState, create_sandbox_app, server
from bot.sandbox.demo import demo_state
from tests.support.asgi_server import serve_asgi


def test_demo_is_deterministic() -> None:
    first, second = demo_state(clock_ms=lambda: 0), demo_state(clock_ms=lambda: 0)
    assert first.gates == second.gates and first.experiments == second.experiments
    assert first.audit_entries() == second.audit_entries()


def test_demo_has_the_promised_shape() -> None:
    state = demo_state()
    counts = (len(state.gates), len(state.configs), len(state.experiments), len(state.segments))
    assert counts == (40, 8, 8, 5)
    checkout = state.gates["checkout_v2"]
    assert checkout["isEnabled"] and "critical" in checkout["tags"]
    assert checkout["checksPerHour"] == max(g["checksPerHour"] for g in state.gates.values())
    assert not checkout["reviewSettings"]["requiredReview"]
    assert 0 < state.gates["new_nav"]["rules"][0]["passPercentage"] < 100
    reviewed = [g for g in state.gates.values() if g["reviewSettings"]["requiredReview"]]
    reviewers = {r["email"] for g in reviewed for r in g["reviewSettings"]["allowedReviewers"]}
    assert reviewed and reviewers == {"alice@example.com", "bob@example.com"}
    statuses = {e["status"] for e in state.experiments.values()}
    assert {"setup", "active", "decision_made", "abandoned"} <= statuses
    assert state.experiments["pricing_test"]["status"] == "active"
    assert {s["type"] for s in state.segments.values()} == {"id_list", "rule_based"}
    condition_types = {
        c["type"] for g in state.gates.values() for r in g["rules"] for c in r["conditions"]
    }
    assert len(condition_types) >= 8
    assert [t["gateID"] for t in state.pipeline_triggers.values()] == ["new_nav"]


def test_empty_state_has_environments_only() -> None:
    state = SandboxState.empty()
    assert not state.gates and [e["name"] for e in state.environments] == [
        "development",
        "staging",
        "production",
    ]


async def test_serves_over_real_http() -> None:
    app = create_sandbox_app(demo_state(), api_key="console-http")
    async with serve_asgi(app) as base_url, httpx.AsyncClient(base_url=base_url) as http:
        headers = {"STATSIG-API-KEY": "console-http"}
        disabled = await http.put("/console/v1/gates/checkout_v2/disable", headers=headers)
        read = await http.get("/console/v1/gates/checkout_v2", headers=headers)
    assert disabled.status_code == 200
    assert read.json()["data"]["isEnabled"] is False


def test_run_prints_where_it_listens(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(server.uvicorn, "run", lambda app, **kw: calls.append(kw))

    assert server.run(host="127.0.0.1", port=8787, demo=False) == 0

    assert "http://127.0.0.1:8787" in capsys.readouterr().out
    assert calls == [
        {"host": "127.0.0.1", "port": 8787, "log_level": "warning", "access_log": False}
    ]
