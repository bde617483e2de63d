"""What the shell adds to the composition root (:mod:`bot.runtime`): who you are by default.

Usage::

    runtime = await build_runtime(settings, notifier=printer)   # from bot.runtime
    await session.become(actor or default_actor(settings))
"""

from __future__ import annotations

import getpass

from bot.config import Settings

__all__ = ["SANDBOX_ACTOR", "default_actor"]

SANDBOX_ACTOR = "alice@example.com"  # an Admin in the sandbox's demo project


def default_actor(settings: Settings) -> str:
    """Who the shell acts as without ``--as``: alice in the sandbox, else ``$USER@localhost``."""
    if settings.uses_sandbox():
        return SANDBOX_ACTOR
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "shell"
    return f"{user}@localhost"
