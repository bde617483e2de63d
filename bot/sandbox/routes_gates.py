"""Feature-gate endpoints: ``/console/v1/gates…``."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.sandbox.mutate import mutate
from bot.sandbox.responses import (
    DECLARED_MAX_LIMIT,
    INVALID_REQUEST,
    ApiError,
    entity_or_404,
    json_body,
    multi_query,
    ok,
    paginated,
    path_id,
    sandbox_state,
)
from bot.sandbox.state import Change, empty_overrides
from bot.sandbox.validation import (
    apply_rule_patch,
    check_fields,
    new_rules,
    string_list,
    validate_rule_patch,
)

__all__ = ["GATE_ROUTES", "find_rule", "references_to_gate", "rollout_class"]

Entity = dict[str, Any]
UPDATED = "Gate updated successfully."

GATE_PATCH_FIELDS = frozenset(
    {
        "name", "isEnabled", "description", "rules", "tags", "type", "idType", "targetApps",
        "creatorID", "creatorEmail", "team", "teamID", "measureMetricLifts", "monitoringMetrics",
        "reviewSettings", "releasePipelineID",
    }
)  # fmt: skip
GATE_READ_ONLY = frozenset(
    {
        "id", "status", "typeReason", "checksPerHour", "version", "owner", "isTemplate",
        "holdoutIDs", "activeReview", "createdTime", "creatorName", "lastModifierID",
        "lastModifiedTime", "lastModifierEmail", "lastModifierName",
    }
)  # fmt: skip
"""Fields of ``ExternalGateDto`` a client may echo back in a patch (e.g. a restore): ignored."""


def rollout_class(gate: Entity) -> str:
    """``0``, ``100`` or ``INBETWEEN``, as the ``rolloutRate`` list filter describes them."""
    rates = [rule["passPercentage"] for rule in gate["rules"]]
    if not rates or all(rate == 0 for rate in rates):
        return "0"
    catch_all = any(
        rule["passPercentage"] == 100 and any(c["type"] == "public" for c in rule["conditions"])
        for rule in gate["rules"]
    )
    if catch_all and all(rate == 100 for rate in rates):
        return "100"
    return "INBETWEEN"


def _gate_filter(request: Request) -> Callable[[Entity], bool]:
    tags = set(multi_query(request, "tags"))
    id_types = set(multi_query(request, "idType"))
    query = request.query_params
    exact = {
        "type": query.get("type"),
        "creatorID": query.get("creatorID"),
        "creatorName": query.get("creatorName"),
        "releasePipelineID": query.get("releasePipelineID"),
    }
    rate = query.get("rolloutRate") or query.get("passRate")

    def keep(gate: Entity) -> bool:
        if tags and not tags & set(gate.get("tags") or []):
            return False
        if id_types and gate.get("idType") not in id_types:
            return False
        if any(value is not None and gate.get(key) != value for key, value in exact.items()):
            return False
        return rate is None or rollout_class(gate) == rate

    return keep


async def list_gates(request: Request) -> JSONResponse:
    keep = _gate_filter(request)
    gates = [gate for gate in sandbox_state(request).gates.values() if keep(gate)]
    return paginated(request, gates, "Gates listed successfully.")


async def get_gate(request: Request) -> JSONResponse:
    return ok(entity_or_404(request, "gate"), "Gate read successfully.")


def _set_enabled(enabled: bool) -> Callable[[Entity], None]:
    def apply(gate: Entity) -> None:
        gate["isEnabled"] = enabled
        if not enabled:
            gate["status"] = "Disabled"
        elif gate["status"] == "Disabled":
            gate["status"] = "In Progress"

    return apply


def _set_status(status: str, enabled: bool | None = None) -> Callable[[Entity], None]:
    def apply(gate: Entity) -> None:
        gate["status"] = status
        if enabled is not None:
            gate["isEnabled"] = enabled

    return apply


def _lifecycle(log: str, apply: Callable[[Entity], None]) -> Any:
    async def endpoint(request: Request) -> JSONResponse:
        gate = entity_or_404(request, "gate")
        await json_body(request, required=False)  # archive/unarchive reasons: accepted
        change = Change("gate", gate["id"], "config_state_toggle", log, apply)
        return mutate(request, change, UPDATED)

    return endpoint


def _validated_patch(gate: Entity, body: Entity) -> Entity:
    check_fields(body, GATE_PATCH_FIELDS, GATE_READ_ONLY)
    patch = {key: copy.deepcopy(value) for key, value in body.items() if key in GATE_PATCH_FIELDS}
    if "isEnabled" in patch and not isinstance(patch["isEnabled"], bool):
        raise ApiError(400, "isEnabled must be a boolean value")
    if "type" in patch and patch["type"] not in ("PERMANENT", "TEMPORARY"):
        raise ApiError(400, "type must be one of the following values: PERMANENT, TEMPORARY")
    if "tags" in patch:
        patch["tags"] = string_list(patch["tags"], "tags")
    if "description" in patch and not isinstance(patch["description"], str):
        raise ApiError(400, "description must be a string")
    if "rules" in patch:
        patch["rules"] = new_rules(gate["id"], patch["rules"], gate["rules"])
    if "reviewSettings" in patch:
        settings = patch["reviewSettings"]
        if not isinstance(settings, dict) or not isinstance(settings.get("requiredReview"), bool):
            raise ApiError(400, "reviewSettings.requiredReview must be a boolean value")
        patch["reviewSettings"] = {**gate.get("reviewSettings", {}), **settings}
    return patch


async def patch_gate(request: Request) -> JSONResponse:
    gate = entity_or_404(request, "gate")
    patch = _validated_patch(gate, await json_body(request))

    def apply(entity: Entity) -> None:
        entity.update(copy.deepcopy(patch))
        if "isEnabled" in patch:
            _set_enabled(patch["isEnabled"])(entity)

    if "rules" in patch:
        action, log = "config_conditions_update", "Updated Rules"
    elif "isEnabled" in patch:
        action, log = "config_state_toggle", "Toggled Gate"
    else:
        action, log = "gate_update", "Updated Gate"
    return mutate(request, Change("gate", gate["id"], action, log, apply), UPDATED)


async def get_rules(request: Request) -> JSONResponse:
    # The document declares a paginated list of GateRulesDto but its example (and what a
    # client sees) is one object: {"message", "data": {"rules": [...]}}. We answer that.
    gate = entity_or_404(request, "gate")
    return ok({"rules": gate["rules"]}, "Gate rules read successfully.")


def find_rule(entity: Entity, rule_ref: str, noun: str) -> Entity:
    """A rule by its ``id`` or its stable ``baseID`` (both accepted: inferred), else 404."""
    rules: list[Entity] = entity["rules"]
    for rule in rules:
        if rule_ref in (rule["id"], rule["baseID"]):
            return rule
    raise ApiError(404, f"Rule {rule_ref} not found in {noun} {entity['id']}.")


async def patch_rule(request: Request) -> JSONResponse:
    gate = entity_or_404(request, "gate")
    rule = find_rule(gate, path_id(request, "ruleID"), "Gate")
    patch = await json_body(request)
    validate_rule_patch(patch)
    base = rule["baseID"]
    old_pct = rule["passPercentage"]
    new_pct = patch.get("passPercentage", old_pct)
    log = f"Updated Rule {rule['name']} from {old_pct:.2f}% to {new_pct:.2f}%"

    def apply(entity: Entity) -> None:
        apply_rule_patch(find_rule(entity, base, "Gate"), patch)

    change = Change("gate", gate["id"], "config_conditions_update", log, apply)
    return mutate(request, change, UPDATED)


# ----------------------------------------------------------------------------- overrides
_LISTS = ("passingUserIDs", "failingUserIDs", "passingCustomIDs", "failingCustomIDs")
_OPPOSITE = {
    "passingUserIDs": "failingUserIDs",
    "failingUserIDs": "passingUserIDs",
    "passingCustomIDs": "failingCustomIDs",
    "failingCustomIDs": "passingCustomIDs",
}


def _overrides_body(body: Entity) -> Entity:
    """``UpdateOverridesContractDto``: ID lists, or ``environmentOverrides``, else 400."""
    if "environmentOverrides" in body:
        envs = body["environmentOverrides"]
        if not isinstance(envs, list) or not all(isinstance(e, dict) for e in envs):
            raise ApiError(400, "environmentOverrides must be an array")
        for env in envs:
            string_list(env.get("passingIDs", []), "passingIDs")
            string_list(env.get("failingIDs", []), "failingIDs")
        return {"environmentOverrides": copy.deepcopy(envs)}
    if "passingUserIDs" not in body or "failingUserIDs" not in body:
        raise ApiError(400, INVALID_REQUEST)
    return {name: string_list(body.get(name, []), name) for name in _LISTS}


def _merge(current: Entity, add: Entity) -> None:
    for name in _LISTS:
        for value in add.get(name, []):
            if value in current[_OPPOSITE[name]]:  # an ID lives on one list at a time
                current[_OPPOSITE[name]].remove(value)
            if value not in current[name]:
                current[name].append(value)
    current["environmentOverrides"].extend(add.get("environmentOverrides", []))


def _remove(current: Entity, remove: Entity) -> None:
    for name in _LISTS:
        current[name] = [v for v in current[name] if v not in remove.get(name, [])]
    drop = {(e.get("environment"), e.get("unitID")) for e in remove.get("environmentOverrides", [])}
    current["environmentOverrides"] = [
        e
        for e in current["environmentOverrides"]
        if (e.get("environment"), e.get("unitID")) not in drop
    ]


async def overrides(request: Request) -> JSONResponse:
    gate = entity_or_404(request, "gate")
    state = sandbox_state(request)
    store = state.gate_overrides
    store.setdefault(gate["id"], empty_overrides())
    if request.method == "GET":
        # Declared 201 in the document; a read answers 200 (documented exception).
        return ok(store[gate["id"]], "Gate Overrides read successfully.")
    body = await json_body(request, required=request.method != "DELETE")
    edit = _overrides_body(body) if body else {}

    def apply(_gate: Entity) -> None:
        current = store[gate["id"]]
        if request.method == "POST":
            store[gate["id"]] = {**empty_overrides(), **copy.deepcopy(edit)}
        elif request.method == "PATCH":
            _merge(current, edit)
        elif edit:
            _remove(current, edit)
        else:  # DELETE without a body clears everything (inferred: no body is declared)
            store[gate["id"]] = empty_overrides()

    change = Change(
        "gate", gate["id"], "gate_overrides_update", "Updated Overrides", apply, reviewable=False
    )
    state.apply(change)
    return ok(store[gate["id"]], "Gate Overrides updated successfully.", 201)


# ----------------------------------------------------------------------------- history, refs
async def versions(request: Request) -> JSONResponse:
    gate = entity_or_404(request, "gate")
    history = sandbox_state(request).versions("gate", gate["id"])
    return paginated(request, history, "Gate versions listed successfully.", default_limit=20)


def _mentions(rules: list[Entity], gate_id: str) -> bool:
    for rule in rules:
        for condition in rule["conditions"]:
            if condition["type"] not in ("passes_gate", "fails_gate"):
                continue
            target = condition.get("targetValue")
            if target == gate_id or (isinstance(target, list) and gate_id in target):
                return True
    return False


def references_to_gate(request: Request, gate_id: str, kind: str) -> list[Entity]:
    """Gates, dynamic configs or experiments that depend on ``gate_id``."""
    state = sandbox_state(request)
    if kind == "experiment":
        return [e for e in state.experiments.values() if e.get("targetingGateID") == gate_id]
    return [e for e in state.store(kind).values() if _mentions(e["rules"], gate_id)]


def _references(kind: str, message: str) -> Any:
    async def endpoint(request: Request) -> JSONResponse:
        gate = entity_or_404(request, "gate")
        refs = references_to_gate(request, gate["id"], kind)
        return paginated(request, refs, message, max_limit=DECLARED_MAX_LIMIT)

    return endpoint


_G = "/console/v1/gates/{id}"
_REFS = "references listed successfully."
GATE_ROUTES = [
    Route("/console/v1/gates", list_gates, methods=["GET"]),
    Route(_G, get_gate, methods=["GET"]),
    Route(_G, patch_gate, methods=["PATCH"]),
    Route(_G + "/enable", _lifecycle("Enabled Gate", _set_enabled(True)), methods=["PUT"]),
    Route(_G + "/disable", _lifecycle("Disabled Gate", _set_enabled(False)), methods=["PUT"]),
    Route(
        _G + "/launch", _lifecycle("Launched Gate", _set_status("Launched", True)), methods=["PUT"]
    ),
    Route(_G + "/archive", _lifecycle("Archived Gate", _set_status("Archived")), methods=["PUT"]),
    Route(
        _G + "/unarchive",
        _lifecycle("Unarchived Gate", _set_status("In Progress")),
        methods=["PUT"],
    ),
    Route(_G + "/rules", get_rules, methods=["GET"]),
    Route(_G + "/rules/{ruleID}", patch_rule, methods=["PATCH"]),
    Route(_G + "/overrides", overrides, methods=["GET", "POST", "PATCH", "DELETE"]),
    Route(_G + "/versions", versions, methods=["GET"]),
    Route(_G + "/gate_references", _references("gate", f"Gate {_REFS}"), methods=["GET"]),
    Route(
        _G + "/experiment_references",
        _references("experiment", f"Experiment {_REFS}"),
        methods=["GET"],
    ),
    Route(
        _G + "/dynamic_config_references",
        _references("config", f"Dynamic Config {_REFS}"),
        methods=["GET"],
    ),
]
