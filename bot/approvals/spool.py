"""Kills that ran while Redis was down, kept on local disk until Redis can record them.

A break-glass kill never waits for Redis, so with Redis unreachable it runs unrecorded:
no audit entry, no request to restore by ID. The process appends what it knows (the plan
with its snapshot, the outcome, who, where) to a local JSON-lines file; once Redis
answers again, every sweep writes each spooled kill as the executed request it would have
been, through the same transitions as a live one (create, self-approve, claim, finish,
nothing sent to Statsig), and drops it from the file. ``restore <gate>``, ``recent``,
``audit`` and the timed-kill reminders then see it like any other.

The file is per process (a replica that dies before Redis is back takes its spool with
it, which is why the kill message also carries the snapshot: see ``RestoreTicket``).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
from pathlib import Path
from typing import Any

from redis.exceptions import RedisError

from bot.approvals.execute import final_state
from bot.approvals.results import StoredPlan
from bot.approvals.run_now import create_request
from bot.approvals.store import ApprovalStore
from bot.ops.model.identity import Actor
from bot.ops.model.plans import Outcome, Plan
from bot.ops.model.requests import LockHeld

__all__ = ["KillSpool"]

log = logging.getLogger(__name__)
_SPOOLER = "spool"
_TTL_SECONDS = 3600.0


class KillSpool:
    """Append unrecorded kills to this process's file in ``directory``; :meth:`drain`
    records every file's kills once Redis answers (a file left by a process that has
    since stopped included: each file is claimed by renaming it, so one drainer wins)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / f"kills-{socket.gethostname()}-{os.getpid()}.jsonl"

    def add(self, plan: Plan, outcome: Outcome, requester: Actor, channel: str | None) -> bool:
        """Remember one unrecorded kill; ``False`` (logged) when the disk refuses too."""
        entry = {
            "plan": plan.model_dump(mode="json"),
            "outcome": outcome.model_dump(mode="json"),
            "user": requester.user_id,
            "email": requester.email,
            "label": requester.label,
            "channel": channel or "",
        }
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as spool:
                spool.write(json.dumps(entry, separators=(",", ":")) + "\n")
        except OSError as exc:
            log.error("could not spool an unrecorded kill: %s", type(exc).__name__)
            return False
        return True

    def pending(self) -> list[dict[str, Any]]:
        """Every spooled kill of every file in the directory (for status and tests)."""
        return [e for path in self._files() for e in _read(path)]

    def _files(self) -> list[Path]:
        try:
            return sorted(self.directory.glob("kills-*.jsonl"))
        except OSError:
            return []

    def _claim(self) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = []
        for path in self._files():
            claimed = path.with_name(f"{path.name}.{os.getpid()}.draining")
            try:
                os.replace(path, claimed)
            except OSError:  # another drainer took it first
                continue
            entries += _read(claimed)
            with contextlib.suppress(OSError):
                claimed.unlink()
        return entries

    async def drain(self, store: ApprovalStore) -> list[str]:
        """Record every spooled kill Redis takes now; the new request IDs. Raises nothing:
        what cannot be recorded yet goes back to this process's file for the next sweep."""
        if not self._files():
            return []
        entries = self._claim()
        recorded: list[str] = []
        left: list[dict[str, Any]] = []
        for entry in entries:
            try:
                request_id = await _record(store, entry)
            except (RedisError, OSError, ValueError, KeyError) as exc:
                log.warning("spooled kill not recorded yet: %s", type(exc).__name__)
                request_id = None
            if request_id is None:
                left.append(entry)
            else:
                recorded.append(request_id)
        self._rewrite(left)
        if recorded:
            log.warning("recorded %d kill(s) that ran while Redis was down", len(recorded))
        return recorded

    def _rewrite(self, entries: list[dict[str, Any]]) -> None:
        """Put back what could not be recorded yet (appended: kills may have come since)."""
        if not entries:
            return
        try:
            with self.path.open("a", encoding="utf-8") as spool:
                spool.write("".join(json.dumps(e) + "\n" for e in entries))
        except OSError as exc:
            log.error("could not put %d spooled kill(s) back: %s", len(entries), exc)


def _read(path: Path) -> list[dict[str, Any]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    entries = []
    for line in lines:
        with contextlib.suppress(ValueError):
            entries.append(json.loads(line))
    return [e for e in entries if isinstance(e, dict)]


async def _record(store: ApprovalStore, entry: dict[str, Any]) -> str | None:
    """One spooled kill as an executed request; ``None`` while its gate's lock is held."""
    plan = Plan.model_validate(entry["plan"])
    outcome = Outcome.model_validate(entry["outcome"])
    requester = Actor(str(entry["user"]), email=entry.get("email") or None)
    stored = StoredPlan(plan=plan, need=None, requester_label=str(entry.get("label") or ""))
    created = await create_request(
        store, stored, requester, channel=str(entry.get("channel") or "") or None, quorum=1,
        approver_group="", ttl_seconds=_TTL_SECONDS,
    )  # fmt: skip
    if isinstance(created, LockHeld):
        return None
    await store.approve(
        created.id, requester.user_id, plan.fingerprint(), 1, allow_self=True,
        email=requester.email,
    )  # fmt: skip
    if not (await store.claim(created.id, _SPOOLER, 60.0)).ok:
        return None
    record = {**outcome.model_dump(mode="json"), "recorded_late": True}
    done = await store.finish(created.id, _SPOOLER, final_state(outcome), record)
    return created.id if done.ok else None
