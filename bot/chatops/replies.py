"""What the core answers, and how it tells surfaces about later changes.

Surfaces (Slack, the shell) turn input into a call on the core and turn these values into
their own output. They never decide anything themselves: a :class:`Reply` already says
whether it is private or meant for the channel, and a :class:`Proposal` already carries the
policy's decision. A surface that shows a proposal asks for confirmation (the shell) or
confirms at once (a slash command), then calls the core again to commit it.

Transitions that happen later (clicks on any replica, the sweeper) reach the surfaces
through the approval workflow's :class:`~bot.approvals.notify.Notifier` port instead.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Literal, TypeVar

from bot.ops.actions.registry import is_announced
from bot.ops.commands.registry import COMMAND_PREFIX
from bot.ops.model.decisions import Allowed, Denied, NeedsApproval
from bot.ops.model.identity import Actor
from bot.ops.model.plans import Outcome, Plan
from bot.render.common import Message
from bot.render.replies import with_sandbox_note
from bot.render.values import ReplyRef

__all__ = [
    "Context",
    "Progress",
    "Proposal",
    "Reply",
    "StillTrying",
    "Visibility",
    "sandboxed",
]

Visibility = Literal["private", "channel"]


@dataclass(frozen=True, slots=True)
class Context:
    """Who is asking, and where. ``channel_id`` is ``None`` in the shell."""

    actor: Actor
    channel_id: str | None = None
    surface: Literal["slack", "shell"] = "slack"

    @property
    def prefix(self) -> str:
        """How commands are written here: ``/statsig `` in Slack, bare in the shell."""
        return COMMAND_PREFIX + " " if self.surface == "slack" else ""


@dataclass(frozen=True, slots=True)
class StillTrying:
    """Statsig failed an attempt and the bot tries again (what a surface tells people)."""

    reason: str
    attempt: int
    wait_s: float


Progress = Callable[[StillTrying], None]
"""Called on each retry of a change being committed (see ``ChatOps.commit``)."""


@dataclass(frozen=True, slots=True)
class Reply:
    """One answer to one command.

    ``message`` goes to the person who asked (ephemeral in Slack unless ``visibility`` is
    ``"channel"``). ``announcements`` are extra messages for the channel (an approval
    request, a kill notice); ``incident_announcement`` is also posted to the policy's
    incident channel. ``ok`` is false for errors and denials (the shell's exit status).
    ``warnings`` repeats what went wrong around a change that ran (a lost audit record) for a
    surface that shows the announcement instead of ``message`` (the shell). ``share`` names
    a private read so that it can be re-run for the channel ("Share in channel").
    ``follow_up`` is the rest of an answer that takes a while (a list while Statsig is read
    for the first time): the surface shows ``message`` at once, then awaits it and shows
    its reply in place of the first.
    """

    message: Message
    visibility: Visibility = "private"
    ok: bool = True
    announcements: tuple[Message, ...] = ()
    incident_announcement: Message | None = None
    request_id: str | None = None
    outcome: Outcome | None = None
    warnings: Message | None = None
    share: ReplyRef | None = None
    follow_up: Callable[[], Awaitable[Reply]] | None = None


@dataclass(frozen=True, slots=True)
class Proposal:
    """A planned change waiting for its requester's confirmation.

    ``message`` renders the plan; ``decision`` is what the policy said for this actor, so
    the surface can say "this will need 1 approval from approvers" before confirming.
    """

    plan: Plan
    decision: Allowed | NeedsApproval | Denied
    message: Message
    command_text: str = ""
    warnings: tuple[str, ...] = field(default_factory=tuple)
    freeze_override: str | None = None
    """An admin's reason to run this change through a change freeze (announced loudly)."""

    @property
    def announced(self) -> bool:
        """An incident change (kill, restore): the channel hears of it, progress included."""
        return is_announced(self.plan.action)


R = TypeVar("R", "Reply", "Proposal", "Reply | Proposal")


def sandboxed(result: R) -> R:
    """``result`` with every message saying it comes from the demo sandbox."""
    if isinstance(result, Proposal):
        return dataclasses.replace(result, message=with_sandbox_note(result.message))
    loud = result.incident_announcement
    return dataclasses.replace(
        result,
        message=with_sandbox_note(result.message),
        announcements=tuple(with_sandbox_note(m) for m in result.announcements),
        incident_announcement=with_sandbox_note(loud) if loud is not None else None,
    )
