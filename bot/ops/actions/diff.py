"""Rule-by-rule and field-by-field diffs between two states of a Statsig entity.

Plans show people what will change, stale checks show what moved, and restore shows why
it refuses: all three need the same comparison, so it lives here once. Rules are matched
by ``baseID`` first (Statsig keeps it stable across edits, while ``id`` gains metadata),
then by ``id``, then by name; only the fields a person cares about are compared.

Usage::

    diff_rules(gate_before.rules, gate_after.rules)
    # [RuleChange(rule_name="Everyone", kind="changed",
    #             changes=[FieldChange(field="passPercentage", before=10.0, after=25.0)])]
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from bot.ops.model.plans import FieldChange, RuleChange
from bot.statsig.models import GateOverrides, Rule

__all__ = [
    "RULE_FIELDS",
    "diff_entity",
    "diff_fields",
    "diff_overrides",
    "diff_rules",
    "format_diff",
    "format_value",
    "override_entries",
    "rule_content",
    "rules_equal",
]

RULE_FIELDS: tuple[str, ...] = (
    "name",
    "passPercentage",
    "conditions",
    "environments",
    "returnValue",
)
"""The rule fields compared (wire spelling); ids and rollout bookkeeping are left out."""

_ENTITY_FIELDS: dict[str, tuple[str, ...]] = {
    "gate": ("isEnabled", "status", "type"),
    "config": ("isEnabled", "status", "defaultValue"),
    "experiment": ("status", "allocation", "launchedGroupID", "groups"),
    "segment": ("isEnabled", "count"),
}


def rule_content(rule: Rule | Mapping[str, Any]) -> dict[str, Any]:
    """The comparable part of a rule, in Statsig's spelling, whatever form it came in."""
    model = rule if isinstance(rule, Rule) else Rule.model_validate(rule)
    wire = model.to_api()
    content = {name: wire.get(name) for name in RULE_FIELDS}
    content["conditions"] = content["conditions"] or []
    return content


def rules_equal(
    before: Sequence[Rule | Mapping[str, Any]], after: Sequence[Rule | Mapping[str, Any]]
) -> bool:
    """True when both rule lists have the same rules, in order, with the same content."""
    return [rule_content(r) for r in before] == [rule_content(r) for r in after]


def diff_fields(
    before: Mapping[str, Any], after: Mapping[str, Any], fields: Iterable[str]
) -> list[FieldChange]:
    """One :class:`FieldChange` per named field whose value differs."""
    return [
        FieldChange(field=name, before=before.get(name), after=after.get(name))
        for name in fields
        if before.get(name) != after.get(name)
    ]


def _match(before: Sequence[Rule], after: Sequence[Rule]) -> list[tuple[Rule | None, Rule | None]]:
    """Pair rules by baseID, then id, then name; leftovers are additions or removals."""
    unmatched = list(before)
    pairs: list[tuple[Rule | None, Rule | None]] = []
    for new in after:
        found = None
        for key in ("base_id", "id", "name"):
            value = getattr(new, key)
            if value is None:
                continue
            found = next((old for old in unmatched if getattr(old, key) == value), None)
            if found is not None:
                break
        if found is not None:
            unmatched.remove(found)
        pairs.append((found, new))
    pairs.extend((old, None) for old in unmatched)
    return pairs


def diff_rules(
    before: Sequence[Rule | Mapping[str, Any]], after: Sequence[Rule | Mapping[str, Any]]
) -> list[RuleChange]:
    """Rules added, removed or edited between two rule lists."""
    old_rules = [r if isinstance(r, Rule) else Rule.model_validate(r) for r in before]
    new_rules = [r if isinstance(r, Rule) else Rule.model_validate(r) for r in after]
    result: list[RuleChange] = []
    for old, new in _match(old_rules, new_rules):
        if old is None and new is not None:
            result.append(
                RuleChange(rule_name=new.name, rule_id=new.base_id or new.id, kind="added")
            )
        elif new is None and old is not None:
            result.append(
                RuleChange(rule_name=old.name, rule_id=old.base_id or old.id, kind="removed")
            )
        elif old is not None and new is not None:
            changes = diff_fields(rule_content(old), rule_content(new), RULE_FIELDS)
            if changes:
                result.append(
                    RuleChange(
                        rule_name=new.name,
                        rule_id=new.base_id or new.id,
                        kind="changed",
                        changes=changes,
                    )
                )
    return result


def diff_entity(
    kind: str, before: Mapping[str, Any], after: Mapping[str, Any]
) -> tuple[list[FieldChange], list[RuleChange]]:
    """What differs between two wire-format states of one entity (fields, then rules)."""
    fields = diff_fields(before, after, _ENTITY_FIELDS.get(kind, ()))
    rules: list[RuleChange] = []
    if kind != "experiment":
        rules = diff_rules(before.get("rules") or [], after.get("rules") or [])
    return fields, rules


def override_entries(overrides: GateOverrides) -> set[str]:
    """Flatten overrides to entries such as ``pass:u1`` or ``production/fail:u2``."""
    entries = {f"pass:{i}" for i in overrides.passing_user_ids}
    entries |= {f"fail:{i}" for i in overrides.failing_user_ids}
    entries |= {f"pass:{i}" for i in overrides.passing_custom_ids}
    entries |= {f"fail:{i}" for i in overrides.failing_custom_ids}
    for env in overrides.environment_overrides:
        scope = env.environment or "all"
        entries |= {f"{scope}/pass:{i}" for i in env.passing_ids}
        entries |= {f"{scope}/fail:{i}" for i in env.failing_ids}
    return entries


def diff_overrides(before: GateOverrides, after: GateOverrides) -> tuple[list[str], list[str]]:
    """(added, removed) override entries, each sorted."""
    old, new = override_entries(before), override_entries(after)
    return sorted(new - old), sorted(old - new)


_MIN_EPOCH_MS = 10**11  # epoch milliseconds later than 1973: a timestamp, not a count
_VALUE_CHARS = 200


def format_value(value: Any, field: str = "") -> str:
    """One value as people read it in JSON: ``true``, ``null``, ``25``, ``["a","b"]``.

    Strings stay bare; epoch-millisecond fields (``…Time``) and datetimes become dates.
    """
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if is_number and field.endswith(("Time", "Date")) and value >= _MIN_EPOCH_MS:
        return format_value(datetime.fromtimestamp(value / 1000, UTC))
    if isinstance(value, float) and value.is_integer():
        return f"{int(value)}"
    if isinstance(value, str):
        text = value
    else:
        text = json.dumps(value, separators=(",", ":"), sort_keys=True, default=str)
    return text if len(text) <= _VALUE_CHARS else text[: _VALUE_CHARS - 1] + "…"


def format_diff(changes: Sequence[FieldChange], rule_changes: Sequence[RuleChange]) -> str:
    """A short plain-text diff for messages, one line per field (renderers make the rich one).

    >>> print(format_diff([FieldChange(field="isEnabled", before=True, after=False)], []))
    isEnabled: true → false
    """
    lines = [
        f"{c.field}: {format_value(c.before, c.field)} → {format_value(c.after, c.field)}"
        for c in changes
    ]
    for rule in rule_changes:
        if rule.kind != "changed":
            lines.append(f"rule {rule.rule_name}: {rule.kind}")
            continue
        lines += [
            f"rule {rule.rule_name} {c.field}: {format_value(c.before)} → {format_value(c.after)}"
            for c in rule.changes
        ]
    return "\n".join(lines) if lines else "no visible difference"
