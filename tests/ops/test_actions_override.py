"""Gate override plans and the pure set operation behind them."""

from __future__ import annotations

import pytest

from bot.ops.actions.base import PlanError
from bot.ops.actions.override import GateOverride, apply_override
from bot.statsig.models import Environment, GateOverrides
from tests.ops.actions_support import current, gate

BASE = GateOverrides.model_validate({"passingUserIDs": ["u1"], "failingUserIDs": ["u2"]})


def test_pass_moves_ids_off_the_fail_list() -> None:
    after = apply_override(BASE, id_type="userID", mode="pass", ids=("u2", "u3"), environment=None)
    assert after.passing_user_ids == ["u1", "u2", "u3"]
    assert after.failing_user_ids == []


def test_fail_and_remove() -> None:
    failed = apply_override(BASE, id_type="userID", mode="fail", ids=("u1",), environment=None)
    assert failed.passing_user_ids == [] and failed.failing_user_ids == ["u2", "u1"]
    removed = apply_override(
        BASE, id_type="userID", mode="remove", ids=("u1", "u2"), environment=None
    )
    assert removed.count == 0


def test_apply_is_idempotent() -> None:
    once = apply_override(BASE, id_type="userID", mode="pass", ids=("u9",), environment="prod")
    twice = apply_override(once, id_type="userID", mode="pass", ids=("u9",), environment="prod")
    assert once == twice


def test_custom_id_gates_use_the_custom_lists() -> None:
    after = apply_override(
        GateOverrides(), id_type="companyID", mode="pass", ids=("c1",), environment=None
    )
    assert after.passing_custom_ids == ["c1"] and after.passing_user_ids == []


def test_environment_scope_creates_an_entry() -> None:
    after = apply_override(BASE, id_type="userID", mode="fail", ids=("u5",), environment="staging")
    [env] = after.environment_overrides
    assert (env.environment, env.unit_id, env.failing_ids) == ("staging", "userID", ["u5"])
    assert after.passing_user_ids == ["u1"]


def test_plan_lists_added_and_removed_overrides() -> None:
    action = GateOverride("checkout_v2", "pass", ("u2", "u3"), reason="QA")
    plan = action.plan(current(gate(), overrides=BASE, project_environments=("dev", "prod")))
    assert plan.overrides_added == ["pass:u2", "pass:u3"]
    assert plan.overrides_removed == ["fail:u2"]
    assert plan.blast_radius.environments == ["all environments"]
    assert plan.change["ids"] == ["u2", "u3"]


def test_plan_with_environment_touches_only_it_and_noop_detected() -> None:
    action = GateOverride("checkout_v2", "pass", ("u1",), environment="prod")
    plan = action.plan(current(gate(), overrides=GateOverrides()))
    assert plan.blast_radius.environments == ["prod"]
    assert plan.overrides_added == ["prod/pass:u1"]
    again = GateOverride("checkout_v2", "pass", ("u1",)).plan(current(gate(), overrides=BASE))
    assert again.is_noop and again.warnings[0] == "u1 already passes checkout_v2 by override."


def test_ids_are_cleaned_and_required() -> None:
    assert GateOverride("g", "pass", (" u1 ", "u1", "")).ids == ("u1",)
    with pytest.raises(PlanError):
        GateOverride("g", "pass", ("  ",))
    with pytest.raises(PlanError):
        GateOverride("g", "maybe", ("u1",))  # type: ignore[arg-type]


def test_removing_ids_without_an_override_says_which_ones() -> None:
    plan = GateOverride("checkout_v2", "remove", ("u1", "u9")).plan(current(gate(), overrides=BASE))
    assert plan.overrides_removed == ["pass:u1"]
    assert plan.warnings == ["u9 has no override on checkout_v2; left as is."]


def test_an_environment_abbreviation_is_matched_by_its_start() -> None:
    action = GateOverride("checkout_v2", "pass", ("u1",), environment="prod")
    envs = tuple(Environment(id=n, name=n) for n in ("development", "staging", "production"))
    with pytest.raises(PlanError, match="Did you mean production"):
        action.plan(current(gate(), overrides=GateOverrides(), environments=envs))
