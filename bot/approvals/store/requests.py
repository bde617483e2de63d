"""The approval store: requests in Redis, moved only by the Lua transitions in ``scripts``.

Usage::

    store = ApprovalStore(redis)        # times from the Redis server; tests pass clock=...
    created = await store.create(action="gate.disable", entity_kind="gate", entity_id="nav",
                                 plan_json=plan.model_dump_json(), fingerprint=plan.fingerprint(),
                                 requester_id="U1", requester_email="a@x.io", quorum=1)
    if isinstance(created, LockHeld): ...                 # someone else's request is open
    result = await store.approve(created.id, "U2", plan.fingerprint(), quorum=1,
                                 person="b@x.io")
    if result.state is ApprovalState.APPROVED:
        if (await store.claim(created.id, "replica-a", lease_seconds=300)).ok:
            ...  # only this caller may renew the lease, call Statsig, then store.finish(...)

Every transition first reads the request's immutable fields (entity, action, requester) to
locate its lock and index keys, then runs its script with all of them in ``KEYS``; those fields
never change after ``create``, so the read cannot go stale. Refusals come back as values.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence

import redis.asyncio as aioredis

from bot.approvals.store.base import SWEEPER, bounded
from bot.approvals.store.codec import decode_audit, decode_request, encode_approver, text, text_map
from bot.approvals.store.execution import ExecutionTransitions
from bot.approvals.store.freeze import FreezeStore
from bot.approvals.store.keys import (
    CHANGE_LANE,
    DEFAULT_PREFIX,
    DEFAULT_TTL_SECONDS,
    PENDING_HISTORY_SECONDS,
    Keys,
    is_valid_request_id,
)
from bot.approvals.store.timers import TimerStore
from bot.ops.model.requests import (
    ApprovalRequest,
    AuditEvent,
    LockHeld,
    TransitionResult,
    person_key,
)
from bot.ops.model.states import ApprovalState, Refusal

__all__ = ["ApprovalStore"]


def _new_id() -> str:
    """96 random bits, URL-safe: short enough for a button value, impossible to guess."""
    return secrets.token_urlsafe(12)


class ApprovalStore(ExecutionTransitions):
    """Atomic approval transitions over one Redis (see ``keys`` for layout and TTLs).

    ``clock=None`` (the default) takes every time from the Redis server; pass a clock only
    in tests or for an in-process Redis (see :mod:`bot.approvals.store.base`).
    ``single_slot=True`` puts every key in one hash slot, for multi-shard Redis Cluster.
    """

    def __init__(
        self,
        redis: aioredis.Redis,
        *,
        prefix: str = DEFAULT_PREFIX,
        clock: Callable[[], float] | None = None,
        single_slot: bool = False,
    ) -> None:
        super().__init__(redis, keys=Keys(prefix, single_slot), clock=clock)
        self.freeze = FreezeStore(redis, self.keys, self.now)
        """The change freeze (one key and its log), on the same Redis and clock."""
        self.timers = TimerStore(redis, self.keys, self.now)
        """Timed kills (a sorted set of due times), on the same Redis and clock."""

    # -- creating and reading -------------------------------------------------------------

    async def create(
        self,
        *,
        action: str,
        entity_kind: str,
        entity_id: str,
        plan_json: str,
        fingerprint: str,
        requester_id: str,
        requester_email: str | None = None,
        reason: str = "",
        channel: str = "",
        message_ts: str | None = None,
        quorum: int = 1,
        approver_group: str = "",
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
    ) -> ApprovalRequest | LockHeld:
        """Open a pending request, or report the open one holding this entity's lock.

        A holder that is pending but past its expiry (the sweeper has not run yet) is expired
        on the spot and the lock taken, so a dead sweeper never blocks new requests.
        """
        if quorum < 1:
            raise ValueError("quorum must be at least 1")
        if ttl_seconds <= 0:
            raise ValueError("ttl_seconds must be positive")
        if not requester_id:
            raise ValueError("requester_id is required")
        fields = {
            "action": action,
            "entity_kind": entity_kind,
            "entity_id": entity_id,
            "plan_json": plan_json,
            "plan_fingerprint": fingerprint,
            "requester_email": requester_email or "",
            "requester_person": person_key(requester_id, requester_email),
            "reason": reason,
            "channel": channel,
            "message_ts": message_ts or "",
            "quorum": str(quorum),
            "approver_group": approver_group,
        }
        for _attempt in range(3):
            request_id = _new_id()
            keys = self._keys.for_request(
                request_id,
                entity_kind=entity_kind,
                entity_id=entity_id,
                action=action,
                requester_id=requester_id,
            )
            ttl_ms = str(int((ttl_seconds + PENDING_HISTORY_SECONDS) * 1000))
            args = [
                *self._shared_args(request_id, requester_id),
                ttl_ms,
                repr(float(ttl_seconds)),
                *(part for pair in fields.items() for part in pair),
            ]
            reply = await self._create(keys=keys.as_list(), args=args)
            status = text(reply[0])
            if status == "ok":
                created = await self.get(request_id)
                if created is None:
                    raise RuntimeError("request vanished right after create")
                return created
            if status == "locked":
                holder = LockHeld(
                    holder_request_id=text(reply[1]),
                    holder_requester=text(reply[2]),
                    holder_action=text(reply[3]) if len(reply) > 3 else "",
                )
                if not await self._expired_holder(holder.holder_request_id):
                    return holder
            # else: an id collision ("exists") or a stale holder we just expired; try again.
        raise RuntimeError("could not create the request after 3 attempts")

    async def _expired_holder(self, holder_id: str) -> bool:
        """Expire a lock holder that outlived its expiry; True if the lock is now free."""
        return (await self.expire(holder_id)).ok

    async def get(self, request_id: str) -> ApprovalRequest | None:
        """The request and its approvals, read in one MULTI (same slot)."""
        if not is_valid_request_id(request_id):
            return None
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hgetall(self._keys.request(request_id))
            pipe.hgetall(self._keys.approvals(request_id))
            raw_request, raw_approvals = await pipe.execute()
        fields = text_map(raw_request)
        if "state" not in fields:
            return None
        return decode_request(fields, text_map(raw_approvals))

    async def _many(self, index: str, ids: list[str]) -> list[ApprovalRequest]:
        """Load requests listed in an index, pruning entries whose hash has gone."""
        loaded = await bounded(self.get(request_id) for request_id in ids)
        missing = [rid for rid, req in zip(ids, loaded, strict=True) if req is None]
        if missing:
            await self._redis.zrem(index, *missing)
        return [req for req in loaded if req is not None]

    async def list_pending(self, limit: int = 100) -> list[ApprovalRequest]:
        """Pending requests that can still be decided, soonest expiry first."""
        now = await self.now()
        ids = [text(v) for v in await self._redis.zrange(self._keys.pending, 0, limit - 1)]
        requests = await self._many(self._keys.pending, ids)
        return [
            r
            for r in requests
            if r.state is ApprovalState.PENDING and r.expires_at.timestamp() > now
        ]

    async def list_in_review(self, limit: int = 100) -> list[ApprovalRequest]:
        """Requests waiting for a Statsig review: still open (the entity stays locked)."""
        index = self._keys.review_watch
        ids = [text(v) for v in await self._redis.zrange(index, 0, limit - 1)]
        requests = await self._many(index, ids)
        return [r for r in requests if r.state is ApprovalState.SUBMITTED_FOR_REVIEW]

    async def list_by_requester(self, user_id: str, limit: int = 100) -> list[ApprovalRequest]:
        """A user's open requests (pending, approved, executing), oldest first."""
        index = self._keys.requester(user_id)
        ids = [text(v) for v in await self._redis.zrange(index, 0, limit - 1)]
        return [r for r in await self._many(index, ids) if r.is_open]

    # -- transitions -----------------------------------------------------------------------

    async def approve(
        self,
        request_id: str,
        approver_id: str,
        fingerprint: str,
        quorum: int,
        *,
        allow_self: bool = False,
        email: str | None = None,
        usergroups: Sequence[str] = (),
        statsig_role: str | None = None,
        no_longer_eligible: Sequence[str] = (),
    ) -> TransitionResult:
        """Count the approver's *person* once; approved when the count reaches the quorum.

        ``fingerprint`` is the plan the approver was shown: if the stored plan differs, the
        click is refused as ``plan_changed``. The stored quorum is a floor: a caller can ask
        for more approvals, never fewer. Two user IDs with one ``email`` are one person: the
        second is refused as ``already_approved``, and the requester's person is refused as
        ``self_approval`` (unless ``allow_self``). Earlier approvals by the user IDs in
        ``no_longer_eligible`` stay recorded but do not count towards the quorum.
        """
        if quorum < 1:
            raise ValueError("quorum must be at least 1")
        flag = "1" if allow_self else "0"
        about = encode_approver(email, usergroups, statsig_role)
        return await self._transition(
            self._approve,
            request_id,
            approver_id,
            fingerprint,
            str(quorum),
            flag,
            person_key(approver_id, email),
            about,
            *no_longer_eligible,
        )

    async def reject(self, request_id: str, user_id: str, reason: str) -> TransitionResult:
        """Pending → rejected; a blank reason is refused as ``reason_required``."""
        return await self._transition(self._reject, request_id, user_id, reason)

    async def cancel(self, request_id: str, user_id: str) -> TransitionResult:
        """Pending → cancelled, only when ``user_id`` is the stored requester."""
        return await self._transition(self._cancel, request_id, user_id, "0", "")

    async def supersede(self, request_id: str, user_id: str, reason: str) -> TransitionResult:
        """Pending → cancelled by someone else's incident action that replaces it; the
        card says who and why (``reason`` is required)."""
        return await self._transition(self._cancel, request_id, user_id, "1", reason)

    async def lock_holder(
        self, entity_kind: str, entity_id: str, lane: str = CHANGE_LANE
    ) -> str | None:
        """The open request holding the entity in ``lane`` (ordinary changes by default)."""
        lock = self._keys.lane_lock(entity_kind, entity_id, lane)
        holder = await self._redis.hget(lock, "request_id")
        return text(holder) if holder is not None else None

    async def expire(self, request_id: str, *, actor: str = SWEEPER) -> TransitionResult:
        """Pending (or approved but never claimed) and past expiry → expired; else ``not_due``."""
        return await self._transition(self._expire, request_id, actor)

    async def expire_due(self, limit: int = 100, *, actor: str = SWEEPER) -> list[str]:
        """Expire up to ``limit`` due requests; returns those *this* call expired.

        Safe from any number of replicas at once: each request is expired by exactly one.
        """
        ids = await self._due(self._keys.pending, limit)
        results = await bounded(self.expire(rid, actor=actor) for rid in ids)
        gone = [r.request_id for r in results if r.refusal is Refusal.NOT_FOUND]
        if gone:
            await self._redis.zrem(self._keys.pending, *gone)
        return [r.request_id for r in results if r.ok]

    async def invalidate_approvals(
        self,
        request_id: str,
        new_fingerprint: str,
        plan_json: str,
        *,
        actor: str = "system",
        reason: str = "the plan changed",
    ) -> TransitionResult:
        """The plan was edited or the entity moved: clear approvals, store the new plan.

        ``reason`` is kept on the request (``invalidated_reason``) for the re-rendered card.
        """
        return await self._transition(
            self._invalidate, request_id, actor, new_fingerprint, plan_json, reason
        )

    async def set_message_ref(self, request_id: str, channel: str, ts: str) -> bool:
        """Remember the approval message (for ``chat.update``); False if no such request."""
        if not is_valid_request_id(request_id):
            return False
        stored = await self._set_message_ref(
            keys=[self._keys.request(request_id)], args=[channel, ts]
        )
        return bool(int(stored))

    async def add_card(self, request_id: str, channel: str, ts: str) -> bool:
        """Remember another message showing the request (a kill's announcement)."""
        if not is_valid_request_id(request_id):
            return False
        stored = await self._add_card(keys=[self._keys.request(request_id)], args=[channel, ts])
        return bool(int(stored))

    async def mark_restored(self, request_id: str, restore_request_id: str, user_id: str) -> bool:
        """Record that ``restore_request_id`` (by ``user_id``) put this kill's gate back."""
        if not is_valid_request_id(request_id):
            return False
        at = repr(await self.now())
        stored = await self._mark_restored(
            keys=[self._keys.request(request_id)], args=[restore_request_id, user_id, at]
        )
        return bool(int(stored))

    async def set_references(
        self, request_id: str, gates: int, experiments: int, configs: int
    ) -> bool:
        """Record what else uses the gate of a kill (read after the disable)."""
        if not is_valid_request_id(request_id):
            return False
        value = f"{gates},{experiments},{configs}"
        stored = await self._set_references(keys=[self._keys.request(request_id)], args=[value])
        return bool(int(stored))

    # -- audit -----------------------------------------------------------------------------

    async def audit(self, since_id: str | None = None, count: int = 100) -> list[AuditEvent]:
        """Entries after ``since_id`` (exclusive), oldest first; the latest ``count`` if None."""
        if since_id is None:
            newest = await self._redis.xrevrange(self._keys.audit, count=count)
            return decode_audit(newest, newest_first=True)
        return decode_audit(await self._redis.xrange(self._keys.audit, f"({since_id}", count=count))

    async def audit_for_entity(
        self, entity_kind: str, entity_id: str, count: int = 100
    ) -> list[AuditEvent]:
        """The latest ``count`` entries about one entity, oldest first."""
        key = self._keys.entity_audit(entity_kind, entity_id)
        return decode_audit(await self._redis.xrevrange(key, count=count), newest_first=True)
