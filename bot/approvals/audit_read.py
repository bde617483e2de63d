"""Reading the bot's audit trail back: listings, thread entries, and restore snapshots.

Restore needs the gate as it was before a kill (the plan's ``snapshot``) and as the kill
left it (the outcome's ``after``); both live on the kill's request, found either by its ID
or, given a gate ID, through the gate's audit stream (the latest executed kill or disable).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from redis.exceptions import RedisError

from bot.approvals.errors import ApprovalsUnavailable
from bot.approvals.results import RestoreSource, outcome_of, stored_plan
from bot.approvals.store import ApprovalStore
from bot.ops.actions.registry import is_restorable
from bot.ops.model.requests import ApprovalRequest, AuditEvent
from bot.ops.model.states import ApprovalState
from bot.render.approvals import render_thread_entry
from bot.render.common import Message

__all__ = ["AuditReader"]

log = logging.getLogger(__name__)

_LISTING = 200


class AuditReader:
    """Read-only views over the audit streams.

    Redis trouble gives ``None`` for one request, but a listing raises
    :class:`ApprovalsUnavailable`: an empty trail would claim nothing happened.
    """

    def __init__(self, store: ApprovalStore, *, clock: Callable[[], float]) -> None:
        self._store = store
        self._clock = clock

    async def entries(
        self, *, entity: tuple[str, str] | None = None, since_seconds: float | None = None
    ) -> list[AuditEvent]:
        try:
            if entity is not None:
                events = await self._store.audit_for_entity(entity[0], entity[1], _LISTING)
            else:
                events = await self._store.audit(count=_LISTING)
        except RedisError as exc:
            log.warning("could not read the audit trail: Redis unreachable")
            raise ApprovalsUnavailable("the chat audit trail") from exc
        except ValueError:
            log.exception("could not decode the audit trail")
            return []
        if since_seconds is not None:
            cutoff = self._clock() - since_seconds
            events = [e for e in events if e.at.timestamp() >= cutoff]
        return events

    async def thread_entry(self, request_id: str) -> Message | None:
        """The latest event of one request, rendered for its Slack thread."""
        try:
            request = await self._store.get(request_id)
            if request is None:
                return None
            events = await self._store.audit_for_entity(
                request.entity_kind, request.entity_id, _LISTING
            )
        except RedisError:
            return None
        mine = [e for e in events if e.request_id == request_id]
        return render_thread_entry(mine[-1]) if mine else None

    async def snapshot_for_restore(self, ref: str) -> RestoreSource | None:
        try:
            request = await self._store.get(ref)
            if request is None:
                request = await self._latest_kill(ref)
        except (RedisError, ValueError):
            return None
        return None if request is None else _source(request)

    async def _latest_kill(self, gate_id: str) -> ApprovalRequest | None:
        events = await self._store.audit_for_entity("gate", gate_id, _LISTING)
        for event in reversed(events):
            if (
                is_restorable(event.action)
                and event.to_state is ApprovalState.EXECUTED
                and event.event in ("finished", "finished_interrupted", "review_committed")
            ):
                return await self._store.get(event.request_id)
        return None


def _source(request: ApprovalRequest) -> RestoreSource | None:
    if not is_restorable(request.action) or request.state is not ApprovalState.EXECUTED:
        return None
    stored = stored_plan(request)
    if stored is None or not stored.plan.snapshot:
        return None
    outcome = outcome_of(request)
    return RestoreSource(
        request_id=request.id,
        gate_id=request.entity_id,
        snapshot=dict(stored.plan.snapshot),
        after_kill=dict(outcome.after) if outcome and outcome.after else None,
        killed_at=request.finished_at,
        reason=request.reason,
        action=request.action,
    )
