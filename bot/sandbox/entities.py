"""Factories for complete Console API entity dicts, in Statsig's own (camelCase) spelling.

Every factory returns a dict that validates against the published schema (``ExternalGateDto``,
``DynamicConfigDto``, ``ExternalExperimentDto``, ``SegmentDto``, ``AuditLogDto`` …), so tests
and demo data only name the fields they care about::

    gate = make_gate("my_gate", now_ms=0, tags=["critical"])
    gate["rules"] = [make_rule("my_gate", 0, "Everyone", 100, [everyone()])]
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

__all__ = [
    "CONDITION_TYPES",
    "CONSOLE_API_ACTOR",
    "audit_date",
    "audit_time",
    "base_id",
    "condition",
    "everyone",
    "make_audit_entry",
    "make_config",
    "make_experiment",
    "make_gate",
    "make_rule",
    "make_segment",
    "rule_id",
]

CONDITION_TYPES = frozenset(
    {
        "app_version", "browser_name", "browser_version", "country", "custom_field", "email",
        "environment_tier", "fails_gate", "fails_segment", "ip_address", "locale", "os_name",
        "os_version", "passes_gate", "passes_segment", "public", "time", "unit_id", "user_id",
        "url", "javascript", "device_model", "target_app",
    }
)  # fmt: skip
"""The ``Condition.type`` enum of the document (gates, dynamic configs, rules)."""

CONSOLE_API_ACTOR = {"id": "1vaQaBoLlkauH9iiuOSBP2", "name": "CONSOLE API", "email": None}
"""Who a Console-key mutation is attributed to (NOTES §1.1: ``lastModifierName: CONSOLE API``)."""

_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def base_id(*parts: object) -> str:
    """A stable 22-character base62 ID (Statsig-looking), derived from ``parts``."""
    number = int.from_bytes(hashlib.sha256(":".join(map(str, parts)).encode()).digest()[:17])
    chars = []
    for _ in range(22):
        number, rest = divmod(number, 62)
        chars.append(_ALPHABET[rest])
    return "".join(chars)


def rule_id(base: str, pass_percentage: float) -> str:
    """A rule ``id`` carries metadata (``"38ttpCpzrQFTMKcqFKk02l:10.00:1"``); ``baseID`` doesn't."""
    return f"{base}:{pass_percentage:.2f}:1"


def everyone() -> dict[str, Any]:
    """The ``public`` ("Everyone") condition: no operator, no target."""
    return condition("public")


def condition(
    kind: str, operator: str | None = None, target: Any = None, **extra: Any
) -> dict[str, Any]:
    """A ``Condition``. ``operator`` and ``targetValue`` are left out when there is none
    (``public``): the document types ``operator`` as a non-nullable string, and openapi tools
    ignore ``nullable`` beside ``targetValue``'s ``oneOf``."""
    result: dict[str, Any] = {"type": kind, "field": None, "customID": None}
    if operator is not None:
        result["operator"] = operator
    if target is not None:
        result["targetValue"] = target
    result.update(extra)
    return result


def make_rule(
    owner_id: str,
    index: int,
    name: str,
    pass_percentage: float,
    conditions: list[dict[str, Any]],
    *,
    environments: list[str] | None = None,
    return_value: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One rule (``RuleDto``). ``returnValue`` is only present on dynamic-config rules."""
    base = base_id(owner_id, "rule", index)
    rule: dict[str, Any] = {
        "name": name,
        "passPercentage": pass_percentage,
        "conditions": conditions,
        "environments": environments,
        "id": rule_id(base, pass_percentage),
        "baseID": base,
        "completedAutomatedRollouts": [],
        "pendingAutomatedRollouts": [],
    }
    if return_value is not None:
        rule["returnValue"] = return_value
    return rule


def _common(entity_id: str, now_ms: int, creator: dict[str, Any] | None) -> dict[str, Any]:
    who = creator or CONSOLE_API_ACTOR
    return {
        "id": entity_id,
        "name": entity_id,
        "idType": "userID",
        "description": "",
        "lastModifierID": who["id"],
        "lastModifiedTime": now_ms,
        "lastModifierEmail": who.get("email"),
        "lastModifierName": who["name"],
        "creatorID": who["id"],
        "createdTime": now_ms,
        "creatorName": who["name"],
        "creatorEmail": who.get("email"),
        "tags": [],
        "targetApps": [],
        "holdoutIDs": [],
        "team": None,
        "teamID": None,
        "version": 1,
    }


def _owner(creator: dict[str, Any] | None) -> dict[str, Any] | None:
    if creator is None:
        return None  # "if Entity is created by CONSOLE API, owner will be undefined"
    return {
        "ownerID": creator["id"],
        "ownerType": "USER",
        "ownerName": creator["name"],
        "ownerEmail": creator.get("email") or "",
    }


def make_gate(
    gate_id: str, *, now_ms: int, creator: dict[str, Any] | None = None, **overrides: Any
) -> dict[str, Any]:
    """A complete ``ExternalGateDto``: enabled, no rules, no review required."""
    gate = _common(gate_id, now_ms, creator)
    gate.update(
        {
            "checksPerHour": 0,
            "status": "In Progress",
            "type": "TEMPORARY",
            "typeReason": "NONE",
            "owner": _owner(creator),
            "isTemplate": False,
            "isEnabled": True,
            "rules": [],
            "measureMetricLifts": True,
            "monitoringMetrics": [],
            "reviewSettings": {"requiredReview": False, "allowedReviewers": []},
            "releasePipelineID": None,
        }
    )
    gate.update(overrides)
    return gate


def make_config(
    config_id: str, *, now_ms: int, creator: dict[str, Any] | None = None, **overrides: Any
) -> dict[str, Any]:
    """A complete ``DynamicConfigDto`` (no review fields: the document gives it none)."""
    config = _common(config_id, now_ms, creator)
    config.update(
        {
            "isEnabled": True,
            "status": "Enabled",
            "rules": [],
            "defaultValue": {},
            "defaultValueJson5": "{}",
            "owner": _owner(creator),
            "schema": None,
            "schemaJson5": None,
            "releasePipelineID": None,
            "isTemplate": False,
        }
    )
    config.update(overrides)
    return config


def make_experiment(
    experiment_id: str, *, now_ms: int, creator: dict[str, Any] | None = None, **overrides: Any
) -> dict[str, Any]:
    """A complete ``ExternalExperimentDto`` in ``setup`` with a 50/50 Control/Test split."""
    experiment = _common(experiment_id, now_ms, creator)
    experiment.update(
        {
            "hypothesis": "",
            "groups": [
                {"name": "Control", "id": "control", "size": 50, "parameterValues": {}},
                {"name": "Test", "id": "test", "size": 50, "parameterValues": {}},
            ],
            "controlGroupID": "control",
            "allocation": 100,
            "primaryMetrics": [],
            "secondaryMetrics": [],
            "targetingGateID": None,
            "bonferroniCorrection": False,
            "defaultConfidenceInterval": "95",
            "status": "setup",
            "launchedGroupID": None,
            "decisionReason": None,
            "layerID": f"statsig::{experiment_id}_layer",
            "startTime": None,
            "endTime": None,
            "decisionTime": None,
            "duration": 14,
            "healthCheckStatus": "WAITING",
            "owner": _owner(creator),
            "reviewSettings": {"requiredReview": False, "allowedReviewers": []},
        }
    )
    experiment.update(overrides)
    return experiment


def make_segment(
    segment_id: str,
    *,
    now_ms: int,
    segment_type: str,
    creator: dict[str, Any] | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """A complete ``SegmentDto``; ``count`` is kept in step with the ID list by the state."""
    segment = _common(segment_id, now_ms, creator)
    segment.update({"isEnabled": True, "type": segment_type, "count": 0, "rules": []})
    segment.update(overrides)
    return segment


def audit_date(epoch_ms: int) -> str:
    """Statsig's audit ``date`` string, e.g. ``"Mon Sep 26 2022"`` (UTC)."""
    return datetime.fromtimestamp(epoch_ms / 1000, tz=UTC).strftime("%a %b %d %Y")


def audit_time(epoch_ms: int) -> str:
    """Statsig's audit ``time`` string: ``"23:46:14 GMT+0000 (Coordinated Universal Time)"``."""
    clock = datetime.fromtimestamp(epoch_ms / 1000, tz=UTC).strftime("%H:%M:%S")
    return f"{clock} GMT+0000 (Coordinated Universal Time)"


def make_audit_entry(
    *,
    entry_id: str,
    name: str,
    change_log: str,
    action_type: str,
    epoch_ms: int,
    actor: dict[str, Any],
    changes: dict[str, Any],
    tags: list[str],
) -> dict[str, Any]:
    """A complete ``AuditLogDto``."""
    return {
        "id": entry_id,
        "name": name,
        "changeLog": change_log,
        "actionType": action_type,
        "date": audit_date(epoch_ms),
        "time": audit_time(epoch_ms),
        "updatedBy": actor["name"],
        "updatedByUserID": actor["id"],
        "modifierEmail": actor.get("email"),
        "changes": changes,
        "tags": list(tags),
        "targetAppIDs": [],
    }
