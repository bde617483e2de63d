"""The pure core: the command language, actions, plans, policy and the values they share.

No Redis, no Slack, no rendering. Subpackages, from the bottom up (each may import only the
ones below it, and :mod:`bot.statsig`): ``model`` (plain values every layer shares),
``actions`` (one module per entity kind: load, plan, execute, rebuild from a stored plan),
``commands`` (the registry, the parser and its handlers), ``policy`` (who may do what).

The package itself exports nothing, so importing it stays cheap.
"""

__all__: list[str] = []
