"""One module per entity kind: each action loads what it needs, plans (pure), executes
(mutate, read back, verify) and rebuilds itself from a stored plan.

:mod:`~bot.ops.actions.registry` is the one list of actions and what each one *is*. May
import :mod:`bot.ops.model` and :mod:`bot.statsig`; talks to Statsig only through the
:class:`~bot.ops.actions.client.ConsoleAPI` protocol.
"""

__all__: list[str] = []
