"""The typed results of parsing: one frozen model per command shape, and :class:`UsageError`.

Every command carries ``action`` (the policy key, ``"gate.disable"``), ``kind`` (read,
change or incident, from the registry) and ``reason`` (free text for the audit trail, ``""``
when none was given). A change command knows the action it becomes
(:meth:`~_Command.to_action`: the parser knows words, the actions know Statsig, and this is
the only place that knows both) and the entity it names (``entity``, ``renamed`` after the
name's case was resolved). :data:`COMMAND_ADAPTER` validates any of them via the ``shape`` tag.

:class:`UsageError` is a value, not an exception: the parser returns it and a surface shows
:attr:`UsageError.message`, which reads
``Error: <what>. Usage: `/statsig <form>`. Did you mean `<closest>`?``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from bot.ops.actions.base import Action
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
from bot.ops.actions.incident import IncidentKill
from bot.ops.actions.override import GateOverride
from bot.ops.actions.segment import SegmentAddIds, SegmentRemoveIds
from bot.ops.commands.registry import COMMAND_PREFIX, CommandKind
from bot.ops.model.plans import EntityKind

__all__ = [
    "COMMAND_ADAPTER",
    "ApprovalsCommand",
    "AuditCommand",
    "Command",
    "DecideCommand",
    "DecisionCommand",
    "EditCommand",
    "FreezeCommand",
    "RecentCommand",
    "HelpCommand",
    "HistoryCommand",
    "KillCommand",
    "LifecycleCommand",
    "ListCommand",
    "OverrideCommand",
    "RestoreCommand",
    "RolloutCommand",
    "SegmentIdsCommand",
    "ShowCommand",
    "ToggleCommand",
    "UsageError",
]


class _Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    action: str
    kind: CommandKind
    reason: str = ""
    override_freeze: str | None = None
    """``--override-freeze WHY`` on a change command: an admin runs it through a freeze."""

    def to_action(self) -> Action | None:
        """The action a change command becomes; ``None`` for reads, ``restore`` (its
        snapshot comes from the approval store) and ``edit`` (a Slack form)."""
        return None

    @property
    def entity(self) -> tuple[EntityKind, str] | None:
        """The entity the command names (kind, name as typed), or ``None``."""
        return None

    def renamed(self, name: str) -> Self:
        """The same command naming its entity as Statsig spells it (after case resolution)."""
        return self.model_copy(update={"name": name})


class _EntityCommand(_Command):
    """A command about one entity of ``noun``, named ``name``."""

    noun: EntityKind
    name: str

    @property
    def entity(self) -> tuple[EntityKind, str] | None:
        return self.noun, self.name


class _GateCommand(_Command):
    """A command about one gate."""

    name: str

    @property
    def entity(self) -> tuple[EntityKind, str] | None:
        return "gate", self.name


class HelpCommand(_Command):
    """``help [topic]``; ``topic`` is canonical (``"gate disable"``) or ``None`` for all."""

    shape: Literal["help"] = "help"
    topic: str | None = None


class ShowCommand(_EntityCommand):
    """``gate <name>`` / ``gate show <name>`` and the same for the other entity nouns."""

    shape: Literal["show"] = "show"


class ListCommand(_Command):
    """``<noun> list [text] …`` and ``gate search <text>`` (``action`` tells them apart)."""

    shape: Literal["list"] = "list"
    noun: EntityKind
    text: str | None = None
    tags: tuple[str, ...] = ()
    status: str | None = None  # Statsig's own spelling, e.g. "In Progress", "decision_made"
    page: int = 1


class HistoryCommand(_EntityCommand):
    shape: Literal["history"] = "history"


class ToggleCommand(_EntityCommand):
    """``gate|config enable|disable <name> [reason]``."""

    shape: Literal["toggle"] = "toggle"
    enabled: bool

    def to_action(self) -> Action | None:
        cls = _TOGGLES.get((self.noun, self.enabled))
        return None if cls is None else cls(self.name, reason=self.reason)


class LifecycleCommand(_EntityCommand):
    """``gate launch|archive`` and ``experiment start|abandon``: one-way status moves."""

    shape: Literal["lifecycle"] = "lifecycle"
    operation: Literal["launch", "archive", "unarchive", "start", "abandon"]

    def to_action(self) -> Action | None:
        cls = _LIFECYCLE.get((self.noun, self.operation))
        return None if cls is None else cls(self.name, reason=self.reason)


class RolloutCommand(_GateCommand):
    """``gate rollout <name> <pct> [--rule R]``; ``rule`` is a rule ID or name, or ``None``."""

    shape: Literal["rollout"] = "rollout"
    percentage: float = Field(ge=0, le=100)
    rule: str | None = None

    def to_action(self) -> Action:
        return GateRollout(self.name, self.percentage, self.rule, reason=self.reason)


class OverrideCommand(_GateCommand):
    shape: Literal["override"] = "override"
    mode: Literal["pass", "fail", "remove"]
    ids: tuple[str, ...]
    environment: str | None = None
    ambiguous_ids: bool = False
    """Space-separated IDs ran to the end of the line: the last words may be a reason."""

    def to_action(self) -> Action:
        return GateOverride(
            self.name, self.mode, self.ids, environment=self.environment, reason=self.reason
        )


class DecideCommand(_Command):
    shape: Literal["decide"] = "decide"
    name: str
    group: str

    def to_action(self) -> Action:
        return ExperimentDecide(self.name, self.group, reason=self.reason)

    @property
    def entity(self) -> tuple[EntityKind, str] | None:
        return "experiment", self.name


class SegmentIdsCommand(_Command):
    shape: Literal["segment_ids"] = "segment_ids"
    name: str
    operation: Literal["add", "remove"]
    ids: tuple[str, ...]
    ambiguous_ids: bool = False
    """Space-separated IDs ran to the end of the line: the last words may be a reason."""

    def to_action(self) -> Action:
        cls = SegmentAddIds if self.operation == "add" else SegmentRemoveIds
        return cls(self.name, self.ids, reason=self.reason)

    @property
    def entity(self) -> tuple[EntityKind, str] | None:
        return "segment", self.name


class KillCommand(_Command):
    shape: Literal["kill"] = "kill"
    gate: str
    window: timedelta | None = None
    """``--for D``: how long the gate stays off before the reminder (or the restore)."""
    auto_restore: bool = False

    def to_action(self) -> Action:
        window = self.window.total_seconds() if self.window is not None else None
        return IncidentKill(
            self.gate, reason=self.reason, window_s=window, auto_restore=self.auto_restore
        )

    @property
    def entity(self) -> tuple[EntityKind, str] | None:
        return "gate", self.gate

    def renamed(self, name: str) -> Self:
        return self.model_copy(update={"gate": name})


class RestoreCommand(_Command):
    """``restore <request-id|gate>``: the core decides which of the two ``target`` is."""

    shape: Literal["restore"] = "restore"
    target: str
    anyway: bool = False
    """``--anyway``: restore the snapshot over edits made since the kill."""


class ApprovalsCommand(_Command):
    """``approvals`` (all open), ``approvals mine`` (I asked), ``approvals pending`` (for me)."""

    shape: Literal["approvals"] = "approvals"
    scope: Literal["all", "mine", "pending"] = "all"


class DecisionCommand(_Command):
    """``approve <id>``, ``reject <id> <reason>``, ``cancel <id>``: what a button does."""

    shape: Literal["decision"] = "decision"
    verb: Literal["approve", "reject", "cancel"]
    request_id: str


class FreezeCommand(_Command):
    """``freeze`` (status), ``freeze on <reason> [--for D]``, ``freeze off [reason]``."""

    shape: Literal["freeze"] = "freeze"
    switch: Literal["status", "on", "off"] = "status"
    duration: timedelta | None = None


class RecentCommand(_Command):
    """``recent [D] [--tag T]``: the incident commander's first question."""

    shape: Literal["recent"] = "recent"
    window: timedelta = timedelta(hours=2)
    tags: tuple[str, ...] = ()


class AuditCommand(_Command):
    shape: Literal["audit"] = "audit"
    name: str | None = None
    since: timedelta | None = None


class EditCommand(_EntityCommand):
    shape: Literal["edit"] = "edit"


Command = Annotated[
    HelpCommand
    | ShowCommand
    | ListCommand
    | HistoryCommand
    | ToggleCommand
    | LifecycleCommand
    | RolloutCommand
    | OverrideCommand
    | DecideCommand
    | SegmentIdsCommand
    | KillCommand
    | RestoreCommand
    | FreezeCommand
    | RecentCommand
    | ApprovalsCommand
    | DecisionCommand
    | AuditCommand
    | EditCommand,
    Field(discriminator="shape"),
]

COMMAND_ADAPTER: TypeAdapter[Command] = TypeAdapter(Command)


_TOGGLES: dict[tuple[str, bool], type[GateEnable | GateDisable | ConfigEnable | ConfigDisable]] = {
    ("gate", True): GateEnable,
    ("gate", False): GateDisable,
    ("config", True): ConfigEnable,
    ("config", False): ConfigDisable,
}
_LIFECYCLE: dict[
    tuple[str, str],
    type[GateLaunch | GateArchive | GateUnarchive | ExperimentStart | ExperimentAbandon],
] = {
    ("gate", "launch"): GateLaunch,
    ("gate", "archive"): GateArchive,
    ("gate", "unarchive"): GateUnarchive,
    ("experiment", "start"): ExperimentStart,
    ("experiment", "abandon"): ExperimentAbandon,
}


def _either(options: tuple[str, ...]) -> str:
    quoted = [f"`{o}`" for o in options]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


@dataclass(frozen=True, slots=True)
class UsageError:
    """What to tell the user instead of running anything.

    ``problem`` is one sentence without the final full stop; ``usage`` is the closest correct
    form without the ``/statsig`` prefix; ``suggestions`` are what they probably meant.
    """

    problem: str
    usage: str | None = None
    suggestions: tuple[str, ...] = ()

    def render(self, prefix: str = COMMAND_PREFIX) -> str:
        """The one-paragraph reply; the shell passes ``prefix=""`` to show bare commands."""
        parts = [f"Error: {self.problem}."]
        if self.usage:
            form = f"{prefix} {self.usage}" if prefix else self.usage
            parts.append(f"Usage: `{form}`.")
        if self.suggestions:
            parts.append(f"Did you mean {_either(self.suggestions)}?")
        return " ".join(parts)

    @property
    def message(self) -> str:
        return self.render()

    def __str__(self) -> str:
        return self.message
