"""Registering listeners on Bolt while keeping a list of what was registered.

Every listener module registers through a :class:`Registrar` instead of calling Bolt's
decorators directly. The registrar forwards to the ``AsyncApp`` and records each command,
action, view, options load, shortcut and event, so the manifest test checks the manifests
against what a built app really listens to (not against a hand-kept list).

Usage::

    registrar = Registrar(app)
    registrar.command("/statsig", on_statsig)
    registrar.registry.commands        # {'/statsig'}
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from slack_bolt.async_app import AsyncApp

__all__ = ["Listener", "Registrar", "Registry"]

Listener = Callable[..., Awaitable[None]]


@dataclass
class Registry:
    """What an app listens to, by kind (IDs exactly as registered with Bolt)."""

    commands: set[str] = field(default_factory=set)
    actions: set[str] = field(default_factory=set)
    views: set[str] = field(default_factory=set)
    options: set[str] = field(default_factory=set)
    shortcuts: set[str] = field(default_factory=set)
    events: set[str] = field(default_factory=set)

    @property
    def count(self) -> int:
        kinds = (self.commands, self.actions, self.views, self.options, self.shortcuts)
        return sum(len(k) for k in kinds) + len(self.events)


class Registrar:
    """Forwards registrations to ``app`` and records them in :attr:`registry`."""

    def __init__(self, app: AsyncApp) -> None:
        self.app = app
        self.registry = Registry()

    def command(self, name: str, listener: Listener) -> None:
        self.app.command(name)(listener)
        self.registry.commands.add(name)

    def action(self, action_id: str, listener: Listener) -> None:
        self.app.action(action_id)(listener)
        self.registry.actions.add(action_id)

    def view(self, callback_id: str, listener: Listener) -> None:
        self.app.view(callback_id)(listener)
        self.registry.views.add(callback_id)

    def options(self, action_id: str, listener: Listener) -> None:
        self.app.options(action_id)(listener)
        self.registry.options.add(action_id)

    def shortcut(self, callback_id: str, listener: Listener) -> None:
        self.app.shortcut(callback_id)(listener)
        self.registry.shortcuts.add(callback_id)

    def event(self, event_type: str, listener: Callable[..., Awaitable[Any]]) -> None:
        self.app.event(event_type)(listener)
        self.registry.events.add(event_type)
