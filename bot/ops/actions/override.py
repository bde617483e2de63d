"""Gate overrides: make IDs pass, fail, or drop their override.

The change is a set operation ("these IDs pass"), so execution re-reads the overrides
and applies it to whatever is there at that moment, then replaces the lists: another
person's overrides added meanwhile are kept. An ID sits on one list at a time in Statsig,
so "pass" also takes it off the fail list, and vice versa.

Usage::

    GateOverride("new_nav", "pass", ("u1", "u2"), environment="staging", reason="QA")
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Literal

from bot.ops.actions.base import (
    LATE_BUT_APPLIED,
    SETTLE_DELAYS,
    Current,
    LostAnswer,
    PlanError,
    active_review,
    blast_radius,
    stored_ids,
)
from bot.ops.actions.client import ConsoleAPI
from bot.ops.actions.diff import diff_overrides, override_entries
from bot.ops.actions.gate import _GateAction, refuse_if_archived
from bot.ops.actions.load import load_gate
from bot.ops.model.plans import Outcome, OutcomeStatus, Plan
from bot.ops.model.words import suggest
from bot.statsig.errors import ConsoleError
from bot.statsig.models import EnvironmentOverride, Gate, GateOverrides

__all__ = ["GateOverride", "apply_override"]

OverrideMode = Literal["pass", "fail", "remove"]


def _move(
    keep: list[str], drop: list[str], ids: tuple[str, ...], mode: str, positive: str
) -> tuple[list[str], list[str]]:
    """New (keep, drop) lists: ``mode == positive`` adds to keep; any mode drops from drop."""
    other = [i for i in drop if i not in ids]
    mine = [i for i in keep if i not in ids] if mode == "remove" else keep
    if mode == positive:
        mine = mine + [i for i in ids if i not in keep]
    return mine, other


def _scoped(
    passing: list[str], failing: list[str], mode: str, ids: tuple[str, ...]
) -> tuple[list[str], list[str]]:
    if mode == "fail":
        failing, passing = _move(failing, passing, ids, mode, "fail")
    else:
        passing, failing = _move(passing, failing, ids, mode, "pass")
    return passing, failing


def apply_override(
    overrides: GateOverrides,
    *,
    id_type: str | None,
    mode: OverrideMode,
    ids: tuple[str, ...],
    environment: str | None,
) -> GateOverrides:
    """The overrides after the change; pure and idempotent (applying twice = once)."""
    result = overrides.model_copy(deep=True)
    if environment is None:
        if (id_type or "userID").casefold() == "userid":
            result.passing_user_ids, result.failing_user_ids = _scoped(
                result.passing_user_ids, result.failing_user_ids, mode, ids
            )
        else:
            result.passing_custom_ids, result.failing_custom_ids = _scoped(
                result.passing_custom_ids, result.failing_custom_ids, mode, ids
            )
        if mode == "remove":
            for env in result.environment_overrides:
                env.passing_ids, env.failing_ids = _scoped(
                    env.passing_ids, env.failing_ids, mode, ids
                )
        return result
    entry = next((e for e in result.environment_overrides if e.environment == environment), None)
    if entry is None:
        if mode == "remove":
            return result
        entry = EnvironmentOverride(
            environment=environment, unit_id=id_type or "userID", passing_ids=[], failing_ids=[]
        )
        result.environment_overrides.append(entry)
    entry.passing_ids, entry.failing_ids = _scoped(entry.passing_ids, entry.failing_ids, mode, ids)
    return result


def _ids(count: int) -> str:
    return f"{count} ID" if count == 1 else f"{count} IDs"


def _named(ids: tuple[str, ...]) -> str:
    """ "u9", "u1 and u2", "u1, u2 and 3 more" """
    if len(ids) == 1:
        return ids[0]
    if len(ids) <= 3:
        return ", ".join(ids[:-1]) + f" and {ids[-1]}"
    return f"{ids[0]}, {ids[1]} and {len(ids) - 2} more"


_ID_LISTS = ("passingUserIDs", "failingUserIDs", "passingCustomIDs", "failingCustomIDs")


def _env_key(env: EnvironmentOverride) -> tuple[object, ...]:
    return (env.environment, env.unit_id, tuple(env.passing_ids), tuple(env.failing_ids))


async def _write(client: ConsoleAPI, gate_id: str, desired: GateOverrides) -> GateOverrides:
    """Write ``desired`` and return the read-back.

    Statsig's override body is *either* the ID lists *or* ``environmentOverrides``
    (``oneOf``), so one request cannot replace both: replace the ID lists (POST), then add
    (PATCH) the environment entries the read-back lacks.
    """
    wire = desired.model_dump(mode="json", by_alias=True)
    await client.replace_gate_overrides(gate_id, {name: wire[name] for name in _ID_LISTS})
    after = await client.get_gate_overrides(gate_id)
    have = {_env_key(env) for env in after.environment_overrides}
    missing = [
        env.model_dump(mode="json", by_alias=True)
        for env in desired.environment_overrides
        if (env.passing_ids or env.failing_ids) and _env_key(env) not in have
    ]
    if not missing:
        return after
    await client.add_gate_overrides(gate_id, {"environmentOverrides": missing})
    return await client.get_gate_overrides(gate_id)


@dataclass(frozen=True)
class GateOverride(_GateAction):
    """``gate override <id> pass|fail|remove <ids> [--env E]``."""

    gate_id: str
    mode: OverrideMode
    ids: tuple[str, ...]
    environment: str | None = None
    reason: str = ""
    action = "gate.override"
    words = "override gate"

    @classmethod
    def from_plan(cls, plan: Plan) -> GateOverride:
        change = plan.change
        return cls(
            plan.entity_id,
            change["mode"],
            stored_ids(plan),
            environment=change.get("environment"),
            reason=plan.reason,
        )

    def __post_init__(self) -> None:
        if self.mode not in ("pass", "fail", "remove"):
            raise PlanError(f"An override is pass, fail or remove, not {self.mode!r}.")
        cleaned = tuple(dict.fromkeys(i.strip() for i in self.ids if i.strip()))
        if not cleaned:
            raise PlanError("Name at least one ID to override.")
        object.__setattr__(self, "ids", cleaned)

    async def load(self, client: ConsoleAPI) -> Current[Gate]:
        return await load_gate(
            client, self.gate_id, overrides=True, all_environments=self.environment is None
        )

    def _apply(self, gate: Gate | None, overrides: GateOverrides) -> GateOverrides:
        return apply_override(
            overrides,
            id_type=gate.id_type if gate else None,
            mode=self.mode,
            ids=self.ids,
            environment=self.environment,
        )

    def _check_environment(self, current: Current[Gate]) -> None:
        """Refuse an environment the project does not have (when the list could be read)."""
        if self.environment is None or current.environments is None:
            return
        names = [env.name for env in current.environments]
        if self.environment in names:
            return
        wanted = self.environment.lower()
        close = [n for n in names if n.lower().startswith(wanted)] or suggest(wanted, names)
        hint = f" Did you mean {close[0]}?" if close else ""
        known = ", ".join(names) or "none"
        raise PlanError(
            f"The project has no environment {self.environment!r}. Its environments: {known}.{hint}"
        )

    def _noop_warning(self, gate: Gate) -> str:
        """Why nothing changes, in the words of the mode asked for."""
        where = f" in {self.environment}" if self.environment else ""
        one = len(self.ids) == 1
        if self.mode == "remove":
            has = "has" if one else "have"
            return f"{_named(self.ids)} {has} no override on {gate.id}{where}: nothing to remove."
        verb = {"pass": "passes", "fail": "fails"}[self.mode] if one else self.mode
        return f"{_named(self.ids)} already {verb} {gate.id}{where} by override."

    def _missing_overrides(self, gate: Gate, removed: list[str]) -> list[str]:
        """For a remove that drops some IDs: the ones that had no override there."""
        found = {entry.rpartition(":")[2] for entry in removed}
        missing = tuple(i for i in self.ids if i not in found)
        if not missing:
            return []
        where = f" in {self.environment}" if self.environment else ""
        has = "has" if len(missing) == 1 else "have"
        return [f"{_named(missing)} {has} no override on {gate.id}{where}; left as is."]

    def plan(self, current: Current[Gate]) -> Plan:
        gate = current.entity
        if self.mode != "remove":
            refuse_if_archived(gate, "an override")
        self._check_environment(current)
        before = current.overrides or GateOverrides()
        added, removed = diff_overrides(before, self._apply(gate, before))
        warnings: list[str] = []
        if not (added or removed):
            warnings.append(self._noop_warning(gate))
        elif self.mode == "remove":
            warnings += self._missing_overrides(gate, removed)
        where = f" in {self.environment}" if self.environment else ""
        envs = [self.environment] if self.environment else None
        return self._plan(
            current,
            summary=f"{self.mode} override for {_ids(len(self.ids))} on gate {gate.id}{where}",
            overrides_added=added,
            overrides_removed=removed,
            blast_radius=blast_radius(current, rules=gate.rules, environments=envs),
            change={
                "mode": self.mode,
                "ids": list(self.ids),
                "environment": self.environment,
                "idType": gate.id_type,
            },
            warnings=warnings,
            review_environments=envs,
        )

    async def execute(self, client: ConsoleAPI, plan: Plan) -> Outcome:
        """Re-read the overrides, apply the change on top, write it, and read back."""
        if plan.is_noop:
            return self._outcome(OutcomeStatus.NOOP, f"Nothing to do: {plan.summary}")
        gate = Gate(id=self.gate_id, is_enabled=True, id_type=plan.change.get("idType"))
        try:
            current = await client.get_gate_overrides(self.gate_id)
            desired = self._apply(gate, current)
            if override_entries(desired) == override_entries(current):
                return self._outcome(OutcomeStatus.NOOP, f"Nothing to do: {plan.summary}")
        except ConsoleError as exc:
            return self._outcome(
                OutcomeStatus.FAILED, f"Failed: {plan.summary}", error=exc.user_message
            )
        try:
            after = await _write(client, self.gate_id, desired)
        except ConsoleError as exc:
            if exc.outcome_unknown:
                return await self._settle_overrides(client, plan, current, desired)
            return self._outcome(
                OutcomeStatus.FAILED, f"Failed: {plan.summary}", error=exc.user_message
            )
        if override_entries(after) == override_entries(desired):
            return self._outcome(
                OutcomeStatus.APPLIED, f"Done: {plan.summary}", after=after.to_api()
            )
        return await self._unapplied(client, plan, after)

    async def _settle_overrides(
        self, client: ConsoleAPI, plan: Plan, before: GateOverrides, desired: GateOverrides
    ) -> Outcome:
        """The write's answer was lost: the overrides read back say which way it went."""
        after: GateOverrides | None = None
        for delay in (0.0, *SETTLE_DELAYS):
            if delay:
                await asyncio.sleep(delay)
            try:
                after = await client.get_gate_overrides(self.gate_id)
            except ConsoleError:
                continue
            if override_entries(after) != override_entries(before):
                break
        if after is None:
            return self.lost_answer(plan, "unreadable")
        if override_entries(after) == override_entries(desired):
            message = f"Done: {plan.summary} {LATE_BUT_APPLIED}"
            return self._outcome(OutcomeStatus.APPLIED, message, after=after.to_api())
        found: LostAnswer = (
            "unchanged" if override_entries(after) == override_entries(before) else "changed"
        )
        return self.lost_answer(plan, found, after=after.to_api())

    async def _unapplied(self, client: ConsoleAPI, plan: Plan, after: GateOverrides) -> Outcome:
        """The overrides did not change: a Statsig review, or a failure."""
        try:
            review = active_review(await client.get_gate(self.gate_id))
        except ConsoleError:
            review = None
        if review is not None:
            return self._pending_review(plan, review.review_id, after=after.to_api())
        return self._outcome(
            OutcomeStatus.FAILED,
            "Statsig accepted the request but the overrides did not change.",
            error="overrides unchanged",
            after=after.to_api(),
        )
