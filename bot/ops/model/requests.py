"""What the approval store returns: plain, frozen pydantic values.

Refusals are values (:class:`TransitionResult` with ``ok=False`` and a :class:`Refusal`), and
so is a held lock (:class:`LockHeld`); the store raises only for bugs (bad arguments) and
outages (Redis errors).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from bot.ops.model.states import OPEN_STATES, ApprovalState, Refusal

__all__ = [
    "Approval",
    "ApprovalRequest",
    "AuditEvent",
    "BOT_ACTOR",
    "LockHeld",
    "Rejection",
    "Requester",
    "Restoration",
    "UNVERIFIED_INTERRUPTION",
    "TransitionResult",
    "person_key",
]

_FROZEN = ConfigDict(frozen=True)

BOT_ACTOR = "statsig-bot"
"""How people see the bot's own steps (execution, expiry, recovery) in audit views."""

_MACHINE_EVENTS = frozenset(
    {"claimed", "lease_renewed", "finished", "finished_interrupted", "interrupted", "expired"}
)
_MACHINE_ACTORS = frozenset({"sweeper", "system", "statsig"})

UNVERIFIED_INTERRUPTION = "interrupted (could not verify)"
"""The outcome ``error`` of an interrupted execution that could never be checked in Statsig."""


def person_key(user_id: str, email: str | None) -> str:
    """Who a user *is* for counting: the lower-cased email when known, else the user ID.

    One person may have two Slack user IDs (or a Slack and a shell identity) with one email;
    quorum and four eyes count people, not IDs.
    """
    return email.strip().casefold() if email and email.strip() else user_id


class Requester(BaseModel):
    """Who asked: the Slack (or shell) user id, and the email Statsig knows them by."""

    model_config = _FROZEN

    user_id: str
    email: str | None = None

    @property
    def person(self) -> str:
        return person_key(self.user_id, self.email)


class Approval(BaseModel):
    """One approver, counted once however often they clicked (and once per person).

    ``person`` is the key the store counted them under (see :func:`person_key`); ``email``,
    ``usergroups`` and ``statsig_role`` are what the approver was when they clicked, so a
    later click can check whether their approval still counts under today's policy.
    """

    model_config = _FROZEN

    user_id: str
    at: datetime
    person: str = ""
    email: str | None = None
    usergroups: tuple[str, ...] = ()
    statsig_role: str | None = None


class Rejection(BaseModel):
    model_config = _FROZEN

    user_id: str
    at: datetime
    reason: str


class Restoration(BaseModel):
    """Who put a killed gate back, when, and with which request."""

    model_config = _FROZEN

    request_id: str
    user_id: str
    at: datetime


class ApprovalRequest(BaseModel):
    """A request as stored. ``plan_json`` and ``outcome`` are opaque to the store."""

    model_config = _FROZEN

    id: str
    state: ApprovalState
    action: str
    entity_kind: str
    entity_id: str
    plan_json: str
    plan_fingerprint: str
    requester: Requester
    reason: str = ""
    channel: str = ""
    message_ts: str | None = None
    quorum: int
    approver_group: str = ""
    approvals: list[Approval] = []
    rejection: Rejection | None = None
    superseded: Rejection | None = None
    """Who cancelled someone else's pending request by running their own, and why (a
    responder's restore cancelling a restore request waiting for approval)."""
    cards: tuple[tuple[str, str], ...] = ()
    """Other messages showing the request, as (channel, ts): a kill's announcements."""
    restored: Restoration | None = None
    """Set on an executed kill (or disable) once a restore put its gate back."""
    references: tuple[int, int, int] | None = None
    """A kill's gate's users (gates, experiments, configs), counted after the disable."""
    created_at: datetime
    expires_at: datetime
    approved_at: datetime | None = None
    claimed_at: datetime | None = None
    executor: str | None = None
    lease_expires_at: datetime | None = None
    interrupted_at: datetime | None = None
    finished_at: datetime | None = None
    invalidated_at: datetime | None = None
    invalidated_reason: str = ""
    review_since: datetime | None = None
    outcome: dict[str, Any] | None = None

    @property
    def is_open(self) -> bool:
        """Still holding its entity lock (pending, approved or executing)."""
        return self.state in OPEN_STATES

    @property
    def interrupted(self) -> bool:
        """The executor's lease ran out and a sweeper took the request over."""
        return self.interrupted_at is not None


class LockHeld(BaseModel):
    """``create`` found another open request on the same entity (in the same lane: an
    ordinary change, or a kill/restore); ``holder_action`` is what that one does."""

    model_config = _FROZEN

    holder_request_id: str
    holder_requester: str
    holder_action: str = ""


class TransitionResult(BaseModel):
    """What a transition did, or why it did nothing.

    ``state`` is the request's state after the call (``None`` if it does not exist), so a
    refused click can still be answered with "this request is already rejected".
    ``approvals``/``quorum`` are set by ``approve`` and ``invalidate_approvals``.
    """

    model_config = _FROZEN

    request_id: str
    ok: bool
    state: ApprovalState | None
    refusal: Refusal | None = None
    approvals: int | None = None
    quorum: int | None = None


class AuditEvent(BaseModel):
    """One audit stream entry. ``from_state`` is ``None`` for ``created``.

    ``event`` is one of: created, approval (counted, below quorum), approved, rejected,
    cancelled, expired, claimed, lease_renewed, finished, interrupted, finished_interrupted,
    invalidated, review_committed, review_rejected, review_unresolved.
    ``detail`` holds event-specific fields (approvals, quorum, reason, outcome, …).
    """

    model_config = _FROZEN

    id: str
    request_id: str
    event: str
    from_state: ApprovalState | None
    to_state: ApprovalState
    actor: str
    at: datetime
    entity_kind: str
    entity_id: str
    action: str
    detail: dict[str, str] = {}

    @property
    def shown_actor(self) -> str:
        """Who to name to people: the person who acted, or :data:`BOT_ACTOR` for the bot's
        own steps. The executor ID (``host:pid``) recorded in ``actor`` is an internal
        detail; it stays in the raw stream and the logs."""
        if self.event in _MACHINE_EVENTS or self.actor in _MACHINE_ACTORS:
            return BOT_ACTOR
        return self.actor
