"""The approval workflow: request → approve / reject / cancel / expire → claim → execute,
exactly once across replicas, with the surfaces told through the ``Notifier`` port.

Persistence lives in :mod:`bot.approvals.store` (Redis keys, Lua transitions, codec) and
nowhere else. May import :mod:`bot.render` (it builds the cards it posts), :mod:`bot.ops`
and :mod:`bot.statsig`; never :mod:`bot.chatops` or a surface.
"""

__all__: list[str] = []
