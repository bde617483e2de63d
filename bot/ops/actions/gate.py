"""Gate actions: enable, disable, rollout, launch, archive, unarchive.

Usage::

    action = GateRollout("new_nav", 25, reason="ramp")
    plan = action.plan(await action.load(client))   # PlanError if the rule is ambiguous
    outcome = await action.execute(client, plan)    # verified by reading the gate back
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from bot.ops.actions.base import ActionBase, Current, PlanError, blast_radius, reference_warnings
from bot.ops.actions.client import ConsoleAPI
from bot.ops.actions.diff import diff_rules
from bot.ops.actions.load import load_gate
from bot.ops.model.plans import EntityKind, FieldChange, Plan
from bot.statsig.models import Gate, GateStatus, Rule

__all__ = [
    "GateArchive",
    "GateDisable",
    "GateEnable",
    "GateLaunch",
    "GateRollout",
    "GateUnarchive",
    "find_rule",
    "pipeline_warning",
    "refuse_if_archived",
]


def refuse_if_archived(gate: Gate, doing: str) -> None:
    """An archived gate fails for everyone whatever its rules say: changing them would look
    done and do nothing. Say so, and how to bring the gate back."""
    if gate.status == GateStatus.ARCHIVED:
        raise PlanError(
            f"{gate.id} is archived: it fails for everyone whatever its rules say, so "
            f"{doing} would change nothing people see. Unarchive it first: "
            f"`gate unarchive {gate.id}`."
        )


def pipeline_warning(running: int) -> list[str]:
    """A running release pipeline may re-apply its own rules after our change."""
    if not running:
        return []
    return ["a release pipeline is running on this gate; it may change the rules again."]


class _GateAction(ActionBase[Gate]):
    """Gate plumbing: which ID, how to read it."""

    entity_kind: ClassVar[EntityKind] = "gate"
    gate_id: str

    @property
    def entity_id(self) -> str:
        return self.gate_id

    async def load(self, client: ConsoleAPI) -> Current[Gate]:
        return await load_gate(client, self.gate_id)

    async def _read(self, client: ConsoleAPI) -> Gate:
        return await client.get_gate(self.gate_id)


class _GateToggle(_GateAction):
    """Enable or disable: absolute, so it may run even if the gate moved since planning."""

    absolute = True
    target: ClassVar[bool]

    def plan(self, current: Current[Gate]) -> Plan:
        gate = current.entity
        word = "enable" if self.target else "disable"
        if self.target:
            refuse_if_archived(gate, "enabling it")
        changes = []
        warnings: list[str] = []
        if gate.is_enabled == self.target:
            warnings.append(f"{gate.id} is already {word}d.")
        else:
            changes.append(
                FieldChange(field="isEnabled", before=gate.is_enabled, after=self.target)
            )
        if not self.target:
            warnings.extend(reference_warnings(current.references))
        warnings.extend(pipeline_warning(current.running_pipelines))
        return self._plan(
            current,
            summary=f"{word} gate {gate.id}",
            changes=changes,
            blast_radius=blast_radius(current, rules=gate.rules),
            change={"isEnabled": self.target},
            warnings=warnings,
        )

    async def _mutate(self, client: ConsoleAPI, plan: Plan) -> Gate:
        if self.target:
            return await client.enable_gate(self.gate_id)
        return await client.disable_gate(self.gate_id)

    def _verify(self, plan: Plan, after: Gate) -> str | None:
        if after.is_enabled == self.target:
            return None
        return f"isEnabled is still {str(after.is_enabled).lower()}"


@dataclass(frozen=True)
class GateEnable(_GateToggle):
    """``gate enable <id> [reason]``: ``PUT /gates/{id}/enable``."""

    gate_id: str
    reason: str = ""
    action = "gate.enable"
    words = "enable gate"
    target = True


@dataclass(frozen=True)
class GateDisable(_GateToggle):
    """``gate disable <id> [reason]``: ``PUT /gates/{id}/disable``; everyone gets false."""

    gate_id: str
    reason: str = ""
    action = "gate.disable"
    words = "disable gate"
    restorable = True
    target = False


def _is_everyone(rule: Rule) -> bool:
    return all(cond.type == "public" for cond in rule.conditions)


def _rule_list(rules: list[Rule]) -> str:
    return ", ".join(f"{r.name} ({r.pass_percentage:g}%)" for r in rules) or "none"


def find_rule(gate: Gate, wanted: str | None) -> Rule:
    """The rule named by name, id or baseID; by default the (last) everyone-like rule."""
    if wanted is not None:
        key = wanted.strip().casefold()
        for rule in gate.rules:
            names = {
                rule.name.casefold(),
                (rule.id or "").casefold(),
                (rule.base_id or "").casefold(),
            }
            if key in names:
                return rule
        raise PlanError(f"Gate {gate.id} has no rule {wanted!r}. Rules: {_rule_list(gate.rules)}.")
    if len(gate.rules) == 1:
        return gate.rules[0]
    everyone = [rule for rule in gate.rules if _is_everyone(rule)]
    if everyone:
        return everyone[-1]
    raise PlanError(
        f"Gate {gate.id} has no single everyone rule; name one with --rule. "
        f"Rules: {_rule_list(gate.rules)}."
    )


def _same_rule(a: Rule, b: Rule) -> bool:
    if a.base_id and b.base_id:
        return a.base_id == b.base_id
    if a.id and b.id:
        return a.id == b.id
    return a.name == b.name


@dataclass(frozen=True)
class GateRollout(_GateAction):
    """``gate rollout <id> <pct> [--rule R]``: set one rule's ``passPercentage``."""

    gate_id: str
    pass_percentage: float
    rule: str | None = None
    reason: str = ""
    action = "gate.rollout"
    words = "roll out gate"

    @classmethod
    def from_plan(cls, plan: Plan) -> GateRollout:
        change = plan.change
        rule = change.get("baseID") or change.get("ruleID") or change.get("ruleName")
        return cls(plan.entity_id, float(change["passPercentage"]), str(rule), reason=plan.reason)

    def __post_init__(self) -> None:
        if not 0 <= self.pass_percentage <= 100:
            raise PlanError(
                f"A pass percentage must be between 0 and 100, not {self.pass_percentage:g}."
            )

    def plan(self, current: Current[Gate]) -> Plan:
        gate = current.entity
        refuse_if_archived(gate, "a rollout")
        target = find_rule(gate, self.rule)
        pct = round(float(self.pass_percentage), 2)
        after = [
            r.model_copy(update={"pass_percentage": pct}) if r is target else r for r in gate.rules
        ]
        warnings = pipeline_warning(current.running_pipelines)
        if target.pass_percentage == pct:
            warnings.append(f"rule {target.name} already passes {pct:g}%.")
        if not gate.is_enabled:
            warnings.append(f"{gate.id} is disabled: the new percentage applies once enabled.")
        if target.pending_automated_rollouts:
            warnings.append(f"rule {target.name} has scheduled rollouts that will change it.")
        change: dict[str, Any] = {
            "ruleID": target.id or target.base_id,
            "baseID": target.base_id,
            "ruleName": target.name,
            "passPercentage": pct,
        }
        return self._plan(
            current,
            summary=f"roll out gate {gate.id} rule {target.name}: "
            f"{target.pass_percentage:g}% → {pct:g}%",
            rule_changes=diff_rules(gate.rules, after),
            blast_radius=blast_radius(current, rules=[target]),
            change=change,
            warnings=warnings,
            review_environments=target.environments,
        )

    async def _mutate(self, client: ConsoleAPI, plan: Plan) -> Gate:
        patch = {"passPercentage": plan.change["passPercentage"]}
        return await client.update_gate_rule(self.gate_id, str(plan.change["ruleID"]), patch)

    def _verify(self, plan: Plan, after: Gate) -> str | None:
        wanted = Rule(
            name=plan.change["ruleName"],
            pass_percentage=0,
            id=plan.change["ruleID"],
            base_id=plan.change["baseID"],
        )
        rule = next((r for r in after.rules if _same_rule(r, wanted)), None)
        if rule is None:
            return f"rule {wanted.name} is gone"
        if rule.pass_percentage != plan.change["passPercentage"]:
            return f"rule {rule.name} still passes {rule.pass_percentage:g}%"
        return None


class _GateStatusAction(_GateAction):
    """Launch and archive: move the gate to a lifecycle status."""

    absolute = True
    status: ClassVar[GateStatus]
    verb: ClassVar[str]

    def _status_warnings(self, current: Current[Gate]) -> list[str]:
        return []

    def plan(self, current: Current[Gate]) -> Plan:
        gate = current.entity
        changes = []
        warnings = self._status_warnings(current)
        if gate.status == self.status:
            warnings.insert(0, f"{gate.id} is already {self.status.value.lower()}.")
        else:
            changes.append(
                FieldChange(field="status", before=str(gate.status), after=self.status.value)
            )
        return self._plan(
            current,
            summary=f"{self.verb} gate {gate.id}",
            changes=changes,
            blast_radius=blast_radius(current, rules=gate.rules),
            change={"status": self.status.value},
            warnings=warnings + pipeline_warning(current.running_pipelines),
        )

    def _verify(self, plan: Plan, after: Gate) -> str | None:
        if after.status == self.status:
            return None
        return f"status is still {after.status}"


@dataclass(frozen=True)
class GateLaunch(_GateStatusAction):
    """``gate launch <id>``: the gate passes for everyone and stops logging exposures."""

    gate_id: str
    reason: str = ""
    action = "gate.launch"
    words = "launch gate"
    status = GateStatus.LAUNCHED
    verb = "launch"

    def _status_warnings(self, current: Current[Gate]) -> list[str]:
        refuse_if_archived(current.entity, "launching it")
        return ["launching makes the gate pass for everyone."]

    async def _mutate(self, client: ConsoleAPI, plan: Plan) -> Gate:
        return await client.launch_gate(self.gate_id)


@dataclass(frozen=True)
class GateArchive(_GateStatusAction):
    """``gate archive <id>``: archived gates return false wherever still checked."""

    gate_id: str
    reason: str = ""
    force: bool = False
    action = "gate.archive"
    words = "archive gate"
    status = GateStatus.ARCHIVED
    verb = "archive"

    def _status_warnings(self, current: Current[Gate]) -> list[str]:
        warnings = ["an archived gate returns false wherever code still checks it."]
        return warnings + reference_warnings(current.references)

    async def _mutate(self, client: ConsoleAPI, plan: Plan) -> Gate:
        return await client.archive_gate(self.gate_id, reason=self.reason or None, force=self.force)


@dataclass(frozen=True)
class GateUnarchive(_GateStatusAction):
    """``gate unarchive <id>``: back in progress, its rules in force again."""

    gate_id: str
    reason: str = ""
    action = "gate.unarchive"
    words = "unarchive gate"
    status = GateStatus.IN_PROGRESS
    verb = "unarchive"

    def _status_warnings(self, current: Current[Gate]) -> list[str]:
        gate = current.entity
        if gate.status != GateStatus.ARCHIVED:
            raise PlanError(f"{gate.id} is not archived (it is {gate.status}); nothing to undo.")
        state = "enabled" if gate.is_enabled else "disabled"
        return [f"its rules apply again as they are ({state}, {_rule_list(gate.rules)})."]

    async def _mutate(self, client: ConsoleAPI, plan: Plan) -> Gate:
        return await client.unarchive_gate(self.gate_id, reason=plan.reason or None)
