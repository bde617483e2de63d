"""Bolt listeners, one module per kind, each with an explicit ``register(app, deps)``."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.slack.deps import SlackDeps
from bot.slack.listeners import actions, commands, events, options, shortcuts, views

__all__ = ["register_all"]


def register_all(app: AsyncApp, deps: SlackDeps) -> None:
    """Register every listener on ``app``; the same set serves HTTP and Socket Mode."""
    for module in (commands, actions, views, options, events, shortcuts):
        module.register(app, deps)
