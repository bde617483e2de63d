"""Pure tests for kill and restore plans, and the restore refusal."""

from __future__ import annotations

import pytest

from bot.ops.actions import IncidentKill, Restore, RestoreRefused
from bot.ops.plans import OutcomeStatus
from tests.ops.actions_support import current, gate, rule


def test_kill_plan_snapshots_and_disables() -> None:
    g = gate()
    plan = IncidentKill("checkout_v2", "INC-231").plan(current(g))
    assert plan.action == "incident.kill" and plan.absolute
    assert plan.snapshot == g.to_api()
    assert [(c.field, c.before, c.after) for c in plan.changes] == [("isEnabled", True, False)]


def test_kill_pending_review_says_loudly_the_gate_is_not_disabled() -> None:
    kill = IncidentKill("checkout_v2")
    plan = kill.plan(current(gate()))
    outcome = kill.judge(
        plan, gate(activeReview={"reviewID": "rev7", "reviewStatus": "pending", "description": "d"})
    )
    assert outcome.status is OutcomeStatus.PENDING_REVIEW
    assert "IS NOT DISABLED YET" in outcome.message and "rev7" in outcome.message


def _killed(**fields: object) -> dict[str, object]:
    return gate(isEnabled=False, version=4, lastModifiedTime=1_700_000_100_000, **fields).to_api()


def test_restore_plan_puts_back_enabled_and_rules() -> None:
    before = gate(rules=[rule("Everyone", 40)])
    restore = Restore(
        "checkout_v2", before.to_api(), "fixed", after_kill=_killed(rules=[rule("Everyone", 40)])
    )
    plan = restore.plan(
        current(
            gate(
                isEnabled=False,
                version=4,
                lastModifiedTime=1_700_000_100_000,
                rules=[rule("Everyone", 40)],
            )
        )
    )
    assert [(c.field, c.before, c.after) for c in plan.changes] == [("isEnabled", False, True)]
    assert plan.change == {"isEnabled": True, "rules": before.to_api()["rules"]}
    assert not plan.absolute


def test_restore_refuses_when_version_moved_since_kill() -> None:
    snapshot = gate().to_api()
    restore = Restore("checkout_v2", snapshot, after_kill=_killed())
    moved = gate(isEnabled=False, version=5, lastModifiedTime=1_700_000_200_000)
    with pytest.raises(RestoreRefused) as err:
        restore.plan(current(moved))
    assert "version: 4 → 5" in err.value.user_message
    assert [c.field for c in err.value.changes] == ["version", "lastModifiedTime"]


def test_restore_refuses_when_content_differs_without_a_marker() -> None:
    snapshot = gate(rules=[rule("Everyone", 40, base_id="r")]).to_api()
    edited = gate(isEnabled=False, rules=[rule("Everyone", 0, base_id="r")])
    with pytest.raises(RestoreRefused) as err:
        Restore("checkout_v2", snapshot).plan(current(edited))
    assert err.value.rule_changes[0].changes[0].after == 0
    reenabled = gate(rules=[rule("Everyone", 40, base_id="r")])
    with pytest.raises(RestoreRefused, match="isEnabled"):
        Restore("checkout_v2", snapshot).plan(current(reenabled))


def test_restore_without_marker_accepts_the_killed_state() -> None:
    snapshot = gate().to_api()
    plan = Restore("checkout_v2", snapshot).plan(current(gate(isEnabled=False)))
    assert plan.changes[0].after is True
