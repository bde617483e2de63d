"""Rule-by-rule diffs, override diffs and the text form used in refusals."""

from __future__ import annotations

from bot.ops.actions.diff import (
    diff_entity,
    diff_fields,
    diff_overrides,
    diff_rules,
    format_diff,
    rules_equal,
)
from bot.statsig.models import GateOverrides, Rule
from tests.ops.actions_support import rule


def test_pass_percentage_change_is_matched_by_base_id_even_when_id_moves() -> None:
    before = [rule("Everyone", 10, base_id="r1")]
    after = [{**rule("Everyone", 25, base_id="r1"), "id": "r1:25.00:2"}]
    [change] = diff_rules(before, after)
    assert change.kind == "changed"
    assert change.rule_id == "r1"
    assert [(c.field, c.before, c.after) for c in change.changes] == [("passPercentage", 10, 25)]


def test_added_and_removed_rules() -> None:
    before = [rule("Employees", 100, base_id="a"), rule("Everyone", 10, base_id="b")]
    after = [rule("Everyone", 10, base_id="b"), rule("Beta", 50, base_id="c")]
    kinds = {(c.rule_name, c.kind) for c in diff_rules(before, after)}
    assert kinds == {("Employees", "removed"), ("Beta", "added")}


def test_rules_without_ids_match_by_name() -> None:
    before = [Rule(name="Everyone", pass_percentage=5)]
    after = [Rule(name="Everyone", pass_percentage=6)]
    [change] = diff_rules(before, after)
    assert change.kind == "changed" and change.changes[0].after == 6


def test_identical_rules_have_no_diff_and_compare_equal() -> None:
    rules = [rule("Everyone", 10, envs=["production"])]
    assert diff_rules(rules, [dict(r) for r in rules]) == []
    assert rules_equal(rules, [Rule.model_validate(r) for r in rules])


def test_rules_equal_ignores_ids_but_not_order() -> None:
    a, b = rule("A", 1, base_id="a"), rule("B", 2, base_id="b")
    assert rules_equal([a, b], [{**a, "id": "other"}, b])
    assert not rules_equal([a, b], [b, a])


def test_condition_and_environment_edits_are_reported() -> None:
    before = [rule("Everyone", 10, base_id="r", envs=["staging"])]
    after = [
        rule(
            "Everyone",
            10,
            base_id="r",
            envs=["production"],
            conditions=[{"type": "country", "operator": "any", "targetValue": ["NZ"]}],
        )
    ]
    [change] = diff_rules(before, after)
    assert {c.field for c in change.changes} == {"conditions", "environments"}


def test_diff_fields_only_lists_differences() -> None:
    changes = diff_fields({"a": 1, "b": 2}, {"a": 1, "b": 3}, ["a", "b", "c"])
    assert [(c.field, c.before, c.after) for c in changes] == [("b", 2, 3)]


def test_diff_entity_for_gate_compares_enabled_and_rules() -> None:
    before = {"isEnabled": True, "rules": [rule("Everyone", 10, base_id="r")]}
    after = {"isEnabled": False, "rules": [rule("Everyone", 20, base_id="r")]}
    fields, rules = diff_entity("gate", before, after)
    assert [f.field for f in fields] == ["isEnabled"]
    assert rules[0].changes[0].field == "passPercentage"


def test_override_diff_flattens_lists_and_environments() -> None:
    before = GateOverrides.model_validate({"passingUserIDs": ["u1"], "failingUserIDs": ["u2"]})
    after = GateOverrides.model_validate(
        {
            "passingUserIDs": ["u1", "u3"],
            "environmentOverrides": [{"environment": "production", "passingIDs": ["u4"]}],
        }
    )
    added, removed = diff_overrides(before, after)
    assert added == ["pass:u3", "production/pass:u4"]
    assert removed == ["fail:u2"]


def test_format_diff_renders_each_change_on_a_line() -> None:
    before = [rule("Everyone", 10, base_id="r")]
    after = [rule("Everyone", 25.5, base_id="r")]
    fields, rules = diff_entity(
        "gate", {"isEnabled": True, "rules": before}, {"isEnabled": False, "rules": after}
    )
    text = format_diff(fields, rules)
    assert text.splitlines() == [
        "isEnabled: true → false",
        "rule Everyone passPercentage: 10 → 25.5",
    ]
    assert format_diff([], []) == "no visible difference"
