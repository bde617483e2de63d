"""Bolt listeners, one module per kind, each with an explicit ``register(registrar, deps)``.

Listeners only ack, parse, call :class:`~bot.chatops.service.ChatOps` and deliver what it
renders; the ``one-door`` import contract keeps the workflow, the Statsig client, the policy
and the actions out of their reach.
"""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.slack.deps import SlackDeps
from bot.slack.listeners import actions, commands, events, options, shortcuts, views
from bot.slack.listeners.registry import Registrar, Registry

__all__ = ["Registry", "register_all"]


def register_all(app: AsyncApp, deps: SlackDeps) -> Registry:
    """Register every listener on ``app`` (the same set serves HTTP and Socket Mode) and
    return what was registered (the manifest test compares it with the manifests)."""
    registrar = Registrar(app)
    for module in (commands, actions, views, options, events, shortcuts):
        module.register(registrar, deps)
    return registrar.registry
