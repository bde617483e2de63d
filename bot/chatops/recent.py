"""``recent [D] [--tag T]``: what changed lately, across every kind, grouped by entity.

The first question of an incident is "what changed?". The answer merges the two trails
``audit`` already merges (the bot's own in Redis and Statsig's audit log, so a change made
in the console shows up next to one made from chat), keeps the window, groups the entries
by entity (the entity whose latest change is newest comes first), and gives each gate the
buttons that act on the answer: **Disable** (the kill path) and, when the bot holds the
snapshot of a kill or disable that was not restored yet, **Restore**. The kind and tags of
an entity come from the bot's own events or else the shared catalog (no extra Statsig read
per entity); one trail failing leaves the other, with a note saying which is missing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime

from bot.approvals.audit import merge_audit
from bot.approvals.errors import ApprovalsUnavailable
from bot.approvals.workflow import ApprovalWorkflow
from bot.chatops.catalog import Catalog, Listed
from bot.chatops.replies import Reply
from bot.ops.actions.registry import is_restorable
from bot.ops.commands.models import RecentCommand
from bot.ops.model.plans import EntityKind
from bot.ops.model.requests import AuditEvent
from bot.ops.model.states import ApprovalState
from bot.render.recent import MAX_ENTITIES, RecentChange, render_recent
from bot.render.values import duration_text
from bot.statsig.client import ConsoleClient
from bot.statsig.errors import ConsoleError
from bot.statsig.models import AuditLogEntry

__all__ = ["recent_reply"]

_KINDS: tuple[EntityKind, ...] = ("gate", "config", "experiment", "segment")
_PREFIXES = {"gate_": "gate", "experiment_": "experiment", "segment_": "segment"}
_CATALOG_WAIT = 0.5


async def recent_reply(
    workflow: ApprovalWorkflow | None,
    client: ConsoleClient,
    catalog: Catalog,
    command: RecentCommand,
    now: datetime | None = None,
) -> Reply:
    now = now or datetime.now(UTC)
    since = now - command.window
    notes: list[str] = []
    events: list[AuditEvent] = []
    if workflow is None:
        notes.append("the bot's own trail is unavailable (no approval workflow)")
    else:
        try:
            events = await workflow.audit_entries(since_seconds=command.window.total_seconds())
        except ApprovalsUnavailable:
            notes.append("the bot's own trail is unavailable (Redis cannot be reached)")
    statsig: Sequence[AuditLogEntry] = ()
    try:
        statsig = (await client.list_audit_logs(start_date=since.date(), limit=100)).data
    except ConsoleError as exc:
        notes.append(f"Statsig's audit log is unavailable ({exc.user_message})")
    entries = merge_audit(events, statsig, since=since, limit=300)
    known = await _catalog(catalog)
    changes = await _grouped(entries, events, known, workflow, command.tags)
    return Reply(
        message=render_recent(changes, window=duration_text(command.window), notes=notes),
        ok=len(notes) < 2,  # one trail is still an answer
    )


async def _catalog(catalog: Catalog) -> dict[EntityKind, dict[str, Listed]]:
    """What the catalog already holds (never a long walk: the answer must be quick)."""

    async def by_id(kind: EntityKind) -> dict[str, Listed]:
        try:
            items = await catalog.items(kind, wait=_CATALOG_WAIT)
        except ConsoleError:
            items = None
        return {item.id.casefold(): item for item in items or []}

    found = await asyncio.gather(*(by_id(kind) for kind in _KINDS))  # one wait, not four
    return dict(zip(_KINDS, found, strict=True))


def _kind_of(name: str, entries: Sequence[AuditLogEntry], ours: dict[str, str],
             known: dict[EntityKind, dict[str, Listed]]) -> str | None:  # fmt: skip
    key = name.casefold()
    if key in ours:
        return ours[key]
    for kind in _KINDS:
        if key in known[kind]:
            return kind
    for entry in entries:
        action = str(entry.action_type or "")
        for prefix, named in _PREFIXES.items():
            if action.startswith(prefix):
                return named
    return None


async def _grouped(
    entries: Sequence[AuditLogEntry],
    events: Sequence[AuditEvent],
    known: dict[EntityKind, dict[str, Listed]],
    workflow: ApprovalWorkflow | None,
    tags: Sequence[str],
) -> list[RecentChange]:
    by_name: dict[str, list[AuditLogEntry]] = {}
    for entry in entries:  # newest first: the first entity seen changed last
        name = entry.name or "(unnamed)"
        by_name.setdefault(name.casefold(), []).append(entry)
    ours = {e.entity_id.casefold(): e.entity_kind for e in events}
    wanted = {t.casefold() for t in tags}
    changes: list[RecentChange] = []
    for key, group in by_name.items():
        name = group[0].name or "(unnamed)"
        kind = _kind_of(name, group, ours, known)
        item = known.get(kind, {}).get(key) if kind in _KINDS else None
        if wanted and not wanted & _tags_of(group, item):
            continue
        restore = None
        if kind == "gate" and len(changes) < MAX_ENTITIES:
            restore = await _restorable(workflow, key, events)
        enabled = getattr(item, "is_enabled", True)
        changes.append(RecentChange(
            name=item.id if item is not None else name, kind=kind, entries=group,
            restore_request=restore, may_disable=kind == "gate" and bool(enabled),
        ))  # fmt: skip
    return changes


def _tags_of(group: Sequence[AuditLogEntry], item: Listed | None) -> set[str]:
    tags = {t.casefold() for entry in group for t in entry.tags}
    if item is not None:
        tags |= {t.casefold() for t in getattr(item, "tags", [])}
    return tags


async def _restorable(
    workflow: ApprovalWorkflow | None, gate_key: str, events: Sequence[AuditEvent]
) -> str | None:
    """The newest executed kill or disable of the gate in the window not restored since."""
    if workflow is None:
        return None
    done = [
        e for e in events
        if e.entity_kind == "gate" and e.entity_id.casefold() == gate_key
        and e.to_state is ApprovalState.EXECUTED and is_restorable(e.action)
    ]  # fmt: skip
    if not done:
        return None
    newest = max(done, key=lambda e: e.at)
    request = await workflow.get(newest.request_id)
    return request.id if request is not None and request.restored is None else None
