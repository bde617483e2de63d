"""Slack's side of a shell session: its people and its cards, when a bot token is set.

An approval made in the shell (against the deployment's shared Redis) moves the Slack card
exactly as a click would, and a responder defined by a Slack user group is a responder in
the shell too. Without ``SLACK_BOT_TOKEN`` there is no Slack side, and the shell says which
of the policy's groups it cannot resolve.

Usage (``bot.cli``)::

    shell.run(command, assume_yes, actor, chat=slack_side)   # slack_side(settings) or None
"""

from __future__ import annotations

import redis.asyncio as aioredis

from bot.config import Settings
from bot.ops.policy.rules import Policy
from bot.runtime import RoleLookup
from bot.slack.identity import SlackIdentity
from bot.slack.notifier import SlackNotifier
from bot.slack.wiring import slack_client, watched_groups

__all__ = ["SlackSide", "slack_side"]


class SlackSide:
    """People and cards through Slack's Web API (the same parts ``serve`` uses)."""

    def __init__(self, settings: Settings) -> None:
        token = settings.slack_bot_token
        assert token is not None
        self._settings = settings
        self._client = slack_client(token.get_secret_value(), settings.slack_api_url)

    def people(
        self, redis: aioredis.Redis, role_lookup: RoleLookup, policy: Policy
    ) -> SlackIdentity:
        return SlackIdentity(
            self._client,
            redis,
            prefix=self._settings.statsig_bot_redis_prefix,
            role_lookup=role_lookup,
            watched_groups=watched_groups(policy),
        )

    def notifier(self, policy: Policy) -> SlackNotifier:
        return SlackNotifier(self._client, policy=policy)


def slack_side(settings: Settings) -> SlackSide | None:
    """Slack's side for the shell, or ``None`` without a bot token."""
    return SlackSide(settings) if settings.slack_bot_token is not None else None
