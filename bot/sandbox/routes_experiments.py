"""Experiment endpoints: ``/console/v1/experiments…``.

Status transitions follow NOTES §5.2 (inferred from the enum and docs): start → ``active``;
make_decision → ``decision_made`` with ``launchedGroupID``; abandon → ``abandoned``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.sandbox.mutate import mutate, mutate_message
from bot.sandbox.responses import (
    ApiError,
    entity_or_404,
    json_body,
    multi_query,
    ok,
    paginated,
    sandbox_state,
)
from bot.sandbox.state import Change
from bot.sandbox.validation import string_list

__all__ = ["EXPERIMENT_ROUTES"]

Entity = dict[str, Any]
_RUNNING = ("active", "experiment_stopped", "assignment_stopped")


async def list_experiments(request: Request) -> JSONResponse:
    statuses = set(multi_query(request, "status"))
    tags = set(multi_query(request, "tags"))
    experiments = [
        e
        for e in sandbox_state(request).experiments.values()
        if (not statuses or e["status"] in statuses) and (not tags or tags & set(e["tags"]))
    ]
    return paginated(request, experiments, "Experiments listed successfully.")


async def get_experiment(request: Request) -> JSONResponse:
    return ok(entity_or_404(request, "experiment"), "Experiment read successfully.")


def _now(request: Request) -> int:
    return sandbox_state(request).clock_ms()


async def start(request: Request) -> JSONResponse:
    experiment = entity_or_404(request, "experiment")
    await json_body(request, required=False)
    if experiment["status"] != "setup":
        raise ApiError(400, f"Experiment cannot be started from status {experiment['status']}.")
    when = _now(request)

    def apply(e: Entity) -> None:
        e.update(status="active", startTime=when, healthCheckStatus="PASSED")

    change = Change("experiment", experiment["id"], "experiment_start", "Started Experiment", apply)
    return mutate_message(request, change, "Experiment successfully started.")


def _reason(body: Entity) -> str:
    reason = body.get("decisionReason")
    if not isinstance(reason, str) or not reason.strip():
        raise ApiError(400, "decisionReason should not be empty")
    return reason


async def abandon(request: Request) -> JSONResponse:
    experiment = entity_or_404(request, "experiment")
    reason = _reason(await json_body(request))
    if experiment["status"] not in ("setup", *_RUNNING):
        raise ApiError(400, f"Experiment cannot be abandoned from status {experiment['status']}.")
    when = _now(request)

    def apply(e: Entity) -> None:
        e.update(status="abandoned", decisionReason=reason, endTime=when, decisionTime=when)

    change = Change("experiment", experiment["id"], "experiment_abandon", "Abandoned", apply)
    return mutate_message(request, change, "Experiment successfully abandoned.")


def _group(experiment: Entity, ref: Any) -> Entity:
    groups: list[Entity] = experiment["groups"]
    for group in groups:
        if ref in (group.get("id"), group["name"]):
            return group
    raise ApiError(400, f"Group {ref} does not exist in experiment {experiment['id']}.")


async def make_decision(request: Request) -> JSONResponse:
    experiment = entity_or_404(request, "experiment")
    body = await json_body(request)
    reason = _reason(body)
    if not isinstance(body.get("id"), str) or not body["id"]:
        raise ApiError(400, "id should not be empty")
    if experiment["status"] not in _RUNNING:
        raise ApiError(400, "Experiment has not yet started")
    group = _group(experiment, body["id"])
    remove_targeting = bool(body.get("removeTargeting", False))
    when = _now(request)

    def apply(e: Entity) -> None:
        e.update(status="decision_made", decisionReason=reason, decisionTime=when, endTime=when)
        e["launchedGroupID"] = group.get("id") or group["name"]
        if remove_targeting:
            e["targetingGateID"] = None

    log = f"Shipped group {group['name']}"
    change = Change("experiment", experiment["id"], "experiment_decision_make", log, apply)
    return mutate_message(request, change, "Decision made for Experiment.")


def _groups_toggle(disabled: bool) -> Callable[[Request], Any]:
    async def endpoint(request: Request) -> JSONResponse:
        experiment = entity_or_404(request, "experiment")
        body = await json_body(request)
        names = string_list(body.get("group_names"), "group_names")
        if not names:
            raise ApiError(400, "group_names should not be empty")
        for name in names:
            _group(experiment, name)

        def apply(e: Entity) -> None:
            for name in names:
                _group(e, name)["disabled"] = disabled

        verb = "Disabled" if disabled else "Enabled"
        action = "experiment_group_disable" if disabled else "experiment_edit"
        change = Change("experiment", experiment["id"], action, f"{verb} groups", apply)
        return mutate(request, change, f"Experiment groups {verb.lower()} successfully.", 201)

    return endpoint


def _overrides_body(body: Entity) -> Entity:
    overrides, id_overrides = body.get("overrides"), body.get("userIDOverrides")
    if not isinstance(overrides, list) or not isinstance(id_overrides, list):
        raise ApiError(400, "overrides and userIDOverrides must be arrays")
    for item in overrides:
        if not isinstance(item, dict) or item.get("type") not in ("gate", "segment"):
            raise ApiError(400, "overrides.type must be one of the following values: gate, segment")
        if not item.get("id") or not item.get("groupID"):
            raise ApiError(400, "overrides.id and overrides.groupID should not be empty")
    for item in id_overrides:
        if not isinstance(item, dict) or not item.get("groupID"):
            raise ApiError(400, "userIDOverrides.groupID should not be empty")
        string_list(item.get("ids"), "userIDOverrides.ids")
    return {"overrides": copy.deepcopy(overrides), "userIDOverrides": copy.deepcopy(id_overrides)}


async def overrides(request: Request) -> JSONResponse:
    experiment = entity_or_404(request, "experiment")
    state = sandbox_state(request)
    key = experiment["id"]
    state.experiment_overrides.setdefault(key, {"overrides": [], "userIDOverrides": []})
    if request.method == "GET":
        return ok(state.experiment_overrides[key], "Experiment overrides read successfully.")
    edit = _overrides_body(await json_body(request))

    def apply(_e: Entity) -> None:
        if request.method == "POST":
            state.experiment_overrides[key] = edit
        else:
            current = state.experiment_overrides[key]
            current["overrides"].extend(edit["overrides"])
            current["userIDOverrides"].extend(edit["userIDOverrides"])

    log = "Updated Overrides"
    change = Change("experiment", key, "experiment_overrides_edit", log, apply, reviewable=False)
    state.apply(change)
    return ok(state.experiment_overrides[key], "Experiment overrides updated successfully.")


_E = "/console/v1/experiments/{id}"
EXPERIMENT_ROUTES = [
    Route("/console/v1/experiments", list_experiments, methods=["GET"]),
    Route(_E, get_experiment, methods=["GET"]),
    Route(_E + "/start", start, methods=["PUT"]),
    Route(_E + "/abandon", abandon, methods=["PUT"]),
    Route(_E + "/make_decision", make_decision, methods=["PUT"]),
    Route(_E + "/enable_groups", _groups_toggle(False), methods=["POST"]),
    Route(_E + "/disable_groups", _groups_toggle(True), methods=["POST"]),
    Route(_E + "/overrides", overrides, methods=["GET", "POST", "PATCH"]),
]
