"""Actions: one class per mutation the bot can make, and the registry of them.

Every action is a small frozen dataclass built from explicit parameters and runs in
three steps::

    current = await action.load(client)       # reads: entity, references, review settings
    plan = action.plan(current)               # pure: before → after, blast radius, warnings
    outcome = await action.execute(client, plan)   # mutate, read back, verify

``plan`` raises :class:`PlanError` (``user_message``) when the request cannot be planned;
``load`` lets :class:`~bot.statsig.errors.ConsoleError` through when the entity cannot be
read; ``execute`` never raises for Statsig errors: they become ``Outcome(status=FAILED)``.
A change Statsig holds for review ends as ``PENDING_REVIEW``, never as applied. Before
executing an approved plan, :func:`check_base` tells whether the entity moved.

The registry maps the policy's action strings (``"gate.disable"``) to the classes, so
the approval store can keep the action name and the surfaces can list what exists.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Protocol

from bot.ops.actions_base import Current, PlanError, References
from bot.ops.actions_client import ConsoleAPI
from bot.ops.actions_config import ConfigDisable, ConfigEnable
from bot.ops.actions_experiment import ExperimentAbandon, ExperimentDecide, ExperimentStart
from bot.ops.actions_gate import GateArchive, GateDisable, GateEnable, GateLaunch, GateRollout
from bot.ops.actions_incident import IncidentKill, Restore, RestoreRefused
from bot.ops.actions_override import GateOverride
from bot.ops.actions_segment import SegmentAddIds, SegmentRemoveIds
from bot.ops.actions_stale import Staleness, check_base
from bot.ops.plans import EntityKind, Outcome, Plan

__all__ = [
    "ACTIONS",
    "Action",
    "ConfigDisable",
    "ConfigEnable",
    "ConsoleAPI",
    "Current",
    "ExperimentAbandon",
    "ExperimentDecide",
    "ExperimentStart",
    "GateArchive",
    "GateDisable",
    "GateEnable",
    "GateLaunch",
    "GateOverride",
    "GateRollout",
    "IncidentKill",
    "PlanError",
    "References",
    "Restore",
    "RestoreRefused",
    "SegmentAddIds",
    "SegmentRemoveIds",
    "Staleness",
    "action_class",
    "check_base",
]


class Action(Protocol):
    """What every action offers; see the module docstring for the three steps."""

    action: ClassVar[str]
    entity_kind: ClassVar[EntityKind]
    absolute: ClassVar[bool]

    @property
    def entity_id(self) -> str: ...

    @property
    def reason(self) -> str: ...

    async def load(self, client: ConsoleAPI) -> Current[Any]: ...

    def plan(self, current: Current[Any]) -> Plan: ...

    async def execute(self, client: ConsoleAPI, plan: Plan) -> Outcome: ...


ACTIONS: Mapping[str, type[Action]] = {
    cls.action: cls
    for cls in (
        GateEnable,
        GateDisable,
        GateRollout,
        GateOverride,
        GateLaunch,
        GateArchive,
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
"""Action string (the policy's ``noun.verb``) → action class."""


def action_class(name: str) -> type[Action]:
    """The class for an action string; ``KeyError`` names the known ones."""
    try:
        return ACTIONS[name]
    except KeyError:
        known = ", ".join(sorted(ACTIONS))
        raise KeyError(f"unknown action {name!r}; known: {known}") from None
