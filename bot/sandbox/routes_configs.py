"""Dynamic-config endpoints: ``/console/v1/dynamic_configs…``.

Single-rule operations use ``/rule/{ruleId}`` (singular), unlike gates' ``/rules/{ruleID}``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.sandbox.mutate import mutate
from bot.sandbox.responses import (
    entity_or_404,
    json_body,
    multi_query,
    ok,
    paginated,
    path_id,
    sandbox_state,
)
from bot.sandbox.routes_gates import find_rule
from bot.sandbox.state import Change
from bot.sandbox.validation import apply_rule_patch, validate_rule_patch

__all__ = ["CONFIG_ROUTES"]

Entity = dict[str, Any]
UPDATED = "Dynamic config updated successfully."


async def list_configs(request: Request) -> JSONResponse:
    tags = set(multi_query(request, "tags"))
    creator = request.query_params.get("creatorID")
    pipeline = request.query_params.get("releasePipelineID")
    configs = [
        config
        for config in sandbox_state(request).configs.values()
        if (not tags or tags & set(config.get("tags") or []))
        and (creator is None or config.get("creatorID") == creator)
        and (pipeline is None or config.get("releasePipelineID") == pipeline)
    ]
    return paginated(request, configs, "Dynamic configs listed successfully.")


async def get_config(request: Request) -> JSONResponse:
    return ok(entity_or_404(request, "config"), "Dynamic config read successfully.")


def _set_enabled(enabled: bool) -> Callable[[Entity], None]:
    def apply(config: Entity) -> None:
        config["isEnabled"] = enabled
        config["status"] = "Enabled" if enabled else "Disabled"

    return apply


def _toggle(log: str, enabled: bool) -> Any:
    async def endpoint(request: Request) -> JSONResponse:
        config = entity_or_404(request, "config")
        change = Change("config", config["id"], "config_state_toggle", log, _set_enabled(enabled))
        return mutate(request, change, UPDATED)

    return endpoint


async def get_rules(request: Request) -> JSONResponse:
    # Declared and exampled consistently: a paginated list holding one {rules: [...]} object.
    config = entity_or_404(request, "config")
    return paginated(
        request, [{"rules": config["rules"]}], "Dynamic Config rules read successfully."
    )


async def get_rule(request: Request) -> JSONResponse:
    config = entity_or_404(request, "config")
    rule = find_rule(config, path_id(request, "ruleId"), "Dynamic Config")
    return ok(rule, "Dynamic Config rule read successfully.")


async def patch_rule(request: Request) -> JSONResponse:
    config = entity_or_404(request, "config")
    rule = find_rule(config, path_id(request, "ruleId"), "Dynamic Config")
    patch = await json_body(request)
    validate_rule_patch(patch)
    base = rule["baseID"]

    def apply(entity: Entity) -> None:
        apply_rule_patch(find_rule(entity, base, "Dynamic Config"), patch)

    log = f"Updated Rule {rule['name']}"
    change = Change("config", config["id"], "config_conditions_update", log, apply)
    return mutate(request, change, UPDATED)


async def versions(request: Request) -> JSONResponse:
    config = entity_or_404(request, "config")
    history = sandbox_state(request).versions("config", config["id"])
    return paginated(
        request, history, "Dynamic config versions listed successfully.", default_limit=20
    )


_C = "/console/v1/dynamic_configs/{id}"
CONFIG_ROUTES = [
    Route("/console/v1/dynamic_configs", list_configs, methods=["GET"]),
    Route(_C, get_config, methods=["GET"]),
    Route(_C + "/enable", _toggle("Enabled Config", True), methods=["PUT"]),
    Route(_C + "/disable", _toggle("Disabled Config", False), methods=["PUT"]),
    Route(_C + "/rules", get_rules, methods=["GET"]),
    Route(_C + "/rule/{ruleId}", get_rule, methods=["GET"]),
    Route(_C + "/rule/{ruleId}", patch_rule, methods=["PATCH"]),
    Route(_C + "/versions", versions, methods=["GET"]),
]
