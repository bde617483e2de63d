"""Incident mode (DESIGN §5): kill a gate fast, and restore it exactly later.

``IncidentKill`` makes the fewest possible round trips: ``load`` is one GET (the snapshot)
and ``execute`` one ``PUT /disable`` in the limiter's priority lane, verified from the
PUT's own answer instead of a third call. If Statsig turned the disable into a review,
the outcome says loudly that the gate is NOT disabled yet.

``Restore`` puts back ``isEnabled`` and the rules exactly as snapshotted (one PATCH), and
refuses with a diff if the gate changed since the kill: someone else has acted since, and
blindly writing the old state over their change could undo a fix. A gate that already
matches the snapshot (restored once already, or put back by hand) plans as a no-op
instead: restoring twice is harmless and says so.

Usage::

    kill = IncidentKill("checkout_v2", reason="INC-231 errors spiking")
    plan = kill.plan(await kill.load(client))
    outcome = await kill.execute(client, plan)
    restore = Restore("checkout_v2", plan.snapshot, reason="fixed", after_kill=outcome.after)
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

from bot.ops.actions.base import Current, PlanError, References, blast_radius, reference_warnings
from bot.ops.actions.client import ConsoleAPI
from bot.ops.actions.diff import diff_entity, diff_rules, format_value, rules_equal
from bot.ops.actions.gate import _GateAction, pipeline_warning
from bot.ops.actions.load import load_gate
from bot.ops.model.plans import FieldChange, Outcome, OutcomeStatus, Plan, RuleChange
from bot.ops.model.timers import kill_window, span_words
from bot.ops.model.words import field_words
from bot.statsig.errors import ConsoleError
from bot.statsig.models import Gate
from bot.statsig.progress import counting

__all__ = ["IncidentKill", "Restore", "RestoreRefused", "three_way", "with_references"]


@dataclass(frozen=True)
class IncidentKill(_GateAction):
    """``kill <gate> [reason]``: snapshot, then disable in the priority lane."""

    gate_id: str
    reason: str = ""
    window_s: float | None = None
    """``--for``: seconds the gate stays off before a reminder (or the restore)."""
    auto_restore: bool = False
    action = "incident.kill"
    absolute = True
    words = "kill gate"
    incident = True
    lock_exempt = True
    announced = True
    restorable = True

    async def load(self, client: ConsoleAPI) -> Current[Gate]:
        """One GET: the snapshot. Every other read is skipped on purpose.

        The kill is the break-glass path: each extra round trip (blast radius, project
        review switch, environments, owning team) delays the disable by its latency, and
        any of them may be the thing that is slow during an incident. The review verdict
        therefore rests on the gate's own ``reviewSettings`` only; the team, environment
        and project switches are still enforced by Statsig itself, because the disable is
        sent with ``x-respect-review-settings`` and a held kill says loudly that the gate
        is NOT disabled yet. A non-responder's kill needs a responder's approval anyway.
        """
        return Current(entity=await client.get_gate(self.gate_id))

    def plan(self, current: Current[Gate]) -> Plan:
        gate = current.entity
        changes: list[FieldChange] = []
        warnings = list(reference_warnings(current.references))
        if gate.is_enabled:
            changes.append(FieldChange(field="isEnabled", before=True, after=False))
        else:
            warnings.insert(0, f"{gate.id} is already disabled.")
        summary = f"KILL gate {gate.id}: disable it for everyone"
        change: dict[str, Any] = {"isEnabled": False}
        if self.window_s is not None:
            then = "then restore it" if self.auto_restore else "then remind"
            summary += f" for {span_words(self.window_s)} ({then})"
            change |= {"windowSeconds": self.window_s, "autoRestore": self.auto_restore}
        return self._plan(
            current,
            summary=summary,
            changes=changes,
            blast_radius=blast_radius(current, rules=gate.rules),
            change=change,
            warnings=warnings + pipeline_warning(current.running_pipelines),
        )

    @classmethod
    def from_plan(cls, plan: Plan) -> IncidentKill:
        window = kill_window(plan)
        return cls(
            plan.entity_id,
            reason=plan.reason,
            window_s=window[0] if window else None,
            auto_restore=window[1] if window else False,
        )

    async def execute(self, client: ConsoleAPI, plan: Plan) -> Outcome:
        """One PUT; its answer is the read-back, unless it had to be retried (then one GET
        says what Statsig really holds)."""
        if plan.is_noop:
            return self._outcome(
                OutcomeStatus.NOOP, f"{self.gate_id} was already disabled.", after=plan.snapshot
            )
        try:
            with counting() as retries:
                after = await client.disable_gate(self.gate_id, priority=True)
        except ConsoleError as exc:
            if exc.outcome_unknown:
                return await self.settle(client, plan)
            return self._outcome(
                OutcomeStatus.FAILED,
                f"KILL FAILED: gate {self.gate_id} is NOT disabled.",
                error=exc.user_message,
            )
        if retries.count:  # Statsig was failing: a fresh read says what it really holds
            with contextlib.suppress(ConsoleError):
                after = await self._read(client)
        return self.judge(plan, after)

    def settled(self, plan: Plan, after: Gate | None) -> Outcome:
        """The lost answer judged in the kill's own words: is the gate off or not?"""
        outcome = super().settled(plan, after)
        if outcome.status is OutcomeStatus.FAILED:
            message = (
                f"KILL FAILED: gate {self.gate_id} is NOT disabled (Statsig did not answer "
                "in time and the gate is unchanged). Run the kill again."
            )
            return outcome.model_copy(update={"message": message})
        if outcome.status is OutcomeStatus.UNKNOWN:
            message = (
                f"KILL UNCONFIRMED: Statsig did not answer in time and I cannot tell "
                f"whether gate {self.gate_id} is disabled. Check it in the console now, or "
                "run the kill again (disabling twice is harmless)."
            )
            return outcome.model_copy(update={"message": message})
        return outcome

    def judge(self, plan: Plan, after: Gate) -> Outcome:
        outcome = super().judge(plan, after)
        if outcome.status is OutcomeStatus.PENDING_REVIEW:
            message = _held_for_review(self.gate_id, plan.allowed_reviewers)
            return outcome.model_copy(update={"message": message})
        if outcome.status is OutcomeStatus.FAILED:  # the error is shown next to it, once
            message = f"KILL FAILED: gate {self.gate_id} is NOT disabled."
            return outcome.model_copy(update={"message": message})
        return outcome.model_copy(update={"message": f"Killed: gate {self.gate_id} is disabled."})

    def _verify(self, plan: Plan, after: Gate) -> str | None:
        return None if not after.is_enabled else "isEnabled is still true"


async def with_references(client: ConsoleAPI, plan: Plan) -> Plan:
    """The kill's plan with the gate's references counted (the blast radius beyond traffic).

    The kill skips this read to keep the disable one GET and one PUT; it is read after the
    disable (to fill in the announcement), or before an approval, where a second is free.
    Raises :class:`~bot.statsig.errors.ConsoleError` when Statsig cannot say.
    """
    refs = References.count(await client.list_gate_references(plan.entity_id))
    radius = plan.blast_radius.model_copy(
        update={
            "gate_references": refs.gates,
            "experiment_references": refs.experiments,
            "config_references": refs.configs,
        }
    )
    return plan.model_copy(update={"blast_radius": radius})


def _held_for_review(gate_id: str, reviewers: list[str]) -> str:
    """What to tell people when Statsig turned the kill into a review: the gate is still
    on, who can release it, and how (the review ID goes in the small print)."""
    who = f"a Statsig reviewer of the gate ({', '.join(reviewers[:8])})"
    if not reviewers:
        who = "a Statsig reviewer of the gate"
    return (
        f"Gate {gate_id} is still ON (not disabled yet): Statsig holds the kill for review. "
        f"Ask {who} to approve and commit it in the Statsig console now."
    )


class RestoreRefused(PlanError):
    """The gate changed since the kill; ``changes``/``rule_changes`` say how.

    ``edited_at`` is when it was last saved, for a gate that was saved again since the
    kill without a visible difference in ``isEnabled``, ``status`` or its rules. The
    message reads each difference in one direction ("at kill time 10, now 70") and ends
    with the way out, so a refused restore is never a dead end.
    """

    def __init__(
        self,
        gate_id: str,
        changes: list[FieldChange],
        rule_changes: list[RuleChange],
        moved: bool,
        edited_at: Any = None,
        *,
        source: str = "incident.kill",
        now_enabled: bool = False,
        snapshot: dict[str, Any] | None = None,
        source_request: str = "",
    ) -> None:
        self.gate_id = gate_id
        self.changes = changes
        self.rule_changes = rule_changes
        self.source_request = source_request
        since, then, before = _source_words(source)
        saved = ""
        if moved and edited_at is not None:
            saved = f" (last saved {format_value(edited_at, 'lastModifiedTime')})"
        self.lines = three_way(changes, rule_changes, snapshot or {}, then, before) or [
            "enabled, status and rules look the same; another setting was edited."
        ]
        """One line per difference: the snapshot, the gate as the kill left it, and now."""
        self.way_out = (
            f"`gate enable {gate_id}` turns it back on without touching the rules."
            if not now_enabled
            else f"{gate_id} is already on; change its rules with the gate commands if needed."
        )
        self.headline = (
            f"Not restoring: {gate_id} changed since {since}{saved}, so the snapshot could "
            "undo someone's change."
        )
        super().__init__(self.headline + "\n" + "\n".join(self.lines) + f"\n{self.way_out}")


def _source_words(source: str) -> tuple[str, str, str]:
    """(since …, at … time, before …) for what the snapshot was taken before."""
    if source == "incident.kill":
        return "the kill", "at kill time", "before the kill"
    return "it was disabled", "when disabled", "before it was disabled"


def three_way(
    changes: list[FieldChange],
    rules: list[RuleChange],
    snapshot: dict[str, Any],
    then: str,
    before: str,
) -> list[str]:
    """One line per difference, in human words, three ways when the snapshot says more:
    "<field>: <before> A · <then> B · now C" (the state a restore would put back, the
    state the kill left, the state someone made since)."""

    def value(v: Any, field: str) -> str:
        if field == "isEnabled" and isinstance(v, bool):
            return "on" if v else "off"
        return format_value(v, field)

    def line(label: str, field: str, kill: Any, now: Any, snap: Any) -> str:
        first = f"{before} {value(snap, field)} · " if snap is not _UNKNOWN else ""
        return f"{label}: {first}{then} {value(kill, field)} · now {value(now, field)}"

    lines = [
        line(field_words(c.field), c.field, c.before, c.after, snapshot.get(c.field, _UNKNOWN))
        for c in changes
    ]
    snapshot_rules: dict[str, dict[str, Any]] = {}
    for r in snapshot.get("rules") or []:
        if isinstance(r, dict):
            for key in ("baseID", "id", "name"):
                if r.get(key):
                    snapshot_rules.setdefault(str(r[key]), r)
    for rule in rules:
        if rule.kind != "changed":
            lines.append(f"rule {rule.rule_name}: {rule.kind} since")
            continue
        old = snapshot_rules.get(str(rule.rule_id)) or snapshot_rules.get(rule.rule_name) or {}
        lines += [
            line(
                f"rule {rule.rule_name} {field_words(c.field)}",
                c.field,
                c.before,
                c.after,
                old.get(c.field, _UNKNOWN),
            )
            for c in rule.changes
        ]
    return lines


_UNKNOWN: Any = object()


def _marker(state: dict[str, Any]) -> tuple[Any, Any]:
    return state.get("version"), state.get("lastModifiedTime")


@dataclass(frozen=True)
class Restore(_GateAction):
    """``restore``: put ``snapshot``'s ``isEnabled`` and rules back.

    ``after_kill`` is the gate as the kill left it (the kill outcome's ``after``); with it
    any edit since (even one that only bumps the version) refuses the restore. Without it,
    the gate must still look like the snapshot with ``isEnabled`` false.
    """

    gate_id: str
    snapshot: dict[str, Any]
    reason: str = ""
    after_kill: dict[str, Any] | None = None
    source: str = "incident.kill"
    source_request: str = ""
    """The kill's (or disable's) request, whose messages are redrawn once restored."""
    anyway: bool = False
    """``restore --anyway``: put the snapshot back over edits made since (they are listed)."""
    action = "incident.restore"
    words = "restore gate"
    incident = True
    announced = True

    @classmethod
    def from_plan(cls, plan: Plan) -> Restore:
        snapshot = {
            "id": plan.entity_id,
            "isEnabled": bool(plan.change.get("isEnabled")),
            "rules": list(plan.change.get("rules") or []),
        }
        source_request = str(plan.change.get("sourceRequest") or "")
        return cls(plan.entity_id, snapshot, reason=plan.reason, source_request=source_request)

    async def load(self, client: ConsoleAPI) -> Current[Gate]:
        return await load_gate(client, self.gate_id)

    def _already_restored(self, gate: Gate) -> bool:
        """The gate already shows the snapshot's ``isEnabled`` and rules."""
        target = self.snapshot
        return gate.is_enabled == bool(target.get("isEnabled")) and rules_equal(
            gate.rules, target.get("rules") or []
        )

    def _check_unchanged(self, gate: Gate) -> None:
        current = gate.to_api()
        if self.after_kill is not None:
            base = self.after_kill
            if all(v is not None for v in _marker(base)) and _marker(base) != _marker(current):
                changes, rules = diff_entity("gate", base, current)
                raise RestoreRefused(
                    self.gate_id,
                    changes,
                    rules,
                    moved=True,
                    edited_at=current.get("lastModifiedTime"),
                    source=self.source,
                    now_enabled=gate.is_enabled,
                    snapshot=self.snapshot,
                    source_request=self.source_request,
                )
        else:
            base = {**self.snapshot, "isEnabled": False}
        changes, rules = diff_entity("gate", base, current)
        changes = [c for c in changes if c.field == "isEnabled"]
        if changes or rules:
            raise RestoreRefused(
                self.gate_id,
                changes,
                rules,
                moved=False,
                source=self.source,
                now_enabled=gate.is_enabled,
                snapshot=self.snapshot,
                source_request=self.source_request,
            )

    def plan(self, current: Current[Gate]) -> Plan:
        gate = current.entity
        if self._already_restored(gate):
            return self._plan(
                current,
                summary=f"restore gate {gate.id} to its state {_source_words(self.source)[2]}",
                blast_radius=blast_radius(current, rules=gate.rules),
                change=self._change(gate.is_enabled, self.snapshot.get("rules") or []),
                warnings=[
                    f"{gate.id} is already restored: its on/off state and rules match the "
                    f"snapshot taken {_source_words(self.source)[2]}."
                ],
            )
        over: list[str] = []
        try:
            self._check_unchanged(gate)
        except RestoreRefused as refused:
            if not self.anyway:
                raise
            over = [f"Restoring over changes made since: {'; '.join(refused.lines)}"]
        target = Gate.model_validate(self.snapshot)
        changes: list[FieldChange] = []
        if gate.is_enabled != target.is_enabled:
            changes.append(
                FieldChange(field="isEnabled", before=gate.is_enabled, after=target.is_enabled)
            )
        rules = self.snapshot.get("rules") or []
        return self._plan(
            current,
            summary=f"restore gate {gate.id} to its state {_source_words(self.source)[2]}",
            changes=changes,
            rule_changes=diff_rules(gate.rules, rules),
            blast_radius=blast_radius(current, rules=target.rules),
            change=self._change(target.is_enabled, rules),
            warnings=over + pipeline_warning(current.running_pipelines),
        )

    def _change(self, enabled: bool, rules: list[Any]) -> dict[str, Any]:
        change: dict[str, Any] = {"isEnabled": enabled, "rules": rules}
        if self.source_request:
            change["sourceRequest"] = self.source_request
        return change

    async def _mutate(self, client: ConsoleAPI, plan: Plan) -> Gate:
        patch = {k: plan.change[k] for k in ("isEnabled", "rules")}
        return await client.update_gate(self.gate_id, patch)

    def _verify(self, plan: Plan, after: Gate) -> str | None:
        if after.is_enabled != plan.change["isEnabled"]:
            return f"isEnabled is {str(after.is_enabled).lower()}"
        if not rules_equal(after.rules, plan.change["rules"]):
            return "the rules differ from the snapshot"
        return None
