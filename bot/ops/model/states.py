"""Approval states, the transitions between them, and the reasons a transition is refused.

The Lua scripts in :mod:`bot.approvals.store.scripts` are the only code that moves a request between
states; the table here is the readable contract they implement (DESIGN §4), and the tests check
the scripts against it. Python code uses it to explain, never to decide.

```
pending ──approve (quorum)──▶ approved ──claim──▶ executing ──finish──▶ executed
   ├─reject──▶ rejected           │                   ├──────▶ failed
   ├─cancel (requester)──▶ cancelled                  └──────▶ submitted_for_review
   └─expire (past expiry)──▶ expired ◀──expire (past expiry, never claimed)

submitted_for_review ──resolve_review──▶ executed           (the review was committed)
                                    ├──▶ review_rejected    (rejected or withdrawn)
                                    └──▶ review_unresolved  (still open at the deadline)
```

``submitted_for_review`` is *open*: the entity lock stays held while Statsig's review is
open, so nobody can queue a second change for the same entity and action behind it. The
review watcher (:mod:`bot.approvals.reviews_watch`) ends it. An executing request whose
lease ran out is marked interrupted by ``reclaim`` and ended by ``finish_interrupted``.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "FINISH_STATES",
    "INTERRUPTED_FINISH_STATES",
    "OPEN_STATES",
    "REVIEW_FINISH_STATES",
    "TERMINAL_STATES",
    "TRANSITIONS",
    "ApprovalState",
    "Refusal",
    "Transition",
]


class ApprovalState(StrEnum):
    """Where a request is in its life; stored verbatim in the request hash."""

    PENDING = "pending"  # waiting for approvals; holds the entity lock
    APPROVED = "approved"  # quorum reached; waiting for one executor to claim it
    EXECUTING = "executing"  # claimed under a lease; the mutation is (or was) running
    EXECUTED = "executed"  # Statsig applied it (or it was verified after an interruption)
    FAILED = "failed"  # the mutation failed, or the executor died (outcome says "interrupted")
    SUBMITTED_FOR_REVIEW = "submitted_for_review"  # Statsig made it a review; lock still held
    REVIEW_REJECTED = "review_rejected"  # that Statsig review was rejected or withdrawn
    REVIEW_UNRESOLVED = "review_unresolved"  # the bot stopped watching a review still open
    REJECTED = "rejected"  # an approver said no, with a reason
    CANCELLED = "cancelled"  # the requester withdrew it
    EXPIRED = "expired"  # nobody decided before the expiry


TERMINAL_STATES: frozenset[ApprovalState] = frozenset(
    {
        ApprovalState.EXECUTED,
        ApprovalState.FAILED,
        ApprovalState.REVIEW_REJECTED,
        ApprovalState.REVIEW_UNRESOLVED,
        ApprovalState.REJECTED,
        ApprovalState.CANCELLED,
        ApprovalState.EXPIRED,
    }
)
"""States a request never leaves; reaching one releases the entity lock."""

OPEN_STATES: frozenset[ApprovalState] = frozenset(ApprovalState) - TERMINAL_STATES

FINISH_STATES: frozenset[ApprovalState] = frozenset(
    {ApprovalState.EXECUTED, ApprovalState.FAILED, ApprovalState.SUBMITTED_FOR_REVIEW}
)
"""What the lease holder may report when its execution ends."""

INTERRUPTED_FINISH_STATES: frozenset[ApprovalState] = frozenset(
    {ApprovalState.EXECUTED, ApprovalState.FAILED}
)
"""What a sweeper may record after checking Statsig for an interrupted execution."""

REVIEW_FINISH_STATES: frozenset[ApprovalState] = frozenset(
    {ApprovalState.EXECUTED, ApprovalState.REVIEW_REJECTED, ApprovalState.REVIEW_UNRESOLVED}
)
"""What the review watcher may record when a Statsig review is resolved or given up on."""


class Transition(StrEnum):
    """The store's operations that may change a request; each is one Lua script."""

    CREATE = "create"
    APPROVE = "approve"
    REJECT = "reject"
    CANCEL = "cancel"
    EXPIRE = "expire"
    CLAIM = "claim"
    RENEW = "renew"  # the lease holder extends its lease right before calling Statsig
    FINISH = "finish"
    RECLAIM = "reclaim"  # executing with an expired lease → marked interrupted
    FINISH_INTERRUPTED = "finish_interrupted"
    INVALIDATE = "invalidate"  # plan edited or entity changed: approvals cleared
    RESOLVE_REVIEW = "resolve_review"  # the Statsig review was committed, rejected or given up


_P = ApprovalState.PENDING
TRANSITIONS: dict[Transition, tuple[frozenset[ApprovalState], frozenset[ApprovalState]]] = {
    Transition.APPROVE: (frozenset({_P}), frozenset({_P, ApprovalState.APPROVED})),
    Transition.REJECT: (frozenset({_P}), frozenset({ApprovalState.REJECTED})),
    Transition.CANCEL: (frozenset({_P}), frozenset({ApprovalState.CANCELLED})),
    Transition.EXPIRE: (
        frozenset({_P, ApprovalState.APPROVED}),
        frozenset({ApprovalState.EXPIRED}),
    ),
    Transition.INVALIDATE: (frozenset({_P}), frozenset({_P})),
    Transition.CLAIM: (frozenset({ApprovalState.APPROVED}), frozenset({ApprovalState.EXECUTING})),
    Transition.RENEW: (
        frozenset({ApprovalState.EXECUTING}),
        frozenset({ApprovalState.EXECUTING}),
    ),
    Transition.FINISH: (frozenset({ApprovalState.EXECUTING}), FINISH_STATES),
    Transition.RECLAIM: (
        frozenset({ApprovalState.EXECUTING}),
        frozenset({ApprovalState.EXECUTING}),
    ),
    Transition.FINISH_INTERRUPTED: (
        frozenset({ApprovalState.EXECUTING}),
        INTERRUPTED_FINISH_STATES,
    ),
    Transition.RESOLVE_REVIEW: (
        frozenset({ApprovalState.SUBMITTED_FOR_REVIEW}),
        REVIEW_FINISH_STATES,
    ),
}
"""For every transition on an existing request: (states it starts from, states it may reach)."""


class Refusal(StrEnum):
    """Why a transition did not happen; returned as a value, never raised."""

    NOT_FOUND = "not_found"  # no such request (never existed, or its retention ran out)
    WRONG_STATE = "wrong_state"  # the request is not in a state this transition starts from
    EXPIRED = "expired"  # it was pending but past its expiry (it is now expired)
    PLAN_CHANGED = "plan_changed"  # the approver saw a different plan fingerprint
    SELF_APPROVAL = "self_approval"  # the requester tried to approve their own request
    ALREADY_APPROVED = "already_approved"  # this approver already counts
    NOT_REQUESTER = "not_requester"  # only the requester may cancel
    REASON_REQUIRED = "reason_required"  # a rejection needs a reason
    NOT_LEASE_HOLDER = "not_lease_holder"  # another executor holds (or held) the lease
    LEASE_EXPIRED = "lease_expired"  # renew came too late: the lease had already run out
    INTERRUPTED = "interrupted"  # the lease ran out and a sweeper took the request over
    NOT_INTERRUPTED = "not_interrupted"  # finish_interrupted on a request nobody reclaimed
    NOT_DUE = "not_due"  # expiry or lease end not reached yet
    INVALID_STATE = "invalid_state"  # finish asked for a state it may not set
    FROZEN = "frozen"  # claim: a change freeze is on and the request is not exempt
