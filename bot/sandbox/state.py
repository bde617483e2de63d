"""The sandbox's in-memory project: entities, version history, audit log and pending reviews.

Entities are plain dicts in Statsig's wire spelling so the HTTP layer can return them as they
are. Every change goes through :meth:`SandboxState.apply`, which is what makes the emulator
behave like a project: it bumps ``version`` and ``lastModifiedTime``, keeps a snapshot for
``/versions`` and appends an ``AuditLogDto`` entry::

    state = demo_state()
    state.gates["checkout_v2"]["isEnabled"]       # True
    state.add_gate("my_gate", tags=["critical"])  # a complete ExternalGateDto
"""

from __future__ import annotations

import copy
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.sandbox.entities import (
    CONSOLE_API_ACTOR,
    base_id,
    make_audit_entry,
    make_gate,
)

__all__ = [
    "standard_environments",
    "ENTITY_KINDS",
    "Change",
    "PendingReview",
    "SandboxState",
    "empty_overrides",
    "wall_clock_ms",
]

Entity = dict[str, Any]

ENTITY_KINDS = {
    "gate": "Gate",
    "config": "Dynamic Config",
    "experiment": "Experiment",
    "segment": "Segment",
}
"""Internal kind -> the noun Statsig uses in messages ("Gate not found")."""


def wall_clock_ms() -> int:
    """Epoch milliseconds now: Statsig's timestamp unit."""
    return int(time.time() * 1000)


@dataclass
class Change:
    """One mutation, held as data so it can be applied now or after a review is committed.

    ``apply`` edits the entity dict in place (and may touch side stores such as ID lists);
    it is called only by :meth:`SandboxState.apply`, which does the bookkeeping.
    """

    kind: str
    entity_id: str
    action_type: str
    change_log: str
    apply: Callable[[Entity], None]
    reviewable: bool = True


@dataclass
class PendingReview:
    """A change held back because the entity requires review (see ``reviews.py``)."""

    review_id: str
    change: Change
    description: str


@dataclass
class SandboxState:
    """Everything the emulator knows; mutate it directly in tests to set the scene."""

    clock_ms: Callable[[], int] = wall_clock_ms
    gates: dict[str, Entity] = field(default_factory=dict)
    configs: dict[str, Entity] = field(default_factory=dict)
    experiments: dict[str, Entity] = field(default_factory=dict)
    segments: dict[str, Entity] = field(default_factory=dict)
    segment_ids: dict[str, list[str]] = field(default_factory=dict)
    gate_overrides: dict[str, Entity] = field(default_factory=dict)
    experiment_overrides: dict[str, Entity] = field(default_factory=dict)
    users: list[Entity] = field(default_factory=list)
    teams: list[Entity] = field(default_factory=list)
    environments: list[Entity] = field(default_factory=list)
    tags: list[Entity] = field(default_factory=list)
    review_settings: Entity = field(
        default_factory=lambda: {
            "is_config_review_required": False,
            "is_metric_review_required": False,
            "is_metric_review_required_on_verified_only": False,
            "is_whn_analysis_only_review_required": False,
            "is_whn_source_review_required": False,
        }
    )
    pipeline_triggers: dict[str, Entity] = field(default_factory=dict)
    reviews: dict[str, PendingReview] = field(default_factory=dict)
    actor: Entity = field(default_factory=lambda: dict(CONSOLE_API_ACTOR))
    _audit: list[tuple[int, Entity]] = field(default_factory=list)
    _history: dict[tuple[str, str], list[Entity]] = field(default_factory=dict)
    _serial: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    # ----------------------------------------------------------------- construction
    @classmethod
    def empty(cls, *, clock_ms: Callable[[], int] = wall_clock_ms) -> SandboxState:
        """A project with nothing in it but the three standard environments."""
        return cls(clock_ms=clock_ms, environments=standard_environments())

    # ----------------------------------------------------------------- lookups
    def store(self, kind: str) -> dict[str, Entity]:
        """The dict holding entities of ``kind`` (``gate``, ``config``, ``experiment``, ...)."""
        stores = {
            "gate": self.gates,
            "config": self.configs,
            "experiment": self.experiments,
            "segment": self.segments,
        }
        return stores[kind]

    def get(self, kind: str, entity_id: str) -> Entity | None:
        return self.store(kind).get(entity_id)

    def next_id(self, prefix: str) -> str:
        """A fresh, deterministic Statsig-looking ID."""
        return base_id(prefix, next(self._serial))

    # ----------------------------------------------------------------- test helpers
    def add_gate(self, id: str, **overrides: Any) -> Entity:  # noqa: A002 - agreed signature
        """Create a complete gate (``ExternalGateDto`` dict) with ``overrides`` on top."""
        gate = make_gate(id, now_ms=self.clock_ms(), **overrides)
        self.gates[id] = gate
        self.gate_overrides.setdefault(id, empty_overrides())
        return gate

    def add_many_gates(self, n: int, prefix: str = "bulk_gate_") -> list[str]:
        """Add ``n`` plain gates named ``{prefix}{i:05d}`` (for pagination and search tests)."""
        now = self.clock_ms()
        ids = [f"{prefix}{i:05d}" for i in range(n)]
        for gate_id in ids:
            self.gates[gate_id] = make_gate(gate_id, now_ms=now)
        return ids

    def touch_gate(self, id: str) -> Entity:  # noqa: A002 - agreed signature
        """An out-of-band edit (someone in the console): bumps version and lastModifiedTime."""
        editor = {"id": "4eoDlYj7svJixZfDsYSn", "name": "Console User", "email": None}
        change = Change(
            "gate", id, "gate_update", "Updated Gate description", _touch, reviewable=False
        )
        return self.apply(change, actor=editor)

    def apply(self, change: Change, *, actor: Entity | None = None) -> Entity:
        """Run ``change`` and do the bookkeeping every Statsig mutation gets."""
        entity = self.store(change.kind)[change.entity_id]
        history = self._seed_history(change.kind, entity)
        before = copy.deepcopy(entity)
        change.apply(entity)
        who = actor or self.actor
        now = max(self.clock_ms(), int(before.get("lastModifiedTime") or 0) + 1)
        entity["version"] = int(entity.get("version") or 0) + 1
        entity["lastModifiedTime"] = now
        entity["lastModifierID"] = who["id"]
        entity["lastModifierName"] = who["name"]
        entity["lastModifierEmail"] = who.get("email")
        history.append(copy.deepcopy(entity))
        self.log(
            entity,
            action_type=change.action_type,
            change_log=change.change_log,
            changes=_diff(before, entity),
            actor=who,
            epoch_ms=now,
        )
        return entity

    def versions(self, kind: str, entity_id: str) -> list[Entity]:
        """Snapshots of an entity, newest first (the ``/versions`` endpoints)."""
        entity = self.store(kind)[entity_id]
        return list(reversed(self._seed_history(kind, entity)))

    def _seed_history(self, kind: str, entity: Entity) -> list[Entity]:
        # History is created lazily so add_many_gates(10_000) stays cheap.
        key = (kind, entity["id"])
        if key not in self._history:
            self._history[key] = [copy.deepcopy(entity)]
        return self._history[key]

    # ----------------------------------------------------------------- audit log
    def log(
        self,
        entity: Entity,
        *,
        action_type: str,
        change_log: str,
        changes: Entity | None = None,
        actor: Entity | None = None,
        epoch_ms: int | None = None,
    ) -> Entity:
        """Append an ``AuditLogDto`` about ``entity``; returns it."""
        when = self.clock_ms() if epoch_ms is None else epoch_ms
        entry = make_audit_entry(
            entry_id=self.next_id("audit"),
            name=str(entity.get("name") or entity["id"]),
            change_log=change_log,
            action_type=action_type,
            epoch_ms=when,
            actor=actor or self.actor,
            changes=changes or {},
            tags=list(entity.get("tags") or []),
        )
        self._audit.append((when, entry))
        return entry

    def audit_entries(self) -> list[tuple[int, Entity]]:
        """``(epoch_ms, AuditLogDto)`` pairs in the order they happened."""
        return list(self._audit)


def standard_environments() -> list[Entity]:
    """development, staging, production; production does not require review by default."""
    return [
        {
            "name": name,
            "id": base_id("env", name),
            "isProduction": name == "production",
            "requiresReview": False,
            "requiresReleasePipeline": False,
        }
        for name in ("development", "staging", "production")
    ]


def empty_overrides() -> Entity:
    """A gate's ``OverrideDto`` with nothing in it."""
    return {
        "passingUserIDs": [],
        "failingUserIDs": [],
        "passingCustomIDs": [],
        "failingCustomIDs": [],
        "environmentOverrides": [],
    }


def _touch(entity: Entity) -> None:
    entity["description"] = (entity.get("description") or "") + " (edited in console)"


_BOOKKEEPING = {"version", "lastModifiedTime", "lastModifierID", "lastModifierName"}


def _diff(before: Entity, after: Entity) -> Entity:
    """``{field: {"old": …, "new": …}}`` for every changed field, like Statsig's ``changes``."""
    keys = (set(before) | set(after)) - _BOOKKEEPING - {"lastModifierEmail"}
    return {
        key: {"old": before.get(key), "new": after.get(key)}
        for key in sorted(keys)
        if before.get(key) != after.get(key)
    }
