"""Pure tests for kill and restore plans, and the restore refusal."""

from __future__ import annotations

import pytest

from bot.ops.actions.base import Current
from bot.ops.actions.incident import IncidentKill, Restore, RestoreRefused
from bot.ops.model.plans import OutcomeStatus
from bot.render.plans import render_plan
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
    assert outcome.review_id == "rev7" and "rev7" not in outcome.message
    assert outcome.message.startswith("Gate checkout_v2 is still ON (not disabled yet)")


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
    message = err.value.user_message
    assert "checkout_v2 changed since the kill (last saved 2023-11-14 22:16 UTC)" in message
    assert "`gate enable checkout_v2` turns it back on without touching the rules." in message
    assert "another setting was edited" in message
    assert "version" not in message and "lastModifiedTime" not in message  # no noise
    assert err.value.changes == []


def test_restore_refuses_when_content_differs_without_a_marker() -> None:
    snapshot = gate(rules=[rule("Everyone", 40, base_id="r")]).to_api()
    edited = gate(isEnabled=False, rules=[rule("Everyone", 0, base_id="r")])
    with pytest.raises(RestoreRefused) as err:
        Restore("checkout_v2", snapshot).plan(current(edited))
    assert err.value.rule_changes[0].changes[0].after == 0
    moved_on = gate(rules=[rule("Everyone", 55, base_id="r")])
    with pytest.raises(
        RestoreRefused, match="enabled: before the kill on · at kill time off · now on"
    ):
        Restore("checkout_v2", snapshot).plan(current(moved_on))


def test_restore_without_marker_accepts_the_killed_state() -> None:
    snapshot = gate().to_api()
    plan = Restore("checkout_v2", snapshot).plan(current(gate(isEnabled=False)))
    assert plan.changes[0].after is True


def test_a_second_restore_is_a_noop_saying_it_is_already_restored() -> None:
    snapshot = gate(rules=[rule("Everyone", 40, base_id="r")]).to_api()
    restored = gate(version=6, rules=[rule("Everyone", 40, base_id="r2")])
    restore = Restore("checkout_v2", snapshot, after_kill=_killed())
    plan = restore.plan(current(restored))  # edited since the kill, by the first restore
    assert plan.is_noop
    assert plan.warnings == [
        "checkout_v2 is already restored: its on/off state and rules match the snapshot "
        "taken before the kill."
    ]


def test_the_refusal_diff_reads_one_field_a_line_in_json_words() -> None:
    snapshot = gate(rules=[rule("Everyone", 40, base_id="r")]).to_api()
    moved = gate(
        isEnabled=True,
        version=5,
        lastModifiedTime=1_700_000_200_000,
        rules=[rule("Everyone", 70, base_id="r", envs=["production"])],
    )
    with pytest.raises(RestoreRefused) as err:
        Restore("checkout_v2", snapshot, after_kill=_killed()).plan(current(moved))
    lines = err.value.user_message.splitlines()
    assert lines[0].startswith("Not restoring: checkout_v2 changed since the kill (last saved ")
    assert lines[1:] == [
        "enabled: before the kill on · at kill time off · now on",
        "rule Everyone pass %: before the kill 40 · at kill time 10 · now 70",
        'rule Everyone environments: before the kill null · at kill time null · now ["production"]',
        "checkout_v2 is already on; change its rules with the gate commands if needed.",
    ]


def test_a_refused_restore_after_a_plain_disable_says_so() -> None:
    snapshot = gate(rules=[rule("Everyone", 40, base_id="r")]).to_api()
    edited = gate(isEnabled=False, rules=[rule("Everyone", 0, base_id="r")])
    with pytest.raises(RestoreRefused) as err:
        Restore("checkout_v2", snapshot, source="gate.disable").plan(current(edited))
    message = err.value.user_message
    assert "checkout_v2 changed since it was disabled" in message
    assert "rule Everyone pass %: before it was disabled 40 · when disabled 40 · now 0" in message
    assert message.endswith(
        "`gate enable checkout_v2` turns it back on without touching the rules."
    )


def test_a_kill_plan_says_references_were_not_checked_not_zero() -> None:
    plan = IncidentKill("checkout_v2").plan(Current(entity=gate()))
    radius = plan.blast_radius
    assert radius.gate_references is None and radius.reference_count is None
    text = str(render_plan(plan).blocks)
    assert "not checked (kills skip this to stay fast)" in text and "0 gates" not in text
