"""Actions end to end: ConsoleClient → httpx.ASGITransport → the sandbox emulator."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from bot.ops.actions.config import ConfigDisable
from bot.ops.actions.experiment import ExperimentAbandon, ExperimentDecide, ExperimentStart
from bot.ops.actions.gate import GateDisable, GateEnable, GateRollout
from bot.ops.actions.incident import IncidentKill, Restore, RestoreRefused
from bot.ops.actions.override import GateOverride
from bot.ops.actions.segment import SegmentAddIds, SegmentRemoveIds
from bot.ops.actions.stale import check_base
from bot.ops.model.plans import OutcomeStatus
from bot.sandbox import SandboxState, create_sandbox_app
from bot.sandbox import reviews as sandbox_reviews
from bot.sandbox.entities import (
    everyone,
    make_config,
    make_experiment,
    make_rule,
    make_segment,
)
from bot.statsig.client import ConsoleClient
from bot.statsig.limiter import MutationLimiter
from tests.statsig.helpers import FakeClock

EVERYONE_BASE = "checkout_v2_everyone"


@dataclass
class Env:
    client: ConsoleClient
    app: Starlette

    @property
    def state(self) -> SandboxState:
        state: SandboxState = self.app.state.sandbox
        return state

    @property
    def log(self) -> list[Any]:
        log: list[Any] = self.app.state.request_log
        return log


def _sandbox() -> SandboxState:
    state = SandboxState.empty()
    rule = make_rule("checkout_v2", 0, "Everyone", 10, [everyone()], environments=["production"])
    state.add_gate("checkout_v2", rules=[rule], checksPerHour=500, tags=["checkout"])
    state.add_gate(
        "reviewed_gate",
        rules=[make_rule("reviewed_gate", 0, "Everyone", 100, [everyone()])],
        reviewSettings={"requiredReview": True, "allowedReviewers": []},
    )
    now = state.clock_ms()
    state.configs["checkout_params"] = make_config("checkout_params", now_ms=now)
    state.experiments["pricing_test"] = make_experiment("pricing_test", now_ms=now)
    state.segments["beta"] = make_segment("beta", now_ms=now, segment_type="id_list", count=2)
    state.segment_ids["beta"] = ["u1", "u2"]
    return state


@pytest.fixture
async def env() -> AsyncIterator[Env]:
    app = create_sandbox_app(_sandbox())
    client = ConsoleClient(
        "console-test-key", base_url="http://sandbox.test", transport=httpx.ASGITransport(app=app)
    )
    async with client:
        yield Env(client, app)


async def _run(env: Env, action: Any) -> Any:
    plan = action.plan(await action.load(env.client))
    return plan, await action.execute(env.client, plan)


async def test_disable_verifies_and_second_disable_is_noop(env: Env) -> None:
    plan, outcome = await _run(env, GateDisable("checkout_v2", "INC-1"))
    assert outcome.status is OutcomeStatus.APPLIED
    assert env.state.gates["checkout_v2"]["isEnabled"] is False
    assert outcome.after["isEnabled"] is False
    assert plan.blast_radius.checks_per_hour == 500
    assert plan.blast_radius.environments == ["production"]
    mutations = [r for r in env.log if r.method != "GET"]
    _, again = await _run(env, GateDisable("checkout_v2"))
    assert again.status is OutcomeStatus.NOOP
    assert [r for r in env.log if r.method != "GET"] == mutations


async def test_rollout_verifies_the_rule(env: Env) -> None:
    plan, outcome = await _run(env, GateRollout("checkout_v2", 35, reason="ramp"))
    assert outcome.status is OutcomeStatus.APPLIED, outcome
    [rule] = env.state.gates["checkout_v2"]["rules"]
    assert rule["passPercentage"] == 35
    assert plan.rule_changes[0].changes[0].before == 10


async def test_override_add_then_remove(env: Env) -> None:
    _, added = await _run(env, GateOverride("checkout_v2", "pass", ("u1", "u2")))
    assert added.status is OutcomeStatus.APPLIED, added
    staged = GateOverride("checkout_v2", "fail", ("u9",), environment="staging")
    _, env_added = await _run(env, staged)
    assert env_added.status is OutcomeStatus.APPLIED, env_added
    stored = env.state.gate_overrides["checkout_v2"]
    assert stored["passingUserIDs"] == ["u1", "u2"]
    assert [(e["environment"], e["failingIDs"]) for e in stored["environmentOverrides"]] == [
        ("staging", ["u9"])
    ]
    plan, removed = await _run(env, GateOverride("checkout_v2", "remove", ("u1",)))
    assert plan.overrides_removed == ["pass:u1"]
    assert removed.status is OutcomeStatus.APPLIED, removed
    stored = env.state.gate_overrides["checkout_v2"]
    assert stored["passingUserIDs"] == ["u2"]
    assert stored["environmentOverrides"][0]["failingIDs"] == ["u9"]


async def test_experiment_start_decide_and_abandon(env: Env) -> None:
    _, started = await _run(env, ExperimentStart("pricing_test"))
    assert started.status is OutcomeStatus.APPLIED, started
    assert env.state.experiments["pricing_test"]["status"] == "active"
    _, decided = await _run(env, ExperimentDecide("pricing_test", "Test", "won"))
    assert decided.status is OutcomeStatus.APPLIED, decided
    assert env.state.experiments["pricing_test"]["launchedGroupID"] == "test"


async def test_experiment_abandon(env: Env) -> None:
    await _run(env, ExperimentStart("pricing_test"))
    _, abandoned = await _run(env, ExperimentAbandon("pricing_test", "no signal"))
    assert abandoned.status is OutcomeStatus.APPLIED, abandoned
    assert env.state.experiments["pricing_test"]["status"] == "abandoned"


async def test_config_disable(env: Env) -> None:
    _, outcome = await _run(env, ConfigDisable("checkout_params"))
    assert outcome.status is OutcomeStatus.APPLIED, outcome
    assert env.state.configs["checkout_params"]["isEnabled"] is False


async def test_review_required_gate_ends_pending_then_applies_on_commit(env: Env) -> None:
    plan, outcome = await _run(env, GateDisable("reviewed_gate"))
    assert plan.review_required
    assert outcome.status is OutcomeStatus.PENDING_REVIEW
    assert outcome.review_id and not outcome.succeeded
    assert env.state.gates["reviewed_gate"]["isEnabled"] is True
    sandbox_reviews.commit(env.state, outcome.review_id)
    assert (await env.client.get_gate("reviewed_gate")).is_enabled is False


async def test_statsig_error_becomes_failed_outcome(env: Env) -> None:
    plan = GateDisable("checkout_v2").plan(await GateDisable("checkout_v2").load(env.client))
    del env.state.gates["checkout_v2"]
    outcome = await GateDisable("checkout_v2").execute(env.client, plan)
    assert outcome.status is OutcomeStatus.FAILED
    assert outcome.error == "Statsig has no gate called checkout_v2."
    assert "console-test-key" not in outcome.model_dump_json()


async def test_kill_makes_exactly_two_requests(env: Env) -> None:
    env.log.clear()
    kill = IncidentKill("checkout_v2", "INC-231")
    plan, outcome = await _run(env, kill)
    assert outcome.status is OutcomeStatus.APPLIED
    assert [(r.method, r.path) for r in env.log] == [
        ("GET", "/console/v1/gates/checkout_v2"),
        ("PUT", "/console/v1/gates/checkout_v2/disable"),
    ]
    assert plan.snapshot is not None and plan.snapshot["isEnabled"] is True


async def test_kill_on_reviewed_gate_says_not_disabled(env: Env) -> None:
    _, outcome = await _run(env, IncidentKill("reviewed_gate"))
    assert outcome.status is OutcomeStatus.PENDING_REVIEW
    assert "is still ON (not disabled yet)" in outcome.message


async def test_restore_after_kill_restores_exactly(env: Env) -> None:
    original = dict(env.state.gates["checkout_v2"])
    plan, killed = await _run(env, IncidentKill("checkout_v2"))
    restore = Restore("checkout_v2", plan.snapshot, "fixed", after_kill=killed.after)
    rplan, restored = await _run(env, restore)
    assert rplan.changes[0].after is True
    assert restored.status is OutcomeStatus.APPLIED, restored
    now = env.state.gates["checkout_v2"]
    assert now["isEnabled"] is True
    assert now["rules"] == original["rules"]


async def test_restore_refuses_after_out_of_band_touch(env: Env) -> None:
    plan, killed = await _run(env, IncidentKill("checkout_v2"))
    env.state.touch_gate("checkout_v2")
    restore = Restore("checkout_v2", plan.snapshot, after_kill=killed.after)
    with pytest.raises(RestoreRefused, match="another setting was edited"):
        restore.plan(await restore.load(env.client))


async def test_restore_refuses_after_rollout_edit(env: Env) -> None:
    plan, killed = await _run(env, IncidentKill("checkout_v2"))
    await _run(env, GateRollout("checkout_v2", 0))
    restore = Restore("checkout_v2", plan.snapshot, after_kill=killed.after)
    with pytest.raises(RestoreRefused) as err:
        restore.plan(await restore.load(env.client))
    assert "rule Everyone pass %: before the kill 10 · at kill time 10 · now 0" in (
        err.value.user_message
    )


async def test_stale_relative_plan_is_refused_with_fresh_plan(env: Env) -> None:
    action = GateRollout("checkout_v2", 50)
    plan = action.plan(await action.load(env.client))
    env.state.touch_gate("checkout_v2")
    staleness = await check_base(env.client, plan, action)
    assert staleness.stale and not staleness.proceed
    assert staleness.fresh_plan is not None
    assert staleness.fresh_plan.fingerprint() != plan.fingerprint()
    refusal = staleness.refusal()
    assert refusal.status is OutcomeStatus.FAILED and "changed in Statsig" in refusal.message


async def test_absolute_plan_proceeds_on_moved_base_with_warning(env: Env) -> None:
    action = GateDisable("checkout_v2")
    plan = action.plan(await action.load(env.client))
    fresh = await check_base(env.client, plan)
    assert not fresh.stale and fresh.proceed and fresh.warning is None
    await _run(env, GateRollout("checkout_v2", 60))
    staleness = await check_base(env.client, plan)
    assert staleness.stale and staleness.proceed
    assert staleness.warning is not None and staleness.warning.startswith("the base moved")
    assert "rule Everyone passPercentage: 10 → 60" in staleness.warning
    outcome = await action.execute(env.client, plan)
    assert outcome.status is OutcomeStatus.APPLIED


async def test_enable_after_disable(env: Env) -> None:
    await _run(env, GateDisable("checkout_v2"))
    _, outcome = await _run(env, GateEnable("checkout_v2"))
    assert outcome.status is OutcomeStatus.APPLIED


async def test_segment_ids_add_and_remove(env: Env) -> None:
    plan, added = await _run(env, SegmentAddIds("beta", ("u2", "u3")))
    assert plan.overrides_added == ["u3"]
    assert added.status is OutcomeStatus.APPLIED, added
    assert env.state.segment_ids["beta"] == ["u1", "u2", "u3"]
    plan, removed = await _run(env, SegmentRemoveIds("beta", ("u1", "u9")))
    assert plan.overrides_removed == ["u1"]
    assert removed.status is OutcomeStatus.APPLIED, removed
    assert env.state.segment_ids["beta"] == ["u2", "u3"]
    _, noop = await _run(env, SegmentRemoveIds("beta", ("u1",)))
    assert noop.status is OutcomeStatus.NOOP


async def test_project_review_setting_holds_experiment_start(env: Env) -> None:
    env.state.review_settings["is_config_review_required"] = True
    plan, outcome = await _run(env, ExperimentStart("pricing_test"))
    assert plan.review_required
    assert outcome.status is OutcomeStatus.PENDING_REVIEW, outcome
    assert env.state.experiments["pricing_test"]["status"] == "setup"
    sandbox_reviews.commit(env.state, outcome.review_id)
    assert env.state.experiments["pricing_test"]["status"] == "active"


async def test_kill_goes_through_the_priority_lane_when_bulk_work_is_full() -> None:
    """A full bulk lane must not delay the kill: it is admitted from the reserve at once."""
    clock = FakeClock()

    async def must_not_sleep(seconds: float) -> None:
        pytest.fail(f"the kill waited {seconds}s for the limiter")

    limiter = MutationLimiter(((20, 1.0),), clock=clock, sleep=must_not_sleep)
    for _ in range(18):  # 10 % of 20 is reserved for the priority lane; the rest is taken
        await limiter.acquire()
    assert limiter.delay_for() > 0  # a bulk mutation would have to wait now
    app = create_sandbox_app(_sandbox())
    transport = httpx.ASGITransport(app=app)
    async with ConsoleClient(
        "console-test-key", base_url="http://sandbox.test", transport=transport, limiter=limiter
    ) as client:
        _, outcome = await _run(Env(client, app), IncidentKill("checkout_v2", "INC-9"))
    assert outcome.status is OutcomeStatus.APPLIED
    assert app.state.sandbox.gates["checkout_v2"]["isEnabled"] is False


async def test_archived_gates_refuse_changes_and_say_how_to_unarchive(env: Env) -> None:
    """Issue 9.12: an archived gate could be enabled or rolled out with no warning."""
    from bot.ops.actions.base import PlanError
    from bot.ops.actions.gate import GateArchive, GateUnarchive

    archive = GateArchive("checkout_v2", reason="cleanup")
    await archive.execute(env.client, archive.plan(await archive.load(env.client)))
    for action in (
        GateEnable("checkout_v2"),
        GateRollout("checkout_v2", 50),
        GateOverride("checkout_v2", "pass", ("u1",)),
    ):
        with pytest.raises(PlanError) as refused:
            action.plan(await action.load(env.client))
        assert "is archived" in refused.value.user_message
        assert "`gate unarchive checkout_v2`" in refused.value.user_message
    disable = GateDisable("checkout_v2")
    assert disable.plan(await disable.load(env.client)) is not None  # turning it off is fine

    unarchive = GateUnarchive("checkout_v2", reason="back")
    plan = unarchive.plan(await unarchive.load(env.client))
    assert [(c.field, c.before, c.after) for c in plan.changes] == [
        ("status", "Archived", "In Progress")
    ]
    outcome = await unarchive.execute(env.client, plan)
    assert outcome.status is OutcomeStatus.APPLIED, outcome
    rollout = GateRollout("checkout_v2", 50)
    assert rollout.plan(await rollout.load(env.client)).change["passPercentage"] == 50
    with pytest.raises(PlanError, match="is not archived"):
        unarchive.plan(await unarchive.load(env.client))
