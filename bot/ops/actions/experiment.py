"""Experiment actions: start, abandon, decide (ship a group).

Each is a status transition; a request that Statsig would refuse for the experiment's
current status (say, deciding an experiment that never started) is refused at planning
time with :class:`PlanError`, and a request already satisfied plans as a no-op.

Usage::

    action = ExperimentDecide("pricing_test", "Test", reason="won on revenue")
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from bot.ops.actions.base import ActionBase, Current, PlanError, blast_radius
from bot.ops.actions.client import ConsoleAPI
from bot.ops.actions.load import load_context
from bot.ops.model.plans import EntityKind, FieldChange, Plan
from bot.statsig.models import Experiment, ExperimentGroup, ExperimentStatus

__all__ = ["ExperimentAbandon", "ExperimentDecide", "ExperimentStart", "find_group"]

_RUNNING = frozenset(
    {
        ExperimentStatus.ACTIVE,
        ExperimentStatus.EXPERIMENT_STOPPED,
        ExperimentStatus.ASSIGNMENT_STOPPED,
    }
)


class _ExperimentAction(ActionBase[Experiment]):
    entity_kind: ClassVar[EntityKind] = "experiment"
    experiment_id: str

    @property
    def entity_id(self) -> str:
        return self.experiment_id

    async def load(self, client: ConsoleAPI) -> Current[Experiment]:
        return await load_context(client, await client.get_experiment(self.experiment_id))

    async def _read(self, client: ConsoleAPI) -> Experiment:
        return await client.get_experiment(self.experiment_id)

    def _transition(
        self,
        current: Current[Experiment],
        *,
        summary: str,
        target: str,
        extra: list[FieldChange] | None = None,
        change: dict[str, Any] | None = None,
        warnings: list[str] | None = None,
    ) -> Plan:
        exp = current.entity
        changes = [FieldChange(field="status", before=str(exp.status), after=target)]
        return self._plan(
            current,
            summary=summary,
            changes=changes + (extra or []),
            blast_radius=blast_radius(current, environments=[]),
            change={"status": target, **(change or {})},
            warnings=warnings or [],
        )

    def _noop(
        self, current: Current[Experiment], summary: str, why: str, change: dict[str, Any]
    ) -> Plan:
        return self._plan(
            current,
            summary=summary,
            change=change,
            warnings=[why],
            blast_radius=blast_radius(current, environments=[]),
        )


@dataclass(frozen=True)
class ExperimentStart(_ExperimentAction):
    """``experiment start <id>``: setup → active."""

    experiment_id: str
    reason: str = ""
    action = "experiment.start"
    words = "start experiment"

    def plan(self, current: Current[Experiment]) -> Plan:
        exp = current.entity
        summary = f"start experiment {exp.id}"
        if exp.status == ExperimentStatus.ACTIVE:
            return self._noop(
                current, summary, f"{exp.id} is already running.", {"status": "active"}
            )
        if exp.status != ExperimentStatus.SETUP:
            raise PlanError(
                f"Experiment {exp.id} is {exp.status}; only an experiment in setup can be started."
            )
        return self._transition(current, summary=summary, target=ExperimentStatus.ACTIVE)

    async def _mutate(self, client: ConsoleAPI, plan: Plan) -> None:
        await client.start_experiment(self.experiment_id)

    def _verify(self, plan: Plan, after: Experiment) -> str | None:
        return None if after.status == ExperimentStatus.ACTIVE else f"status is {after.status}"


@dataclass(frozen=True)
class ExperimentAbandon(_ExperimentAction):
    """``experiment abandon <id> [reason]``: everyone gets the default experience back."""

    experiment_id: str
    reason: str = ""
    action = "experiment.abandon"
    words = "abandon experiment"

    @classmethod
    def from_plan(cls, plan: Plan) -> ExperimentAbandon:
        return cls(plan.entity_id, reason=str(plan.change.get("decisionReason") or plan.reason))

    def plan(self, current: Current[Experiment]) -> Plan:
        exp = current.entity
        summary = f"abandon experiment {exp.id}"
        reason = self.reason or "abandoned from chat"
        if exp.status == ExperimentStatus.ABANDONED:
            return self._noop(
                current,
                summary,
                f"{exp.id} is already abandoned.",
                {"status": "abandoned", "decisionReason": reason},
            )
        if exp.status not in _RUNNING:
            raise PlanError(
                f"Experiment {exp.id} is {exp.status}; only a running experiment can be abandoned."
            )
        return self._transition(
            current,
            summary=summary,
            target=ExperimentStatus.ABANDONED,
            change={"decisionReason": reason},
            warnings=["abandoning gives every user the default experience."],
        )

    async def _mutate(self, client: ConsoleAPI, plan: Plan) -> None:
        await client.abandon_experiment(
            self.experiment_id, reason=str(plan.change["decisionReason"])
        )

    def _verify(self, plan: Plan, after: Experiment) -> str | None:
        if after.status == ExperimentStatus.ABANDONED:
            return None
        return f"status is {after.status}"


def find_group(exp: Experiment, wanted: str) -> ExperimentGroup:
    """The group named ``wanted`` (by name or id, any case), or a PlanError listing them."""
    key = wanted.strip().casefold()
    for group in exp.groups:
        if key in {group.name.casefold(), (group.id or "").casefold()}:
            return group
    names = ", ".join(g.name for g in exp.groups) or "none"
    raise PlanError(f"Experiment {exp.id} has no group {wanted!r}. Groups: {names}.")


@dataclass(frozen=True)
class ExperimentDecide(_ExperimentAction):
    """``experiment decide <id> <group> [reason]``: ship ``group`` to everyone."""

    experiment_id: str
    group: str
    reason: str = ""
    action = "experiment.decide"
    words = "decide experiment"

    @classmethod
    def from_plan(cls, plan: Plan) -> ExperimentDecide:
        reason = str(plan.change.get("decisionReason") or "")
        return cls(plan.entity_id, str(plan.change["groupID"]), reason=reason)

    def plan(self, current: Current[Experiment]) -> Plan:
        exp = current.entity
        group = find_group(exp, self.group)
        group_id = group.id or group.name
        summary = f"ship group {group.name} of experiment {exp.id}"
        change = {"groupID": group_id, "decisionReason": self.reason or f"ship {group.name}"}
        if exp.status == ExperimentStatus.DECISION_MADE:
            if exp.launched_group_id == group_id:
                return self._noop(
                    current,
                    summary,
                    f"{group.name} is already shipped.",
                    {"status": "decision_made", **change},
                )
            raise PlanError(
                f"Experiment {exp.id} already shipped another group ({exp.launched_group_id})."
            )
        if exp.status not in _RUNNING:
            raise PlanError(
                f"Experiment {exp.id} is {exp.status}; only a running experiment can be decided."
            )
        launched = FieldChange(
            field="launchedGroupID", before=exp.launched_group_id, after=group_id
        )
        return self._transition(
            current,
            summary=summary,
            target=ExperimentStatus.DECISION_MADE,
            extra=[launched],
            change=change,
            warnings=[f"every user gets the parameters of {group.name}."],
        )

    async def _mutate(self, client: ConsoleAPI, plan: Plan) -> None:
        await client.make_decision(
            self.experiment_id,
            group_id=str(plan.change["groupID"]),
            reason=str(plan.change["decisionReason"]),
        )

    def _verify(self, plan: Plan, after: Experiment) -> str | None:
        if after.status != ExperimentStatus.DECISION_MADE:
            return f"status is {after.status}"
        if after.launched_group_id != plan.change["groupID"]:
            return f"the shipped group is {after.launched_group_id}"
        return None
