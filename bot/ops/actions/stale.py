"""Stale plans: did the entity move between planning and execution?

Like a stale Terraform plan: the plan records the entity's ``version`` and
``lastModifiedTime`` (and a ``snapshot``, compared by content when the entity has neither).
Before executing, :func:`check_base` reads the entity again. If it moved, a relative action
(a rollout computed from the old rules) is refused and the caller gets what moved plus,
when it passes the action, a fresh plan to approve instead; an absolute action (disable:
the result does not depend on the base) may proceed with a warning.

Usage::

    staleness = await check_base(client, plan, action)
    if not staleness.proceed:
        return staleness.refusal()      # an Outcome; staleness.fresh_plan is the new diff
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.ops.actions.base import Action, Entity
from bot.ops.actions.client import ConsoleAPI
from bot.ops.actions.diff import diff_entity, format_diff
from bot.ops.model.plans import FieldChange, Outcome, OutcomeStatus, Plan, RuleChange

__all__ = ["Staleness", "check_base", "read_entity"]

BASE_MOVED = "the base moved since planning"


@dataclass(frozen=True)
class Staleness:
    """The answer of :func:`check_base`.

    ``stale`` says the entity moved; ``proceed`` whether execution may go on (always when
    not stale; for absolute plans also when stale). ``changes``/``rule_changes`` are what
    moved; ``fresh_plan`` the plan recomputed against today's entity, when the action was
    given.
    """

    plan: Plan
    stale: bool
    proceed: bool
    version: int | None = None
    modified_time: datetime | None = None
    changes: list[FieldChange] = field(default_factory=list)
    rule_changes: list[RuleChange] = field(default_factory=list)
    fresh_plan: Plan | None = None

    @property
    def warning(self) -> str | None:
        """The line to show when an absolute plan proceeds on a moved base."""
        if self.stale and self.proceed:
            return f"{BASE_MOVED}: {format_diff(self.changes, self.rule_changes)}"
        return None

    def refusal(self) -> Outcome:
        """The failed outcome for a refused stale plan (nothing was sent to Statsig)."""
        what = format_diff(self.changes, self.rule_changes)
        return Outcome(
            status=OutcomeStatus.FAILED,
            message=(
                f"Not applied: {self.plan.entity_kind} {self.plan.entity_id} changed in "
                f"Statsig after this was planned. Plan it again.\n{what}"
            ),
            entity_kind=self.plan.entity_kind,
            entity_id=self.plan.entity_id,
            error="stale plan",
        )


async def read_entity(client: ConsoleAPI, plan: Plan) -> Entity:
    """GET the entity a plan is about."""
    if plan.entity_kind == "gate":
        return await client.get_gate(plan.entity_id)
    if plan.entity_kind == "config":
        return await client.get_config(plan.entity_id)
    if plan.entity_kind == "experiment":
        return await client.get_experiment(plan.entity_id)
    return await client.get_segment(plan.entity_id)


_CONTENT_FIELDS = ("isEnabled", "rules")
"""What the content comparison looks at when the entity carries no version or time."""


def _moved(plan: Plan, entity: Entity) -> bool:
    """Did the entity move since planning? By version, then time, else by content.

    Without a comparable ``version`` or ``lastModifiedTime`` pair (some entity kinds and
    older API answers carry neither), the plan's ``snapshot`` is compared with the entity's
    ``isEnabled`` and ``rules``: a change made in the console is still caught instead of
    passing silently. A plan without a snapshot cannot be compared and counts as unmoved.
    """
    versions = (plan.base_version, entity.version)
    times = (plan.base_modified_time, entity.last_modified_time)
    versions_known, times_known = None not in versions, None not in times
    if not versions_known and not times_known:
        return _content_moved(plan.snapshot, entity.to_api())
    if versions_known and versions[0] != versions[1]:
        return True
    return times_known and times[0] != times[1]


def _content_moved(snapshot: dict[str, Any] | None, current: dict[str, Any]) -> bool:
    if snapshot is None:
        return False
    return any(
        snapshot.get(name) != current.get(name)
        for name in _CONTENT_FIELDS
        if name in snapshot or name in current
    )


async def check_base(client: ConsoleAPI, plan: Plan, action: Action | None = None) -> Staleness:
    """Re-read the entity and compare it with the plan's base.

    Raises :class:`~bot.statsig.errors.ConsoleError` if the entity cannot be read; with
    ``action``, a stale relative plan also gets ``fresh_plan`` (which may raise
    :class:`~bot.ops.actions.base.PlanError` if the request no longer makes sense).
    """
    entity = await read_entity(client, plan)
    if not _moved(plan, entity):
        return Staleness(plan=plan, stale=False, proceed=True)
    changes, rule_changes = diff_entity(plan.entity_kind, plan.snapshot or {}, entity.to_api())
    if plan.base_version != entity.version:
        changes.append(FieldChange(field="version", before=plan.base_version, after=entity.version))
    fresh = None
    if action is not None and not plan.absolute:
        fresh = action.plan(await action.load(client))
    return Staleness(
        plan=plan,
        stale=True,
        proceed=plan.absolute,
        version=entity.version,
        modified_time=entity.last_modified_time,
        changes=changes,
        rule_changes=rule_changes,
        fresh_plan=fresh,
    )
