"""How an approval request's state looks to people: one icon and one label per state.

The approval card, the ``approvals`` listing and the App Home tab all name states; they
take them from here so a new state gets its icon everywhere at once (a state missing
here would show as a bare "•"). An interrupted failure is its own label: "failed" alone
would hide that the executor stopped mid-way.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from bot.ops.model.plans import OutcomeStatus
from bot.ops.model.requests import ApprovalRequest
from bot.ops.model.states import ApprovalState

__all__ = [
    "STATE_ICONS",
    "STATE_LABELS",
    "UNKNOWN_OUTCOME",
    "outcome_unknown",
    "result_words",
    "state_badge",
    "state_words",
]

UNKNOWN_OUTCOME = "outcome unknown"
"""A failed request whose Statsig answer was lost and whose read-back could not tell: it
may have applied, so it must never read "failed" (see ``OutcomeStatus.UNKNOWN``)."""

STATE_ICONS: dict[ApprovalState, str] = {
    ApprovalState.PENDING: "⏳",
    ApprovalState.APPROVED: "✅",
    ApprovalState.EXECUTING: "⚙️",
    ApprovalState.EXECUTED: "✅",
    ApprovalState.FAILED: "❌",
    ApprovalState.SUBMITTED_FOR_REVIEW: "🕒",
    ApprovalState.REVIEW_REJECTED: "🚫",
    ApprovalState.REVIEW_UNRESOLVED: "⌛",
    ApprovalState.REJECTED: "🚫",
    ApprovalState.CANCELLED: "↩️",
    ApprovalState.EXPIRED: "⌛",
}

STATE_LABELS: dict[ApprovalState, str] = {
    ApprovalState.PENDING: "waiting for approval",
    ApprovalState.APPROVED: "approved",
    ApprovalState.EXECUTING: "executing",
    ApprovalState.EXECUTED: "done",
    ApprovalState.FAILED: "failed",
    ApprovalState.SUBMITTED_FOR_REVIEW: "waiting for a Statsig review",
    ApprovalState.REVIEW_REJECTED: "Statsig review rejected",
    ApprovalState.REVIEW_UNRESOLVED: "Statsig review unresolved",
    ApprovalState.REJECTED: "rejected",
    ApprovalState.CANCELLED: "cancelled",
    ApprovalState.EXPIRED: "expired",
}


def outcome_unknown(state: ApprovalState, outcome: Mapping[str, Any] | str | None) -> bool:
    """Whether a finished request's recorded outcome (a mapping, or the audit's JSON) says
    nobody knows if the change applied."""
    if state is not ApprovalState.FAILED or not outcome:
        return False
    if isinstance(outcome, str):
        try:
            outcome = json.loads(outcome)
        except ValueError:
            return False
    return isinstance(outcome, Mapping) and outcome.get("status") == OutcomeStatus.UNKNOWN


def result_words(state: ApprovalState, outcome: Mapping[str, Any] | str | None) -> str:
    """:func:`state_words`, except that an unknown outcome is never called "failed"."""
    return UNKNOWN_OUTCOME if outcome_unknown(state, outcome) else state_words(state)


def state_badge(request: ApprovalRequest) -> str:
    """``"❌ failed: interrupted"``: icon and label of the request's state (plain text)."""
    state = request.state
    label = STATE_LABELS.get(state, str(state))
    if outcome_unknown(state, request.outcome):
        return f"❓ {UNKNOWN_OUTCOME}"
    if request.interrupted and state is ApprovalState.FAILED:
        label = "failed: interrupted"
    return f"{STATE_ICONS.get(state, '•')} {label}"


def state_words(state: ApprovalState) -> str:
    """The state as words in a sentence (``submitted for review``), never the key."""
    return state.value.replace("_", " ")
