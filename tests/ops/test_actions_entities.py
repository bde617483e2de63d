"""Pure plan tests for config, experiment and segment actions."""

from __future__ import annotations

import pytest

from bot.ops.actions.base import PlanError
from bot.ops.actions.config import ConfigDisable, ConfigEnable
from bot.ops.actions.experiment import ExperimentAbandon, ExperimentDecide, ExperimentStart
from bot.ops.actions.segment import SegmentAddIds, SegmentRemoveIds
from tests.ops.actions_support import config, current, experiment, segment


def test_config_disable_and_enable() -> None:
    plan = ConfigDisable("checkout_params", "bad").plan(current(config()))
    assert plan.action == "config.disable" and plan.absolute and plan.entity_kind == "config"
    assert [(c.field, c.after) for c in plan.changes] == [("isEnabled", False)]
    assert plan.blast_radius.environments == ["prod"]
    assert any("default value" in w for w in plan.warnings)
    assert ConfigEnable("checkout_params").plan(current(config())).is_noop


def test_config_review_required_from_project() -> None:
    plan = ConfigDisable("checkout_params").plan(current(config(), project_review_required=True))
    assert plan.review_required


def test_experiment_start_from_setup_only() -> None:
    plan = ExperimentStart("pricing_test").plan(current(experiment(status="setup")))
    assert [(c.field, c.before, c.after) for c in plan.changes] == [("status", "setup", "active")]
    assert not plan.absolute
    assert ExperimentStart("pricing_test").plan(current(experiment())).is_noop
    with pytest.raises(PlanError, match="abandoned"):
        ExperimentStart("pricing_test").plan(current(experiment(status="abandoned")))


def test_experiment_abandon() -> None:
    plan = ExperimentAbandon("pricing_test", "no signal").plan(current(experiment()))
    assert plan.change == {"status": "abandoned", "decisionReason": "no signal"}
    assert ExperimentAbandon("pricing_test").plan(current(experiment(status="abandoned"))).is_noop
    with pytest.raises(PlanError):
        ExperimentAbandon("pricing_test").plan(current(experiment(status="setup")))


def test_experiment_decide_by_group_name_or_id() -> None:
    plan = ExperimentDecide("pricing_test", "test", "won").plan(current(experiment()))
    assert plan.change["groupID"] == "test"
    assert ("launchedGroupID", None, "test") in [(c.field, c.before, c.after) for c in plan.changes]
    same = ExperimentDecide("pricing_test", "Test").plan(
        current(experiment(status="decision_made", launchedGroupID="test"))
    )
    assert same.is_noop
    with pytest.raises(PlanError, match="another group"):
        ExperimentDecide("pricing_test", "Control").plan(
            current(experiment(status="decision_made", launchedGroupID="test"))
        )


def test_experiment_decide_unknown_group_lists_groups() -> None:
    with pytest.raises(PlanError) as err:
        ExperimentDecide("pricing_test", "Treatment").plan(current(experiment()))
    assert "Groups: Control, Test." in err.value.user_message


def test_experiment_fingerprint_follows_version() -> None:
    a = ExperimentStart("x").plan(current(experiment(status="setup", version=1)))
    b = ExperimentStart("x").plan(current(experiment(status="setup", version=2)))
    assert a.fingerprint() != b.fingerprint()


def test_segment_add_lists_only_new_ids() -> None:
    action = SegmentAddIds("beta_testers", ("u1", "u3"))
    plan = action.plan(current(segment(), segment_ids=frozenset({"u1", "u2"})))
    assert plan.overrides_added == ["u3"] and plan.change == {"op": "add", "ids": ["u3"]}
    full = SegmentAddIds("beta_testers", ("u1",)).plan(
        current(segment(), segment_ids=frozenset({"u1"}))
    )
    assert full.is_noop


def test_segment_remove_lists_only_present_ids_and_unknown_lists_warn() -> None:
    plan = SegmentRemoveIds("beta_testers", ("u1", "u9")).plan(
        current(segment(), segment_ids=frozenset({"u1"}))
    )
    assert plan.overrides_removed == ["u1"]
    unknown = SegmentRemoveIds("beta_testers", ("u1", "u9")).plan(current(segment()))
    assert unknown.overrides_removed == ["u1", "u9"]
    assert any("too long" in w for w in unknown.warnings)


def test_segment_rule_based_is_refused() -> None:
    with pytest.raises(PlanError, match="id_list"):
        SegmentAddIds("s", ("u1",)).plan(current(segment(type="rule_based")))
