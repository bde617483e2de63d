"""Who may do what: the policy decision for a request, and for each approval of it.

A decision is a value, never an exception: :class:`Allowed` (run now),
:class:`NeedsApproval` (who must approve, how many, for how long) or :class:`Denied`
(with a reason to show the person). The order of the checks is the policy's semantics:

1. channel allow-list (``[channels] allowed``; ``channel=None`` means "not in Slack");
2. reads are allowed for anyone;
3. ``[identity] require_statsig_user``: a non-editor in Statsig may not change anything;
4. incident actions: responders with ``break_glass`` kill (and restore) at once; anyone
   else's kill needs one responder's approval;
5. the first ``[[rules]]`` entry whose actions and tags match; its ``requesters`` must
   include the actor (a non-member is denied, not passed on to a looser rule);
6. otherwise ``[defaults]``.

A Statsig review requirement on the entity forces at least one approval and narrows the
approvers to the entity's Statsig reviewers (by email).

Usage::

    policy = load_policy(settings.statsig_bot_policy)
    match policy.decide(alice, "gate.disable", tags=gate.tags, channel="C123"):
        case Allowed(): ...
        case NeedsApproval() as need: ...
        case Denied(reason=reason): ...
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from bot.ops.actions.registry import ACTIONS, RESTORE_ACTION, action_words, is_incident
from bot.ops.model.decisions import (
    ANYONE,
    Allowed,
    Denied,
    GroupRef,
    NeedsApproval,
    ReviewRequirement,
    TeamAccess,
)
from bot.ops.model.identity import Actor, role_may_edit
from bot.ops.policy.model import (
    PolicyError,
    PolicyFile,
    action_matches,
    parse_policy,
    read_policy_file,
)

__all__ = [
    "ADMINS_GROUP",
    "READ",
    "Policy",
    "PolicyError",
    "action_matches",
    "load_policy",
]

READ = "read"
ADMINS_GROUP = "admins"
"""The ``[groups]`` entry whose members may override a change freeze (and freeze)."""


def _not_an_editor(actor: Actor, action: str) -> str:
    """The denial for someone Statsig will not let edit: addressed to them, with a way out."""
    cls = ACTIONS.get(action)
    noun = f"{cls.entity_kind if cls else action.partition('.')[0]}s"
    if actor.statsig_role:
        why = f"your Statsig role is {actor.statsig_role}"
        ask = "Ask a Statsig project admin for an editor role"
    else:
        who = actor.email or actor.label
        why = f"Statsig has no account for {who}"
        ask = "Ask a Statsig project admin to invite you"
    return f"You can't change {noun} through the bot: {why}. {ask}, or ask a teammate who can edit."


class Policy:
    """A validated policy with its decisions. ``Policy()`` is the built-in default."""

    def __init__(self, model: PolicyFile | None = None) -> None:
        self.model = model if model is not None else PolicyFile()

    @classmethod
    def from_toml(cls, text: str, source: str = "policy.toml") -> Policy:
        """Parse policy TOML text; ``source`` names it in error messages."""
        return cls(parse_policy(text, source))

    @property
    def incident_channel(self) -> str | None:
        return self.model.channels.incident

    @property
    def dm_approvers(self) -> bool:
        return self.model.notifications.dm_approvers

    def group(self, name: str) -> GroupRef | None:
        """The named group (``"*"`` is everyone), or ``None`` when it is not defined."""
        if name == ANYONE:
            return GroupRef(name=ANYONE, members=(ANYONE,))
        members = self.model.groups.get(name)
        return None if members is None else GroupRef(name=name, members=members)

    def channel_allowed(self, channel: str | None) -> bool:
        """Whether the bot acts in ``channel`` (``None``: not in Slack, e.g. the shell)."""
        allowed = self.model.channels.allowed
        if channel is None or not allowed:
            return True
        return channel in allowed or channel == self.model.channels.incident

    def may_read_in(self, channel: str | None) -> bool:
        """Whether the bot answers reads in ``channel``: the allow-list, unless the policy
        lets people read anywhere (``[channels] reads_anywhere``)."""
        return self.model.channels.reads_anywhere or self.channel_allowed(channel)

    def channel_denial(self) -> Denied:
        """The answer in a channel the bot does not act in."""
        return Denied(
            reason="the bot does not act in this channel (see the policy's "
            f"allowed channels: {', '.join(self.model.channels.allowed)})"
        )

    def is_responder(self, actor: Actor) -> bool:
        """Whether ``actor`` belongs to the ``[incident] responders`` group."""
        name = self.model.incident.responders
        group = self.group(name) if name is not None else None
        return group is not None and group.contains(actor)

    def is_admin(self, actor: Actor) -> bool:
        """Whether ``actor`` belongs to the ``[groups] admins`` group (who may override a
        change freeze)."""
        group = self.model.groups.get(ADMINS_GROUP)
        return group is not None and GroupRef(name=ADMINS_GROUP, members=group).contains(actor)

    def may_freeze(self, actor: Actor) -> Allowed | Denied:
        """Who may turn a change freeze on or off: incident responders and admins."""
        if self.is_responder(actor):
            return Allowed(reason=f"{actor.label} is an incident responder")
        if self.is_admin(actor):
            return Allowed(reason=f"{actor.label} is an admin")
        return Denied(
            reason="only incident responders (the policy's [incident] responders) and admins "
            f"(the [groups] {ADMINS_GROUP} group) can freeze or unfreeze changes"
        )

    def may_edit(self, actor: Actor) -> bool:
        """Whether the Statsig identity check lets ``actor`` change things."""
        if not self.model.identity.require_statsig_user:
            return True
        return role_may_edit(actor.statsig_role, self.model.identity.editor_roles)

    def decide(
        self,
        actor: Actor,
        action: str,
        *,
        tags: Iterable[str] = (),
        channel: str | None = None,
        kind: str = "mutation",
        review: ReviewRequirement | None = None,
        team: TeamAccess | None = None,
    ) -> Allowed | NeedsApproval | Denied:
        """Decide whether ``actor`` may run ``action`` (``"noun.verb"``) on an entity.

        ``team`` is the owning Statsig team's restriction, when it has one: until people
        act with their own Statsig keys (Statsig would enforce it then), the bot does. A
        responder's kill and restore are break glass and not held to it.
        """
        if not self.channel_allowed(channel):
            return self.channel_denial()
        if kind == READ:
            return Allowed(reason="reads are open to everyone")
        if not self.may_edit(actor):
            return Denied(reason=_not_an_editor(actor, action))
        incident = self._decide_incident(actor, action.lower(), review)
        if incident is not None:
            return incident
        if team is not None and not team.admits(actor):
            return Denied(reason=_not_in_team(actor, action, team))
        return self._decide_by_rules(actor, action, frozenset(t.casefold() for t in tags), review)

    def _decide_incident(
        self, actor: Actor, action: str, review: ReviewRequirement | None
    ) -> Allowed | NeedsApproval | Denied | None:
        name = self.model.incident.responders
        if not is_incident(action) or name is None:
            return None
        responders = self.group(name)
        if responders is None:
            return Denied(reason=f"the responders group {name!r} is not defined")
        if responders.contains(actor) and self.model.incident.break_glass:
            return Allowed(reason=f"{actor.label} is an incident responder (break glass)")
        if action == RESTORE_ACTION:
            return None
        return self._need(responders, 1, False, self.model.defaults.ttl, None, actor, review)

    def _decide_by_rules(
        self,
        actor: Actor,
        action: str,
        tags: frozenset[str],
        review: ReviewRequirement | None,
    ) -> Allowed | NeedsApproval | Denied:
        defaults = self.model.defaults
        for index, rule in enumerate(self.model.rules):
            if not any(action_matches(p, action) for p in rule.actions):
                continue
            if rule.tags and not tags & {t.casefold() for t in rule.tags}:
                continue
            requesters = self.group(rule.requesters)
            if requesters is None or not requesters.contains(actor):
                return Denied(
                    reason=f"You can't {action_words(action)} through the bot: only group "
                    f"{rule.requesters!r} may request it (policy rule {index}). Ask one of "
                    "them to request it."
                )
            approvers_name = rule.approvers if rule.approvers is not None else defaults.approvers
            approvers = self.group(approvers_name)
            if approvers is None:
                return Denied(
                    reason=f"policy rule {index} names an unknown group {approvers_name!r}"
                )
            return self._need(
                approvers,
                defaults.approvals_required
                if rule.approvals_required is None
                else rule.approvals_required,
                defaults.allow_self_approval
                if rule.allow_self_approval is None
                else rule.allow_self_approval,
                defaults.ttl if rule.ttl is None else rule.ttl,
                index,
                actor,
                review,
            )
        approvers = self.group(defaults.approvers)
        if approvers is None:
            return Denied(
                reason=f"the default approvers group {defaults.approvers!r} is not defined"
            )
        return self._need(
            approvers,
            defaults.approvals_required,
            defaults.allow_self_approval,
            defaults.ttl,
            None,
            actor,
            review,
        )

    def _need(
        self,
        approvers: GroupRef,
        count: int,
        allow_self: bool,
        ttl: int,
        rule_index: int | None,
        requester: Actor,
        review: ReviewRequirement | None,
    ) -> Allowed | NeedsApproval | Denied:
        reviewers: tuple[str, ...] = ()
        if review is not None and review.required:
            # Statsig requires review: the bot never lets such a change through unapproved.
            count = max(count, 1)
            reviewers = tuple(sorted({r.casefold() for r in review.allowed_reviewers}))
        if count == 0:
            where = "defaults" if rule_index is None else f"policy rule {rule_index}"
            return Allowed(reason=f"{where} requires no approval")
        if not allow_self and approvers.only_person(requester):
            return Denied(
                reason=f"no one but {requester.label} is in group "
                f"{approvers.name!r}, so no one else can approve"
            )
        possible = _possible_approvers(approvers, reviewers, requester, allow_self)
        if possible is not None and len(possible) < count:
            return Denied(reason=_impossible_quorum(count, approvers, reviewers, possible))
        return NeedsApproval(
            approvers=approvers,
            approvals_required=count,
            allow_self_approval=allow_self,
            ttl_seconds=ttl,
            rule_index=rule_index,
            statsig_reviewers=reviewers,
        )

    def may_approve(
        self, approver: Actor, requester: Actor, need: NeedsApproval
    ) -> Allowed | Denied:
        """Whether ``approver``'s approval counts towards ``need`` (four eyes included)."""
        if approver.is_same_person(requester) and not need.allow_self_approval:
            return Denied(reason="you cannot approve your own request")
        if not self.may_edit(approver):
            role = approver.statsig_role or "no Statsig account found"
            return Denied(reason=f"{approver.label} is not an editor in Statsig ({role})")
        if not need.approvers.contains(approver):
            return Denied(reason=f"{approver.label} is not in group {need.approvers.name!r}")
        if need.statsig_reviewers and (
            approver.email is None or approver.email.casefold() not in need.statsig_reviewers
        ):
            return Denied(
                reason=f"{approver.label} is not a Statsig reviewer of this entity "
                f"(reviewers: {', '.join(need.statsig_reviewers)})"
            )
        return Allowed(reason=f"{approver.label} may approve")


def _not_in_team(actor: Actor, action: str, team: TeamAccess) -> str:
    """The denial for someone the owning team does not let change its entities."""
    cls = ACTIONS.get(action)
    noun = f"{cls.entity_kind if cls else action.partition('.')[0]}s"
    who = ", ".join(team.editors[:6]) or "its members"
    return (
        f"You can't change team {team.name}'s {noun} through the bot: the team lets only its "
        f"members and admins change them (Statsig's changeTeamConfigs: team_only). Ask one "
        f"of them ({who}) to request it, or a team admin to add you."
    )


def _possible_approvers(
    approvers: GroupRef, reviewers: tuple[str, ...], requester: Actor, allow_self: bool
) -> list[str] | None:
    """Everyone who could approve (as written in the policy or Statsig), or ``None`` when
    that cannot be known at plan time (a Slack user group, ``*``, or user IDs to match
    against Statsig's reviewer emails)."""

    def is_requester(member: str) -> bool:
        if allow_self:
            return False
        if "@" in member:
            return requester.email is not None and member.casefold() == requester.email.casefold()
        return member == requester.user_id

    members = approvers.members
    listed = all("@" in m or m.startswith(("U", "W")) for m in members) and ANYONE not in members
    if reviewers:
        if listed and all("@" in m for m in members):
            both = {m.casefold() for m in members} & set(reviewers)
            return sorted(r for r in both if not is_requester(r))
        return sorted(r for r in reviewers if not is_requester(r))  # an upper bound
    if not listed:
        return None
    return sorted(m for m in dict.fromkeys(members) if not is_requester(m))


def _impossible_quorum(
    count: int, approvers: GroupRef, reviewers: tuple[str, ...], possible: list[str]
) -> str:
    """Why no request could ever be approved: who qualifies, and what would fix it."""
    who = ", ".join(possible[:8]) if possible else "nobody"
    why = f"group {approvers.name!r}"
    if reviewers:
        why += " who are also Statsig reviewers of the entity"
    return (
        f"this change needs {count} approvals, but only {len(possible)} "
        f"{'person' if len(possible) == 1 else 'people'} could give one ({who}: {why}, "
        "not counting you), so the request could only expire. Ask a policy admin to add "
        "approvers or lower approvals_required, or a Statsig admin to add reviewers"
    )


def load_policy(path: str | Path | None) -> Policy:
    """The policy from ``path``, or the built-in defaults when ``path`` is ``None``.

    Raises :class:`PolicyError` (a ``ConfigError``) naming the file, key and reason.
    """
    return Policy() if path is None else Policy(read_policy_file(path))
