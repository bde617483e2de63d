"""Every request the client can send, validated against Statsig's OpenAPI document.

Each client method is called against a fake Statsig that answers with the document's own
example for that operation; openapi-core then checks the captured request (path, query,
headers, body) and the answer against ``console-api-subset.json``.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from openapi_core import OpenAPI

from bot.statsig.client import ConsoleClient
from bot.statsig.limiter import MutationLimiter
from bot.statsig.models import GateOverrides
from bot.statsig.retry import RetryPolicy
from tests.statsig.spec_conform import Conformer
from tests.statsig.spec_examples import first_success_example, load
from tests.support.openapi import HttpxOpenAPIRequest, HttpxOpenAPIResponse, PathTemplates

pytestmark = pytest.mark.contract

KEY = "console-contractTestKey000000"


@dataclass(frozen=True)
class Case:
    method: str
    call: Callable[[ConsoleClient], Coroutine[Any, Any, Any]]
    expected: tuple[str, ...]  # "METHOD /path/template" of every request it sends


GATE = "/console/v1/gates/{id}"
CASES = [
    Case(
        "list_gates",
        lambda c: c.list_gates(
            page=2,
            limit=10,
            tags=["t1", "t2"],
            type="PERMANENT",
            creator_id="u1",
            id_type="userID",
            pass_rate="INBETWEEN",
            rollout_rate="100",
            release_pipeline_id="rp1",
        ),
        ("GET /console/v1/gates",),
    ),
    Case("iter_gates", lambda c: _drain(c.iter_gates(tags="t1")), ("GET /console/v1/gates",)),
    Case("get_gate", lambda c: c.get_gate("a_gate"), (f"GET {GATE}",)),
    Case("enable_gate", lambda c: c.enable_gate("a_gate"), (f"PUT {GATE}/enable",)),
    Case(
        "disable_gate", lambda c: c.disable_gate("a_gate", priority=True), (f"PUT {GATE}/disable",)
    ),
    Case("launch_gate", lambda c: c.launch_gate("a_gate"), (f"PUT {GATE}/launch",)),
    Case(
        "archive_gate",
        lambda c: c.archive_gate("a_gate", reason="done", force=True),
        (f"PUT {GATE}/archive",),
    ),
    Case(
        "unarchive_gate",
        lambda c: c.unarchive_gate("a_gate", reason="oops"),
        (f"PUT {GATE}/unarchive",),
    ),
    Case(
        "update_gate", lambda c: c.update_gate("a_gate", {"isEnabled": False}), (f"PATCH {GATE}",)
    ),
    Case("get_gate_rules", lambda c: c.get_gate_rules("a_gate"), (f"GET {GATE}/rules",)),
    Case(
        "update_gate_rule",
        lambda c: c.update_gate_rule("a_gate", "rule1", {"passPercentage": 25}),
        (f"PATCH {GATE}/rules/{{ruleID}}",),
    ),
    Case(
        "get_gate_overrides", lambda c: c.get_gate_overrides("a_gate"), (f"GET {GATE}/overrides",)
    ),
    Case(
        "add_gate_overrides",
        lambda c: c.add_gate_overrides("a_gate", GateOverrides(passing_user_ids=["u1"])),
        (f"PATCH {GATE}/overrides",),
    ),
    Case(
        "replace_gate_overrides",
        lambda c: c.replace_gate_overrides(
            "a_gate", {"passingUserIDs": ["u1"], "failingUserIDs": ["u2"]}
        ),
        (f"POST {GATE}/overrides",),
    ),
    Case(
        "delete_gate_overrides",
        lambda c: c.delete_gate_overrides("a_gate"),
        (f"DELETE {GATE}/overrides",),
    ),
    Case(
        "list_gate_versions",
        lambda c: c.list_gate_versions("a_gate", page=1, limit=5),
        (f"GET {GATE}/versions",),
    ),
    Case(
        "list_gate_references",
        lambda c: c.list_gate_references("a_gate"),
        (
            f"GET {GATE}/gate_references",
            f"GET {GATE}/experiment_references",
            f"GET {GATE}/dynamic_config_references",
        ),
    ),
    Case(
        "list_configs",
        lambda c: c.list_configs(tags=["t"], creator_id="u"),
        ("GET /console/v1/dynamic_configs",),
    ),
    Case("iter_configs", lambda c: _drain(c.iter_configs()), ("GET /console/v1/dynamic_configs",)),
    Case(
        "get_config", lambda c: c.get_config("a_config"), ("GET /console/v1/dynamic_configs/{id}",)
    ),
    Case(
        "enable_config",
        lambda c: c.enable_config("a_config"),
        ("PUT /console/v1/dynamic_configs/{id}/enable",),
    ),
    Case(
        "disable_config",
        lambda c: c.disable_config("a_config"),
        ("PUT /console/v1/dynamic_configs/{id}/disable",),
    ),
    Case(
        "get_config_rules",
        lambda c: c.get_config_rules("a_config"),
        ("GET /console/v1/dynamic_configs/{id}/rules",),
    ),
    Case(
        "update_config_rule",
        lambda c: c.update_config_rule("a_config", "r1", {"passPercentage": 50}),
        ("PATCH /console/v1/dynamic_configs/{id}/rule/{ruleId}",),
    ),
    Case(
        "list_config_versions",
        lambda c: c.list_config_versions("a_config"),
        ("GET /console/v1/dynamic_configs/{id}/versions",),
    ),
    Case(
        "list_experiments",
        lambda c: c.list_experiments(status="active", tags=["t"]),
        ("GET /console/v1/experiments",),
    ),
    Case(
        "iter_experiments", lambda c: _drain(c.iter_experiments()), ("GET /console/v1/experiments",)
    ),
    Case(
        "get_experiment",
        lambda c: c.get_experiment("an_experiment"),
        ("GET /console/v1/experiments/{id}",),
    ),
    Case(
        "start_experiment",
        lambda c: c.start_experiment("an_experiment"),
        ("PUT /console/v1/experiments/{id}/start",),
    ),
    Case(
        "abandon_experiment",
        lambda c: c.abandon_experiment("an_experiment", reason="bad"),
        ("PUT /console/v1/experiments/{id}/abandon",),
    ),
    Case(
        "make_decision",
        lambda c: c.make_decision(
            "an_experiment", group_id="Test", reason="won", remove_targeting=True
        ),
        ("PUT /console/v1/experiments/{id}/make_decision",),
    ),
    Case(
        "enable_groups",
        lambda c: c.enable_groups("an_experiment", ["Test"]),
        ("POST /console/v1/experiments/{id}/enable_groups",),
    ),
    Case(
        "disable_groups",
        lambda c: c.disable_groups("an_experiment", ["Test"]),
        ("POST /console/v1/experiments/{id}/disable_groups",),
    ),
    Case(
        "get_experiment_overrides",
        lambda c: c.get_experiment_overrides("an_experiment"),
        ("GET /console/v1/experiments/{id}/overrides",),
    ),
    Case(
        "update_experiment_overrides",
        lambda c: c.update_experiment_overrides(
            "an_experiment",
            {
                "overrides": [{"type": "gate", "id": "a_gate", "groupID": "Test"}],
                "userIDOverrides": [{"groupID": "Control", "ids": ["u1"]}],
            },
        ),
        ("POST /console/v1/experiments/{id}/overrides",),
    ),
    Case(
        "list_segments", lambda c: c.list_segments(page=1, limit=50), ("GET /console/v1/segments",)
    ),
    Case("iter_segments", lambda c: _drain(c.iter_segments()), ("GET /console/v1/segments",)),
    Case("get_segment", lambda c: c.get_segment("a_segment"), ("GET /console/v1/segments/{id}",)),
    Case(
        "get_segment_ids",
        lambda c: c.get_segment_ids("a_segment", page=1, limit=100),
        ("GET /console/v1/segments/{id}/id_list",),
    ),
    Case(
        "add_segment_ids",
        lambda c: c.add_segment_ids("a_segment", ["u1", "u2"]),
        ("PATCH /console/v1/segments/{id}/id_list",),
    ),
    Case(
        "remove_segment_ids",
        lambda c: c.remove_segment_ids("a_segment", ["u1"]),
        ("DELETE /console/v1/segments/{id}/id_list",),
    ),
    Case(
        "list_audit_logs",
        lambda c: c.list_audit_logs(
            start_date="2024-01-01",
            end_date="2024-01-31",
            action_types=["gate_update"],
            tags=["t"],
            limit=10,
        ),
        ("GET /console/v1/audit_logs",),
    ),
    Case("list_users", lambda c: c.list_users(), ("GET /console/v1/users",)),
    Case(
        "get_user", lambda c: c.get_user("someone@example.com"), ("GET /console/v1/users/{email}",)
    ),
    Case("list_teams", lambda c: c.list_teams(), ("GET /console/v1/users/teams",)),
    Case("get_team", lambda c: c.get_team("team1"), ("GET /console/v1/users/teams/{id}",)),
    Case("get_environments", lambda c: c.get_environments(), ("GET /console/v1/environments",)),
    Case("list_tags", lambda c: c.list_tags(), ("GET /console/v1/tags",)),
    Case(
        "get_review_settings",
        lambda c: c.get_review_settings(),
        ("GET /console/v1/settings/reviews",),
    ),
    Case(
        "list_pipeline_triggers",
        lambda c: c.list_pipeline_triggers(gate_id="a_gate", config_id="c", status="IN_PROGRESS"),
        ("GET /console/v1/release_pipeline_triggers",),
    ),
    Case(
        "pause_pipeline_trigger",
        lambda c: c.pause_pipeline_trigger("t1", phase_id="p1"),
        ("PUT /console/v1/release_pipeline_triggers/{id}/pause",),
    ),
    Case(
        "abort_pipeline_trigger",
        lambda c: c.abort_pipeline_trigger("t1"),
        ("PUT /console/v1/release_pipeline_triggers/{id}/abort",),
    ),
]


# The document declares this answer as both a page (``data: array``) and a single IDListDto
# (``data: object``) in one ``allOf``: no body can satisfy it. Requests are still checked.
UNSATISFIABLE_RESPONSES = {"GET /console/v1/segments/{id}/id_list"}


async def _drain(iterator: Any) -> list[Any]:
    return [item async for item in iterator]


class FakeStatsig:
    """Answers each request with the document's example for its operation, repaired to
    fit the operation's schema where the document contradicts itself."""

    def __init__(self, document: Path) -> None:
        self.document = document
        self.spec = load(document)
        self.templates = PathTemplates(self.spec["paths"])
        self.conformer = Conformer(self.spec)
        self.exchanges: list[tuple[str, httpx.Request, httpx.Response]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        template = self.templates.match(request.url.path)
        method = request.method.lower()
        responses = self.spec["paths"][template][method]["responses"]
        found = first_success_example(self.document, method, template)
        # Operations without any example get one built from the schema's field examples.
        status, example = found or (int(next(c for c in responses if c.startswith("2"))), None)
        schema = responses[str(status)]["content"]["application/json"]["schema"]
        body = (
            self.conformer.conform(example, schema) if found else self.conformer.example_of(schema)
        )
        response = httpx.Response(status, json=body, request=request)
        self.exchanges.append((f"{request.method} {template}", request, response))
        return response


@pytest.fixture(scope="module")
def openapi(openapi_spec_path: Path) -> OpenAPI:
    return OpenAPI.from_file_path(str(openapi_spec_path))


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.method)
async def test_client_method_matches_the_document(
    case: Case, openapi: OpenAPI, openapi_spec_path: Path
) -> None:
    fake = FakeStatsig(openapi_spec_path)
    client = ConsoleClient(
        KEY,
        transport=httpx.MockTransport(fake),
        retry_policy=RetryPolicy(budget=0),
        limiter=MutationLimiter(((1000, 1.0),)),
    )
    async with client:
        await case.call(client)
    assert sorted(name for name, _, _ in fake.exchanges) == sorted(case.expected)
    for name, request, response in fake.exchanges:
        mutation = request.method != "GET"
        assert request.headers["STATSIG-API-KEY"] == KEY
        assert request.headers["STATSIG-API-VERSION"] == "20240601"
        assert (request.headers.get("x-respect-review-settings") == "true") is mutation, name
        if request.content:
            json.loads(request.content)  # bodies are JSON
        adapted = HttpxOpenAPIRequest(request)
        openapi.validate_request(adapted)
        if name not in UNSATISFIABLE_RESPONSES:
            openapi.validate_response(adapted, HttpxOpenAPIResponse(response))


def test_every_public_client_method_has_a_contract_case() -> None:
    public = {
        name
        for name, member in inspect.getmembers(ConsoleClient)
        if not name.startswith("_") and callable(member) and name != "aclose"
    }
    assert public == {case.method for case in CASES}
