"""Segment actions: add IDs to, or remove IDs from, an ``id_list`` segment.

The plan lists which IDs are really new (or really present) when the list is small enough
to read in one page; for bigger lists it cannot tell, says so, and lists every ID given.
Verification re-reads the list the same way, and otherwise trusts Statsig's answer plus
the count.

Usage::

    SegmentAddIds("beta_testers", ("u1", "u2"), reason="new beta cohort")
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar, Self, cast

from bot.ops.actions.base import (
    LATE_BUT_APPLIED,
    SETTLE_DELAYS,
    ActionBase,
    Current,
    PlanError,
    active_review,
    blast_radius,
    stored_ids,
)
from bot.ops.actions.client import ConsoleAPI
from bot.ops.actions.load import load_context
from bot.ops.model.plans import EntityKind, Outcome, OutcomeStatus, Plan
from bot.statsig.errors import ConsoleError
from bot.statsig.models import Segment, SegmentType

__all__ = ["ID_PAGE", "MAX_IDS_PER_REQUEST", "SegmentAddIds", "SegmentRemoveIds"]

ID_PAGE = 1000
"""IDs read in one request to learn membership; bigger lists are not read in full."""
MAX_IDS_PER_REQUEST = 1000
"""Statsig's documented limit of IDs per add/remove request."""


class _SegmentIds(ActionBase[Segment]):
    entity_kind: ClassVar[EntityKind] = "segment"
    adding: ClassVar[bool]
    segment_id: str
    ids: tuple[str, ...]

    @property
    def entity_id(self) -> str:
        return self.segment_id

    @classmethod
    def from_plan(cls, plan: Plan) -> Self:
        build = cast(Callable[..., Self], cls)
        return build(plan.entity_id, stored_ids(plan), reason=plan.reason)

    def __post_init__(self) -> None:
        cleaned = tuple(dict.fromkeys(i.strip() for i in self.ids if i.strip()))
        if not cleaned:
            raise PlanError("Name at least one ID.")
        if len(cleaned) > MAX_IDS_PER_REQUEST:
            raise PlanError(f"At most {MAX_IDS_PER_REQUEST} IDs per request.")
        object.__setattr__(self, "ids", cleaned)

    async def _members(self, client: ConsoleAPI) -> frozenset[str] | None:
        """The whole ID list if it fits in one page, else ``None`` (unknown)."""
        page = await client.get_segment_ids(self.segment_id, page=1, limit=ID_PAGE)
        return frozenset(page.ids) if len(page.ids) >= page.count else None

    async def load(self, client: ConsoleAPI) -> Current[Segment]:
        segment = await client.get_segment(self.segment_id)
        context = await load_context(client, segment)
        members = None
        if segment.type == SegmentType.ID_LIST:
            members = await self._members(client)
        return dataclasses.replace(context, segment_ids=members)

    def plan(self, current: Current[Segment]) -> Plan:
        segment = current.entity
        if segment.type != SegmentType.ID_LIST:
            raise PlanError(
                f"Segment {segment.id} is {segment.type}; only an id_list segment takes IDs."
            )
        known = current.segment_ids
        warnings: list[str] = []
        if known is None:
            moving = list(self.ids)
            warnings.append("the list is too long to check which IDs are already in it.")
        elif self.adding:
            moving = [i for i in self.ids if i not in known]
        else:
            moving = [i for i in self.ids if i in known]
        verb = "add" if self.adding else "remove"
        if not moving:
            warnings.append(
                f"all IDs are already {'in' if self.adding else 'absent from'} {segment.id}."
            )
        return self._plan(
            current,
            summary=f"{verb} {len(moving)} ID{'' if len(moving) == 1 else 's'} "
            f"{'to' if self.adding else 'from'} segment "
            f"{segment.id}",
            overrides_added=moving if self.adding else [],
            overrides_removed=[] if self.adding else moving,
            blast_radius=blast_radius(current, environments=[]),
            change={"op": verb, "ids": moving},
            warnings=warnings,
        )

    async def execute(self, client: ConsoleAPI, plan: Plan) -> Outcome:
        """Send the IDs, then check membership (or the count) by reading back."""
        if plan.is_noop:
            return self._outcome(OutcomeStatus.NOOP, f"Nothing to do: {plan.summary}")
        ids = [str(i) for i in plan.change["ids"]]
        try:
            if self.adding:
                await client.add_segment_ids(self.segment_id, ids)
            else:
                await client.remove_segment_ids(self.segment_id, ids)
        except ConsoleError as exc:
            if exc.outcome_unknown:
                return await self._settle_ids(client, plan, ids)
            return self._outcome(
                OutcomeStatus.FAILED, f"Failed: {plan.summary}", error=exc.user_message
            )
        try:
            members = await self._members(client)
        except ConsoleError as exc:
            return self._outcome(
                OutcomeStatus.FAILED,
                f"The change was sent but segment {self.segment_id} could not be read back; "
                "check it in the console before retrying.",
                error=exc.user_message,
            )
        wrong = [i for i in ids if members is not None and (i in members) != self.adding]
        if not wrong:
            return self._outcome(OutcomeStatus.APPLIED, f"Done: {plan.summary}")
        try:
            review = active_review(await client.get_segment(self.segment_id))
        except ConsoleError:
            review = None
        if review is not None:
            return self._pending_review(plan, review.review_id)
        verb = "added" if self.adding else "removed"
        return self._outcome(
            OutcomeStatus.FAILED,
            "Statsig accepted the request but the list disagrees.",
            error=f"{len(wrong)} ID(s) not {verb}",
        )

    async def _settle_ids(self, client: ConsoleAPI, plan: Plan, ids: list[str]) -> Outcome:
        """The IDs' answer was lost: membership read back says all moved, none, or some."""
        moved: list[str] | None = None
        for delay in (0.0, *SETTLE_DELAYS):
            if delay:
                await asyncio.sleep(delay)
            try:
                members = await self._members(client)
            except ConsoleError:
                continue
            if members is None:  # a rule-based segment: membership cannot be listed
                break
            moved = [i for i in ids if (i in members) == self.adding]
            if moved:
                break
        if moved is None:
            return self.lost_answer(plan, "unreadable")
        if len(moved) == len(ids):
            return self._outcome(OutcomeStatus.APPLIED, f"Done: {plan.summary} {LATE_BUT_APPLIED}")
        return self.lost_answer(plan, "unchanged" if not moved else "changed")


@dataclass(frozen=True)
class SegmentAddIds(_SegmentIds):
    """``segment add-ids <id> <ids>``."""

    segment_id: str
    ids: tuple[str, ...]
    reason: str = ""
    action = "segment.add-ids"
    words = "add IDs to segment"
    adding = True


@dataclass(frozen=True)
class SegmentRemoveIds(_SegmentIds):
    """``segment remove-ids <id> <ids>``."""

    segment_id: str
    ids: tuple[str, ...]
    reason: str = ""
    action = "segment.remove-ids"
    words = "remove IDs from segment"
    adding = False
