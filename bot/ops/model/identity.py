"""Who is acting: one :class:`Actor` type for Slack users and shell users alike.

The policy decides on what an actor *is* (Slack user ID, user groups, email) and on what
Statsig says about them (their project role). Surfaces build the actor; the core never
looks anything up itself, so the policy stays a pure function that tests drive directly.

Usage::

    alice = Actor("U012ALICE", "alice@example.com", "Alice", frozenset({"S0ONCALL"}), "Member")
    bob = Actor.for_shell("bob@example.com", statsig_role="Read Only")
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

__all__ = [
    "DEFAULT_EDITOR_ROLES",
    "READ_ONLY_ROLE",
    "SHELL_ID_PREFIX",
    "Actor",
    "People",
    "role_may_edit",
]

DEFAULT_EDITOR_ROLES: tuple[str, ...] = ("Admin", "Member")
READ_ONLY_ROLE = "Read Only"
SHELL_ID_PREFIX = "shell:"


@dataclass(frozen=True, slots=True)
class Actor:
    """A person asking the bot to do something, or approving it.

    ``user_id`` is a Slack user ID (``U…``/``W…``) or, in the shell, a pseudo-ID
    (``shell:<email>``). ``usergroups`` holds the Slack user-group IDs (``S…``) the user
    belongs to. ``statsig_role`` is the role on the user's Statsig account (``"Admin"``,
    ``"Member"``, ``"Read Only"`` or a custom role); ``None`` when unknown or when the person
    has no Statsig account.
    """

    user_id: str
    email: str | None = None
    display_name: str = ""
    usergroups: frozenset[str] = frozenset()
    statsig_role: str | None = None

    @classmethod
    def for_shell(
        cls,
        email: str,
        *,
        display_name: str = "",
        usergroups: Iterable[str] = (),
        statsig_role: str | None = None,
    ) -> Actor:
        """The actor of a terminal session (``statsig-bot shell --as EMAIL``)."""
        return cls(
            user_id=f"{SHELL_ID_PREFIX}{email}",
            email=email,
            display_name=display_name or email,
            usergroups=frozenset(usergroups),
            statsig_role=statsig_role,
        )

    @property
    def label(self) -> str:
        """A human name for messages: display name, else email, else the user ID."""
        return self.display_name or self.email or self.user_id

    def is_same_person(self, other: Actor) -> bool:
        """Same user ID, or same email (one person in Slack and in the shell is one person)."""
        if self.user_id == other.user_id:
            return True
        return (
            self.email is not None
            and other.email is not None
            and self.email.casefold() == other.email.casefold()
        )


def role_may_edit(role: str | None, editor_roles: Iterable[str] = DEFAULT_EDITOR_ROLES) -> bool:
    """Whether a Statsig project role may change things.

    ``"Read Only"`` never may; any other role (built-in or custom) may only when it is
    listed in ``editor_roles`` (the policy's ``[identity] editor_roles``, by default
    ``Admin`` and ``Member``); no role (not a Statsig user) may not. Case-insensitive.
    """
    if role is None:
        return False
    wanted = role.strip().casefold()
    if wanted == READ_ONLY_ROLE.casefold():
        return False
    return any(wanted == r.strip().casefold() for r in editor_roles)


class People(Protocol):
    """Who the people behind the policy's words are, in the chat the bot lives in.

    The policy names people by Slack user ID, Slack user group or email; only the chat
    workspace can say who is in a group, or which account an email belongs to. Slack
    implements it (``SlackIdentity``, in the Slack surface); the shell borrows it when a
    Slack token is configured, so groups mean the same in both surfaces.
    """

    async def members(self, names: Sequence[str]) -> list[Actor]:
        """Everyone the given members stand for (user IDs, group IDs, emails; ``*`` is
        nobody in particular and yields no one), as actors with email, groups and role."""
        ...

    async def by_email(self, email: str) -> Actor | None:
        """The chat account behind an email, or ``None`` when there is none."""
        ...
