"""The command language: the one registry, the parser, one handler per command shape, and
help and completion derived from the registry.

``parse(text) -> Command | UsageError`` is pure and total. May import
:mod:`bot.ops.actions` (a change command names the action it becomes), :mod:`bot.ops.model`
and :mod:`bot.statsig` models.
"""

__all__: list[str] = []
