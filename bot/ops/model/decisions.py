"""Policy decisions as values: who may approve (a group), what Statsig demands (a review),
and the three answers, :class:`Allowed`, :class:`NeedsApproval` and :class:`Denied`.

They live in the model, below the policy that makes them, because the approval store keeps
a decision with each request, the renderers draw it on the card, and the surfaces say
"this needs 1 approval from approvers" before confirming.

Usage::

    need = NeedsApproval(approvers=GroupRef(name="leads", members=("S0LEADS",)),
                         approvals_required=2, allow_self_approval=False,
                         ttl_seconds=86400, rule_index=0)
    DECISION_ADAPTER.validate_json(need.model_dump_json()) == need
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from bot.ops.model.identity import Actor
from bot.ops.model.plans import Plan

__all__ = [
    "ANYONE",
    "DECISION_ADAPTER",
    "Allowed",
    "Decision",
    "Denied",
    "GroupRef",
    "NeedsApproval",
    "ReviewRequirement",
    "TeamAccess",
    "member_matches",
]

ANYONE = "*"
"""The member (or group name) that stands for everyone."""

_LISTED_PEOPLE = 6


def _one_of(group: str) -> str:
    """ "responders" → "a responder"; names that are not a plain plural → "a member of …"."""
    if re.fullmatch(r"[a-z]+[^s]s", group):
        noun = group[:-1]
        return f"{'an' if noun[0] in 'aeiou' else 'a'} {noun}"
    return f"a member of group {group}"


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True)


class GroupRef(_Value):
    """A named group with its members as written in the policy (IDs, emails or ``*``)."""

    name: str
    members: tuple[str, ...]

    def contains(self, actor: Actor) -> bool:
        """Whether ``actor`` is a member; a member that matches nothing grants nothing."""
        return any(member_matches(member, actor) for member in self.members)

    def described(self) -> str:
        """Who may approve, in words: "a responder (alice@example.com, bob@example.com)"
        when the group is a short list of people, else "group approvers" (Slack user
        groups and ``*`` cannot be listed here)."""
        if self.name == ANYONE:
            return "anyone else"
        if ANYONE in self.members:
            return f"group {self.name} (anyone)"
        people = [m for m in self.members if "@" in m or m.startswith(("U", "W"))]
        if not people or len(people) != len(self.members) or len(people) > _LISTED_PEOPLE:
            return f"group {self.name}"
        return f"{_one_of(self.name)} ({', '.join(people)})"

    def only_person(self, actor: Actor) -> bool:
        """True when ``actor`` is provably the only person in the group."""
        if any(m == ANYONE or m.startswith("S") for m in self.members):
            return False
        return all(member_matches(m, actor) for m in self.members)


class ReviewRequirement(_Value):
    """What Statsig demands of the entity: review required, and by whom (emails)."""

    required: bool
    allowed_reviewers: tuple[str, ...] = ()


class TeamAccess(_Value):
    """The owning Statsig team lets only some people change its entities
    (``changeTeamConfigs = team_only``): ``editors`` are their emails."""

    name: str
    editors: tuple[str, ...]

    @classmethod
    def of(cls, plan: Plan) -> TeamAccess | None:
        """The restriction a plan recorded from its entity's team, if any."""
        if plan.team_editors is None:
            return None
        return cls(name=plan.team or "?", editors=tuple(plan.team_editors))

    def admits(self, actor: Actor) -> bool:
        """A member or admin of the team; a Statsig project Admin may change anything."""
        if (actor.statsig_role or "").casefold() == "admin":
            return True
        return actor.email is not None and actor.email.casefold() in self.editors


class Allowed(_Value):
    """Go ahead now."""

    kind: Literal["allowed"] = "allowed"
    reason: str


class Denied(_Value):
    """No; ``reason`` says why, in words for the person who asked."""

    kind: Literal["denied"] = "denied"
    reason: str


class NeedsApproval(_Value):
    """The request waits for ``approvals_required`` approvals from ``approvers``.

    ``statsig_reviewers`` (emails), when non-empty, narrows the approvers further: only
    group members who are also Statsig reviewers of the entity count. ``rule_index`` is
    the matching ``[[rules]]`` entry (from 0), ``None`` for defaults and incidents.
    """

    kind: Literal["needs_approval"] = "needs_approval"
    approvers: GroupRef
    approvals_required: int
    allow_self_approval: bool
    ttl_seconds: int
    rule_index: int | None
    statsig_reviewers: tuple[str, ...] = ()


Decision = Annotated[Allowed | NeedsApproval | Denied, Field(discriminator="kind")]
#: Serialises decisions (e.g. into the approval store) and reads them back.
DECISION_ADAPTER: TypeAdapter[Allowed | NeedsApproval | Denied] = TypeAdapter(Decision)


def member_matches(member: str, actor: Actor) -> bool:
    if member == ANYONE:
        return True
    if "@" in member:
        return actor.email is not None and actor.email.casefold() == member.casefold()
    if member.startswith("S"):
        return member in actor.usergroups
    return member == actor.user_id
