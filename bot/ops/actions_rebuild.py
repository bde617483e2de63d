"""Rebuild an action from a stored plan, and judge an entity against a plan.

An approval request lives in Redis for hours and is executed by whichever replica wins the
claim, so the executor only has the :class:`~bot.ops.plans.Plan`: its ``action`` names the
class and its ``change`` holds the parameters execution uses. The rebuilt action executes
exactly what was approved (``execute`` reads ``plan.change``, not the command text).

Usage::

    action = action_from_plan(plan)               # PlanError if the plan cannot be rebuilt
    outcome = await action.execute(client, plan)
    intended_state_observed(action, plan, entity) # after an interrupted execution
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.ops.actions import (
    Action,
    ConfigDisable,
    ConfigEnable,
    ExperimentAbandon,
    ExperimentDecide,
    ExperimentStart,
    GateArchive,
    GateDisable,
    GateEnable,
    GateLaunch,
    GateOverride,
    GateRollout,
    IncidentKill,
    Restore,
    SegmentAddIds,
    SegmentRemoveIds,
)
from bot.ops.actions_base import ActionBase, Entity, PlanError
from bot.ops.plans import OutcomeStatus, Plan

__all__ = ["action_from_plan", "intended_state_observed"]


def _ids(plan: Plan) -> tuple[str, ...]:
    ids = tuple(str(i) for i in plan.change.get("ids") or ())
    if not ids:
        raise PlanError(f"The stored plan for {plan.entity_id} names no IDs.")
    return ids


def _restore(plan: Plan) -> Action:
    snapshot = {
        "id": plan.entity_id,
        "isEnabled": bool(plan.change.get("isEnabled")),
        "rules": list(plan.change.get("rules") or []),
    }
    return Restore(plan.entity_id, snapshot, reason=plan.reason)


_BUILDERS: dict[str, Callable[[Plan], Action]] = {
    "gate.enable": lambda p: GateEnable(p.entity_id, reason=p.reason),
    "gate.disable": lambda p: GateDisable(p.entity_id, reason=p.reason),
    "gate.launch": lambda p: GateLaunch(p.entity_id, reason=p.reason),
    "gate.archive": lambda p: GateArchive(p.entity_id, reason=p.reason),
    "gate.rollout": lambda p: GateRollout(
        p.entity_id,
        float(p.change["passPercentage"]),
        rule=str(p.change.get("baseID") or p.change.get("ruleID") or p.change.get("ruleName")),
        reason=p.reason,
    ),
    "gate.override": lambda p: GateOverride(
        p.entity_id,
        p.change["mode"],
        _ids(p),
        environment=p.change.get("environment"),
        reason=p.reason,
    ),
    "config.enable": lambda p: ConfigEnable(p.entity_id, reason=p.reason),
    "config.disable": lambda p: ConfigDisable(p.entity_id, reason=p.reason),
    "experiment.start": lambda p: ExperimentStart(p.entity_id, reason=p.reason),
    "experiment.abandon": lambda p: ExperimentAbandon(
        p.entity_id, reason=str(p.change.get("decisionReason") or p.reason)
    ),
    "experiment.decide": lambda p: ExperimentDecide(
        p.entity_id, str(p.change["groupID"]), reason=str(p.change.get("decisionReason") or "")
    ),
    "segment.add-ids": lambda p: SegmentAddIds(p.entity_id, _ids(p), reason=p.reason),
    "segment.remove-ids": lambda p: SegmentRemoveIds(p.entity_id, _ids(p), reason=p.reason),
    "incident.kill": lambda p: IncidentKill(p.entity_id, reason=p.reason),
    "incident.restore": _restore,
}


def action_from_plan(plan: Plan) -> Action:
    """The action that executes ``plan``; :class:`PlanError` if the plan cannot be rebuilt."""
    builder = _BUILDERS.get(plan.action)
    if builder is None:
        raise PlanError(f"Unknown action {plan.action!r} in a stored plan.")
    try:
        return builder(plan)
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, PlanError):
            raise
        raise PlanError(f"The stored plan for {plan.entity_id} is incomplete ({exc}).") from None


def intended_state_observed(action: Action, plan: Plan, entity: Entity) -> bool:
    """Whether ``entity`` (read from Statsig) already shows what ``plan`` meant to do.

    Used after an interrupted execution: ``True`` proves the change landed. Actions that
    cannot tell from the entity alone (overrides, segment lists) answer ``False``, so the
    request is reported interrupted rather than wrongly done.
    """
    if not isinstance(action, ActionBase):
        return False
    judge: Callable[[Plan, Any], Any] = action.judge
    try:
        return bool(judge(plan, entity).status is OutcomeStatus.APPLIED)
    except (NotImplementedError, KeyError, TypeError, AttributeError):
        return False
