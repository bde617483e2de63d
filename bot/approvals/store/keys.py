"""Every Redis key name and TTL the approval store uses, in one place.

Layout (default prefix ``statsig-bot:``)::

    statsig-bot:{req:ID}:request         HASH   the request (fields: see store.py)
    statsig-bot:{req:ID}:approvals       HASH   approver user id → approved-at (epoch seconds)
    statsig-bot:{idx}:pending            ZSET   request id → expires-at   (the sweeper's queue)
    statsig-bot:{idx}:leases             ZSET   request id → lease-ends-at (executing requests)
    statsig-bot:{idx}:interrupted        ZSET   request id → reclaimed-at  (awaiting a verdict)
    statsig-bot:{idx}:requester:USER     ZSET   request id → created-at    (open requests only)
    statsig-bot:{idx}:lock:KIND:LANE:ENTITY  HASH  request_id, requester_id, action of the open one
    statsig-bot:{idx}:audit              STREAM every transition, capped (MAXLEN ~)
    statsig-bot:{idx}:audit:KIND:ENTITY  STREAM the same entries for one entity, capped
    statsig-bot:{idx}:review-watch       ZSET   request id → next poll (submitted for review)
    statsig-bot:{idx}:freeze             STRING the change freeze that is on (JSON), if any
    statsig-bot:{idx}:freeze:log         STREAM every freeze on/off, capped
    statsig-bot:{idx}:timers             ZSET   timed kill (its request id) → next due time
    statsig-bot:{idx}:timers:firing      ZSET   timed kill being handled → lease end
    statsig-bot:{idx}:timer:ID           STRING the timed kill (JSON)

Redis Cluster: a request's own keys share the hash tag ``{req:ID}``, so single-request reads
(``get``) are one slot. The global indexes share the tag ``{idx}``, so they all live in one
other slot. A transition must update both atomically (state, lock, indexes and audit in one
script), and a script may only touch one slot on Cluster; splitting it would give up the
atomicity the whole design rests on. So every key is passed through ``KEYS`` (nothing is built
in Lua), and the trade-off is explicit: with the default layout the scripts touch exactly two
slots, which is fine on standalone Redis, Sentinel and single-shard managed Redis. On a real
multi-shard Cluster, use ``single_slot=True``: the request keys then take the ``{idx}`` tag as
well, every script touches one slot, and the price is that all approval data sits on one shard
(a few MB even for busy teams).

One open change per entity (Atlantis's lock, DESIGN §4): the lock is per entity, whatever
the action, in one of two lanes. ``change`` holds every ordinary change, so a rollout, a
disable and an override can never be open on one gate at once; ``incident`` holds kill and
restore, which must never wait behind an ordinary change (they void its approvals when they
run instead, and a responder's supersedes a pending one by someone else).

TTLs, so that nothing leaks:

* a pending request (and its lock) lives until ``expires_at + PENDING_HISTORY_SECONDS``; the
  sweeper marks it expired at ``expires_at`` long before that, the TTL is only the backstop;
* reaching ``approved`` or ``executing`` extends the request to ``RETENTION_SECONDS``;
* a terminal request keeps ``RETENTION_SECONDS`` of history from the moment it ended;
* the audit streams are capped by length (``AUDIT_MAXLEN``, ``ENTITY_AUDIT_MAXLEN``), the
  per-entity stream also expires ``RETENTION_SECONDS`` after its last entry;
* index entries are removed by the transitions; entries whose request hash has gone are
  pruned by the readers (``list_pending``, ``list_by_requester``) and the sweepers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.ops.actions.registry import is_incident

__all__ = [
    "AUDIT_MAXLEN",
    "CHANGE_LANE",
    "INCIDENT_LANE",
    "DEFAULT_PREFIX",
    "DEFAULT_TTL_SECONDS",
    "ENTITY_AUDIT_MAXLEN",
    "PENDING_HISTORY_SECONDS",
    "RETENTION_SECONDS",
    "Keys",
    "RequestKeys",
    "is_valid_request_id",
    "lane_of",
]

DEFAULT_PREFIX = "statsig-bot:"
DEFAULT_TTL_SECONDS = 24 * 3600
"""How long a request waits for approvals unless the policy says otherwise (DESIGN §4)."""
PENDING_HISTORY_SECONDS = 7 * 24 * 3600
"""How long a never-swept pending request survives past its expiry."""
RETENTION_SECONDS = 30 * 24 * 3600
"""History kept for approved, executing and terminal requests."""
CHANGE_LANE = "change"
INCIDENT_LANE = "incident"
AUDIT_MAXLEN = 100_000
ENTITY_AUDIT_MAXLEN = 1_000

_REQUEST_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
# Kinds and actions become key segments; keep them free of separators and hash-tag braces.
_KEY_SEGMENT = re.compile(r"[A-Za-z0-9_.\-]{1,64}")


def is_valid_request_id(request_id: str) -> bool:
    """IDs arrive from Slack button values; anything else must never reach a key name."""
    return _REQUEST_ID.fullmatch(request_id) is not None


def lane_of(action: str) -> str:
    """Which lock an action takes: kill and restore never wait behind an ordinary change."""
    return INCIDENT_LANE if is_incident(action) else CHANGE_LANE


def _segment(value: str, what: str) -> str:
    if _KEY_SEGMENT.fullmatch(value) is None:
        raise ValueError(f"{what} must match {_KEY_SEGMENT.pattern}: {value!r}")
    return value


@dataclass(frozen=True, slots=True)
class RequestKeys:
    """The keys one transition script receives, in ``KEYS[1..10]`` order."""

    request: str
    approvals: str
    pending: str
    leases: str
    interrupted: str
    requester: str
    lock: str
    audit: str
    entity_audit: str
    review_watch: str

    def as_list(self) -> list[str]:
        return [
            self.request,
            self.approvals,
            self.pending,
            self.leases,
            self.interrupted,
            self.requester,
            self.lock,
            self.audit,
            self.entity_audit,
            self.review_watch,
        ]


@dataclass(frozen=True, slots=True)
class Keys:
    """Builds key names under one prefix; the only code that knows the layout."""

    prefix: str = DEFAULT_PREFIX
    single_slot: bool = False

    @property
    def _index(self) -> str:
        return f"{self.prefix}{{idx}}:"

    def _request_base(self, request_id: str) -> str:
        if not is_valid_request_id(request_id):
            raise ValueError("malformed request id")
        if self.single_slot:
            return f"{self._index}req:{request_id}:"
        return f"{self.prefix}{{req:{request_id}}}:"

    def request(self, request_id: str) -> str:
        return self._request_base(request_id) + "request"

    def approvals(self, request_id: str) -> str:
        return self._request_base(request_id) + "approvals"

    @property
    def pending(self) -> str:
        return self._index + "pending"

    @property
    def leases(self) -> str:
        return self._index + "leases"

    @property
    def interrupted(self) -> str:
        return self._index + "interrupted"

    @property
    def audit(self) -> str:
        return self._index + "audit"

    @property
    def review_watch(self) -> str:
        return self._index + "review-watch"

    @property
    def freeze(self) -> str:
        return self._index + "freeze"

    @property
    def freeze_log(self) -> str:
        return self._index + "freeze:log"

    @property
    def timers(self) -> str:
        return self._index + "timers"

    @property
    def timers_firing(self) -> str:
        return self._index + "timers:firing"

    def timer(self, timer_id: str) -> str:
        if not is_valid_request_id(timer_id):
            raise ValueError("malformed timer id")
        return f"{self._index}timer:{timer_id}"

    @property
    def lock_pattern(self) -> str:
        """``SCAN`` pattern matching every entity lock (the open requests)."""
        return self._index.replace("[", "\\[").replace("?", "\\?").replace("*", "\\*") + "lock:*"

    def requester(self, user_id: str) -> str:
        # User ids end the key, so any character is safe here (the tag came first).
        return f"{self._index}requester:{user_id}"

    def lock(self, entity_kind: str, entity_id: str, action: str) -> str:
        """The entity's lock in the lane of ``action`` (incident for kill and restore)."""
        _segment(action, "action")
        return self.lane_lock(entity_kind, entity_id, lane_of(action))

    def lane_lock(self, entity_kind: str, entity_id: str, lane: str) -> str:
        kind = _segment(entity_kind, "entity kind")
        return f"{self._index}lock:{kind}:{_segment(lane, 'lane')}:{entity_id}"

    def entity_audit(self, entity_kind: str, entity_id: str) -> str:
        return f"{self._index}audit:{_segment(entity_kind, 'entity kind')}:{entity_id}"

    def for_request(
        self,
        request_id: str,
        *,
        entity_kind: str,
        entity_id: str,
        action: str,
        requester_id: str,
    ) -> RequestKeys:
        """All keys a transition on ``request_id`` may touch (its immutable fields locate them)."""
        return RequestKeys(
            request=self.request(request_id),
            approvals=self.approvals(request_id),
            pending=self.pending,
            leases=self.leases,
            interrupted=self.interrupted,
            requester=self.requester(requester_id),
            lock=self.lock(entity_kind, entity_id, action),
            audit=self.audit,
            entity_audit=self.entity_audit(entity_kind, entity_id),
            review_watch=self.review_watch,
        )
