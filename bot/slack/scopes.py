"""The bot token scopes this app needs, derived from what it does: one table, one place.

Each Slack Web API method the code calls maps to the bot scopes *we* need for it (checked
against Slack's reference data by ``tests/slack/test_manifest.py``, which also requires the
manifests to ask for exactly :func:`required_scopes`, no more). Where Slack accepts several
scopes, the table picks the narrowest that fits our use (``conversations.open`` for
one-to-one DMs needs only ``im:write``). ``chat:write.public`` is not needed: a card the bot
cannot post in a channel it is not a member of goes through the command's ``response_url``
(see :mod:`bot.slack.listeners.delivery`).

Usage::

    required_scopes({"chat.postMessage", "users.info"}, slash_commands=True)
    # {'chat:write', 'commands', 'users:read', 'users:read.email'}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

__all__ = ["COMMAND_SCOPE", "FIELD_SCOPES", "METHOD_SCOPES", "required_scopes"]

METHOD_SCOPES: Final[Mapping[str, tuple[str, ...]]] = {
    "auth.test": (),  # Bolt, once, to learn the bot's own IDs
    "chat.postMessage": ("chat:write",),
    "chat.update": ("chat:write",),
    "chat.postEphemeral": ("chat:write",),
    "conversations.open": ("im:write",),  # DMs to requesters and approvers only
    "usergroups.users.list": ("usergroups:read",),  # policy groups given as S… IDs
    "users.info": ("users:read",),
    "users.lookupByEmail": ("users:read.email",),  # policy members given as emails
    "views.open": (),
    "views.update": (),
    "views.publish": (),
}
"""Web API method → the bot scopes it needs for our use."""

FIELD_SCOPES: Final[Mapping[str, tuple[str, ...]]] = {
    "users.info": ("users:read.email",),  # profile.email: the policy knows people by email
}
"""Scopes that unlock a field of a method's answer that we rely on."""

COMMAND_SCOPE: Final = "commands"
"""Needed as soon as the app has a slash command."""


def required_scopes(methods: Iterable[str], *, slash_commands: bool) -> set[str]:
    """The bot scopes for calling ``methods`` (``KeyError`` for a method not in the table)."""
    scopes = {COMMAND_SCOPE} if slash_commands else set()
    for method in methods:
        scopes.update(METHOD_SCOPES[method])
        scopes.update(FIELD_SCOPES.get(method, ()))
    return scopes
