"""Every sandbox route answers what Statsig's published document says it answers.

Responses go through openapi-core (``OpenAPI.from_file_path``) via the shared adapter from
httpx's request/response to openapi-core's protocols (``tests/support/openapi.py``). Where
the document contradicts itself, the sandbox does what a real client sees, and this module
checks that choice explicitly:

* ``GET /gates/{id}/rules`` is declared paginated, but its example (and the wire) is one
  object ``{"rules": [...]}``: checked against ``SingleDataResponse`` + ``GateRulesDto``.
* ``GET /gates/{id}/overrides`` is declared ``201``; a read answers ``200``: checked against
  the declared ``201`` body.
* ``GET /segments/{id}/id_list`` declares ``PaginationResponseWithMessage`` (``data``: array)
  *and* ``data: IDListDto`` (an object) — unsatisfiable; checked as ``data: IDListDto`` plus a
  valid ``pagination``.
* ``AuditLogDto.actionType`` / ``modifierEmail`` are typed ``object`` but are strings (the
  document's own example): checked against a copy of the document with those two fields
  typed as (nullable) strings.
* Error statuses an operation doesn't declare (most declare only 200) are checked against the
  documented error envelope ``{status, message}`` (NOTES §1.4).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from openapi_core import OpenAPI
from openapi_schema_validator import OAS30Validator

from bot.sandbox import SandboxState, create_sandbox_app
from bot.sandbox.demo import demo_state
from tests.support.openapi import HttpxOpenAPIRequest, HttpxOpenAPIResponse, PathTemplates

pytestmark = pytest.mark.contract

BASE_URL = "https://statsigapi.net"  # the document's server, so openapi-core finds the paths
KEY = "console-contract-test-key"
ERROR_SCHEMA = {
    "type": "object",
    "required": ["status", "message"],
    "properties": {"status": {"type": "integer"}, "message": {"type": "string"}},
}


class Contract:
    """The document, loaded once: openapi-core for the rule, raw dicts for the exceptions."""

    def __init__(self, path: Path) -> None:
        self.openapi = OpenAPI.from_file_path(str(path))
        self.document: dict[str, Any] = json.loads(path.read_text())
        self.components = self.document["components"]
        patched = copy.deepcopy(self.components)
        audit = patched["schemas"]["AuditLogDto"]["properties"]
        audit["actionType"] = {"type": "string"}
        audit["modifierEmail"] = {"type": "string", "nullable": True}
        self.audit_components = patched
        self._templates = PathTemplates(self.document["paths"])

    def template(self, path: str) -> str:
        return self._templates.match(path)

    def declared(self, method: str, path: str) -> dict[str, Any]:
        responses: dict[str, Any] = self.document["paths"][self.template(path)][method.lower()][
            "responses"
        ]
        return responses

    def schema_of(self, method: str, path: str, status: str) -> dict[str, Any]:
        response = self.declared(method, path)[status]
        schema: dict[str, Any] = response["content"]["application/json"]["schema"]
        return schema


def validate_schema(schema: dict[str, Any], instance: Any, components: dict[str, Any]) -> None:
    validator = OAS30Validator({**schema, "components": components})
    errors = sorted(validator.iter_errors(instance), key=str)
    assert not errors, "\n".join(e.message for e in errors[:5])


def check(contract: Contract, response: httpx.Response) -> None:
    """Validate one sandbox response against the document (or its documented exception)."""
    request = response.request
    method, path, status = request.method, request.url.path, response.status_code
    body = response.json()
    template = contract.template(path)
    declared = contract.declared(method, path)
    if method == "GET" and template == "/console/v1/gates/{id}/overrides" and status == 200:
        validate_schema(contract.schema_of(method, path, "201"), body, contract.components)
    elif method == "GET" and template == "/console/v1/gates/{id}/rules" and status == 200:
        schema = {
            "allOf": [
                {"$ref": "#/components/schemas/SingleDataResponse"},
                {"properties": {"data": {"$ref": "#/components/schemas/GateRulesDto"}}},
            ]
        }
        validate_schema(schema, body, contract.components)
    elif method == "GET" and template == "/console/v1/segments/{id}/id_list" and status == 200:
        schema = {
            "type": "object",
            "required": ["message", "data", "pagination"],
            "properties": {
                "message": {"type": "string"},
                "data": {"$ref": "#/components/schemas/IDListDto"},
                "pagination": {"$ref": "#/components/schemas/PaginationResponseMetadataDto"},
            },
        }
        validate_schema(schema, body, contract.components)
    elif template == "/console/v1/audit_logs" and status == 200:
        validate_schema(contract.schema_of(method, path, "200"), body, contract.audit_components)
    elif str(status) not in declared:
        assert status >= 400, f"{method} {path} answered undeclared success {status}"
        validate_schema(ERROR_SCHEMA, body, contract.components)
    else:
        contract.openapi.validate_response(
            HttpxOpenAPIRequest(request), HttpxOpenAPIResponse(response)
        )


@pytest.fixture(scope="module")
def contract(openapi_spec_path: Path) -> Contract:
    return Contract(openapi_spec_path)


def _first_rule(kind: str, entity_id: str) -> Callable[[SandboxState], str]:
    return lambda state: str(state.store(kind)[entity_id]["rules"][0]["id"])


_G, _C, _E = "/console/v1/gates", "/console/v1/dynamic_configs", "/console/v1/experiments"
_S, _T = "/console/v1/segments", "/console/v1/release_pipeline_triggers"
_IDS = {"passingUserIDs": ["u1"], "failingUserIDs": ["u2"]}
_EXP_OVERRIDES = {
    "overrides": [{"type": "gate", "id": "checkout_v2", "groupID": "control"}],
    "userIDOverrides": [{"groupID": "higher", "ids": ["u9"]}],
}
RULE = "{rule}"

# (method, path, json body, expected status); "{rule}" is replaced by a real rule ID.
CASES: list[tuple[str, str, Any, int]] = [
    ("GET", f"{_G}?limit=5&page=2&tags=critical", None, 200),
    ("GET", f"{_G}/checkout_v2", None, 200),
    ("PATCH", f"{_G}/new_nav", {"description": "Nav", "tags": ["web"]}, 200),
    (
        "PATCH",
        f"{_G}/new_nav",
        {"rules": [{"name": "All", "passPercentage": 5, "conditions": [{"type": "public"}]}]},
        200,
    ),
    ("PUT", f"{_G}/checkout_v2/enable", None, 200),
    ("PUT", f"{_G}/checkout_v2/disable", None, 200),
    ("PUT", f"{_G}/new_nav/launch", None, 200),
    ("PUT", f"{_G}/new_nav/archive", {"archiveReason": "done", "forceArchive": True}, 200),
    ("PUT", f"{_G}/holiday_sale/unarchive", {"unarchiveReason": "back"}, 200),
    ("GET", f"{_G}/new_nav/rules", None, 200),
    ("PATCH", f"{_G}/new_nav/rules/{RULE}", {"passPercentage": 25}, 200),
    ("GET", f"{_G}/checkout_v2/overrides", None, 200),
    ("POST", f"{_G}/checkout_v2/overrides", _IDS, 201),
    ("PATCH", f"{_G}/checkout_v2/overrides", _IDS, 201),
    ("DELETE", f"{_G}/checkout_v2/overrides", None, 201),
    ("GET", f"{_G}/checkout_v2/versions", None, 200),
    ("GET", f"{_G}/checkout_v2/gate_references", None, 200),
    ("GET", f"{_G}/checkout_v2/experiment_references", None, 200),
    ("GET", f"{_G}/checkout_v2/dynamic_config_references", None, 200),
    ("GET", _C, None, 200),
    ("GET", f"{_C}/nav_layout", None, 200),
    ("PUT", f"{_C}/nav_layout/disable", None, 200),
    ("PUT", f"{_C}/rate_limits/enable", None, 200),
    ("GET", f"{_C}/nav_layout/rules", None, 200),
    ("GET", f"{_C}/nav_layout/rule/{RULE}", None, 200),
    ("PATCH", f"{_C}/nav_layout/rule/{RULE}", {"passPercentage": 0}, 200),
    ("GET", f"{_C}/nav_layout/versions", None, 200),
    ("GET", f"{_E}?status=active", None, 200),
    ("GET", f"{_E}/pricing_test", None, 200),
    ("PUT", f"{_E}/onboarding_tour/start", None, 200),
    ("PUT", f"{_E}/pricing_test/abandon", {"decisionReason": "bad"}, 200),
    ("PUT", f"{_E}/pricing_test/make_decision", {"id": "higher", "decisionReason": "won"}, 200),
    ("POST", f"{_E}/pricing_test/disable_groups", {"group_names": ["Lower"]}, 201),
    ("POST", f"{_E}/pricing_test/enable_groups", {"group_names": ["Lower"]}, 201),
    ("GET", f"{_E}/pricing_test/overrides", None, 200),
    ("POST", f"{_E}/pricing_test/overrides", _EXP_OVERRIDES, 200),
    ("PATCH", f"{_E}/pricing_test/overrides", _EXP_OVERRIDES, 200),
    ("GET", _S, None, 200),
    ("GET", f"{_S}/eu_users", None, 200),
    ("GET", f"{_S}/beta_users/id_list?limit=10&page=1", None, 200),
    ("PATCH", f"{_S}/beta_users/id_list", {"ids": ["new_1"]}, 200),
    ("DELETE", f"{_S}/beta_users/id_list", {"ids": ["u_1000"]}, 200),
    ("GET", "/console/v1/audit_logs?startDate=2020-01-01&endDate=2099-12-31&limit=5", None, 200),
    ("GET", "/console/v1/audit_logs?actionType=gate_create&page=2&limit=3", None, 200),
    ("GET", "/console/v1/users", None, 200),
    ("GET", "/console/v1/users/alice@example.com", None, 200),
    ("GET", "/console/v1/users/teams", None, 200),
    ("GET", "/console/v1/environments", None, 200),
    ("GET", "/console/v1/tags", None, 200),
    ("GET", "/console/v1/settings/reviews", None, 200),
    ("GET", f"{_T}?gateID=new_nav", None, 200),
    ("GET", f"{_T}/trigger_new_nav_1", None, 200),
    ("PUT", f"{_T}/trigger_new_nav_1/pause", {"phaseID": "phase_10"}, 200),
    ("PUT", f"{_T}/trigger_new_nav_1/abort", None, 200),
    # errors
    ("GET", f"{_G}/no_such_gate", None, 404),
    ("GET", f"{_G}/no_such_gate/versions", None, 404),
    ("PATCH", f"{_G}/new_nav/rules/{RULE}", {"passPercentage": 150}, 400),
    ("PATCH", f"{_G}/new_nav/rules/no_such_rule", {"passPercentage": 5}, 404),
    ("POST", f"{_G}/checkout_v2/overrides", {"passingUserIDs": "u1"}, 400),
    ("GET", f"{_G}?limit=0", None, 400),
    ("GET", f"{_C}/no_such_config", None, 404),
    ("GET", f"{_E}/no_such_experiment", None, 404),
    ("PUT", f"{_E}/onboarding_tour/make_decision", {"id": "test", "decisionReason": "x"}, 400),
    ("GET", f"{_S}/no_such_segment", None, 404),
    ("PATCH", f"{_S}/eu_users/id_list", {"ids": ["x"]}, 400),
    ("DELETE", f"{_S}/no_such_segment/id_list", {"ids": ["x"]}, 404),
    ("GET", "/console/v1/users/nobody@example.com", None, 404),
    ("PUT", f"{_T}/trigger_new_nav_1/pause", {"phaseID": "phase_99"}, 400),
]


def _case_id(case: tuple[str, str, Any, int]) -> str:
    return f"{case[0]} {case[1]} -> {case[3]}"


async def _call(app: Any, method: str, path: str, body: Any, key: str = KEY) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    headers = {"STATSIG-API-KEY": key, "STATSIG-API-VERSION": "20240601"}
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        return await client.request(method, path, json=body, headers=headers)


@pytest.mark.parametrize("case", CASES, ids=_case_id)
async def test_route_answers_per_document(
    contract: Contract, case: tuple[str, str, Any, int]
) -> None:
    method, path, body, expected = case
    state = demo_state()
    app = create_sandbox_app(state, api_key=KEY)
    if RULE in path:
        kind = "config" if path.startswith(_C) else "gate"
        path = path.replace(RULE, _first_rule(kind, path.split("/")[4])(state))
    response = await _call(app, method, path, body)
    assert response.status_code == expected, response.text
    check(contract, response)


async def test_bad_key_answers_documented_401(contract: Contract) -> None:
    app = create_sandbox_app(demo_state(), api_key=KEY)
    response = await _call(app, "GET", f"{_G}/checkout_v2", None, key="console-wrong")
    assert response.status_code == 401
    assert response.json()["message"].endswith("Key: console-wrong")
    check(contract, response)


async def test_change_held_for_review_answers_a_valid_gate(contract: Contract) -> None:
    state = demo_state()
    app = create_sandbox_app(state)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        response = await client.put(
            f"{_G}/payments_3ds/disable", headers={"x-respect-review-settings": "true"}
        )
    assert response.json()["data"]["activeReview"]["reviewStatus"] == "pending"
    check(contract, response)


async def test_rate_limited_mutation_answers_error_envelope(contract: Contract) -> None:
    app = create_sandbox_app(
        demo_state(), enforce_rate_limits=True, mutation_limits=((1, 10.0),),
        clock=lambda: 0.0,
    )  # fmt: skip
    first = await _call(app, "PUT", f"{_G}/checkout_v2/disable", None)
    second = await _call(app, "PUT", f"{_G}/checkout_v2/disable", None)
    assert (first.status_code, second.status_code) == (200, 429)
    check(contract, second)


async def test_check_rejects_a_response_that_breaks_the_document(contract: Contract) -> None:
    """Guards the guard: a gate without its required ``rules`` must fail validation."""
    app = create_sandbox_app(demo_state())
    response = await _call(app, "GET", f"{_G}/checkout_v2", None)
    body = response.json()
    del body["data"]["rules"]
    broken = httpx.Response(200, json=body, request=response.request)
    with pytest.raises(Exception, match="'rules' is a required property"):
        check(contract, broken)
    undeclared = httpx.Response(418, json={"oops": True}, request=response.request)
    with pytest.raises(AssertionError):
        check(contract, undeclared)
