"""Project-wide endpoints: segments, audit logs, users and teams, environments, tags, review
settings and release-pipeline triggers."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.sandbox.responses import (
    DECLARED_MAX_LIMIT,
    ApiError,
    entity_or_404,
    json_body,
    message_only,
    multi_query,
    ok,
    page_of,
    paginated,
    path_id,
    sandbox_state,
)
from bot.sandbox.state import Change
from bot.sandbox.validation import id_list

__all__ = ["PROJECT_ROUTES"]

Entity = dict[str, Any]


# ----------------------------------------------------------------------------- segments
async def list_segments(request: Request) -> JSONResponse:
    segments = list(sandbox_state(request).segments.values())
    return paginated(request, segments, "Segments listed successfully.")


async def get_segment(request: Request) -> JSONResponse:
    return ok(entity_or_404(request, "segment"), "Segment read successfully.")


def _id_list_segment(request: Request) -> Entity:
    segment = entity_or_404(request, "segment")
    if segment["type"] != "id_list":
        raise ApiError(400, "Segment must be of type 'id_list' to be modified on this endpoint")
    return segment


async def segment_ids(request: Request) -> JSONResponse:
    segment = _id_list_segment(request)
    state = sandbox_state(request)
    ids = state.segment_ids.setdefault(segment["id"], [])
    if request.method == "GET":
        # Declared paginated, yet ``data`` is one IDListDto (as in the document's example):
        # the page of IDs lives in ``data.ids``, the total in ``data.count``.
        chunk, pagination = page_of(request, ids)
        data = {"name": segment["name"], "count": len(ids), "ids": chunk}
        return JSONResponse(
            {"message": "Segments listed successfully.", "data": data, "pagination": pagination}
        )
    given = id_list(await json_body(request))
    adding = request.method == "PATCH"

    def apply(entity: Entity) -> None:
        current = state.segment_ids.setdefault(entity["id"], [])
        if adding:
            known = set(current)
            current.extend(i for i in dict.fromkeys(given) if i not in known)
        else:
            drop = set(given)
            current[:] = [i for i in current if i not in drop]
        entity["count"] = len(current)

    verb = "Added IDs to" if adding else "Removed IDs from"
    change = Change(
        "segment", segment["id"], "ID_list_update", f"{verb} ID List", apply, reviewable=False
    )
    state.apply(change)
    if adding:
        return message_only("IDs successfully added to Segment ID List")
    return message_only("IDs successfully removed from Segment ID List")


# ----------------------------------------------------------------------------- audit logs
def _day(request: Request, name: str) -> date | None:
    raw = request.query_params.get(name)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ApiError(400, f"{name}: Expected valid date in the form of YYYY-MM-DD") from None


async def audit_logs(request: Request) -> JSONResponse:
    start, end = _day(request, "startDate"), _day(request, "endDate")
    actions = set(multi_query(request, "actionType", "actionTypes"))
    tags = set(multi_query(request, "tags"))
    wanted_id = request.query_params.get("id")
    order = request.query_params.get("sortOrder", "desc")
    if order not in ("asc", "desc"):
        raise ApiError(400, "sortOrder must be one of the following values: asc, desc")
    entries = []
    for epoch_ms, entry in sandbox_state(request).audit_entries():
        day = datetime.fromtimestamp(epoch_ms / 1000, tz=UTC).date()
        if (start and day < start) or (end and day > end):
            continue
        if actions and entry["actionType"] not in actions:
            continue
        if tags and not tags & set(entry["tags"]):
            continue
        if wanted_id and entry["id"] != wanted_id:
            continue
        entries.append(entry)
    if order == "desc":
        entries.reverse()
    return paginated(request, entries, "Audit logs listed successfully.")


# ----------------------------------------------------------------------------- people
async def list_users(request: Request) -> JSONResponse:
    return paginated(request, sandbox_state(request).users, "Users listed successfully.")


async def get_user(request: Request) -> JSONResponse:
    email = path_id(request, "email").lower()
    for user in sandbox_state(request).users:
        if user["email"].lower() == email:
            return ok(user, "User read successfully.")
    raise ApiError(404, f"User {email} not found.")


async def list_teams(request: Request) -> JSONResponse:
    return paginated(request, sandbox_state(request).teams, "Teams listed successfully.")


async def get_team(request: Request) -> JSONResponse:
    team_id = path_id(request)
    for team in sandbox_state(request).teams:
        if team["id"] == team_id:
            return ok(team, "Team read successfully.")
    raise ApiError(404, f"Team {team_id} not found.")


# ----------------------------------------------------------------------------- project
async def environments(request: Request) -> JSONResponse:
    envs = {"environments": sandbox_state(request).environments}
    return ok(envs, "Environments read successfully.")


async def list_tags(request: Request) -> JSONResponse:
    return paginated(request, sandbox_state(request).tags, "Tags listed successfully.")


async def review_settings(request: Request) -> JSONResponse:
    return ok(sandbox_state(request).review_settings, "Reviews settings read successfully.")


# ----------------------------------------------------------------------------- pipelines
async def list_triggers(request: Request) -> JSONResponse:
    query = request.query_params
    filters = {
        key: query.get(key)
        for key in ("gateID", "dynamicConfigID", "status", "releasePipelineID")
        if query.get(key) is not None
    }
    triggers = [
        trigger
        for trigger in sandbox_state(request).pipeline_triggers.values()
        if all(trigger.get(key) == value for key, value in filters.items())
    ]
    return paginated(
        request, triggers, "Pipeline triggers listed correctly.", max_limit=DECLARED_MAX_LIMIT
    )


def _trigger(request: Request) -> Entity:
    trigger_id = path_id(request)
    trigger = sandbox_state(request).pipeline_triggers.get(trigger_id)
    if trigger is None:
        raise ApiError(404, f"Release pipeline trigger {trigger_id} not found.")
    return trigger


async def get_trigger(request: Request) -> JSONResponse:
    return ok(_trigger(request), "Pipeline trigger read successfully.")


def _act(request: Request, trigger: Entity, kind: str, status: str, phase_id: str) -> Entity:
    state = sandbox_state(request)
    now = state.clock_ms()
    trigger["actions"].append(
        {
            "type": kind,
            "timeMs": now,
            "phaseID": phase_id,
            "actorID": state.actor["id"],
            "actorName": state.actor["name"],
        }
    )
    trigger["status"] = status
    trigger["lastModifierID"] = state.actor["id"]
    trigger["lastModifierName"] = state.actor["name"]
    state.log(trigger, action_type="release_pipeline_update", change_log=f"{kind} trigger")
    return trigger


async def pause_trigger(request: Request) -> JSONResponse:
    trigger = _trigger(request)
    phase_id = (await json_body(request)).get("phaseID")
    if not isinstance(phase_id, str) or not phase_id:
        raise ApiError(400, "phaseID should not be empty")
    if trigger["status"] != "IN_PROGRESS":
        raise ApiError(400, f"Pipeline trigger is {trigger['status']} and cannot be paused.")
    if phase_id != trigger["currentPhaseID"]:
        raise ApiError(400, f"Phase {phase_id} is not the current phase of this trigger.")
    return ok(_act(request, trigger, "PAUSED", "PAUSED", phase_id), "Pipeline trigger paused.")


async def abort_trigger(request: Request) -> JSONResponse:
    trigger = _trigger(request)
    if trigger["status"] in ("ABORTED", "COMPLETED"):
        raise ApiError(400, f"Pipeline trigger is {trigger['status']} and cannot be aborted.")
    phase = trigger.get("currentPhaseID") or ""
    return ok(_act(request, trigger, "ABORTED", "ABORTED", phase), "Pipeline trigger aborted.")


_S = "/console/v1/segments/{id}"
_T = "/console/v1/release_pipeline_triggers"
PROJECT_ROUTES = [
    Route("/console/v1/segments", list_segments, methods=["GET"]),
    Route(_S, get_segment, methods=["GET"]),
    Route(_S + "/id_list", segment_ids, methods=["GET", "PATCH", "DELETE"]),
    Route("/console/v1/audit_logs", audit_logs, methods=["GET"]),
    Route("/console/v1/users", list_users, methods=["GET"]),
    Route("/console/v1/users/teams", list_teams, methods=["GET"]),
    Route("/console/v1/users/teams/{id}", get_team, methods=["GET"]),
    Route("/console/v1/users/{email}", get_user, methods=["GET"]),
    Route("/console/v1/environments", environments, methods=["GET"]),
    Route("/console/v1/tags", list_tags, methods=["GET"]),
    Route("/console/v1/settings/reviews", review_settings, methods=["GET"]),
    Route(_T, list_triggers, methods=["GET"]),
    Route(_T + "/{id}", get_trigger, methods=["GET"]),
    Route(_T + "/{id}/pause", pause_trigger, methods=["PUT"]),
    Route(_T + "/{id}/abort", abort_trigger, methods=["PUT"]),
]
