"""What the core answers, and how it tells surfaces about later changes.

Surfaces (Slack, the shell) turn input into a call on the core and turn these values into
their own output. They never decide anything themselves: a :class:`Reply` already says
whether it is private or meant for the channel, and a :class:`Proposal` already carries the
policy's decision. A surface that shows a proposal asks for confirmation (the shell) or
confirms at once (a slash command), then calls the core again to commit it.

The approval workflow outlives the request that started it (clicks arrive later, on any
replica), so it reports transitions through a :class:`Notifier` that each surface provides:
Slack updates the approval message and its thread, the shell prints. A kill (or restore)
that runs after an approval is announced through the notifier too, as loudly as a
break-glass one, because no command reply is there to carry the announcement.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol

from bot.ops.identity import Actor
from bot.ops.plans import Outcome, Plan
from bot.ops.policy import Allowed, Denied, NeedsApproval
from bot.slack.blocks.common import Message

__all__ = [
    "Context",
    "Notifier",
    "Proposal",
    "Reply",
    "Visibility",
]

Visibility = Literal["private", "channel"]


@dataclass(frozen=True, slots=True)
class Context:
    """Who is asking, and where. ``channel_id`` is ``None`` in the shell."""

    actor: Actor
    channel_id: str | None = None
    surface: Literal["slack", "shell"] = "slack"


@dataclass(frozen=True, slots=True)
class Reply:
    """One answer to one command.

    ``message`` goes to the person who asked (ephemeral in Slack unless ``visibility`` is
    ``"channel"``). ``announcements`` are extra messages for the channel (an approval
    request, a kill notice); ``incident_announcement`` is also posted to the policy's
    incident channel. ``ok`` is false for errors and denials (the shell's exit status).
    """

    message: Message
    visibility: Visibility = "private"
    ok: bool = True
    announcements: tuple[Message, ...] = ()
    incident_announcement: Message | None = None
    request_id: str | None = None
    outcome: Outcome | None = None


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


class Notifier(Protocol):
    """How the workflow tells a surface that an approval request moved."""

    async def request_updated(self, request_id: str) -> None:
        """Re-render the request's message (buttons removed once decided) and add a
        thread entry for the latest transition."""

    async def notify_user(self, user_id: str, message: Message) -> None:
        """Send a direct message (the requester's result, an approver's invitation)."""

    async def announce(self, channel_id: str | None, message: Message, *, incident: bool) -> None:
        """Post a loud message in the channel where the request was made (``None``: not in
        Slack), and also in the policy's incident channel when ``incident`` is true."""
