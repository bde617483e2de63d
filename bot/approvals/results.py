"""What the approval workflow answers, and how it keeps a plan with its approval rules.

Every workflow method answers with a value that already carries the message to show, so
surfaces never decide anything: :class:`SubmitResult` (the approval card, or why there is
none), :class:`RunResult` (a change that ran at once), :class:`ClickResult` (the private
answer to an Approve/Reject/Cancel click), :class:`SweepReport` and :class:`RestoreSource`.

A request stores its plan together with the policy decision it was made under
(:class:`StoredPlan`), because a click hours later must be judged against the same plan and
the same approver group, re-read from today's policy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from bot.ops.actions.registry import KILL_ACTION
from bot.ops.model.decisions import NeedsApproval
from bot.ops.model.plans import Outcome, Plan
from bot.ops.model.requests import ApprovalRequest, LockHeld
from bot.render.common import Message

__all__ = [
    "ClickResult",
    "RestoreSource",
    "RunResult",
    "StoredPlan",
    "SubmitResult",
    "SweepReport",
    "outcome_of",
    "stored_plan",
]


class StoredPlan(BaseModel):
    """The request's ``plan_json``: the plan, and the approval rules it was submitted under.

    ``need`` is ``None`` for changes that ran at once (``run_now``): nobody approves them.
    ``requester_label`` is the requester's display name, for messages; ``requester_role``
    and ``requester_usergroups`` are what the policy saw of the requester at submit time,
    so a click can re-run today's policy for them (:mod:`bot.approvals.authorize`).
    ``freeze_override`` lets the request run while changes are frozen.
    """

    model_config = ConfigDict(frozen=True)

    plan: Plan
    need: NeedsApproval | None = None
    requester_label: str = ""
    requester_role: str | None = None
    requester_usergroups: tuple[str, ...] = ()
    freeze_override: str = ""
    """Why an admin ran this change through a change freeze (``--override-freeze``)."""

    def encode(self) -> str:
        return self.model_dump_json()


def stored_plan(request: ApprovalRequest) -> StoredPlan | None:
    """The plan a request was made for; ``None`` if its ``plan_json`` is not ours."""
    try:
        return StoredPlan.model_validate_json(request.plan_json)
    except ValueError:
        return None


def outcome_of(request: ApprovalRequest) -> Outcome | None:
    """The execution outcome recorded on a finished request, if any."""
    if not request.outcome or "status" not in request.outcome:
        return None
    try:
        return Outcome.model_validate(request.outcome)
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class SubmitResult:
    """``request`` is set when a pending request was created; ``message`` is its card.

    When the entity's lock is held, ``lock_holder`` names the open request and ``message``
    explains it privately; when Redis is down, both are ``None`` and ``message`` says so.
    """

    message: Message
    request: ApprovalRequest | None = None
    lock_holder: LockHeld | None = None

    @property
    def ok(self) -> bool:
        return self.request is not None


@dataclass(frozen=True, slots=True)
class RunResult:
    """A change that ran at once. ``outcome`` is ``None`` when nothing was sent to Statsig.

    ``audit_saved`` is false when the request could not be recorded in Redis (a break-glass
    kill still runs then, and ``message`` says the audit record is missing).
    ``announcement`` is the loud channel message of a kill (with its Restore button);
    ``warnings`` what went wrong around the run (also inside ``message``), for wherever only
    a pointer to the result is shown.
    """

    message: Message
    outcome: Outcome | None
    request_id: str | None
    audit_saved: bool
    announcement: Message | None = None
    warnings: Message | None = None


@dataclass(frozen=True, slots=True)
class ClickResult:
    """The private answer to a click; ``ok`` is false when the click changed nothing."""

    ok: bool
    message: Message
    outcome: Outcome | None = None


@dataclass(frozen=True, slots=True)
class SweepReport:
    """What one sweep did: request IDs per kind of work (each ID done by one replica)."""

    expired: list[str] = field(default_factory=list)
    interrupted: dict[str, str] = field(default_factory=dict)
    recovered: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class RestoreSource:
    """What ``restore`` needs: the gate as snapshotted before the kill, and as the kill left it."""

    request_id: str
    gate_id: str
    snapshot: dict[str, Any]
    after_kill: dict[str, Any] | None
    killed_at: datetime | None
    reason: str = ""
    action: str = KILL_ACTION  # or gate.disable: what the snapshot was taken before
