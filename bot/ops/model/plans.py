"""Plans and outcomes: the data every change passes through before and after it runs.

A :class:`Plan` is what a person approves: the before → after diff, the blast radius and
what Statsig itself will demand (a review). It is plain data so that the Slack and shell
renderers, the policy and the Redis approval store can all use it without knowing how it
was computed. :meth:`Plan.fingerprint` binds approvals to the exact change and the entity's
base version: if either moves, collected approvals no longer count.

An :class:`Outcome` is what happened when the plan was executed, after reading the entity
back from Statsig.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "EVERY_ENVIRONMENT",
    "REVIEW_WARNING",
    "BlastRadius",
    "EntityKind",
    "FieldChange",
    "Outcome",
    "OutcomeStatus",
    "Plan",
    "RuleChange",
]

EntityKind = Literal["gate", "config", "experiment", "segment"]

EVERY_ENVIRONMENT = "all environments"
"""The words plans and gate cards share for a rule without an environment list."""

REVIEW_WARNING = "Statsig requires a review of this change"
"""How the plan's warning about a required review starts (renderers look for it)."""


class FieldChange(BaseModel):
    """One value that changes, e.g. ``isEnabled: true → false`` or a rule's pass %."""

    model_config = ConfigDict(frozen=True)

    field: str
    before: Any = None
    after: Any = None


class RuleChange(BaseModel):
    """A rule added, removed or edited; ``changes`` lists the edited fields."""

    model_config = ConfigDict(frozen=True)

    rule_name: str
    rule_id: str | None = None
    kind: Literal["added", "removed", "changed"]
    changes: list[FieldChange] = Field(default_factory=list)


class BlastRadius(BaseModel):
    """How much traffic and how many other entities a change touches.

    A reference count of ``None`` means "not checked" (the incident kill skips the read to
    stay fast; experiments and segments have no references to read; or the read failed),
    which renderers must not show as zero. The blast radius is not part of
    :meth:`Plan.fingerprint`, so this does not move any stored approval.
    """

    checks_per_hour: float | None = None
    environments: list[str] = Field(default_factory=list)
    gate_references: int | None = 0
    experiment_references: int | None = 0
    config_references: int | None = 0

    @property
    def references_checked(self) -> bool:
        counts = (self.gate_references, self.experiment_references, self.config_references)
        return all(count is not None for count in counts)

    @property
    def reference_count(self) -> int | None:
        """All references together, or ``None`` when they were not checked."""
        if self.gate_references is None or self.experiment_references is None:
            return None
        if self.config_references is None:
            return None
        return self.gate_references + self.experiment_references + self.config_references


class Plan(BaseModel):
    """A change ready to be approved and executed.

    ``action`` is ``"noun.verb"`` (``"gate.disable"``), the key the policy matches on.
    ``absolute`` marks changes whose result does not depend on the base (disable, enable):
    they may still run when the entity moved since planning; relative ones are then stale.
    ``change`` is the machine-readable request the executor sends (for example
    ``{"passPercentage": 25, "ruleID": "…"}``); ``snapshot`` keeps the entity as it was,
    so that ``restore`` can put it back exactly.
    """

    action: str
    entity_kind: EntityKind
    entity_id: str
    entity_name: str | None = None
    summary: str
    reason: str = ""
    changes: list[FieldChange] = Field(default_factory=list)
    rule_changes: list[RuleChange] = Field(default_factory=list)
    overrides_added: list[str] = Field(default_factory=list)
    overrides_removed: list[str] = Field(default_factory=list)
    blast_radius: BlastRadius = Field(default_factory=BlastRadius)
    review_required: bool = False
    allowed_reviewers: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    base_version: int | None = None
    base_modified_time: datetime | None = None
    absolute: bool = False
    change: dict[str, Any] = Field(default_factory=dict)
    snapshot: dict[str, Any] | None = None
    warnings: list[str] = Field(default_factory=list)
    team: str | None = None
    """The owning Statsig team's name, when it limits who may change its entities."""
    team_editors: list[str] | None = None
    """With the team's ``changeTeamConfigs = team_only``: who may change it (members and
    admins, by email); ``None`` when anyone may."""

    @property
    def is_noop(self) -> bool:
        return not (
            self.changes or self.rule_changes or self.overrides_added or self.overrides_removed
        )

    def fingerprint(self) -> str:
        """A stable hash of what will change and of the base it was planned against."""
        material = {
            "action": self.action,
            "entity": [self.entity_kind, self.entity_id],
            "change": self.change,
            "base_version": self.base_version,
            "base_modified_time": (
                self.base_modified_time.isoformat() if self.base_modified_time else None
            ),
        }
        encoded = json.dumps(material, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(encoded.encode()).hexdigest()[:32]


class OutcomeStatus(StrEnum):
    APPLIED = "applied"  # Statsig applied it and the read-back shows the intended state
    PENDING_REVIEW = "pending_review"  # Statsig turned it into a review; nothing changed yet
    NOOP = "noop"  # the entity was already in the intended state
    FAILED = "failed"  # Statsig refused it or the read-back disagrees
    UNKNOWN = "unknown"  # Statsig's answer was lost and the read-back cannot tell


class Outcome(BaseModel):
    """What execution did, verified by reading the entity back."""

    status: OutcomeStatus
    message: str
    entity_kind: EntityKind
    entity_id: str
    review_id: str | None = None
    after: dict[str, Any] | None = None
    error: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.status in (OutcomeStatus.APPLIED, OutcomeStatus.NOOP)
