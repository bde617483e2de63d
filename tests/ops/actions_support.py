"""Builders for the action tests: Statsig-shaped entities with only what a test varies."""

from __future__ import annotations

from typing import Any

from bot.ops.actions.base import Current, References
from bot.statsig.models import DynamicConfig, Experiment, Gate, Segment

EVERYONE = {"type": "public", "operator": None, "targetValue": None}


def rule(
    name: str,
    pct: float,
    *,
    base_id: str | None = None,
    envs: list[str] | None = None,
    conditions: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    base = base_id or f"{name.lower().replace(' ', '_')}_base"
    return {
        "name": name,
        "passPercentage": pct,
        "conditions": [EVERYONE] if conditions is None else conditions,
        "environments": envs,
        "id": f"{base}:{pct:.2f}:1",
        "baseID": base,
    }


def gate(gate_id: str = "checkout_v2", **fields: Any) -> Gate:
    raw: dict[str, Any] = {
        "id": gate_id,
        "name": gate_id,
        "isEnabled": True,
        "status": "In Progress",
        "idType": "userID",
        "version": 3,
        "lastModifiedTime": 1_700_000_000_000,
        "checksPerHour": 1200,
        "tags": ["checkout"],
        "rules": [rule("Everyone", 10)],
    }
    raw.update(fields)
    return Gate.model_validate(raw)


def config(config_id: str = "checkout_params", **fields: Any) -> DynamicConfig:
    raw: dict[str, Any] = {
        "id": config_id,
        "isEnabled": True,
        "version": 2,
        "lastModifiedTime": 1_700_000_000_000,
        "rules": [rule("Everyone", 100, envs=["prod"])],
        "defaultValue": {"a": 1},
    }
    raw.update(fields)
    return DynamicConfig.model_validate(raw)


def experiment(exp_id: str = "pricing_test", **fields: Any) -> Experiment:
    raw: dict[str, Any] = {
        "id": exp_id,
        "status": "active",
        "version": 5,
        "lastModifiedTime": 1_700_000_000_000,
        "groups": [
            {"name": "Control", "id": "ctrl", "size": 50},
            {"name": "Test", "id": "test", "size": 50},
        ],
        "controlGroupID": "ctrl",
    }
    raw.update(fields)
    return Experiment.model_validate(raw)


def segment(seg_id: str = "beta_testers", **fields: Any) -> Segment:
    raw: dict[str, Any] = {"id": seg_id, "type": "id_list", "count": 2, "version": 1}
    raw.update(fields)
    return Segment.model_validate(raw)


def current(entity: Any, **fields: Any) -> Current[Any]:
    refs = fields.pop("references", References())
    return Current(entity=entity, references=refs, **fields)
