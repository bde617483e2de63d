"""The typed results of parsing: one frozen model per command shape, and :class:`UsageError`.

Every command carries ``action`` (the policy key, ``"gate.disable"``), ``kind`` (read,
change or incident, from the registry) and ``reason`` (free text for the audit trail, ``""``
when none was given). Models are pydantic so that a command can be stored with an approval
request and read back: :data:`COMMAND_ADAPTER` validates any of them via the ``shape`` tag.

:class:`UsageError` is a value, not an exception: the parser returns it and a surface shows
:attr:`UsageError.message`, which reads
``Error: <what>. Usage: `/statsig <form>`. Did you mean `<closest>`?``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from bot.ops.plans import EntityKind
from bot.ops.registry import COMMAND_PREFIX, CommandKind

__all__ = [
    "COMMAND_ADAPTER",
    "ApprovalsCommand",
    "AuditCommand",
    "Command",
    "DecideCommand",
    "EditCommand",
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


class HelpCommand(_Command):
    """``help [topic]``; ``topic`` is canonical (``"gate disable"``) or ``None`` for all."""

    shape: Literal["help"] = "help"
    topic: str | None = None


class ShowCommand(_Command):
    """``gate <name>`` / ``gate show <name>`` and the same for the other entity nouns."""

    shape: Literal["show"] = "show"
    noun: EntityKind
    name: str


class ListCommand(_Command):
    """``<noun> list [text] …`` and ``gate search <text>`` (``action`` tells them apart)."""

    shape: Literal["list"] = "list"
    noun: EntityKind
    text: str | None = None
    tags: tuple[str, ...] = ()
    status: str | None = None  # Statsig's own spelling, e.g. "In Progress", "decision_made"
    page: int = 1


class HistoryCommand(_Command):
    shape: Literal["history"] = "history"
    noun: EntityKind
    name: str


class ToggleCommand(_Command):
    """``gate|config enable|disable <name> [reason]``."""

    shape: Literal["toggle"] = "toggle"
    noun: EntityKind
    name: str
    enabled: bool


class LifecycleCommand(_Command):
    """``gate launch|archive`` and ``experiment start|abandon``: one-way status moves."""

    shape: Literal["lifecycle"] = "lifecycle"
    noun: EntityKind
    name: str
    operation: Literal["launch", "archive", "start", "abandon"]


class RolloutCommand(_Command):
    """``gate rollout <name> <pct> [--rule R]``; ``rule`` is a rule ID or name, or ``None``."""

    shape: Literal["rollout"] = "rollout"
    name: str
    percentage: float = Field(ge=0, le=100)
    rule: str | None = None


class OverrideCommand(_Command):
    shape: Literal["override"] = "override"
    name: str
    mode: Literal["pass", "fail", "remove"]
    ids: tuple[str, ...]
    environment: str | None = None


class DecideCommand(_Command):
    shape: Literal["decide"] = "decide"
    name: str
    group: str


class SegmentIdsCommand(_Command):
    shape: Literal["segment_ids"] = "segment_ids"
    name: str
    operation: Literal["add", "remove"]
    ids: tuple[str, ...]


class KillCommand(_Command):
    shape: Literal["kill"] = "kill"
    gate: str


class RestoreCommand(_Command):
    """``restore <request-id|gate>``: the core decides which of the two ``target`` is."""

    shape: Literal["restore"] = "restore"
    target: str


class ApprovalsCommand(_Command):
    """``approvals`` (all open), ``approvals mine`` (I asked), ``approvals pending`` (for me)."""

    shape: Literal["approvals"] = "approvals"
    scope: Literal["all", "mine", "pending"] = "all"


class AuditCommand(_Command):
    shape: Literal["audit"] = "audit"
    name: str | None = None
    since: timedelta | None = None


class EditCommand(_Command):
    shape: Literal["edit"] = "edit"
    noun: EntityKind
    name: str


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
    | ApprovalsCommand
    | AuditCommand
    | EditCommand,
    Field(discriminator="shape"),
]

COMMAND_ADAPTER: TypeAdapter[Command] = TypeAdapter(Command)


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
