"""Parsed change commands → the actions that plan and execute them.

The parser knows words, the actions know Statsig; this table is the only place that
knows both. Reads, ``restore`` (whose snapshot comes from the approval store) and
``edit`` (a Slack modal) have no action here and map to ``None``.

Usage::

    action = to_action(parse("gate rollout new_nav 25 ramp"))   # GateRollout("new_nav", 25.0, …)
"""

from __future__ import annotations

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
    SegmentAddIds,
    SegmentRemoveIds,
)
from bot.ops.command_models import (
    Command,
    DecideCommand,
    KillCommand,
    LifecycleCommand,
    OverrideCommand,
    RolloutCommand,
    SegmentIdsCommand,
    ToggleCommand,
)
from bot.ops.plans import EntityKind

__all__ = ["entity_of", "to_action", "with_name"]

_TOGGLES: dict[tuple[str, bool], Any] = {
    ("gate", True): GateEnable,
    ("gate", False): GateDisable,
    ("config", True): ConfigEnable,
    ("config", False): ConfigDisable,
}
_LIFECYCLE: dict[tuple[str, str], Any] = {
    ("gate", "launch"): GateLaunch,
    ("gate", "archive"): GateArchive,
    ("experiment", "start"): ExperimentStart,
    ("experiment", "abandon"): ExperimentAbandon,
}


def to_action(command: Command) -> Action | None:
    """The action for a change command; ``None`` for anything that is not one."""
    match command:
        case ToggleCommand(noun=noun, name=name, enabled=enabled, reason=reason):
            cls = _TOGGLES.get((noun, enabled))
            return None if cls is None else cls(name, reason=reason)
        case LifecycleCommand(noun=noun, name=name, operation=op, reason=reason):
            cls = _LIFECYCLE.get((noun, op))
            return None if cls is None else cls(name, reason=reason)
        case RolloutCommand(name=name, percentage=pct, rule=rule, reason=reason):
            return GateRollout(name, pct, rule, reason=reason)
        case OverrideCommand(name=name, mode=mode, ids=ids, environment=env, reason=reason):
            return GateOverride(name, mode, ids, environment=env, reason=reason)
        case DecideCommand(name=name, group=group, reason=reason):
            return ExperimentDecide(name, group, reason=reason)
        case SegmentIdsCommand(name=name, operation=op, ids=ids, reason=reason):
            cls_ids = SegmentAddIds if op == "add" else SegmentRemoveIds
            return cls_ids(name, ids, reason=reason)
        case KillCommand(gate=gate, reason=reason):
            return IncidentKill(gate, reason=reason)
    return None


def entity_of(command: Command) -> tuple[EntityKind, str] | None:
    """The entity a command names (kind, name as typed), or ``None``."""
    match command:
        case KillCommand(gate=gate):
            return "gate", gate
        case RolloutCommand(name=name) | OverrideCommand(name=name):
            return "gate", name
        case DecideCommand(name=name):
            return "experiment", name
        case SegmentIdsCommand(name=name):
            return "segment", name
    noun: object = getattr(command, "noun", None)
    typed: object = getattr(command, "name", None)
    if noun in ("gate", "config", "experiment", "segment") and isinstance(typed, str):
        return noun, typed
    return None


def with_name(command: Command, name: str) -> Command:
    """The same command naming the entity as Statsig spells it (after case resolution)."""
    field = "gate" if isinstance(command, KillCommand) else "name"
    return command.model_copy(update={field: name})
