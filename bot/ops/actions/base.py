"""What every action shares: the client surface it needs, the loaded state, the outcome logic.

An action runs in three steps (see :mod:`bot.ops.actions`): ``load`` reads what the plan
needs, ``plan`` is pure, ``execute`` mutates and then verifies by reading back. The verify
step is the same everywhere and lives here: the read-back either shows the intended state
(applied), or shows the entity unchanged with an ``activeReview`` (Statsig turned the
change into a review: pending, never "done"), or disagrees (failed).

Statsig errors (:class:`~bot.statsig.errors.ConsoleError`) become failed outcomes carrying
``user_message`` only, so no stack trace or key can leak into chat.
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, Literal, Self, TypeVar, cast

from bot.ops.actions.client import ConsoleAPI
from bot.ops.actions.review import ALL_ENVIRONMENTS, ReviewVerdict, review_verdict, team_editors
from bot.ops.model.plans import (
    EVERY_ENVIRONMENT,
    BlastRadius,
    EntityKind,
    Outcome,
    OutcomeStatus,
    Plan,
)
from bot.statsig.errors import ConsoleError
from bot.statsig.models import (
    ActiveReview,
    DynamicConfig,
    Environment,
    Experiment,
    Gate,
    GateOverrides,
    ReviewSettings,
    Rule,
    Segment,
    Team,
)

__all__ = [
    "Action",
    "ActionBase",
    "Current",
    "Entity",
    "PlanError",
    "References",
    "active_review",
    "blast_radius",
    "reference_warnings",
    "entity_env_names",
    "review_of",
    "stored_ids",
    "reviewers",
    "untouched",
]

Entity = Gate | DynamicConfig | Experiment | Segment
SETTLE_DELAYS: tuple[float, ...] = (1.0, 2.0)
"""Seconds between read-backs after a lost answer while the entity still looks untouched
(the whole wait is at most 3 s: a person is waiting for the answer)."""
LOST_ANSWER = "Statsig did not answer in time"
LostAnswer = Literal["unchanged", "changed", "unreadable"]
LATE_BUT_APPLIED = "(Statsig answered too late, but reading it back shows the change.)"
E = TypeVar("E", Gate, DynamicConfig, Experiment, Segment)


class PlanError(ValueError):
    """The request cannot be planned (unknown rule or group, impossible transition).

    ``user_message`` is a sentence for people; the surfaces show it instead of a plan.
    """

    def __init__(self, user_message: str) -> None:
        self.user_message = user_message
        super().__init__(user_message)


@dataclass(frozen=True)
class References:
    """How many other entities reference a gate (its blast radius beyond traffic)."""

    gates: int = 0
    experiments: int = 0
    configs: int = 0

    @classmethod
    def count(cls, refs: object) -> References:
        """Read the client's references value, whether it holds lists or counts."""

        def one(*names: str) -> int:
            for name in names:
                value = refs.get(name) if isinstance(refs, dict) else getattr(refs, name, None)
                if isinstance(value, int):
                    return value
                if isinstance(value, Sequence) and not isinstance(value, str):
                    return len(value)
            return 0

        return cls(
            gates=one("gates", "gate_references"),
            experiments=one("experiments", "experiment_references"),
            configs=one("configs", "dynamic_configs", "config_references"),
        )


@dataclass(frozen=True)
class Current(Generic[E]):
    """Everything ``plan()`` needs, read by ``load()``; plain data so tests build it by hand.

    ``references`` is ``None`` when they were not read (the incident kill skips them;
    experiments, configs and segments have none to read) or could not be read, so the plan
    says "not checked" instead of claiming zero.
    ``project_environments`` (names, for the blast radius) is ``None`` when it was not
    needed (every relevant rule names its environments) or could not be read.
    ``environments`` and ``team`` feed the review verdict; ``None`` when not read (the
    incident kill skips them) or unreadable. ``notes`` are load-time warnings (a read that
    failed) that the plan carries on.
    """

    entity: E
    references: References | None = None
    overrides: GateOverrides | None = None
    project_review_required: bool = False
    project_environments: tuple[str, ...] | None = None
    environments: tuple[Environment, ...] | None = None
    team: Team | None = None
    running_pipelines: int = 0
    segment_ids: frozenset[str] | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)


def active_review(entity: Entity | None) -> ActiveReview | None:
    """The entity's open Statsig review, including on kinds whose model lacks the field."""
    if entity is None:
        return None
    review = getattr(entity, "active_review", None)
    if review is None and entity.model_extra:
        raw = entity.model_extra.get("activeReview")
        if isinstance(raw, dict):
            review = ActiveReview.model_validate(raw)
    return review if isinstance(review, ActiveReview) else None


def _review_settings(entity: Entity) -> ReviewSettings | None:
    settings = getattr(entity, "review_settings", None)
    if settings is None and entity.model_extra:
        raw = entity.model_extra.get("reviewSettings")
        if isinstance(raw, dict):
            settings = ReviewSettings.model_validate(raw)
    return settings if isinstance(settings, ReviewSettings) else None


def reviewers(entity: Entity, project_required: bool) -> tuple[bool, list[str]]:
    """(review required?, allowed reviewers by email, else name, else id), from the entity
    and the project switch alone; :func:`review_of` also weighs environments and team."""
    verdict = review_verdict(
        "entity",
        _review_settings(entity),
        project_required=project_required,
        environments=None,
        team=None,
    )
    return verdict.required, verdict.allowed_reviewers


def review_of(
    kind: str, current: Current[Any], touched: Sequence[str] | None = ALL_ENVIRONMENTS
) -> ReviewVerdict:
    """Statsig's review verdict for a change touching ``touched`` environments (``None``: all)."""
    return review_verdict(
        kind,
        _review_settings(current.entity),
        project_required=current.project_review_required,
        environments=current.environments,
        team=current.team,
        touched=touched,
    )


def blast_radius(
    current: Current[Any], *, rules: Sequence[Rule] = (), environments: list[str] | None = None
) -> BlastRadius:
    """Traffic, environments and references touched; ``environments`` overrides the rules'."""
    entity = current.entity
    checks = getattr(entity, "checks_per_hour", None)
    if checks is None and entity.model_extra:
        extra = entity.model_extra.get("checksPerHour")
        checks = extra if isinstance(extra, int | float) else None
    refs = current.references
    return BlastRadius(
        checks_per_hour=checks,
        environments=(
            environments
            if environments is not None
            else entity_env_names(rules, current.project_environments)
        ),
        gate_references=None if refs is None else refs.gates,
        experiment_references=None if refs is None else refs.experiments,
        config_references=None if refs is None else refs.configs,
    )


def reference_warnings(refs: References | None) -> list[str]:
    """ "N experiments reference this gate" lines, one per non-zero kind (none if unread)."""
    if refs is None:
        return []
    parts = (
        (refs.experiments, "experiment"),
        (refs.configs, "dynamic config"),
        (refs.gates, "gate"),
    )
    return [
        f"{count} {noun}{'s' if count != 1 else ''} reference{'s' if count == 1 else ''} this gate."
        for count, noun in parts
        if count
    ]


def entity_env_names(rules: Sequence[Rule], project: tuple[str, ...] | None) -> list[str]:
    """Environments the given rules apply in; a rule without a list applies in all.

    "all environments" rather than the project's list, so a plan says what the gate card
    says for the same rules (``project`` is kept for callers; the words win).
    """
    del project
    names: set[str] = set()
    for rule in rules:
        if rule.environments is None:
            return [EVERY_ENVIRONMENT]
        names.update(rule.environments)
    return sorted(names)


def stored_ids(plan: Plan) -> tuple[str, ...]:
    """The IDs a stored plan names (overrides, segment lists); PlanError when there are none."""
    ids = tuple(str(i) for i in plan.change.get("ids") or ())
    if not ids:
        raise PlanError(f"The stored plan for {plan.entity_id} names no IDs.")
    return ids


def untouched(plan: Plan, after: Entity) -> bool:
    """Whether ``after`` is still the entity the plan was made from (nobody changed it).

    Statsig bumps ``version`` and ``lastModifiedTime`` on every change; when it sends
    neither, the whole entity is compared with the plan's snapshot.
    """
    if plan.base_version is not None and after.version is not None:
        return after.version == plan.base_version
    if plan.base_modified_time is not None and after.last_modified_time is not None:
        return after.last_modified_time == plan.base_modified_time
    return after.to_api() == plan.snapshot


class ActionBase(ABC, Generic[E]):
    """Shared plan scaffolding and the mutate → read back → judge execution.

    Subclasses are frozen dataclasses holding the request's parameters; they implement
    ``load`` and ``plan``, and for the default :meth:`execute` also ``_mutate`` (send the
    change; return the entity if the endpoint answers with one), ``_read`` (GET the
    entity) and ``_verify`` (does this state show the change?).
    """

    action: ClassVar[str]
    """The policy's key for it (``"gate.disable"``), stored with every request."""
    entity_kind: ClassVar[EntityKind]
    absolute: ClassVar[bool] = False
    """The result does not depend on the base (disable): it may run on a moved entity."""
    words: ClassVar[str]
    """The action in words for messages (``"roll out gate"``), never the key."""
    incident: ClassVar[bool] = False
    """Part of incident mode (kill, restore): a responder's break glass runs it at once."""
    lock_exempt: ClassVar[bool] = False
    """Runs even while another open request holds the entity (a kill must never wait)."""
    announced: ClassVar[bool] = False
    """Executed loudly: the channel and the incident channel hear of it, with Restore."""
    restorable: ClassVar[bool] = False
    """Leaves a snapshot that ``restore`` puts back (kill, disable)."""

    @classmethod
    def from_plan(cls, plan: Plan) -> Self:
        """The action that executes a stored ``plan``, rebuilt from ``plan.change``.

        An approved request runs hours later on whichever replica wins the claim, which only
        has the plan; actions with parameters beyond the entity and reason override this.
        Raises ``KeyError``/``TypeError``/``ValueError`` for a plan that cannot be rebuilt.
        """
        # Concrete actions are dataclasses whose first field is the entity ID.
        build = cast(Callable[..., Self], cls)
        return build(plan.entity_id, reason=plan.reason)

    @property
    @abstractmethod
    def entity_id(self) -> str:
        """The Statsig ID this action changes."""

    @property
    @abstractmethod
    def reason(self) -> str:
        """The requester's free-text reason."""

    @abstractmethod
    async def load(self, client: ConsoleAPI) -> Current[E]:
        """Read the entity and whatever else the plan shows."""

    @abstractmethod
    def plan(self, current: Current[E]) -> Plan:
        """The before → after diff; pure."""

    async def _read(self, client: ConsoleAPI) -> E:
        """GET the entity (used by the default :meth:`execute`)."""
        raise NotImplementedError

    async def _mutate(self, client: ConsoleAPI, plan: Plan) -> E | None:
        """Send the change; the entity if the endpoint answers with it."""
        raise NotImplementedError

    def _verify(self, plan: Plan, after: E) -> str | None:
        """``None`` when ``after`` shows the change, else what still differs."""
        raise NotImplementedError

    def _plan(
        self,
        current: Current[E],
        *,
        review_environments: Sequence[str] | None = ALL_ENVIRONMENTS,
        **fields: Any,
    ) -> Plan:
        """A plan with the parts every action fills the same way.

        ``review_environments`` are the environments the change applies in (``None``: all),
        for the environments' ``requiresReview``.
        """
        entity = current.entity
        verdict = review_of(self.entity_kind, current, review_environments)
        warnings = list(fields.pop("warnings", []))
        if verdict.warning is not None:
            warnings.append(verdict.warning)
        if (review := active_review(entity)) is not None:
            warnings.append(f"a Statsig review is already open on it ({review.review_id}).")
        warnings.extend(current.notes)
        return Plan(
            action=self.action,
            entity_kind=self.entity_kind,
            entity_id=entity.id,
            entity_name=entity.name,
            reason=self.reason,
            review_required=verdict.required,
            allowed_reviewers=verdict.allowed_reviewers,
            tags=list(entity.tags),
            base_version=entity.version,
            base_modified_time=entity.last_modified_time,
            absolute=self.absolute,
            snapshot=entity.to_api(),
            warnings=warnings,
            team=current.team.name if current.team is not None else None,
            team_editors=team_editors(current.team),
            **fields,
        )

    def _outcome(self, status: OutcomeStatus, message: str, **fields: Any) -> Outcome:
        return Outcome(
            status=status,
            message=message,
            entity_kind=self.entity_kind,
            entity_id=self.entity_id,
            **fields,
        )

    def _pending_review(self, plan: Plan, review_id: str, **fields: Any) -> Outcome:
        """Statsig turned the change into a review in the console: nothing applied yet."""
        return self._outcome(
            OutcomeStatus.PENDING_REVIEW,
            f"Submitted for review in Statsig (review {review_id}); NOT applied "
            f"yet: {plan.summary}",
            review_id=review_id,
            **fields,
        )

    async def execute(self, client: ConsoleAPI, plan: Plan) -> Outcome:
        """Send the change (unless it is a no-op), read the entity back and judge it."""
        if plan.is_noop:
            return self._outcome(OutcomeStatus.NOOP, f"Nothing to do: {plan.summary}")
        try:
            response = await self._mutate(client, plan)
        except ConsoleError as exc:
            if exc.outcome_unknown:
                return await self.settle(client, plan)
            return self._outcome(
                OutcomeStatus.FAILED, f"Failed: {plan.summary}", error=exc.user_message
            )
        try:
            after = await self._read(client)
        except ConsoleError as exc:
            if response is None:
                return self._outcome(
                    OutcomeStatus.FAILED,
                    f"The change was sent but {self.entity_kind} {self.entity_id} could not "
                    "be read back; check it in the console before retrying.",
                    error=exc.user_message,
                )
            after = response
        return self.judge(plan, after)

    async def settle(self, client: ConsoleAPI, plan: Plan) -> Outcome:
        """The change was sent and its answer lost: read back, and say which it was.

        "Failed" would be a lie half the time (Statsig often applies a request whose answer
        timed out), and so would "done". The entity is read at once and, while it still
        looks untouched, again after each of :data:`SETTLE_DELAYS` (the request may still be
        running at Statsig): it then shows the change (applied), still shows the state the
        plan was made from (not applied so far: read it again before retrying), or neither
        (unknown).
        """
        after: E | None = None
        for delay in (0.0, *SETTLE_DELAYS):
            if delay:
                await asyncio.sleep(delay)
            try:
                after = await self._read(client)
            except ConsoleError:
                continue
            if self._verify(plan, after) is None or not untouched(plan, after):
                break
        return self.settled(plan, after)

    def settled(self, plan: Plan, after: E | None) -> Outcome:
        """:meth:`settle`'s verdict on what was read back (``None``: nothing could be)."""
        if after is None:
            return self.lost_answer(plan, "unreadable")
        if self._verify(plan, after) is None:
            done = self.judge(plan, after)
            return done.model_copy(update={"message": f"{done.message} {LATE_BUT_APPLIED}"})
        if untouched(plan, after):
            return self.lost_answer(plan, "unchanged", after=after.to_api())
        if active_review(after) is not None:
            return self.judge(plan, after)
        return self.lost_answer(plan, "changed", after=after.to_api())

    def lost_answer(
        self, plan: Plan, found: LostAnswer, *, after: dict[str, Any] | None = None
    ) -> Outcome:
        """The outcome of a change whose answer was lost and whose read-back does not show
        it: ``unchanged`` (not applied), ``changed`` otherwise or ``unreadable`` (unknown)."""
        what = f"{self.entity_kind} {self.entity_id}"
        if found == "unchanged":
            waited = f"{sum(SETTLE_DELAYS):g} s"
            return self._outcome(
                OutcomeStatus.FAILED,
                f"Not applied so far: Statsig did not answer in time and {what} was still "
                f"unchanged {waited} later. A slow Statsig may yet apply it, so read "
                f"{what} again before retrying: {plan.summary}",
                error=LOST_ANSWER,
                after=after,
            )
        seen = (
            "could not be read back"
            if found == "unreadable"
            else "has changed, but not to what was asked"
        )
        return self._outcome(
            OutcomeStatus.UNKNOWN,
            f"Unknown whether it applied: Statsig did not answer in time and {what} {seen}. "
            f"Check it in the console before retrying: {plan.summary}",
            error=LOST_ANSWER,
            after=after,
        )

    def judge(self, plan: Plan, after: E) -> Outcome:
        """Applied, pending review or failed, from the state read back after the change."""
        mismatch = self._verify(plan, after)
        wire = after.to_api()
        if mismatch is None:
            return self._outcome(OutcomeStatus.APPLIED, f"Done: {plan.summary}", after=wire)
        review = active_review(after)
        if review is not None:
            return self._pending_review(plan, review.review_id, after=wire)
        return self._outcome(
            OutcomeStatus.FAILED,
            f"Statsig accepted the request but the read-back disagrees: {mismatch}",
            error=mismatch,
            after=wire,
        )


Action = ActionBase[Any]
"""Any action, whatever its entity type (what the registry, the service and the executor hold)."""
