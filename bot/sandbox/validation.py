"""Input checks that give the 400s Statsig gives: bad pass percentages, rules, ID lists.

Messages name the offending field so a client's ``BadRequest`` can show them verbatim.
"""

from __future__ import annotations

import copy
from typing import Any

from bot.sandbox.entities import CONDITION_TYPES, base_id, rule_id
from bot.sandbox.responses import ApiError

__all__ = [
    "RULE_FIELDS",
    "apply_rule_patch",
    "check_fields",
    "id_list",
    "new_rules",
    "pass_percentage",
    "string_list",
    "validate_rule_patch",
]

RULE_FIELDS = frozenset(
    {
        "name", "passPercentage", "conditions", "environments", "id", "baseID", "returnValue",
        "completedAutomatedRollouts", "pendingAutomatedRollouts", "returnValueJson5", "variants",
    }
)  # fmt: skip


def check_fields(body: dict[str, Any], allowed: frozenset[str], ignored: frozenset[str]) -> None:
    """400 for properties the DTO doesn't have; read-only entity fields are tolerated."""
    unknown = sorted(set(body) - allowed - ignored)
    if unknown:
        raise ApiError(400, f"property {unknown[0]} should not exist")


def pass_percentage(value: Any, where: str = "passPercentage") -> float:
    """A number in 0–100 (two decimals at most), else 400."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ApiError(400, f"{where} must be a number between 0 and 100")
    if not 0 <= value <= 100:
        raise ApiError(400, f"{where} must be between 0 and 100, got {value}")
    return round(float(value), 2) if not float(value).is_integer() else value


def string_list(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ApiError(400, f"{where} must be an array of non-empty strings")
    return list(value)


def id_list(body: dict[str, Any]) -> list[str]:
    """The ``ids`` of a segment ID-list body (``SegmentIDListContractDto``)."""
    if "ids" not in body:
        raise ApiError(400, "ids must be an array of strings")
    ids = string_list(body["ids"], "ids")
    if not ids:
        raise ApiError(400, "ids should not be empty")
    return ids


def _conditions(value: Any, where: str) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise ApiError(400, f"{where}.conditions must be an array")
    result = []
    for i, condition in enumerate(value):
        if not isinstance(condition, dict) or condition.get("type") not in CONDITION_TYPES:
            raise ApiError(400, f"{where}.conditions.{i}.type must be a valid condition type")
        result.append(dict(condition))
    return result


def _checked_rule_fields(patch: dict[str, Any], where: str) -> dict[str, Any]:
    check_fields(patch, RULE_FIELDS, frozenset())
    clean = copy.deepcopy(patch)
    if "name" in clean and (not isinstance(clean["name"], str) or not clean["name"]):
        raise ApiError(400, f"{where}.name must be a non-empty string")
    if "passPercentage" in clean:
        clean["passPercentage"] = pass_percentage(
            clean["passPercentage"], f"{where}.passPercentage"
        )
    if "conditions" in clean:
        clean["conditions"] = _conditions(clean["conditions"], where)
    if clean.get("environments") is not None:
        clean["environments"] = string_list(clean["environments"], f"{where}.environments")
    return clean


def apply_rule_patch(rule: dict[str, Any], patch: dict[str, Any], where: str = "rule") -> None:
    """Validate ``patch`` (``RuleUpdateDto``) and merge it into ``rule`` in place.

    ``id``/``baseID`` in a patch are ignored (they identify, they don't change); the rule's
    ``id`` is re-derived because it carries the pass percentage as metadata.
    """
    clean = _checked_rule_fields(patch, where)
    clean.pop("id", None)
    clean.pop("baseID", None)
    rule.update(clean)
    rule["id"] = rule_id(rule["baseID"], rule["passPercentage"])


def validate_rule_patch(patch: dict[str, Any], where: str = "rule") -> None:
    """Raise the 400 ``apply_rule_patch`` would, without touching anything."""
    _checked_rule_fields(patch, where)


def new_rules(owner_id: str, value: Any, existing: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A full replacement rule list (``rules`` of a gate/config update), validated.

    Rules that name an existing ``baseID`` (or ``id``) keep it; new ones get a fresh one.
    """
    if not isinstance(value, list):
        raise ApiError(400, "rules must be an array")
    by_id = {r["id"]: r["baseID"] for r in existing}
    seen: set[str] = set()
    rules = []
    for i, raw in enumerate(value):
        where = f"rules.{i}"
        if not isinstance(raw, dict):
            raise ApiError(400, f"{where} must be an object")
        for required in ("name", "passPercentage", "conditions"):
            if required not in raw:
                raise ApiError(400, f"{where}.{required} should not be empty")
        clean = _checked_rule_fields(raw, where)
        base = clean.get("baseID") or by_id.get(str(clean.get("id")))
        if not isinstance(base, str) or not base or base in seen:
            base = base_id(owner_id, "rule", "new", i, clean["name"], len(existing))
        seen.add(base)
        clean["baseID"] = base
        clean["id"] = rule_id(base, clean["passPercentage"])
        clean.setdefault("environments", None)
        clean.setdefault("completedAutomatedRollouts", [])
        clean.setdefault("pendingAutomatedRollouts", [])
        rules.append(clean)
    return rules
