"""Plans against the demo project: no-ops say why, unknown environments are refused,
references that were not read are never shown as zero."""

from __future__ import annotations

import pytest

from bot.ops.actions.base import Action, PlanError
from bot.ops.actions.config import ConfigDisable
from bot.ops.actions.experiment import ExperimentStart
from bot.ops.actions.gate import GateEnable, GateRollout
from bot.ops.actions.incident import IncidentKill
from bot.ops.actions.override import GateOverride
from bot.ops.actions.segment import SegmentAddIds
from bot.render.plans import render_plan
from bot.shell.render import render_text
from tests.ops.service_support import sandbox_client

NOOPS: list[tuple[Action, str]] = [
    (ExperimentStart("pricing_test"), "pricing_test is already running."),
    (
        GateOverride("new_nav", "remove", ("u9",)),
        "u9 has no override on new_nav: nothing to remove.",
    ),
    (
        GateOverride("new_nav", "remove", ("u8", "u9"), environment="staging"),
        "u8 and u9 have no override on new_nav in staging: nothing to remove.",
    ),
    (IncidentKill("legacy_banner"), "legacy_banner is already disabled."),
    (GateEnable("new_nav"), "new_nav is already enabled."),
    (GateRollout("new_nav", 10), "rule Rollout already passes 10%."),
]


@pytest.mark.parametrize(("action", "why"), NOOPS, ids=[a.action for a, _ in NOOPS])
async def test_a_request_already_satisfied_plans_as_a_noop_saying_why(
    action: Action, why: str
) -> None:
    async with sandbox_client() as (client, _):
        plan = action.plan(await action.load(client))
    assert plan.is_noop, plan
    assert why in plan.warnings
    assert not any("already has these overrides" in w for w in plan.warnings)


async def test_an_unknown_environment_is_refused_with_the_projects_and_a_suggestion() -> None:
    async with sandbox_client() as (client, _):
        for typed, hint in (("nowhere", ""), ("stagin", " Did you mean staging?")):
            action = GateOverride("new_nav", "pass", ("u1",), environment=typed)
            current = await action.load(client)
            with pytest.raises(PlanError) as err:
                action.plan(current)
            assert err.value.user_message == (
                f"The project has no environment {typed!r}. Its environments: "
                f"development, staging, production.{hint}"
            )


@pytest.mark.parametrize(
    "action",
    [
        ExperimentStart("onboarding_tour"),
        SegmentAddIds("beta_users", ("u1",)),
        ConfigDisable("checkout_config"),
    ],
    ids=["experiment", "segment", "config"],
)
async def test_plans_without_references_say_not_checked(action: Action) -> None:
    async with sandbox_client() as (client, _):
        plan = action.plan(await action.load(client))
    assert plan.blast_radius.reference_count is None
    text = render_text(render_plan(plan))
    assert "Used by" in text and "not checked" in text and "0 gates" not in text
    assert "fast path" not in text


async def test_a_gate_plan_counts_its_references() -> None:
    async with sandbox_client() as (client, _):
        action = IncidentKill("checkout_v2")
        kill = action.plan(await action.load(client))
        ramp = GateRollout("checkout_v2", 5)
        rollout = ramp.plan(await ramp.load(client))
    assert kill.blast_radius.reference_count is None
    assert rollout.blast_radius.reference_count == 8
    assert "6 gates, 1 experiment, 1 config" in render_text(render_plan(rollout))


async def test_segment_plans_say_ids_not_overrides() -> None:
    async with sandbox_client() as (client, _):
        action = SegmentAddIds("beta_users", ("u1", "u2", "u3"))
        plan = action.plan(await action.load(client))
    text = render_text(render_plan(plan))
    assert "IDs added (3): u1, u2, u3" in text and "overrides" not in text
