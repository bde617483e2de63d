"""The registry of actions: the one list of what the bot can change, and what each action is.

Every action is a small frozen dataclass built from explicit parameters and runs in
three steps::

    current = await action.load(client)       # reads: entity, references, review settings
    plan = action.plan(current)               # pure: before → after, blast radius, warnings
    outcome = await action.execute(client, plan)   # mutate, read back, verify

``plan`` raises :class:`~bot.ops.actions.base.PlanError` (``user_message``) when the request
cannot be planned; ``load`` lets :class:`~bot.statsig.errors.ConsoleError` through when the
entity cannot be read; ``execute`` never raises for Statsig errors: they become
``Outcome(status=FAILED)``. A change Statsig holds for review ends as ``PENDING_REVIEW``,
never as applied.

An approval request lives in Redis for hours and is executed by whichever replica wins the
claim, so the executor only has the stored :class:`~bot.ops.model.plans.Plan`: its
``action`` names the class here, and :func:`action_from_plan` rebuilds the action that
executes exactly what was approved. What an action *is* (its words, incident, lock-exempt,
announced, restorable) is a class attribute of the action; the helpers below answer it for
an action key read back from a request, where the key may be unknown (an older release).

Usage::

    action = action_from_plan(plan)               # PlanError if the plan cannot be rebuilt
    outcome = await action.execute(client, plan)
    is_announced(request.action)                  # kill and restore post loudly
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.ops.actions.base import Action, Entity, PlanError
from bot.ops.actions.config import ConfigDisable, ConfigEnable
from bot.ops.actions.experiment import ExperimentAbandon, ExperimentDecide, ExperimentStart
from bot.ops.actions.gate import (
    GateArchive,
    GateDisable,
    GateEnable,
    GateLaunch,
    GateRollout,
    GateUnarchive,
)
from bot.ops.actions.incident import IncidentKill, Restore
from bot.ops.actions.override import GateOverride
from bot.ops.actions.segment import SegmentAddIds, SegmentRemoveIds
from bot.ops.model.plans import OutcomeStatus, Plan

__all__ = [
    "ACTIONS",
    "KILL_ACTION",
    "RESTORE_ACTION",
    "action_class",
    "action_from_plan",
    "action_words",
    "intended_state_observed",
    "is_announced",
    "is_incident",
    "is_lock_exempt",
    "is_restorable",
]

ACTIONS: Mapping[str, type[Action]] = {
    cls.action: cls
    for cls in (
        GateEnable,
        GateDisable,
        GateRollout,
        GateOverride,
        GateLaunch,
        GateArchive,
        GateUnarchive,
        ConfigEnable,
        ConfigDisable,
        ExperimentStart,
        ExperimentAbandon,
        ExperimentDecide,
        SegmentAddIds,
        SegmentRemoveIds,
        IncidentKill,
        Restore,
    )
}
"""Action key (the policy's ``noun.verb``) → action class."""

KILL_ACTION = IncidentKill.action
RESTORE_ACTION = Restore.action


def action_class(name: str) -> type[Action]:
    """The class for an action key; ``KeyError`` names the known ones."""
    try:
        return ACTIONS[name]
    except KeyError:
        known = ", ".join(sorted(ACTIONS))
        raise KeyError(f"unknown action {name!r}; known: {known}") from None


def action_words(action: str) -> str:
    """``gate.rollout`` → ``roll out gate``; an unknown key (``gate.edit``) in its words."""
    cls = ACTIONS.get(action)
    if cls is not None:
        return cls.words
    return action.replace("_", " ").replace(".", " ").replace("-", " ")


def is_incident(action: str) -> bool:
    """Kill and restore: incident mode, announced like one however they ran."""
    cls = ACTIONS.get(action)
    return cls is not None and cls.incident


def is_lock_exempt(action: str) -> bool:
    """Whether the action runs while another open request holds its entity (a kill)."""
    cls = ACTIONS.get(action)
    return cls is not None and cls.lock_exempt


def is_announced(action: str) -> bool:
    """Whether an executed request of this action is posted loudly (kill, restore)."""
    cls = ACTIONS.get(action)
    return cls is not None and cls.announced


def is_restorable(action: str) -> bool:
    """Whether an executed request of this action left a snapshot to restore (kill, disable)."""
    cls = ACTIONS.get(action)
    return cls is not None and cls.restorable


def action_from_plan(plan: Plan) -> Action:
    """The action that executes ``plan``; :class:`PlanError` if the plan cannot be rebuilt."""
    cls = ACTIONS.get(plan.action)
    if cls is None:
        raise PlanError(f"Unknown action {plan.action!r} in a stored plan.")
    try:
        return cls.from_plan(plan)
    except PlanError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise PlanError(f"The stored plan for {plan.entity_id} is incomplete ({exc}).") from None


def intended_state_observed(action: Action, plan: Plan, entity: Entity) -> bool:
    """Whether ``entity`` (read from Statsig) already shows what ``plan`` meant to do.

    Used after an interrupted execution: ``True`` proves the change landed. Actions that
    cannot tell from the entity alone (overrides, segment lists) answer ``False``, so the
    request is reported interrupted rather than wrongly done.
    """
    try:
        return action.judge(plan, entity).status is OutcomeStatus.APPLIED
    except (NotImplementedError, KeyError, TypeError, AttributeError):
        return False
