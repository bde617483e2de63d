"""Approval requests in Redis: atomic transitions (Lua), expiry, exactly-once execution, audit.

The storage layer under the approval workflow. Everything a caller needs is exported here;
the submodules are ``states`` (the state machine), ``keys`` (key names and TTLs), ``scripts``
(the Lua transitions), ``models`` (returned values) and ``store`` (:class:`ApprovalStore`).
"""

from bot.approvals.errors import ApprovalsUnavailable
from bot.approvals.keys import (
    DEFAULT_PREFIX,
    DEFAULT_TTL_SECONDS,
    PENDING_HISTORY_SECONDS,
    RETENTION_SECONDS,
)
from bot.approvals.models import (
    Approval,
    ApprovalRequest,
    AuditEvent,
    LockHeld,
    Rejection,
    Requester,
    TransitionResult,
)
from bot.approvals.states import (
    FINISH_STATES,
    OPEN_STATES,
    TERMINAL_STATES,
    ApprovalState,
    Refusal,
    Transition,
)
from bot.approvals.store import ApprovalStore

__all__ = [
    "DEFAULT_PREFIX",
    "DEFAULT_TTL_SECONDS",
    "FINISH_STATES",
    "OPEN_STATES",
    "PENDING_HISTORY_SECONDS",
    "RETENTION_SECONDS",
    "TERMINAL_STATES",
    "Approval",
    "ApprovalRequest",
    "ApprovalState",
    "ApprovalsUnavailable",
    "ApprovalStore",
    "AuditEvent",
    "LockHeld",
    "Refusal",
    "Rejection",
    "Requester",
    "Transition",
    "TransitionResult",
]
