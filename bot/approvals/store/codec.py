"""Turning Redis replies (bytes or str, depending on the client) into the store's models."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from bot.ops.model.requests import (
    Approval,
    ApprovalRequest,
    AuditEvent,
    Rejection,
    Requester,
    Restoration,
    TransitionResult,
)
from bot.ops.model.states import ApprovalState, Refusal

__all__ = [
    "decode_audit",
    "decode_request",
    "decode_result",
    "encode_approver",
    "not_found",
    "text",
    "text_map",
]

_AUDIT_FIELDS = frozenset(
    {"request_id", "event", "from", "to", "actor", "at", "entity_kind", "entity_id", "action"}
)


def text(value: object) -> str:
    """Replies are bytes unless the client was built with ``decode_responses=True``."""
    if isinstance(value, bytes):
        return value.decode()
    return str(value)


def text_map(raw: Mapping[Any, Any]) -> dict[str, str]:
    return {text(k): text(v) for k, v in raw.items()}


def _when(value: str | None) -> datetime | None:
    return datetime.fromtimestamp(float(value), UTC) if value else None


def _at(value: str) -> datetime:
    return datetime.fromtimestamp(float(value), UTC)


def _approval(user_id: str, value: str) -> Approval:
    """An approvals entry: ``at<TAB>person<TAB>identity JSON`` (older entries: ``at`` only)."""
    at, _, rest = value.partition("\t")
    person, _, identity = rest.partition("\t")
    about: dict[str, Any] = {}
    if identity:
        try:
            loaded = json.loads(identity)
        except ValueError:
            loaded = None
        about = loaded if isinstance(loaded, dict) else {}
    groups = about.get("usergroups")
    return Approval(
        user_id=user_id,
        at=_at(at),
        person=person or user_id,
        email=about.get("email") if isinstance(about.get("email"), str) else None,
        usergroups=tuple(str(g) for g in groups) if isinstance(groups, list) else (),
        statsig_role=about.get("role") if isinstance(about.get("role"), str) else None,
    )


def encode_approver(email: str | None, usergroups: Sequence[str], role: str | None) -> str:
    """What the approve script keeps about an approver (JSON never contains a raw tab)."""
    return json.dumps({"email": email, "usergroups": sorted(usergroups), "role": role})


def _cards(raw: str) -> tuple[tuple[str, str], ...]:
    pairs = (line.split(" ", 1) for line in raw.splitlines() if " " in line)
    return tuple((channel, ts) for channel, ts in pairs)


def _references(raw: str) -> tuple[int, int, int] | None:
    parts = raw.split(",")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return None
    return int(parts[0]), int(parts[1]), int(parts[2])


def _restored(fields: Mapping[str, str]) -> Restoration | None:
    if not fields.get("restored_by_request"):
        return None
    return Restoration(
        request_id=fields["restored_by_request"],
        user_id=fields.get("restored_by", ""),
        at=_at(fields.get("restored_at") or fields["created_at"]),
    )


def decode_request(fields: Mapping[str, str], approvals: Mapping[str, str]) -> ApprovalRequest:
    """Build a request from its hash and its approvals hash (approver → entry)."""
    rejection = None
    if fields.get("rejected_by"):
        rejection = Rejection(
            user_id=fields["rejected_by"],
            at=_at(fields["rejected_at"]),
            reason=fields.get("rejection_reason", ""),
        )
    superseded = None
    if fields.get("cancelled_by"):
        superseded = Rejection(
            user_id=fields["cancelled_by"],
            at=_at(fields.get("finished_at") or fields["created_at"]),
            reason=fields.get("cancelled_reason", ""),
        )
    votes = sorted(
        (_approval(user, value) for user, value in approvals.items()),
        key=lambda a: (a.at, a.user_id),
    )
    outcome = fields.get("outcome")
    return ApprovalRequest(
        id=fields["id"],
        state=ApprovalState(fields["state"]),
        action=fields["action"],
        entity_kind=fields["entity_kind"],
        entity_id=fields["entity_id"],
        plan_json=fields.get("plan_json", ""),
        plan_fingerprint=fields.get("plan_fingerprint", ""),
        requester=Requester(
            user_id=fields["requester_id"], email=fields.get("requester_email") or None
        ),
        reason=fields.get("reason", ""),
        channel=fields.get("channel", ""),
        message_ts=fields.get("message_ts") or None,
        quorum=int(fields["quorum"]),
        approver_group=fields.get("approver_group", ""),
        approvals=votes,
        rejection=rejection,
        superseded=superseded,
        cards=_cards(fields.get("cards", "")),
        restored=_restored(fields),
        references=_references(fields.get("references", "")),
        created_at=_at(fields["created_at"]),
        expires_at=_at(fields["expires_at"]),
        approved_at=_when(fields.get("approved_at")),
        claimed_at=_when(fields.get("claimed_at")),
        executor=fields.get("executor") or None,
        lease_expires_at=_when(fields.get("lease_expires_at")),
        interrupted_at=_when(fields.get("interrupted_at")),
        finished_at=_when(fields.get("finished_at")),
        invalidated_at=_when(fields.get("invalidated_at")),
        invalidated_reason=fields.get("invalidated_reason", ""),
        review_since=_when(fields.get("review_since")),
        outcome=json.loads(outcome) if outcome else None,
    )


def decode_audit(entries: Any, *, newest_first: bool = False) -> list[AuditEvent]:
    """Decode ``XRANGE``/``XREVRANGE`` output into events, oldest first."""
    events = [_audit_event(entry_id, fields) for entry_id, fields in entries or []]
    if newest_first:
        events.reverse()
    return events


def _audit_event(entry_id: object, raw: Mapping[Any, Any]) -> AuditEvent:
    fields = text_map(raw)
    return AuditEvent(
        id=text(entry_id),
        request_id=fields["request_id"],
        event=fields["event"],
        from_state=ApprovalState(fields["from"]) if fields.get("from") else None,
        to_state=ApprovalState(fields["to"]),
        actor=fields["actor"],
        at=_at(fields["at"]),
        entity_kind=fields["entity_kind"],
        entity_id=fields["entity_id"],
        action=fields["action"],
        detail={k: v for k, v in fields.items() if k not in _AUDIT_FIELDS},
    )


def decode_result(request_id: str, reply: Sequence[Any]) -> TransitionResult:
    """Read a script's ``{'ok', state, …}`` / ``{'refused', code, state}`` reply."""
    status = text(reply[0])
    if status == "ok":
        return TransitionResult(
            request_id=request_id,
            ok=True,
            state=ApprovalState(text(reply[1])),
            approvals=int(reply[2]) if len(reply) > 2 else None,
            quorum=int(reply[3]) if len(reply) > 3 else None,
        )
    if status != "refused":
        raise ValueError(f"unexpected script reply {status!r}")
    state = text(reply[2])
    return TransitionResult(
        request_id=request_id,
        ok=False,
        state=ApprovalState(state) if state else None,
        refusal=Refusal(text(reply[1])),
    )


def not_found(request_id: str) -> TransitionResult:
    return TransitionResult(request_id=request_id, ok=False, state=None, refusal=Refusal.NOT_FOUND)
